import type { FeedStore } from '../store/store.ts';
import { findFeed } from './find-feed.ts';
import { bad, ok } from './options.ts';
import { answer, audit, refuse } from './reply.ts';
import type { Command, CommandContext, Reply } from './types.ts';

/**
 * Removes a stored feed (by id, URL, or a URL it had before a permanent redirect) and its articles. A feed the
 * config file lists is refused with the entry that lists it: the next start would add it again. `feed remove`
 * and `watchfloor feeds remove` both answer through this.
 */
export async function removeFeed(ctx: CommandContext<FeedStore>, feed: string): Promise<Reply> {
  const unknown = refuse(`no feed ${feed}; \`feed list\` shows the feeds with their ids.`);
  const row = await findFeed(ctx.store, feed);
  if (!row) return unknown;
  const { file, entries } = ctx.configFeeds;
  const listed = entries.findIndex((e) => e.id === row.id || e.url === row.url);
  if (listed >= 0) {
    const as = entries[listed]!.url === row.url ? '' : ` (as ${entries[listed]!.url}, which moved to it)`;
    return refuse(`${row.url} is feeds[${listed}] in ${file}${as}; remove it there first, or it comes back on the next start.`);
  }
  if (!(await ctx.store.removeFeed(row.url))) return unknown;
  audit(ctx, `feed removed: ${row.url}`, { command: 'feed remove', url: row.url, id: row.id, given: feed });
  return answer('private', `Removed feed ${row.id} (${row.url}) and its stored articles.`);
}

export const feedRemove: Command<{ feed: string }, FeedStore> = {
  name: 'feed remove',
  usage: 'feed remove <url|id>',
  summary: 'remove a feed and its stored articles (admin)',
  admin: true,
  parse({ words }) {
    if (words.length !== 1) return bad('feed remove needs one feed: its URL or its id as `feed list` shows them.');
    return ok({ feed: words[0]! });
  },
  run: (ctx, { feed }) => removeFeed(ctx, feed),
};
