import { decodeFeed } from './decode.ts';
import type { FetchOutcome, HttpClient } from './fetch.ts';
import { HtmlPageError, type ParsedFeed, parseFeed } from './parse.ts';

type Fetched = Extract<FetchOutcome, { status: 'ok' }>;

export interface FeedDocument {
  /** The response the feed was read from: the announced feed's when the URL was a web page. */
  response: Fetched;
  parsed: ParsedFeed;
  encoding: string;
  /** The feed URL a web page announced and that was read instead. */
  discovered?: string;
}

/** Bytes → parsed feed: decoded with feedparser's precedence, then parsed. */
export async function parseBytes(bytes: Buffer, contentType: string | undefined, url: string): Promise<{ parsed: ParsedFeed; encoding: string }> {
  const { text, encoding } = decodeFeed(bytes, contentType);
  return { parsed: await parseFeed(text, { contentType, url }), encoding };
}

/**
 * Parses a fetched document. Autodiscovery: a web page that announces exactly one feed is followed to
 * that feed; a page announcing several rejects with an error that lists them, so the user can pick one.
 */
export async function readFetchedFeed(http: HttpClient, response: Fetched): Promise<FeedDocument> {
  try {
    return { response, ...(await parseBytes(response.body, response.contentType, response.url)) };
  } catch (err) {
    if (!(err instanceof HtmlPageError) || err.feeds.length !== 1) throw err;
    const discovered = err.feeds[0]!.url;
    const feed = await http.get(discovered);
    if (feed.status !== 'ok') throw err;
    return { response: feed, ...(await parseBytes(feed.body, feed.contentType, feed.url)), discovered };
  }
}
