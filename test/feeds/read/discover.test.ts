import { describe, expect, it } from 'vitest';
import { discoverFeeds } from '../../../src/feeds/read/discover.ts';

describe('discoverFeeds', () => {
  it.each([
    ['rss and atom links, resolved and titled',
      '<html><head><link rel="alternate" type="application/rss+xml" title="All" href="/feed/"><link rel="alternate" type="application/atom+xml" href="https://x.example/atom.xml"></head></html>',
      [{ url: 'https://site.example/feed/', title: 'All', type: 'application/rss+xml' }, { url: 'https://x.example/atom.xml', type: 'application/atom+xml' }]],
    ['JSON Feed, rel with several tokens, upper case',
      '<LINK REL="Alternate home" TYPE="application/feed+json" HREF="feed.json">',
      [{ url: 'https://site.example/news/feed.json', type: 'application/feed+json' }]],
    ['base href applies',
      '<base href="https://cdn.example/b/"><link rel="alternate" type="application/rss+xml" href="rss">',
      [{ url: 'https://cdn.example/b/rss', type: 'application/rss+xml' }]],
    ['stylesheets, other alternates, duplicates and javascript: are ignored',
      '<link rel="stylesheet" href="a.css"><link rel="alternate" hreflang="de" href="/de/"><link rel="alternate" type="application/rss+xml" href="javascript:x"><link rel="alternate" type="application/rss+xml" href="/f"><link rel="alternate" type="application/rss+xml" href="/f">',
      [{ url: 'https://site.example/f', type: 'application/rss+xml' }]],
    ['none', '<html><body>no feeds</body></html>', []],
  ])('%s', (_name, html, expected) => {
    expect(discoverFeeds(html, 'https://site.example/news/')).toEqual(expected);
  });

  it('keeps what the head announced when the body nests absurdly deep', () => {
    const html = `<html><head><link rel="alternate" type="application/rss+xml" href="/feed"></head><body>${'<div>'.repeat(1_000_000)}</body></html>`;
    expect(discoverFeeds(html, 'https://site.example/').map((f) => f.url)).toEqual(['https://site.example/feed']);
  });
});
