import { collectDigest } from '../alerts/digest-source.ts';
import type { Digest } from '../alerts/digest.ts';
import type { ChannelRef, ChannelStore, DigestStore } from '../store/store.ts';
import { checkSlug, bad, isWindow, ok, parseWindow } from './options.ts';
import { answer, channelOf } from './reply.ts';
import { unknownTopic } from './topic-names.ts';
import type { Command, CommandContext, Reply } from './types.ts';

export const DIGEST_DEFAULT_WINDOW_S = 86_400;
export const DIGEST_MAX_WINDOW_S = 30 * 86_400;

export interface DigestOptions {
  topic?: string;
  windowS: number;
  private: boolean;
}

/**
 * The top stories of the last `windowS`: of one topic; without one, of the topics `channel` follows, or of
 * every topic when it follows none (or no channel is given: `watchfloor digest`). An unknown topic is a refusal.
 */
export async function windowDigest(
  ctx: CommandContext<ChannelStore & DigestStore>,
  o: { topic?: string; windowS: number; channel?: ChannelRef },
): Promise<Digest | Reply> {
  if (o.topic && !ctx.topics.get(o.topic)) return unknownTopic(ctx, o.topic);
  const until = ctx.now();
  const since = new Date(until.getTime() - o.windowS * 1000);
  let channelId: number | undefined;
  if (!o.topic && o.channel) {
    const id = await ctx.store.findChannel(o.channel);
    if (id !== undefined && (await ctx.store.channelSubscriptions(id)).length > 0) channelId = id;
  }
  return collectDigest(ctx.store, { ...(o.topic ? { topic: o.topic } : {}), ...(channelId !== undefined ? { channelId } : {}), since, until });
}

export const digest: Command<DigestOptions, ChannelStore & DigestStore> = {
  name: 'digest',
  usage: 'digest [topic] [24h|7d] [--private]',
  summary: 'the top stories of a window, in this channel (--private: only for you)',
  help: "Without a topic: the topics this channel follows (every topic when it follows none). The window is 24h unless given, at most 30d.",
  parse({ words }) {
    const options: DigestOptions = { windowS: DIGEST_DEFAULT_WINDOW_S, private: false };
    for (const word of words) {
      if (word === '--private') options.private = true;
      else if (isWindow(word)) {
        const s = parseWindow(word, DIGEST_MAX_WINDOW_S);
        if (typeof s === 'string') return bad(s);
        options.windowS = s;
      } else if (options.topic === undefined && !word.startsWith('-')) {
        const slugError = checkSlug(word, 'digest');
        if (slugError) return bad(slugError);
        options.topic = word;
      } else return bad(`unexpected "${word}".`);
    }
    return ok(options);
  },
  async run(ctx, o) {
    const result = await windowDigest(ctx, { ...o, channel: channelOf(ctx.caller) });
    return 'parts' in result ? result : answer(o.private ? 'private' : 'channel', { type: 'digest', digest: result });
  },
};
