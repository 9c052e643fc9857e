import { describe, expect, it } from 'vitest';
import { FIELD_LIMITS, canonicalUrl, normalizeFeed } from '../../../src/feeds/read/normalize.ts';
import type { ParsedFeed, ParsedItem } from '../../../src/feeds/read/feed-types.ts';

const feed = (items: Array<Partial<ParsedItem>>, link = 'https://site.example/'): ParsedFeed => ({
  format: 'rss',
  link,
  items: items.map((i) => ({ categories: [], ...i })),
});

describe('canonicalUrl', () => {
  it.each([
    ['https://a.example/x?utm_source=rss&utm_medium=feed&id=3', undefined, 'https://a.example/x?id=3'],
    ['https://a.example/x?fbclid=1&gclid=2&mc_cid=3&mc_eid=4&_hsenc=5&keep=yes', undefined, 'https://a.example/x?keep=yes'],
    ['https://a.example/x?utm_campaign=y', undefined, 'https://a.example/x'],
    ['/news/1#comments', 'https://a.example/feed.xml', 'https://a.example/news/1'],
    ['../b', 'https://a.example/feeds/rss', 'https://a.example/b'],
    ['//cdn.example/p', 'https://a.example/', 'https://cdn.example/p'],
    ['HTTPS://A.Example:443/p', undefined, 'https://a.example/p'],
    ['  https://a.example/p  ', undefined, 'https://a.example/p'],
    ['javascript:alert(1)', undefined, undefined],
    ['mailto:x@a.example', undefined, undefined],
    ['not a url', undefined, undefined],
    ['', 'https://a.example/', undefined],
  ])('%s (base %s) → %s', (url, base, expected) => {
    expect(canonicalUrl(url, base)).toBe(expected);
  });
});

