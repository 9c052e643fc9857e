import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseOpml, toOpml } from '../../src/feeds/opml.ts';
import path from 'node:path';
import { SHARED_DIR } from '../../bench/shared-dir.ts';

const NNW = path.join(SHARED_DIR, 'corpora/netnewswire-rsparser/Tests/RSParserTests/Resources');

describe('parseOpml', () => {
  it('reads feeds, folders as categories, and forgives undeclared entities', () => {
    const opml = `<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>
      <outline text="Korea &amp; Russia">
        <outline type="rss" text="Yonhap&nbsp;News" xmlUrl="https://en.yna.co.kr/RSS/news.xml" htmlUrl="https://en.yna.co.kr/"/>
        <outline type="rss" text="TASS" xmlURL="https://tass.com/rss/v2.xml"/>
      </outline>
      <outline type="rss" title="Loose" xmlUrl="http://loose.example/feed" category="/Tech,/Other"/>
      <outline type="rss" text="dup" xmlUrl="http://loose.example/feed"/>
      <outline type="rss" text="not http" xmlUrl="file:///etc/passwd"/>
    </body></opml>`;
    expect(parseOpml(opml)).toEqual([
      { url: 'https://en.yna.co.kr/RSS/news.xml', title: 'Yonhap\u00a0News', htmlUrl: 'https://en.yna.co.kr/', category: 'Korea & Russia' },
      { url: 'https://tass.com/rss/v2.xml', title: 'TASS', category: 'Korea & Russia' },
      { url: 'http://loose.example/feed', title: 'Loose', category: 'Tech' },
    ]);
  });

  it('takes the nearest named folder through unnamed ones, and refuses absurd nesting with a sentence', () => {
    const nested = `<opml><body><outline text="Arms"><outline><outline type="rss" text="A" xmlUrl="https://a.example/rss"/></outline>
      <outline text="Ships"><outline type="rss" text="B" xmlUrl="https://b.example/rss"/></outline>
      <outline type="rss" text="C" xmlUrl="https://c.example/rss"/></outline></body></opml>`;
    expect(parseOpml(nested).map((f) => [f.title, f.category])).toEqual([['A', 'Arms'], ['B', 'Ships'], ['C', 'Arms']]);
    // htmlparser2 is quadratic in depth: this would take minutes to read.
    expect(() => parseOpml(`<opml><body>${'<outline text="x">'.repeat(200_000)}</body></opml>`)).toThrow(/nests elements more than 512 levels deep/);
  });

  it.each(['Subs.opml', 'SubsNoTitleAttributes.opml'])('reads NetNewsWire %s', (file) => {
    const feeds = parseOpml(readFileSync(`${NNW}/${file}`, 'utf8'));
    expect(feeds.length).toBeGreaterThan(10);
    expect(feeds.every((f) => /^https?:\/\//.test(f.url))).toBe(true);
  });

  it('round-trips through toOpml with escaping', () => {
    const feeds = [{ url: 'https://a.example/rss?x=1&y=2', title: 'A "quoted" <feed>' }, { url: 'https://b.example/feed' }];
    const xml = toOpml(feeds, 'Mine');
    expect(xml).toContain('<title>Mine</title>');
    expect(parseOpml(xml)).toEqual([
      { url: 'https://a.example/rss?x=1&y=2', title: 'A "quoted" <feed>' },
      { url: 'https://b.example/feed', title: 'https://b.example/feed' },
    ]);
  });
});
