/**
 * Reading a fetched feed: the reader types, autodiscovery, and this thread's readers. The readers' code (decoding,
 * the XML parser, normalizing: ~28 MB) lives in read-bytes.ts and loads on first use, so a process whose parsing
 * runs on the read pool's threads (the default) never loads it on its main thread.
 */
import type { FetchOutcome, HttpClient } from '../http/fetch.ts';
import type { FeedArticle } from './normalize.ts';
import type { ParsedFeed } from './feed-types.ts';
import { HtmlPageError } from './html-page-error.ts';

type Fetched = Extract<FetchOutcome, { status: 'ok' }>;

/** What a feed says of itself: everything parsed but the items, which come normalized as `articles`; its title as text. */
export type FeedInfo = Omit<ParsedFeed, 'items'>;

/** A feed read from its bytes: decoded, parsed and normalized. Plain data, so it can cross threads. */
export interface FeedContent {
  feed: FeedInfo;
  articles: FeedArticle[];
  /** The encoding the bytes were read as. */
  encoding: string;
}

/**
 * Bytes → FeedContent. The CPU-heavy half of a poll: `readFeedBytes` runs it on this thread,
 * `ReadPool.read` (read-pool.ts) on worker threads; both are interchangeable. A reader may take
 * the bytes over (a pool moves them to its thread): do not use them after the call.
 */
export type FeedReader = (bytes: Uint8Array, contentType: string | undefined, url: string) => Promise<FeedContent>;

export interface FeedDocument extends FeedContent {
  /** The response the feed was read from: the announced feed's when the URL was a web page. */
  response: Fetched;
  /** The feed URL a web page announced and that was read instead. */
  discovered?: string;
}

/**
 * Bytes of an article page → its main text (full text for teaser feeds), or undefined when it has
 * none. Like FeedReader, on this thread (readPageText) or on the read pool's threads (ReadPool.readPage).
 */
export type PageReader = (bytes: Uint8Array, contentType: string | undefined, url: string) => Promise<string | undefined>;


let readBytes: Promise<typeof import('./read-bytes.ts')> | undefined;
const loadReaders = () => (readBytes ??= import('./read-bytes.ts'));

/** Bytes → FeedContent on this thread (read-bytes.ts, loaded on first use). */
export const readFeedBytes: FeedReader = (bytes, contentType, url) => loadReaders().then((m) => m.readFeedBytes(bytes, contentType, url));

/** An article page's bytes → its main text on this thread (read-bytes.ts, loaded on first use). */
export const readPageText: PageReader = (bytes, contentType, url) => loadReaders().then((m) => m.readPageText(bytes, contentType, url));

/**
 * Reads a fetched document. Autodiscovery: a web page that announces exactly one feed is followed to
 * that feed (fetched with `get`: a poll counts its bytes), a page announcing several rejects with an
 * error that lists them, so the user can pick one.
 */
export async function readFetchedFeed(
  http: HttpClient,
  response: Fetched,
  read: FeedReader = readFeedBytes,
  get: (url: string) => Promise<FetchOutcome> = (url) => http.get(url),
): Promise<FeedDocument> {
  try {
    return { response, ...(await read(response.body, response.contentType, response.url)) };
  } catch (err) {
    if (!(err instanceof HtmlPageError) || err.feeds.length !== 1) throw err;
    const discovered = err.feeds[0]!.url;
    const feed = await get(discovered);
    if (feed.status !== 'ok') throw err;
    return { response: feed, ...(await read(feed.body, feed.contentType, feed.url)), discovered };
  }
}