describe('normalizeFeed', () => {
  it('keeps title, lead and body apart as clean text', () => {
    const [a] = normalizeFeed(feed([{
      guid: 'g1', link: '/a?utm_source=x', title: 'Kim &amp; <b>Putin</b>',
      summaryHtml: '<p>Short lead.</p>', contentHtml: '<p>Para one.</p><script>x()</script><p>Para two.</p>',
      published: new Date('2024-07-01T00:00:00Z'), author: ' <i>Anna</i> ', categories: ['Korea', ' Korea ', ''],
    }]), 'https://site.example/feed.xml');
    expect(a).toMatchObject({
      key: 'g1', guid: 'g1', url: 'https://site.example/a', title: 'Kim & Putin', lead: 'Short lead.',
      body: 'Para one.\n\nPara two.', author: 'Anna', categories: ['Korea'],
    });
    expect(a.publishedAt?.toISOString()).toBe('2024-07-01T00:00:00.000Z');
  });

  it('takes the lead from the first paragraph of content when there is no summary', () => {
    const [a] = normalizeFeed(feed([{ guid: 'g', title: 't', contentHtml: '<p>First.</p><p>Second.</p>' }]), 'https://site.example/f');
    expect([a.lead, a.body]).toEqual(['First.', 'First.\n\nSecond.']);
  });

  it('identity: guid, else canonical link, else a hash of title and date', () => {
    const articles = normalizeFeed(feed([
      { guid: 'g', link: 'https://site.example/1', title: 'a' },
      { link: 'https://site.example/2?utm_source=x', title: 'b' },
      { title: 'c', published: new Date('2024-01-01T00:00:00Z') },
    ]), 'https://site.example/f');
    expect(articles.map((a) => a.key.replace(/[0-9a-f]{40}$/, 'SHA1'))).toEqual(['g', 'https://site.example/2', 'hash:SHA1']);
  });

  it('a guid repeated with different content does not merge different items; an exact repeat is dropped', () => {
    const articles = normalizeFeed(feed([
      { guid: 'same', title: 'First story', link: 'https://site.example/1' },
      { guid: 'same', title: 'Second story', link: 'https://site.example/2' },
      { guid: 'same', title: 'First story', link: 'https://site.example/1' },
    ]), 'https://site.example/f');
    expect(articles.map((a) => a.title)).toEqual(['First story', 'Second story']);
    expect(articles[0].key).toBe('same');
    expect(articles[1].key).toMatch(/^same#[0-9a-f]{12}$/);
    // Stable across polls: the same feed gives the same keys.
    expect(normalizeFeed(feed([
      { guid: 'same', title: 'First story', link: 'https://site.example/1' },
      { guid: 'same', title: 'Second story', link: 'https://site.example/2' },
    ]), 'https://site.example/f').map((a) => a.key)).toEqual(articles.map((a) => a.key));
  });

  it('the content hash ignores guid, date, case and punctuation', () => {
    const [a, b, c] = normalizeFeed(feed([
      { guid: '1', title: 'Kim meets Putin!', summaryHtml: 'They met.', published: new Date('2024-01-01') },
      { guid: '2', title: 'KIM MEETS PUTIN', summaryHtml: '<p>They met</p>', published: new Date('2024-02-01') },
      { guid: '3', title: 'Kim meets Xi', summaryHtml: 'They met.' },
    ]), 'https://site.example/f');
    expect(a.contentHash).toBe(b.contentHash);
    expect(a.contentHash).not.toBe(c.contentHash);
  });

  it('gives an untitled item a title from its lead', () => {
    const [a] = normalizeFeed(feed([{ guid: 'x', summaryHtml: '<p>A microblog post without a title.</p>' }]), 'https://site.example/f');
    expect(a.title).toBe('A microblog post without a title.');
  });

  it('resolves relative links of a local file against the feed link', () => {
    const [a] = normalizeFeed(feed([{ guid: 'x', link: 'item/1' }], 'https://site.example/blog/'), 'file:///tmp/feed.xml');
    expect(a.url).toBe('https://site.example/blog/item/1');
  });
});

describe('normalizeFeed: fields cut before the expensive steps (issue 17)', () => {
  const paragraph = '<p>North Korea shipped artillery shells through the port of Rason, analysts said. Trains carried them north.</p>\n';
  const huge = paragraph.repeat(Math.ceil((9 * 1024 * 1024) / paragraph.length)); // a 9 MiB description

  it('keeps at most the body and lead limits of a 9 MiB description', () => {
    const [a] = normalizeFeed(feed([{ guid: 'g', link: 'https://a.example/1', title: 'Shells', summaryHtml: huge }]), 'https://a.example/rss');
    expect(huge.length).toBeGreaterThan(9 * 1024 * 1024 - 1);
    expect(a!.body.length).toBeLessThanOrEqual(FIELD_LIMITS.body);
    expect(a!.body.length).toBeGreaterThan(FIELD_LIMITS.body * 0.9);
    expect(a!.body.endsWith('Trains carried them north.')).toBe(true);
    expect(a!.lead).toBe('North Korea shipped artillery shells through the port of Rason, analysts said. Trains carried them north.');
  });

  it('cuts content, a lead of one endless paragraph, titles, authors and categories', () => {
    const endless = 'word '.repeat(2_000_000);
    const [a] = normalizeFeed(feed([{
      guid: 'g2', link: 'https://a.example/2', title: `<b>${'Title '.repeat(100_000)}</b>`, summaryHtml: endless, contentHtml: huge,
      author: 'Name '.repeat(100_000), categories: Array.from({ length: 1000 }, (_, i) => `cat ${i} ${'x'.repeat(10_000)}`),
    }]), 'https://a.example/rss');
    expect(a!.body.length).toBeLessThanOrEqual(FIELD_LIMITS.body);
    expect(a!.lead.length).toBeLessThanOrEqual(FIELD_LIMITS.lead);
    expect(a!.lead.endsWith('…')).toBe(true);
    expect(a!.title.length).toBeLessThanOrEqual(300);
    expect(a!.author!.length).toBeLessThanOrEqual(FIELD_LIMITS.author);
    expect(a!.categories.length).toBeLessThanOrEqual(FIELD_LIMITS.categories);
    expect(Math.max(...a!.categories.map((c) => c.length))).toBeLessThanOrEqual(FIELD_LIMITS.category);
  });

  it('does not keep a guid or link too long to be real, and still tells such items apart', () => {
    const items = normalizeFeed(feed([
      { guid: 'a'.repeat(9_000), title: 'One', link: `https://a.example/${'x'.repeat(9_000)}` },
      { guid: 'b'.repeat(9_000), title: 'Two', link: `https://a.example/${'y'.repeat(9_000)}` },
    ]), 'https://a.example/rss');
    expect(items).toHaveLength(2);
    expect(items.map((i) => [i.guid, i.url])).toEqual([[undefined, undefined], [undefined, undefined]]);
    expect(items[0]!.key).not.toBe(items[1]!.key);
    expect(items[0]!.key).toMatch(/^hash:/);
  });
});
