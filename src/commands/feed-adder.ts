import { AppError, errorMessage } from '../errors.ts';
import type { HttpClient } from '../feeds/http/fetch.ts';
import { HtmlPageError } from '../feeds/read/html-page-error.ts';
import { type FeedDocument, type FeedReader, readFeedBytes, readFetchedFeed } from '../feeds/read/read.ts';
import type { FeedRow, FeedStore } from '../store/store.ts';
import { findFeed } from './find-feed.ts';
import type { FeedAdder, FeedAddResult } from './types.ts';

export interface FeedAdderDeps {
  /** The guarded client `run` polls with: SSRF guard on every hop and at connect time, size, time and redirect caps. */
  http: HttpClient;
  read?: FeedReader;
  store: Pick<FeedStore, 'addFeed' | 'getFeed' | 'getFeedByUrl' | 'listFeedMoves'>;
  /** Poll interval of the feeds it adds (the config's `poll.interval`, or `feeds add --interval`). */
  intervalS: number;
  /** `poll.first_poll_max_age`: on the first poll, older items are stored without alerting. */
  firstPollMaxAgeS: number;
  now: () => Date;
}

/**
 * `feed add` over the network: the URL is fetched and read as `pollFeed` reads it (autodiscovery included)
 * before anything is stored, so a page without a feed or a refused address changes nothing. A URL that is
 * already a feed (or was one before a permanent redirect) is answered from the store without a request. The
 * feed is stored as never polled: its first poll (the next cycle) stores the items it holds and alerts only
 * the recent ones, as for every new feed.
 */
export function createFeedAdder(deps: FeedAdderDeps): FeedAdder {
  const present = (row: FeedRow, given: string): FeedAddResult => ({
    id: row.id,
    url: row.url,
    ...(row.title ? { title: row.title } : {}),
    created: false,
    ...(row.url !== given ? { movedTo: row.url } : {}),
    items: 0,
    intervalS: row.intervalS,
    firstPollMaxAgeS: deps.firstPollMaxAgeS,
  });
  return {
    async add(url, by) {
      const stored = await findFeed(deps.store, url);
      if (stored) return present(stored, url);
      const document = await readFeedAt(deps, url);
      const feedUrl = document.discovered ?? document.response.permanentUrl ?? url;
      const known = feedUrl === url ? undefined : await findFeed(deps.store, feedUrl);
      if (known) return { ...present(known, feedUrl), ...(document.discovered ? { discoveredFrom: url } : {}), items: document.articles.length };
      const title = document.feed.title;
      // addFeed applies the interval to a feed that exists under a former URL too: only a new one reaches here.
      const added = await deps.store.addFeed({ url: feedUrl, ...(title ? { title } : {}), intervalS: deps.intervalS, addedBy: by }, deps.now());
      return {
        id: added.id,
        url: added.movedTo ?? feedUrl,
        ...(title ? { title } : {}),
        created: added.created,
        ...(added.movedTo ? { movedTo: added.movedTo } : {}),
        ...(document.discovered ? { discoveredFrom: url } : {}),
        items: document.articles.length,
        intervalS: deps.intervalS,
        firstPollMaxAgeS: deps.firstPollMaxAgeS,
      };
    },
  };
}

/** Fetches and reads `url` as the poller would; anything that is not a feed is refused with a sentence. */
async function readFeedAt(deps: FeedAdderDeps, url: string): Promise<FeedDocument> {
  try {
    const response = await deps.http.get(url);
    if (response.status !== 'ok') throw new AppError('feed_unreadable', `${url} answered "not modified" to a first request; try again, or give the feed's own URL`);
    return await readFetchedFeed(deps.http, response, deps.read ?? readFeedBytes);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const hint = err instanceof HtmlPageError
      ? (err.feeds.length === 0 ? ' Find the RSS or Atom link on that page and add it instead.' : ' Add one of them instead.')
      : '';
    throw new AppError('not_a_feed', `cannot add ${url}: ${errorMessage(err).replace(/\.$/, '')}. Nothing was added.${hint}`, { cause: err });
  }
}
