import type { ChannelStore, OutboxStore, TopicStore } from '../store/store.ts';
import { checkSlug, bad, ok, parseMinScore, parseWindow, windowLabel } from './options.ts';
import { answer, audit, callerId, channelLabel, channelOf } from './reply.ts';
import { unknownTopic } from './topic-names.ts';
import type { Command } from './types.ts';

/** A new subscription may ask for at most a week of stored matches. */
export const MAX_BACKFILL_S = 7 * 86_400;

export interface SubscribeOptions {
  topic: string;
  minScore: number;
  /** Backfill: the stored matches of the last this-many seconds are alerted now. */
  sinceS?: number;
}

export const subscribe: Command<SubscribeOptions, ChannelStore & TopicStore & OutboxStore> = {
  name: 'subscribe',
  usage: 'subscribe <topic> [min:0.7] [--since 24h]',
  summary: "post this topic's alerts in this channel",
  help: 'min: only alerts scoring at least this (0–1; default: the topic\'s own threshold). --since: alert the topic\'s matches of the last hours or days now (up to 7d), instead of starting silent.',
  parse({ words }) {
    const [topic, ...rest] = words;
    const slugError = checkSlug(topic, 'subscribe');
    if (slugError) return bad(slugError);
    const options: SubscribeOptions = { topic: topic!, minScore: 0 };
    for (let i = 0; i < rest.length; i++) {
      const word = rest[i]!;
      if (word.startsWith('min:')) {
        const min = parseMinScore(word);
        if (typeof min === 'string') return bad(min);
        options.minScore = min;
      } else if (word === '--since') {
        const next = rest[++i];
        if (next === undefined) return bad('--since needs a window, such as --since 24h.');
        const s = parseWindow(next, MAX_BACKFILL_S, '--since');
        if (typeof s === 'string') return bad(s);
        options.sinceS = s;
      } else return bad(`unexpected "${word}".`);
    }
    return ok(options);
  },
  async run(ctx, o) {
    const topic = ctx.topics.get(o.topic);
    if (!topic) return unknownTopic(ctx, o.topic);
    const channelId = await ctx.store.ensureChannel(channelOf(ctx.caller));
    const before = (await ctx.store.channelSubscriptions(channelId)).find((s) => s.topic === o.topic);
    await ctx.store.subscribe(channelId, o.topic, o.minScore, callerId(ctx.caller));
    const now = ctx.now();
    let backfilled = 0;
    if (o.sinceS !== undefined) {
      // Through the outbox like any match: the (channel, story) key keeps a story this channel already had from coming twice.
      for (const m of await ctx.store.topicMatchesSince(o.topic, new Date(now.getTime() - o.sinceS * 1000))) {
        if (m.score < o.minScore) continue;
        const id = await ctx.store.enqueueDelivery({ channelId, storyId: m.storyId, topic: o.topic, articleId: m.articleId, kind: 'alert' }, now);
        if (id !== null) backfilled++;
      }
    }
    audit(ctx, `subscribed to ${o.topic}`, { command: 'subscribe', topic: o.topic, minScore: o.minScore, channelId, backfilled, ...(before ? { was: before } : {}) });
    const min = o.minScore > 0 ? ` (alerts scoring ${o.minScore.toFixed(2)} or more)` : '';
    const verb = before?.pausedReason ? 'Resumed' : before ? 'Updated' : 'Subscribed';
    const lines = [`${verb}: ${channelLabel(ctx.caller)} gets alerts for ${o.topic} — ${topic.definition.title}${min}.`];
    if (o.sinceS !== undefined) {
      lines.push(backfilled > 0
        ? `${backfilled} ${backfilled === 1 ? 'story' : 'stories'} of the last ${windowLabel(o.sinceS)} ${backfilled === 1 ? 'is' : 'are'} on the way.`
        : `No story of the last ${windowLabel(o.sinceS)} matched that this channel has not had already.`);
    }
    return answer('channel', lines.join('\n'));
  },
};
