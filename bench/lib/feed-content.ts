/**
 * The synthetic feeds of the ingest benchmark: FEEDS × ITEMS items of realistic size, seeded so
 * every run serves the same bytes. One "generation" is one state of every feed; the next
 * generation replaces all items with new ones (new guids, links, titles and text), which is what
 * the growth check needs. Four feeds in five are RSS 2.0 (half with CDATA, half with escaped
 * HTML, as CMSs differ), one in five is Atom.
 *
 * Sizes follow what news sites publish: a title of 8–14 words and a description of 200–600
 * characters. Most news feeds stop there (BBC, Reuters, Google News, AP are summary-only); a
 * minority (WordPress sites, some magazines) also carry the article, `content:encoded` (Atom
 * `<content>`) of 2–4 KB of paragraphs with links and emphasis. FULL_CONTENT_SHARE of the feeds
 * are full-content ones (BENCH_FULL_CONTENT_SHARE overrides it; 1 is every feed). The default, 20 %
 * (80 % summary-only), is the lightest end of a realistic mix: measured on the 2-core bench box the
 * bare undici + rss-parser loop takes ~3.0 s cold with no full-content feed, ~3.5 s with 10 %,
 * ~4 s with 20 %, ~4.8 s with 25 % and 7.5 s with every feed full (issue 3 measured ~2.2 s on its
 * own feeds and machine; rss-parser's per-item cost keeps even summary-only feeds above that here).
 * Summary-only RSS feeds give the description as plain text in CDATA when they use CDATA (BBC
 * style, with a media:thumbnail), as escaped `<p>` HTML otherwise.
 */

import { rng } from './random.ts';

export const FEEDS = 1_000;
export const ITEMS_PER_FEED = 50;
/** Share of feeds that carry full article content besides the summary. */
export const FULL_CONTENT_SHARE = Math.min(1, Math.max(0, Number(process.env.BENCH_FULL_CONTENT_SHARE ?? 0.2)));

