import { collectDigest } from '../alerts/digest-source.ts';
import type { ChannelStore, DigestStore } from '../store/store.ts';
import { checkSlug, bad, isWindow, ok, parseWindow } from './options.ts';
import { answer, channelOf } from './reply.ts';
import { unknownTopic } from './topic-names.ts';
import type { Command } from './types.ts';

const DEFAULT_WINDOW_S = 86_400;
const MAX_WINDOW_S = 30 * 86_400;

export interface DigestOptions {
  topic?: string;
  windowS: number;
  private: boolean;
}

export const digest: Command<DigestOptions, ChannelStore & DigestStore> = {
  name: 'digest',
  usage: 'digest [topic] [24h|7d] [--private]',
  summary: 'the top stories of a window, in this channel (--private: only for you)',
  help: "Without a topic: the topics this channel follows (every topic when it follows none). The window is 24h unless given, at most 30d.",
  parse({ words }) {
    const options: DigestOptions = { windowS: DEFAULT_WINDOW_S, private: false };
    for (const word of words) {
      if (word === '--private') options.private = true;
      else if (isWindow(word)) {
        const s = parseWindow(word, MAX_WINDOW_S);
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
    if (o.topic && !ctx.topics.get(o.topic)) return unknownTopic(ctx, o.topic);
    const until = ctx.now();
    const since = new Date(until.getTime() - o.windowS * 1000);
    let channelId: number | undefined;
    if (!o.topic) {
      const id = await ctx.store.findChannel(channelOf(ctx.caller));
      if (id !== undefined && (await ctx.store.channelSubscriptions(id)).length > 0) channelId = id;
    }
    const result = await collectDigest(ctx.store, { ...(o.topic ? { topic: o.topic } : {}), ...(channelId !== undefined ? { channelId } : {}), since, until });
    return answer(o.private ? 'private' : 'channel', { type: 'digest', digest: result });
  },
};
