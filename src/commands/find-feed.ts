import type { FeedRow, FeedStore } from '../store/store.ts';

/**
 * The stored feed a user names: by id (digits, as `feed list` shows it), by URL, or by a URL it had before a
 * permanent redirect (a config entry or an OPML file may still say it).
 */
export async function findFeed(store: Pick<FeedStore, 'getFeed' | 'getFeedByUrl' | 'listFeedMoves'>, feed: string): Promise<FeedRow | undefined> {
  const direct = /^\d+$/.test(feed) ? await store.getFeed(Number(feed)) : await store.getFeedByUrl(feed);
  if (direct) return direct;
  const move = (await store.listFeedMoves()).find((m) => m.url === feed);
  return move ? store.getFeed(move.feedId) : undefined;
}
