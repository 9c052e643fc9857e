/**
 * ParsedFeed → FeedArticle[]: canonical URLs, clean text (title, lead and body kept apart), a
 * stable identity per item and a content fingerprint.
 *
 * Identity (`key`): the guid, else the canonical link, else a hash of title + date. Feeds do repeat
 * a guid for different items (a CMS template bug, a placeholder guid): a repeated guid whose
 * content differs gets a suffix from its own content, so the items stay apart; an exact repeat is
 * dropped.
 */
import { hash } from 'node:crypto';
import { htmlToLine, htmlToText } from '../../text/clean.ts';
import { cutMarkup, cutText } from '../../text/cut.ts';
import { isTrackingParam } from '../../text/tracking-params.ts';
import type { ParsedFeed, ParsedItem } from './feed-types.ts';

export interface FeedArticle {
  /** Identity within the feed: guid → canonical link → `hash:` + sha1(title + date). */
  key: string;
  guid?: string;
  /** Canonical article URL (http/https only). */
  url?: string;
  title: string;
  /** The summary/description as text, or the first paragraph of the content. */
  lead: string;
  /** The full content as text; '' when the feed carries none beyond the lead. */
  body: string;
  publishedAt?: Date;
  author?: string;
  categories: string[];
  /** sha1 of normalized title + lead: recognises a republished item that got a new guid or date. */
  contentHash: string;
}

/** Items whose lead runs longer than this, with no separate body, carry the full text in the description. */
const LONG_LEAD = 600;
const MAX_TITLE = 300;

/**
 * What an article keeps, cut before HTML to text and everything after it (sentences, language,
 * fingerprints, matching, the store) reads a field, so a feed cannot make one item cost more than a
 * few hundred KB (issue 17: a 9 MiB description cost 553 MB). A body of 100,000 characters is some
 * 15,000 words, longer than nearly any news article; the markup read for it allows for tags and
 * attributes several times the size of the text. Leads are shown, so they are cut with an ellipsis.
 */
export const FIELD_LIMITS = {
  /** Characters of a summary's or content's markup read at all. */
  markup: 512 * 1024,
  body: 100_000,
  lead: 2_000,
  /** Characters of a title's, author's or category's markup read (titles are then cut to 300). */
  lineMarkup: 2_000,
  author: 200,
  category: 100,
  categories: 50,
  /** Longer links and guids are not kept: no real one comes near this. */
  link: 4_096,
  guid: 2_048,
} as const;

const ABSOLUTE_HTTP = /^https?:\/\//i;

