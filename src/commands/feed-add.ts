import { formatDuration } from '../duration.ts';
import { bad, ok, parseFeedUrl } from './options.ts';
import { answer, audit, callerId } from './reply.ts';
import type { Command } from './types.ts';

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
  async run(ctx, { url }) {
    const added = await ctx.feeds.add(url, callerId(ctx.caller));
    audit(ctx, added.created ? `feed added: ${added.url}` : `feed add: ${added.url} already present`, { command: 'feed add', url, feed: added });
    const name = added.title ? `${added.title} (${added.url})` : added.url;
    if (!added.created) {
      return answer('private', added.movedTo ? `${url} is already a feed: it moved permanently to ${added.movedTo}.` : `${name} is already a feed (id ${added.id}).`);
    }
    const found = added.discoveredFrom ? ` — the feed ${added.discoveredFrom} announces` : '';
    return answer('private', `Added feed ${added.id}: ${name}${found}, ${added.items} ${added.items === 1 ? 'item' : 'items'} now. It is polled from the next cycle: items older than ${formatDuration(added.firstPollMaxAgeS)} are stored without alerting.`);
  },
};
