import type { FeedRow, FeedStore } from '../store/store.ts';
import { bad, ok } from './options.ts';
import { answer } from './reply.ts';
import type { Command, ReplyPart } from './types.ts';

const when = (d: Date | null) => (d ? `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC` : '-');
const ERROR_CHARS = 160;

/** ok, failing (with the failure count), paused, or new: added and not polled yet. */
export function feedHealth(f: FeedRow): string {
  if (f.status === 'failing') return `failing (${f.failures}×)`;
  if (f.firstPoll && f.failures === 0) return 'new';
  return f.status;
}

export interface FeedTable {
  feeds: FeedRow[];
  table: Extract<ReplyPart, { type: 'table' }>;
}

/** Every stored feed with its health, one row each: what `feed list` and `watchfloor feeds list` show. */
export async function feedTable(store: Pick<FeedStore, 'listFeeds' | 'listFeedMoves'>): Promise<FeedTable> {
  const [feeds, moves] = await Promise.all([store.listFeeds(), store.listFeedMoves()]);
  // A feed's former URLs (permanent redirects) still name it: a config entry or an OPML file may use them.
  const movedFrom = (id: number) => moves.filter((m) => m.feedId === id).map((m) => m.url).join(' ');
  return {
    feeds,
    table: {
      type: 'table',
      columns: ['id', 'health', 'feed', 'last success', 'next poll', 'last error', 'moved from'],
      rows: feeds.map((f) => [
        String(f.id),
        feedHealth(f),
        f.title ? `${f.title} ${f.url}` : f.url,
        when(f.lastSuccessAt),
        when(f.nextPollAt),
        (f.lastError ?? '').slice(0, ERROR_CHARS),
        movedFrom(f.id),
      ]),
    },
  };
}

export const feedList: Command<Record<string, never>, FeedStore> = {
  name: 'feed list',
  usage: 'feed list',
  summary: 'every feed with its health: ok or failing, last error, next poll (admin)',
  admin: true,
  parse({ words }) {
    return words.length ? bad(`feed list takes no arguments; got "${words[0]}".`) : ok({});
  },
  async run(ctx) {
    const { feeds, table } = await feedTable(ctx.store);
    if (feeds.length === 0) return answer('private', 'There are no feeds yet; `feed add <url>` adds one.');
    const failing = feeds.filter((f) => f.status === 'failing').length;
    return answer('private', `${feeds.length} feeds, ${failing} failing.`, table);
  },
};
