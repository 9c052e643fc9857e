/**
 * Every file of the shared corpora (5,507 feeds from feedparser, the W3C validator, gofeed,
 * rss-parser, NetNewsWire and Miniflux) through decode → parse → normalize: no crash, no hang, no
 * unhandled rejection; each file ends as articles or a typed AppError with a sentence. One test per
 * corpus so that the forks pool can spread them. Figures: `npx tsx bench/corpus.ts`.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CORPORA, corpusFiles, ingestFile, type Outcome } from '../../../bench/corpus.ts';

// A missing corpus fails the count test below instead of silently testing nothing.
const files = existsSync(CORPORA) ? corpusFiles() : [];

async function runAll(prefix: string): Promise<Map<string, Outcome>> {
  const results = new Map<string, Outcome>();
  for (const file of files.filter((f) => f.name.startsWith(prefix))) {
    const outcome = await ingestFile(file);
    if (outcome.ok) {
      for (const a of outcome.articles) {
        expect(typeof a.key === 'string' && a.key.length > 0, `${file.name}: empty key`).toBe(true);
        expect(a.contentHash, file.name).toMatch(/^[0-9a-f]{40}$/);
        if (a.url) expect(a.url, file.name).toMatch(/^https?:\/\//);
      }
      expect(new Set(outcome.articles.map((a) => a.key)).size, `${file.name}: duplicate keys`).toBe(outcome.articles.length);
    } else {
      expect(['parse', 'html_page'], `${file.name}: ${outcome.error.code}`).toContain(outcome.error.code);
      expect(outcome.error.message, file.name).toMatch(/^not a feed: \S/);
    }
    results.set(file.name, outcome);
  }
  return results;
}

const okCount = (results: Map<string, Outcome>, filter: (name: string) => boolean = () => true) =>
  [...results].filter(([name, o]) => filter(name) && o.ok).length;

describe('the shared corpora', () => {
  it('has all 5,507 files', () => {
    expect(files.length).toBe(5507);
  });

  it('feedparser: every wellformed file parses', async () => {
    const results = await runAll('feedparser/');
    expect(results.size).toBe(2107);
    expect(okCount(results, (n) => n.includes('/wellformed/'))).toBe(1749);
    expect(okCount(results, (n) => n.includes('/encoding/'))).toBe(82);
    expect(okCount(results, (n) => n.includes('/entities/'))).toBe(256);
  });

  it('w3c-feedvalidator', async () => {
    const results = await runAll('w3c-feedvalidator/');
    expect(results.size).toBe(2192);
    expect(okCount(results, (n) => n.endsWith('.xml'))).toBeGreaterThanOrEqual(1855);
  });

  it('gofeed', async () => {
    const results = await runAll('gofeed/');
    expect(okCount(results, (n) => n.endsWith('.xml'))).toBeGreaterThanOrEqual(538);
    expect(results.get('gofeed/testdata/parser/json/invalid/invalid.json')?.ok).toBe(false);
  });

  it('rss-parser, NetNewsWire and Miniflux', async () => {
    const results = new Map([...(await runAll('rss-parser/')), ...(await runAll('netnewswire-rsparser/')), ...(await runAll('miniflux/'))]);
    expect(okCount(results, (n) => n.startsWith('rss-parser/test/input/'))).toBe(30);
    const mf = results.get('miniflux/internal/reader/parser/testdata/encoding_WINDOWS-1251.xml');
    expect(mf?.ok && mf.feed.items.some((i) => i.title?.startsWith('Цитата'))).toBe(true);
    const koi8 = results.get('miniflux/internal/reader/xml/testdata/koi8r.xml');
    expect(koi8?.ok && [koi8.feed.title, koi8.feed.items[0]?.title]).toEqual(['Пример RSS ленты', 'Первая новость']);
  });
});
