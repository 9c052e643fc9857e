/**
 * The readers' code, for a parser thread (read-worker.ts) or, loaded on first use, the main thread (read.ts):
 * decoding, parsing and normalizing a feed, and a page's main text.
 */
import { htmlToLine } from '../../text/clean.ts';
import { cutMarkup, cutText } from '../../text/cut.ts';
import { type DecodedFeed, decodeFeed } from './decode.ts';
import { FIELD_LIMITS, normalizeFeed } from './normalize.ts';
import { parseFeed } from './parse.ts';
import type { FeedContent, FeedReader, PageReader } from './read.ts';

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

