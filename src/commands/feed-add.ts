import { formatDuration } from '../duration.ts';
import { bad, ok, parseFeedUrl } from './options.ts';
import { answer, audit, callerId } from './reply.ts';
import type { Command, CommandContext, Reply } from './types.ts';

/**
 * Adds the feed at `url` through the context's adder (which refuses what is not a feed with an AppError) and
 * says what happens next. `feed add` and `watchfloor feeds add` both answer through this.
 */
export async function addFeed(ctx: CommandContext, url: string): Promise<Reply> {
  const added = await ctx.feeds.add(url, callerId(ctx.caller));
  audit(ctx, added.created ? `feed added: ${added.url}` : `feed add: ${added.url} already present`, { command: 'feed add', url, feed: added });
  const name = added.title ? `${added.title} (${added.url})` : added.url;
  const every = `polled every ${formatDuration(added.intervalS)}`;
  if (!added.created) {
    const what = added.discoveredFrom ? `${name}, the feed ${url} announces,` : url === added.url ? name : url;
    const moved = added.movedTo && !added.discoveredFrom ? `: it moved permanently to ${added.url}` : '';
    return answer('private', `${what} is already a feed${moved} (id ${added.id}, ${every}); nothing changed.`);
  }
  const items = `${added.items} ${added.items === 1 ? 'item' : 'items'} now`;
  const found = added.discoveredFrom ? ` — the feed ${added.discoveredFrom} announces` : '';
  return answer('private', `Added feed ${added.id}: ${name}${found}, ${items}, ${every} from the next cycle: items older than ${formatDuration(added.firstPollMaxAgeS)} are stored without alerting.`);
}

export const feedAdd: Command<{ url: string }, unknown> = {
  name: 'feed add',
  usage: 'feed add <url>',
  summary: 'add a feed, or a web page that announces one (admin)',
  help: 'The URL is fetched once to check that it is a feed (a page that announces one feed is followed to it). The first poll, in the next cycle, stores the items the feed holds and alerts only the recent ones.',
  admin: true,
  parse({ words }) {
    const url = parseFeedUrl(words[0]);
    if (typeof url !== 'string') return bad(url.error);
    if (words.length > 1) return bad(`unexpected "${words[1]}".`);
    return ok({ url });
  },
  run: (ctx, { url }) => addFeed(ctx, url),
};
