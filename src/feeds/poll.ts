import { errorMessage } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { FeedRow, Store } from '../store/store.ts';
import { decodeFeed } from './decode.ts';
import { FetchError, type HttpClient, PAGE_ACCEPT } from './fetch.ts';
import { extractMainText } from './fulltext.ts';
import { normalizeFeed } from './normalize.ts';
import { readFetchedFeed } from './read.ts';
import { type PollBounds, nextPollAfterFailure, nextPollAfterSuccess } from './schedule.ts';

export interface PollDeps {
  store: Store;
  http: HttpClient;
  log: Logger;
  now: () => Date;
  bounds: PollBounds;
  /** On a feed's first poll, items older than this are stored but not alerted (seconds). */
  firstPollMaxAgeS: number;
}

/**
 * A stored article that is new to us and may alert. Only a reference: a cold cycle can bring tens of
 * thousands, and their text is read back from the store one at a time when they are scored.
 */
export interface FreshArticle {
  id: number;
  feed: FeedRow;
  publishedAt?: Date;
  /** The feed's declared language (primary subtag), when it declares one. */
  language?: string;
}

export type PollResult =
  | { status: 'ok'; fresh: FreshArticle[]; stored: number; updated: number; notModified: boolean }
  | { status: 'failed'; error: string };

/** A republished item (new guid or date, same content) within this window does not alert again. */
const REPUBLISH_WINDOW_MS = 7 * 86_400_000;
/** Feeds whose body is shorter than this are teasers worth a full-text fetch when `full_text` is on. */
const TEASER_CHARS = 600;

/**
 * Refreshes one feed, read top to bottom: conditional GET → decode → parse → normalize → store.
 * Returns only the articles that are new and may alert; knows nothing of topics or channels.
 * Never throws: a broken feed is recorded (with backoff) and the cycle goes on.
 */
export async function pollFeed(feed: FeedRow, deps: PollDeps): Promise<PollResult> {
  const { store, http, log } = deps;
  try {
    const response = await http.get(feed.url, { validators: { etag: feed.etag, lastModified: feed.lastModified } });
    const now = deps.now();
    if (response.status === 'not_modified') {
      await store.recordFeedSuccess(feed.id, {
        etag: response.etag, lastModified: response.lastModified, url: await movedTo(feed, response.permanentUrl, store), now,
        nextPollAt: nextPollAfterSuccess({ now, intervalS: feed.intervalS, maxAgeS: response.maxAgeS }, deps.bounds),
      });
      return { status: 'ok', fresh: [], stored: 0, updated: 0, notModified: true };
    }

    const { response: document, parsed, discovered } = await readFetchedFeed(http, response);
    // A web page that announced its feed: the stored URL becomes the feed's.
    if (discovered) log.info({ feed: feed.url, using: discovered }, 'the feed URL is a web page; using the feed it announces');
    if (parsed.recoveredFrom) log.warn({ feed: feed.url }, `feed is malformed and was repaired (${parsed.recoveredFrom})`);
    const articles = normalizeFeed(parsed, document.url);

    const language = parsed.language?.trim().toLowerCase().split(/[-_]/)[0] || undefined;
    const fresh: FreshArticle[] = [];
    const results = await store.upsertArticles(articles.map((a) => ({ ...a, feedId: feed.id, fetchedAt: now })));
    const oldestAlertable = feed.firstPoll ? now.getTime() - deps.firstPollMaxAgeS * 1000 : -Infinity;
    for (const [i, result] of results.entries()) {
      const article = articles[i]!;
      if (result.status !== 'new') continue;
      if ((article.publishedAt?.getTime() ?? now.getTime()) < oldestAlertable) continue;
      if (await store.hasRecentContent(feed.id, article.contentHash, result.id, new Date(now.getTime() - REPUBLISH_WINDOW_MS))) continue;
      // Teaser feeds: the article page is fetched once, for new items only.
      if (feed.fullText && article.body.length < TEASER_CHARS && article.url) {
        const body = await fullText(article.url, deps);
        if (body && body.length > article.body.length) await store.upsertArticle({ ...article, body, feedId: feed.id, fetchedAt: now });
      }
      fresh.push({ id: result.id, feed, publishedAt: article.publishedAt, language });
    }
    const updated = results.filter((r) => r.status === 'updated').length;

    const newUrl = await movedTo(feed, discovered ?? document.permanentUrl, store);
    await store.recordFeedSuccess(feed.id, {
      etag: document.etag, lastModified: document.lastModified, title: parsed.title, url: newUrl, now,
      nextPollAt: nextPollAfterSuccess({ now, intervalS: feed.intervalS, maxAgeS: document.maxAgeS, ttlMinutes: parsed.ttlMinutes }, deps.bounds),
    });
    if (newUrl) log.info({ feed: feed.url, to: newUrl }, 'feed moved; stored URL updated');
    return { status: 'ok', fresh, stored: articles.length, updated, notModified: false };
  } catch (err) {
    const error = errorMessage(err);
    const failures = feed.failures + 1;
    const retryAfterS = err instanceof FetchError ? err.retryAfterS : undefined;
    const nextPollAt = nextPollAfterFailure({ now: deps.now(), intervalS: feed.intervalS, failures, retryAfterS }, deps.bounds);
    await store.recordFeedFailure(feed.id, { error, nextPollAt });
    log.warn({ feed: feed.url, failures, retryAt: nextPollAt.toISOString() }, `feed failed: ${error}`);
    return { status: 'failed', error };
  }
}

/** The URL to store after a permanent move — unless another stored feed already has it (the URL is unique). */
async function movedTo(feed: FeedRow, permanentUrl: string | undefined, store: Store): Promise<string | undefined> {
  if (!permanentUrl || permanentUrl === feed.url) return undefined;
  return (await store.getFeedByUrl(permanentUrl)) ? undefined : permanentUrl;
}

/** The main text of an article page, fetched through the same guarded client (Readability on a light DOM). */
async function fullText(url: string, deps: PollDeps): Promise<string | undefined> {
  try {
    const page = await deps.http.get(url, { accept: PAGE_ACCEPT });
    if (page.status !== 'ok') return undefined;
    return extractMainText(decodeFeed(page.body, page.contentType).text, page.url)?.text;
  } catch (err) {
    deps.log.debug({ url }, `full text unavailable: ${errorMessage(err)}`);
    return undefined;
  }
}
