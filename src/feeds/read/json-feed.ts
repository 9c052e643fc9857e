/**
 * JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), plus the "RSS in JSON" shape some
 * CMSs emit (`{ rss: { channel: { item: [...] } } }`). rss-parser has no JSON support. Every field
 * is validated on its own (`.catch`): one wrongly typed field loses that field, never the item,
 * and one malformed item loses that item, never the feed.
 */
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { parseFeedDate } from './dates.ts';
import type { ParsedFeed, ParsedItem } from './feed-types.ts';
import { escapeHtml } from './html-escape.ts';

const text = z.string().optional().catch(undefined);
const idLike = z.union([z.string(), z.number()]).transform(String).optional().catch(undefined);
const author = z.object({ name: text, url: text }).partial();

const jsonItem = z.object({
  id: idLike,
  url: text,
  external_url: text,
  title: text,
  content_html: text,
  content_text: text,
  summary: text,
  date_published: text,
  date_modified: text,
  author: author.optional().catch(undefined),
  authors: z.array(author.catch({})).optional().catch(undefined),
  tags: z.array(z.string().catch('')).optional().catch(undefined),
});

const jsonFeed = z.object({
  version: z.string(),
  title: text,
  home_page_url: text,
  language: text,
  items: z.array(z.unknown()).catch([]),
});

const rssItem = z.object({
  guid: z.union([z.string(), z.number(), z.object({ '#value': z.string() }).transform((g) => g['#value'])]).transform(String).optional().catch(undefined),
  link: text,
  title: text,
  description: text,
  pubDate: text,
  author: text,
  category: z.union([z.string(), z.array(z.string())]).optional().catch(undefined),
});

export function parseJsonFeed(text: string): ParsedFeed {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new AppError('parse', `not a feed: invalid JSON (${(err as Error).message})`, { cause: err });
  }
  const rssInJson = rssChannel(data);
  if (rssInJson) return rssInJson;

  const feed = jsonFeed.safeParse(data);
  // The spec's version is a URL; some generators write just "1.0" / "1.1".
  if (!feed.success || !/^(?:https?:\/\/jsonfeed\.org\/version\/)?1(?:\.\d+)?\/?$/.test(feed.data.version.trim())) {
    throw new AppError('parse', 'not a feed: JSON without a JSON Feed "version" (https://jsonfeed.org/version/1.1)');
  }
  const items: ParsedItem[] = [];
  for (const raw of feed.data.items) {
    const parsed = jsonItem.safeParse(raw);
    if (!parsed.success) continue;
    const item = parsed.data;
    const authorName = item.authors?.find((a) => a.name)?.name ?? item.author?.name;
    items.push({
      guid: item.id,
      link: item.url ?? item.external_url,
      title: item.title,
      summaryHtml: item.summary !== undefined ? escapeHtml(item.summary) : undefined,
      contentHtml: item.content_html ?? (item.content_text !== undefined ? escapeHtml(item.content_text) : undefined),
      published: parseFeedDate(item.date_published),
      updated: parseFeedDate(item.date_modified),
      author: authorName,
      categories: (item.tags ?? []).filter(Boolean),
    });
  }
  return {
    format: 'json',
    title: feed.data.title,
    link: feed.data.home_page_url,
    language: feed.data.language,
    items,
  };
}

function rssChannel(data: unknown): ParsedFeed | undefined {
  const channel = (data as { rss?: { channel?: Record<string, unknown> } } | null)?.rss?.channel;
  if (!channel || typeof channel !== 'object') return undefined;
  const rawItems = Array.isArray(channel.item) ? channel.item : channel.item ? [channel.item] : [];
  const items: ParsedItem[] = [];
  for (const raw of rawItems) {
    const parsed = rssItem.safeParse(raw);
    if (!parsed.success) continue;
    const item = parsed.data;
    items.push({
      guid: item.guid,
      link: item.link,
      title: item.title,
      summaryHtml: item.description,
      published: parseFeedDate(item.pubDate),
      author: item.author,
      categories: typeof item.category === 'string' ? [item.category] : (item.category ?? []),
    });
  }
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { format: 'json', title: str(channel.title), link: str(channel.link), language: str(channel.language), items };
}
