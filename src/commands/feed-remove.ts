import type { FeedStore } from '../store/store.ts';
import { bad, ok } from './options.ts';
import { answer, audit, refuse } from './reply.ts';
import type { Command } from './types.ts';

export const feedRemove: Command<{ feed: string }, FeedStore> = {
  name: 'feed remove',
  usage: 'feed remove <url|id>',
  summary: 'remove a feed and its stored articles (admin)',
  admin: true,
  parse({ words }) {
    if (words.length !== 1) return bad('feed remove needs one feed: its URL or its id as `feed list` shows them.');
    return ok({ feed: words[0]!.replace(/^<([^|>]*)(\|[^>]*)?>$/, '$1') });
  },
  async run(ctx, { feed }) {
    let row = /^\d+$/.test(feed) ? await ctx.store.getFeed(Number(feed)) : await ctx.store.getFeedByUrl(feed);
    if (!row) {
      // A URL the feed had before a permanent redirect still names it.
      const moved = (await ctx.store.listFeedMoves()).find((m) => m.url === feed);
      if (moved) row = await ctx.store.getFeed(moved.feedId);
    }
    if (!row) return refuse(`no feed ${feed}; \`feed list\` shows the feeds with their ids.`);
    if (row.addedBy === 'config') return refuse(`${row.url} is listed in the config file; remove it there first, or it comes back on the next start.`);
    if (!(await ctx.store.removeFeed(row.url))) return refuse(`no feed ${feed}; \`feed list\` shows the feeds with their ids.`);
    audit(ctx, `feed removed: ${row.url}`, { command: 'feed remove', url: row.url, id: row.id, given: feed });
    return answer('private', `Removed feed ${row.id} (${row.url}) and its stored articles.`);
  },
};
