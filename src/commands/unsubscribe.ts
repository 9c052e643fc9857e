import type { ChannelStore } from '../store/store.ts';
import { checkSlug, bad, ok } from './options.ts';
import { answer, audit, channelLabel, channelOf, refuse } from './reply.ts';
import { didYouMean } from './suggest.ts';
import type { Command } from './types.ts';

export const unsubscribe: Command<{ topic: string }, ChannelStore> = {
  name: 'unsubscribe',
  usage: 'unsubscribe <topic>',
  summary: "stop this topic's alerts in this channel",
  parse({ words }) {
    const slugError = checkSlug(words[0], 'unsubscribe');
    if (slugError) return bad(slugError);
    if (words.length > 1) return bad(`unexpected "${words[1]}".`);
    return ok({ topic: words[0]! });
  },
  async run(ctx, { topic }) {
    const channelId = await ctx.store.findChannel(channelOf(ctx.caller));
    const subscriptions = channelId === undefined ? [] : await ctx.store.channelSubscriptions(channelId);
    const current = subscriptions.find((s) => s.topic === topic);
    if (!current) {
      const hint = didYouMean(topic, subscriptions.map((s) => s.topic));
      return refuse(`${channelLabel(ctx.caller)} is not subscribed to "${topic}"${hint || (subscriptions.length ? '; `list` shows its subscriptions.' : '.')}`);
    }
    if (current.source === 'config') {
      return refuse(`${topic} reaches ${channelLabel(ctx.caller)} through a route in the config file; remove the route there (a chat unsubscribe would come back on the next start).`);
    }
    await ctx.store.unsubscribe(channelId!, topic);
    audit(ctx, `unsubscribed from ${topic}`, { command: 'unsubscribe', topic, channelId, was: current });
    return answer('channel', `Unsubscribed: ${channelLabel(ctx.caller)} no longer gets alerts for ${topic}.`);
  },
};
