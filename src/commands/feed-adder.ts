import { AppError } from '../errors.ts';
import type { HttpClient } from '../feeds/fetch.ts';
import { type FeedReader, readFeedBytes, readFetchedFeed } from '../feeds/read.ts';
import type { FeedStore } from '../store/store.ts';
import type { FeedAdder } from './types.ts';

export interface FeedAdderDeps {
  /** The guarded client `run` polls with: SSRF guard on every hop and at connect time, size, time and redirect caps. */
  http: HttpClient;
  read?: FeedReader;
  store: Pick<FeedStore, 'addFeed' | 'getFeedByUrl'>;
  /** Poll interval of feeds added from chat (the config's `poll.interval`). */
  intervalS: number;
  /** `poll.first_poll_max_age`: on the first poll, older items are stored without alerting. */
  firstPollMaxAgeS: number;
  now: () => Date;
}

/**
 * `feed add` over the network: the URL is fetched and read as `pollFeed` reads it (autodiscovery included)
 * before anything is stored, so a page without a feed or a refused address changes nothing. The feed is stored
 * as never polled: its first poll (the next cycle) stores the items it holds and alerts only the recent ones,
 * as for every new feed.
 */
export function createFeedAdder(deps: FeedAdderDeps): FeedAdder {
  return {
    async add(url, by) {
      const response = await deps.http.get(url);
      if (response.status !== 'ok') throw new AppError('feed_unreadable', `${url} answered "not modified" to a first request; try again, or give the feed's own URL.`);
      const document = await readFetchedFeed(deps.http, response, deps.read ?? readFeedBytes);
      const feedUrl = document.discovered ?? response.permanentUrl ?? url;
      const title = document.feed.title;
      const existing = await deps.store.getFeedByUrl(feedUrl);
      if (existing) return { id: existing.id, url: existing.url, ...(existing.title ? { title: existing.title } : {}), created: false, items: document.articles.length, firstPollMaxAgeS: deps.firstPollMaxAgeS };
      // addFeed applies the interval to a feed that exists under a former URL too: only a new one reaches here.
      const stored = await deps.store.addFeed({ url: feedUrl, ...(title ? { title } : {}), intervalS: deps.intervalS, addedBy: by }, deps.now());
      return {
        id: stored.id,
        url: stored.movedTo ?? feedUrl,
        ...(title ? { title } : {}),
        created: stored.created,
        ...(stored.movedTo ? { movedTo: stored.movedTo } : {}),
        ...(document.discovered ? { discoveredFrom: url } : {}),
        items: document.articles.length,
        firstPollMaxAgeS: deps.firstPollMaxAgeS,
      };
    },
  };
}
