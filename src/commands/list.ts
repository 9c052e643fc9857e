import type { ChannelStore } from '../store/store.ts';
import { bad, ok } from './options.ts';
import { answer, channelLabel, channelOf } from './reply.ts';
import type { Command } from './types.ts';

export const list: Command<Record<string, never>, ChannelStore> = {
  name: 'list',
  usage: 'list',
  summary: "this channel's subscriptions, with their state and any pause reason",
  parse({ words }) {
    return words.length ? bad(`list takes no arguments; got "${words[0]}".`) : ok({});
  },
  async run(ctx) {
    const channelId = await ctx.store.findChannel(channelOf(ctx.caller));
    const subscriptions = channelId === undefined ? [] : await ctx.store.channelSubscriptions(channelId);
    if (subscriptions.length === 0) return answer('private', `${channelLabel(ctx.caller)} has no subscriptions; \`topics\` lists the topics, \`subscribe <topic>\` adds one.`);
    return answer('private', `${channelLabel(ctx.caller)} follows ${subscriptions.length} ${subscriptions.length === 1 ? 'topic' : 'topics'}:`, {
      type: 'table',
      columns: ['topic', 'min score', 'state', 'added by'],
      rows: subscriptions.map((s) => [
        s.topic,
        s.minScore > 0 ? s.minScore.toFixed(2) : 'topic threshold',
        s.pausedReason ? `paused: ${s.pausedReason}` : ctx.topics.get(s.topic) ? 'active' : 'topic no longer defined',
        s.source === 'config' ? 'config file' : (s.createdBy ?? ''),
      ]),
    });
  },
};
