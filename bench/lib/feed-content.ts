/**
 * The synthetic feeds of the ingest benchmark: FEEDS × ITEMS items of realistic size, seeded so
 * every run serves the same bytes. One "generation" is one state of every feed; the next
 * generation replaces all items with new ones (new guids, links, titles and text), which is what
 * the growth check needs. Four feeds in five are RSS 2.0 (half with CDATA, half with escaped
 * HTML, as CMSs differ), one in five is Atom.
 *
 * Sizes follow what news sites publish: a title of 8–14 words, a description of a few hundred
 * characters, `content:encoded` of 2–4 KB of paragraphs with links and emphasis.
 */

export const FEEDS = 1_000;
export const ITEMS_PER_FEED = 50;

/** A seeded generator (mulberry32), so every run measures the same corpus. */
export function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** Vocabulary with a Zipf-like draw: news text has a few very common words and a long tail (this shapes gzip ratios). */
function vocabulary(random: () => number): () => string {
  const words = Array.from({ length: 20_000 }, () => {
    const length = 2 + Math.floor(random() * 9);
    let w = '';
    for (let i = 0; i < length; i++) w += LETTERS[Math.floor(random() * LETTERS.length)];
    return w;
  });
  const cumulative = new Float64Array(words.length);
  let sum = 0;
  for (let i = 0; i < words.length; i++) cumulative[i] = sum += 1 / (i + 1);
  return () => {
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
}

export interface FeedDocument {
  body: string;
  contentType: string;
}

/** Builds every feed of one generation. Kept as a class: the vocabulary is built once per server. */
export class FeedCorpus {
  private readonly word: () => string;
  private readonly random: () => number;

  constructor(readonly origin: string, readonly baseTime: number, seed = 7) {
    this.random = rng(seed);
    this.word = vocabulary(this.random);
  }

  feedPath(feed: number): string {
    return feed % 5 === 4 ? `/feeds/${feed}.atom` : `/feeds/${feed}.xml`;
  }

  /** When generation `gen` was published (epoch ms): one hour apart from `baseTime`. */
  publishedAt(gen: number): number {
    return this.baseTime + gen * 3_600_000;
  }

  document(feed: number, gen: number): FeedDocument {
    return feed % 5 === 4 ? this.atom(feed, gen) : this.rss(feed, gen, feed % 2 === 0);
  }

  private sentence(min: number, max: number): string {
    const n = min + Math.floor(this.random() * (max - min + 1));
    const words: string[] = [];
    for (let i = 0; i < n; i++) words.push(this.word());
    const s = words.join(' ');
    return s[0]!.toUpperCase() + s.slice(1);
  }

  private paragraph(targetChars: number): string {
    let p = '';
    while (p.length < targetChars) p += `${this.sentence(8, 22)}. `;
    return p.trimEnd();
  }

  private title(feed: number, gen: number, item: number): string {
    // The ids keep every title unique, so no item looks like a republished one.
    return `${this.sentence(8, 14)} (${feed}-${gen}-${item})`;
  }

  private articleHtml(feed: number, gen: number, item: number): string {
    const target = 2_000 + Math.floor(this.random() * 2_000);
    const parts: string[] = [];
    let size = 0;
    let n = 0;
    while (size < target) {
      let p = this.paragraph(250 + Math.floor(this.random() * 350));
      if (n % 2 === 1) p = p.replace(/ (\w+) (\w+) /, ` <a href="${this.origin}/articles/${feed}/${gen}/${item}/related-${n}">$1 $2</a> `);
      if (n % 3 === 2) p = p.replace(/ (\w+) /, ' <strong>$1</strong> ');
      const html = n === 1 ? `<figure><img src="${this.origin}/img/${feed}-${item}.jpg" alt="${this.sentence(4, 8)}" width="800" height="450"/><figcaption>${this.sentence(6, 12)}</figcaption></figure><p>${p}</p>` : `<p>${p}</p>`;
      parts.push(html);
      size += html.length;
      n++;
    }
    return parts.join('\n');
  }

  private itemDate(gen: number, item: number): Date {
    return new Date(this.publishedAt(gen) - item * 7 * 60_000);
  }

  private rss(feed: number, gen: number, cdata: boolean): FeedDocument {
    const wrap = (html: string) => (cdata ? `<![CDATA[${html}]]>` : escapeXml(html));
    const items: string[] = [];
    for (let i = 0; i < ITEMS_PER_FEED; i++) {
      const link = `${this.origin}/articles/${feed}/${gen}/${i}?utm_source=rss&utm_medium=feed`;
      items.push(`    <item>
      <title>${escapeXml(this.title(feed, gen, i))}</title>
      <link>${escapeXml(link)}</link>
      <guid isPermaLink="false">urn:bench:${feed}:${gen}:${i}</guid>
      <pubDate>${this.itemDate(gen, i).toUTCString()}</pubDate>
      <dc:creator>${this.sentence(2, 2)}</dc:creator>
      <category>${this.word()}</category>
      <category>${this.word()}</category>
      <description>${wrap(`<p>${this.paragraph(200 + Math.floor(this.random() * 250))}</p>`)}</description>
      <content:encoded>${wrap(this.articleHtml(feed, gen, i))}</content:encoded>
    </item>`);
    }
    const body = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>Bench outlet ${feed}</title>
    <link>${this.origin}/</link>
    <atom:link href="${this.origin}${this.feedPath(feed)}" rel="self" type="application/rss+xml"/>
    <description>${this.sentence(6, 12)}</description>
    <language>en</language>
    <lastBuildDate>${new Date(this.publishedAt(gen)).toUTCString()}</lastBuildDate>
    <generator>watchfloor-bench</generator>
${items.join('\n')}
  </channel>
</rss>
`;
    return { body, contentType: 'application/rss+xml; charset=utf-8' };
  }

  private atom(feed: number, gen: number): FeedDocument {
    const entries: string[] = [];
    for (let i = 0; i < ITEMS_PER_FEED; i++) {
      const date = this.itemDate(gen, i).toISOString();
      entries.push(`  <entry>
    <title type="html">${escapeXml(this.title(feed, gen, i))}</title>
    <link rel="alternate" type="text/html" href="${this.origin}/articles/${feed}/${gen}/${i}"/>
    <id>tag:bench.example,2025:${feed}:${gen}:${i}</id>
    <published>${date}</published>
    <updated>${date}</updated>
    <author><name>${this.sentence(2, 2)}</name></author>
    <category term="${this.word()}"/>
    <summary type="html">${escapeXml(`<p>${this.paragraph(200 + Math.floor(this.random() * 250))}</p>`)}</summary>
    <content type="html">${escapeXml(this.articleHtml(feed, gen, i))}</content>
  </entry>`);
    }
    const body = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title>Bench outlet ${feed}</title>
  <link rel="alternate" type="text/html" href="${this.origin}/"/>
  <link rel="self" type="application/atom+xml" href="${this.origin}${this.feedPath(feed)}"/>
  <id>tag:bench.example,2025:feed:${feed}</id>
  <updated>${new Date(this.publishedAt(gen)).toISOString()}</updated>
${entries.join('\n')}
</feed>
`;
    return { body, contentType: 'application/atom+xml; charset=utf-8' };
  }
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