/** Whether feed `feed` carries full content: spread evenly over RSS-with-CDATA, escaped RSS and Atom feeds. */
export function hasFullContent(feed: number, share = FULL_CONTENT_SHARE): boolean {
  return ((feed * 37) % 100) < Math.round(share * 100);
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** Vocabulary with a Zipf-like draw: news text has a few very common words and a long tail (this shapes gzip ratios). */
function vocabulary(random: () => number): { words: string[]; draw: () => string } {
  const words = Array.from({ length: 20_000 }, () => {
    const length = 2 + Math.floor(random() * 9);
    let w = '';
    for (let i = 0; i < length; i++) w += LETTERS[Math.floor(random() * LETTERS.length)];
    return w;
  });
  const cumulative = new Float64Array(words.length);
  let sum = 0;
  for (let i = 0; i < words.length; i++) cumulative[i] = sum += 1 / (i + 1);
  const draw = () => {
    const target = random() * sum;
    let lo = 0;
    let hi = words.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return words[lo]!;
  };
  return { words, draw };
}

/** A value that changes with the generation, filled in when a feed is served. */
interface Slot {
  item: number;
  field: 'title' | 'link' | 'guid' | 'date' | 'built';
}
type Piece = string | Slot;

/**
 * One feed as text with holes: the bulk (descriptions, content) is built once, and each
 * generation only fills in titles, links, guids and dates. That makes a new generation free to
 * switch to (rebuilding 200 MB of text takes seconds on a busy 2-core box) while every item of it
 * is still new to the reader: new guid, new link, new title, so a new content hash.
 */
export interface FeedTemplate {
  feed: number;
  atom: boolean;
  /** Carries content:encoded (Atom content) besides the summary. */
  full: boolean;
  contentType: string;
  pieces: Piece[];
}

/** Builds the templates of every feed. A class: the vocabulary and paragraph pool are built once. */
export class FeedCorpus {
  private readonly word: () => string;
  private readonly words: string[];
  private readonly random: () => number;
  private readonly pool: string[];

  constructor(readonly origin: string, readonly baseTime: number, seed = 7) {
    this.random = rng(seed);
    const vocab = vocabulary(this.random);
    this.word = vocab.draw;
    this.words = vocab.words;
    this.pool = Array.from({ length: 4_000 }, () => {
      const target = 200 + Math.floor(this.random() * 400);
      let p = '';
      while (p.length < target) p += `${this.sentence(8, 22)}. `;
      return p.trimEnd();
    });
  }

  feedPath(feed: number): string {
    return feed % 5 === 4 ? `/feeds/${feed}.atom` : `/feeds/${feed}.xml`;
  }

  /** When generation `gen` was published (epoch ms): one hour apart from `baseTime`. */
  publishedAt(gen: number): number {
    return this.baseTime + gen * 3_600_000;
  }

  template(feed: number): FeedTemplate {
    const full = hasFullContent(feed);
    return feed % 5 === 4 ? this.atom(feed, full) : this.rss(feed, feed % 2 === 0, full);
  }

  render(t: FeedTemplate, gen: number): string {
    let out = '';
    for (const p of t.pieces) out += typeof p === 'string' ? p : this.fill(t, p, gen);
    return out;
  }

  private fill(t: FeedTemplate, slot: Slot, gen: number): string {
    const { feed, atom } = t;
    const { item } = slot;
    switch (slot.field) {
      case 'title': {
        // Seeded by (feed, gen, item): the same title every time this generation is served.
        const random = rng(((feed * 131 + gen) * 1_009 + item) * 2_654_435_761);
        const n = 8 + Math.floor(random() * 7);
        const words: string[] = [];
        for (let i = 0; i < n; i++) words.push(this.words[Math.floor(random() * random() * this.words.length)]!);
        const s = words.join(' ');
        return `${s[0]!.toUpperCase()}${s.slice(1)} (${feed}-${gen}-${item})`;
      }
      case 'link':
        return atom ? `${this.origin}/articles/${feed}/${gen}/${item}` : `${this.origin}/articles/${feed}/${gen}/${item}?utm_source=rss&amp;utm_medium=feed`;
      case 'guid':
        return atom ? `tag:bench.example,2025:${feed}:${gen}:${item}` : `urn:bench:${feed}:${gen}:${item}`;
      case 'date': {
        const d = new Date(this.publishedAt(gen) - item * 7 * 60_000);
        return atom ? d.toISOString() : d.toUTCString();
      }
      case 'built': {
        const d = new Date(this.publishedAt(gen));
        return atom ? d.toISOString() : d.toUTCString();
      }
    }
  }

  private sentence(min: number, max: number): string {
    const n = min + Math.floor(this.random() * (max - min + 1));
    const words: string[] = [];
    for (let i = 0; i < n; i++) words.push(this.word());
    const s = words.join(' ');
    return s[0]!.toUpperCase() + s.slice(1);
  }

  /** A paragraph from the pool: drawing words one by one for 200 MB of text takes 20 s, a pool takes 1. */
  private paragraph(): string {
    return this.pool[Math.floor(this.random() * this.pool.length)]!;
  }

  /** A summary of 200–600 characters, cut at a word. */
  private summary(): string {
    const target = 200 + Math.floor(this.random() * 401);
    let text = this.paragraph();
    while (text.length < target) text += ` ${this.paragraph()}`;
    const cut = text.lastIndexOf(' ', target);
    return `${text.slice(0, cut > 150 ? cut : target).replace(/[.,]$/, '')}.`;
  }

  private articleHtml(feed: number, item: number): string {
    const target = 2_000 + Math.floor(this.random() * 2_000);
    const parts: string[] = [];
    let size = 0;
    let n = 0;
    while (size < target) {
      let p = this.paragraph();
      if (n % 2 === 1) p = p.replace(/ (\w+) (\w+) /, ` <a href="${this.origin}/articles/${feed}/related-${item}-${n}">$1 $2</a> `);
      if (n % 3 === 2) p = p.replace(/ (\w+) /, ' <strong>$1</strong> ');
      const html = n === 1 ? `<figure><img src="${this.origin}/img/${feed}-${item}.jpg" alt="${this.sentence(4, 8)}" width="800" height="450"/><figcaption>${this.sentence(6, 12)}</figcaption></figure><p>${p}</p>` : `<p>${p}</p>`;
      parts.push(html);
      size += html.length;
      n++;
    }
    return parts.join('\n');
  }

  private rss(feed: number, cdata: boolean, full: boolean): FeedTemplate {
    const wrap = (html: string) => (cdata ? `<![CDATA[${html}]]>` : escapeXml(html));
    const pieces: Piece[] = [`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
  <channel>
    <title>Bench outlet ${feed}</title>
    <link>${this.origin}/</link>
    <atom:link href="${this.origin}${this.feedPath(feed)}" rel="self" type="application/rss+xml"/>
    <description>${this.sentence(6, 12)}</description>
    <language>en</language>
    <lastBuildDate>`, { item: 0, field: 'built' }, `</lastBuildDate>
    <generator>watchfloor-bench</generator>
`];
    for (let i = 0; i < ITEMS_PER_FEED; i++) {
      if (!full) {
        // Summary-only, as most news outlets publish.
        const summary = this.summary();
        const description = cdata ? `<![CDATA[${summary}]]>` : escapeXml(`<p>${summary}</p>`);
        const thumbnail = cdata ? `\n      <media:thumbnail width="240" height="135" url="${this.origin}/img/${feed}-${i}-240.jpg"/>` : '';
        pieces.push(
          `    <item>
      <title>`, { item: i, field: 'title' }, `</title>
      <description>${description}</description>
      <link>`, { item: i, field: 'link' }, `</link>
      <guid isPermaLink="false">`, { item: i, field: 'guid' }, `</guid>
      <pubDate>`, { item: i, field: 'date' }, `</pubDate>${thumbnail}
    </item>
`);
        continue;
      }
      pieces.push(
        `    <item>
      <title>`, { item: i, field: 'title' }, `</title>
      <link>`, { item: i, field: 'link' }, `</link>
      <guid isPermaLink="false">`, { item: i, field: 'guid' }, `</guid>
      <pubDate>`, { item: i, field: 'date' }, `</pubDate>
      <dc:creator>${this.sentence(2, 2)}</dc:creator>
      <category>${this.word()}</category>
      <category>${this.word()}</category>
      <description>${wrap(`<p>${this.paragraph()}</p>`)}</description>
      <content:encoded>${wrap(this.articleHtml(feed, i))}</content:encoded>
    </item>
`);
    }
    pieces.push(`  </channel>
</rss>
`);
    return { feed, atom: false, full, contentType: 'application/rss+xml; charset=utf-8', pieces: merge(pieces) };
  }

  private atom(feed: number, full: boolean): FeedTemplate {
    const pieces: Piece[] = [`<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title>Bench outlet ${feed}</title>
  <link rel="alternate" type="text/html" href="${this.origin}/"/>
  <link rel="self" type="application/atom+xml" href="${this.origin}${this.feedPath(feed)}"/>
  <id>tag:bench.example,2025:feed:${feed}</id>
  <updated>`, { item: 0, field: 'built' }, `</updated>
`];
    for (let i = 0; i < ITEMS_PER_FEED; i++) {
      pieces.push(
        `  <entry>
    <title type="html">`, { item: i, field: 'title' }, `</title>
    <link rel="alternate" type="text/html" href="`, { item: i, field: 'link' }, `"/>
    <id>`, { item: i, field: 'guid' }, `</id>
    <published>`, { item: i, field: 'date' }, `</published>
    <updated>`, { item: i, field: 'date' }, `</updated>
    <author><name>${this.sentence(2, 2)}</name></author>
    <category term="${this.word()}"/>
    <summary type="html">${escapeXml(`<p>${this.paragraph()}</p>`)}</summary>${full ? `
    <content type="html">${escapeXml(this.articleHtml(feed, i))}</content>` : ''}
  </entry>
`);
    }
    pieces.push(`</feed>
`);
    return { feed, atom: true, full, contentType: 'application/atom+xml; charset=utf-8', pieces: merge(pieces) };
  }
}

/** Adjacent strings joined, so rendering walks few pieces. */
function merge(pieces: Piece[]): Piece[] {
  const out: Piece[] = [];
  for (const p of pieces) {
    const last = out[out.length - 1];
    if (typeof p === 'string' && typeof last === 'string') out[out.length - 1] = last + p;
    else out.push(p);
  }
  return out;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
