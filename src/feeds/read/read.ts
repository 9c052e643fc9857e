import { htmlToLine } from '../../text/clean.ts';
import { cutMarkup, cutText } from '../../text/cut.ts';
import { type DecodedFeed, decodeFeed } from './decode.ts';
import type { FetchOutcome, HttpClient } from '../http/fetch.ts';
import { FIELD_LIMITS, type FeedArticle, normalizeFeed } from './normalize.ts';
import type { ParsedFeed } from './feed-types.ts';
import { parseFeed } from './parse.ts';
import { HtmlPageError } from './parse-errors.ts';

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
 * Decodes with feedparser's precedence, parses, and normalizes items against `url` (the document's URL).
 * Not an async function on purpose: the bytes are decoded synchronously and no frame suspended across
 * the parse keeps them, so a caller that lets go of them too (read-worker.ts) leaves them free to be
 * collected while the document is parsed.
 */
export const readFeedBytes: FeedReader = (bytes, contentType, url) => {
  let decoded: DecodedFeed;
  try {
    decoded = decodeFeed(asBuffer(bytes), contentType);
  } catch (err) {
    return Promise.reject(err);
  }
  return readDecoded(decoded, contentType, url);
};

async function readDecoded({ text, encoding, repaired }: DecodedFeed, contentType: string | undefined, url: string): Promise<FeedContent> {
  const { items, ...feed } = await parseFeed(text, { contentType, url });
  if (repaired) feed.recoveredFrom ??= 'its text had been encoded as UTF-8 twice';
  // Feeds give their own title as markup, like their items' (escaped HTML, Atom's types): stored and shown as text.
  // Cut like an item's title (normalize.ts FIELD_LIMITS): the outlet's name is shown beside every alert.
  feed.title = feed.title === undefined ? undefined : cutText(htmlToLine(cutMarkup(feed.title, FIELD_LIMITS.lineMarkup)), 300, { ellipsis: true }) || undefined;
  return { feed, articles: normalizeFeed({ ...feed, items }, url), encoding };
}

/**
 * Bytes of an article page → its main text (full text for teaser feeds), or undefined when it has
 * none. Like FeedReader, on this thread (readPageText) or on the read pool's threads (ReadPool.readPage).
 */
export type PageReader = (bytes: Uint8Array, contentType: string | undefined, url: string) => Promise<string | undefined>;

export const readPageText: PageReader = async (bytes, contentType, url) => {
  // Loaded on first use: the DOM and Readability cost ~20 MB that feeds without full_text never need.
  const { extractMainText } = await import('./fulltext.ts');
  const text = extractMainText(decodeFeed(asBuffer(bytes), contentType).text, url)?.text;
  // A page's text becomes the article's body: cut as a feed's body is (normalize.ts FIELD_LIMITS).
  return text === undefined ? undefined : cutText(text, FIELD_LIMITS.body);
};

/** The same bytes as a Buffer, without a copy (a pool's thread receives a plain Uint8Array). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

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