export function canonicalUrl(url: string | undefined, base?: string): string | undefined {
  const raw = url?.trim();
  if (!raw) return undefined;
  let parsed: URL;
  try {
    // An absolute link (nearly all of them) need not parse the base as well.
    parsed = base && !ABSOLUTE_HTTP.test(raw) ? new URL(raw, base) : new URL(raw);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  if (!parsed.hostname) return undefined;
  // Each setter re-serializes the URL, and most article links need none of them: touch only what is there.
  if (parsed.search) {
    for (const name of [...parsed.searchParams.keys()]) {
      const lower = name.toLowerCase();
      if (isTrackingParam(lower)) parsed.searchParams.delete(name);
    }
  }
  // Fragments name a place in the page, not a different article (except #! routes of old single-page sites).
  if (parsed.hash && !parsed.hash.startsWith('#!')) parsed.hash = '';
  if (parsed.username) parsed.username = '';
  if (parsed.password) parsed.password = '';
  return parsed.href;
}

export function normalizeFeed(feed: ParsedFeed, feedUrl: string): FeedArticle[] {
  const base = linkBase(feed, feedUrl);
  const articles: FeedArticle[] = [];
  const variantsByKey = new Map<string, Set<string>>();
  const keys = new Set<string>();
  for (const item of feed.items) {
    const article = normalizeItem(item, base);
    const variants = variantsByKey.get(article.key) ?? new Set<string>();
    const variant = variantOf(article);
    if (variants.has(variant)) continue;
    variantsByKey.set(article.key, variants.add(variant));
    if (variants.size > 1) article.key = `${article.key}#${sha1(variant).slice(0, 12)}`;
    if (keys.has(article.key)) continue;
    keys.add(article.key);
    articles.push(article);
  }
  return articles;
}

function normalizeItem(item: ParsedItem, base: string | undefined): FeedArticle {
  const limits = FIELD_LIMITS;
  const url = item.link && item.link.length <= limits.link ? canonicalUrl(item.link, base) : undefined;
  const summary = item.summaryHtml ? cutText(htmlToText(cutMarkup(item.summaryHtml, limits.markup)), limits.body) : '';
  let body = item.contentHtml ? cutText(htmlToText(cutMarkup(item.contentHtml, limits.markup)), limits.body) : '';
  let lead = summary;
  if (!lead && body) lead = firstParagraph(body);
  else if (!body && lead.length > LONG_LEAD && lead.includes('\n\n')) {
    body = lead;
    lead = firstParagraph(lead);
  }
  lead = cutText(lead, limits.lead, { ellipsis: true });
  const title = truncate(htmlToLine(cutMarkup(item.title ?? '', limits.lineMarkup)), MAX_TITLE) || truncate(firstParagraph(lead).replace(/\s+/g, ' '), 120);
  const publishedAt = item.published ?? item.updated;
  const rawGuid = item.guid?.trim();
  const guid = rawGuid && rawGuid.length <= limits.guid ? ownCopy(rawGuid) : undefined;
  // A guid too long to keep still tells items apart: its hash joins the fallback key.
  const key = guid ?? url ?? `hash:${sha1(`${title}\n${publishedAt?.toISOString() ?? ''}${rawGuid ?? ''}`)}`;
  const author = item.author ? cutText(htmlToLine(cutMarkup(item.author, limits.lineMarkup)), limits.author, { ellipsis: true }) : '';
  // Every article has the same fields in the same order (absent ones undefined): one object shape keeps
  // the code that reads articles (storing, matching, copying between threads) from going polymorphic.
  return {
    key,
    guid,
    url,
    title,
    lead,
    body,
    publishedAt,
    author: author || undefined,
    categories: [...new Set(item.categories.slice(0, limits.categories).map((c) => cutText(htmlToLine(cutMarkup(c, limits.lineMarkup)), limits.category)).filter(Boolean))],
    contentHash: sha1(`${fingerprintText(title)}\n${fingerprintText(lead)}`),
  };
}

/** Relative item links resolve against the feed's own URL (its document base); a file path has none, so the feed's site link stands in. */
function linkBase(feed: ParsedFeed, feedUrl: string): string | undefined {
  if (/^https?:\/\//i.test(feedUrl)) return feedUrl;
  return canonicalUrl(feed.link);
}

function firstParagraph(text: string): string {
  const end = text.indexOf('\n\n');
  return end < 0 ? text : text.slice(0, end);
}

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > max * 0.6 ? cut.slice(0, space) : cut}…`;
}

/** Case, punctuation, accents-as-composed and spacing differences do not make a different story text. */
function fingerprintText(text: string): string {
  // ASCII is its own NFKC form and its letters and digits are [a-z0-9] once lower-cased: the
  // Unicode-aware pass (several times slower) is only needed for other text.
  if (ASCII.test(text)) return text.toLowerCase().replace(ASCII_SEPARATORS, ' ').trim();
  return text.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

const ASCII = /^[\x00-\x7f]*$/;
/** Runs of non-alphanumerics other than a lone space (a lone space is already its own replacement). */
const ASCII_SEPARATORS = / [^a-z0-9]+|[^a-z0-9 ][^a-z0-9]*/g;

/** What tells two items with one key apart; hashed (as before, so stored keys stay) only for a repeated guid's suffix. */
function variantOf(article: FeedArticle): string {
  return `${article.url ?? ''}\n${article.contentHash}\n${article.publishedAt?.toISOString() ?? ''}`;
}

function sha1(text: string): string {
  return hash('sha1', text);
}

/** rss-parser hands out substrings that keep its whole input document alive; a copy lets the document be freed. */
function ownCopy(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}
