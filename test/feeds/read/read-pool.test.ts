import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../../src/errors.ts';
import { HtmlPageError } from '../../../src/feeds/read/html-page-error.ts';
import { readFeedBytes } from '../../../src/feeds/read/read.ts';
import { ReadPool } from '../../../src/feeds/read/read-pool.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/feeds');
const rssOf = (items: number, bodyChars: number) =>
  `<rss version="2.0"><channel><title>Big</title>${Array.from({ length: items }, (_, i) =>
    `<item><guid>g${i}</guid><title>Item ${i}</title><description>${'word '.repeat(bodyChars / 5)}</description></item>`).join('')}</channel></rss>`;

let pool: ReadPool;
beforeAll(() => {
  pool = new ReadPool({ threads: 2 });
});
afterAll(() => pool.close());

describe('ReadPool', () => {
  it('reads every fixture feed exactly as the main thread does, dates included', async () => {
    const files = readdirSync(FIXTURES).filter((f) => /\.(rss|atom|xml|json)$/.test(f));
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) {
      const bytes = readFileSync(path.join(FIXTURES, file));
      const url = `https://feeds.example/${file}`;
      const inline = await readFeedBytes(bytes, undefined, url);
      expect(await pool.read(bytes, undefined, url), file).toEqual(inline);
    }
    const dated = await pool.read(Buffer.from('<rss version="2.0"><channel><item><guid>a</guid><title>t</title><pubDate>Tue, 10 Jun 2025 04:00:00 GMT</pubDate></item></channel></rss>'), undefined, 'https://feeds.example/d');
    expect(dated.articles[0]!.publishedAt).toBeInstanceOf(Date);
    expect(dated.articles[0]!.publishedAt!.toISOString()).toBe('2025-06-10T04:00:00.000Z');
  });

  it('hands back errors with their class, code and message, and the feeds a web page announces', async () => {
    const page = Buffer.from('<html><head><link rel="alternate" type="application/atom+xml" href="/atom.xml"></head><body></body></html>');
    const err = await pool.read(page, 'text/html', 'https://site.example/').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HtmlPageError);
    expect(err).toMatchObject({ code: 'html_page', feeds: [{ url: 'https://site.example/atom.xml' }] });
    const empty = await pool.read(Buffer.from('   '), undefined, 'https://feeds.example/empty').catch((e: unknown) => e);
    expect(empty).toBeInstanceOf(AppError);
    expect(empty).toMatchObject({ code: 'parse', message: 'not a feed: the document is empty' });
  });

  it('moves a body that owns its buffer to the worker instead of copying it', async () => {
    const bytes = new Uint8Array(Buffer.from(rssOf(2, 10)));
    const read = pool.read(bytes, undefined, 'https://feeds.example/moved');
    expect(bytes.byteLength).toBe(0);
    expect((await read).articles).toHaveLength(2);
  });

  it('keeps every read of a burst apart when more arrive than there are threads', async () => {
    const reads = Array.from({ length: 12 }, (_, n) => pool.read(Buffer.from(rssOf(n + 1, 50)), undefined, `https://feeds.example/${n}`));
    expect((await Promise.all(reads)).map((c) => c.articles.length)).toEqual(Array.from({ length: 12 }, (_, n) => n + 1));
  });

  it('starts one thread, and more only while reads wait for one', async () => {
    const lazy = new ReadPool({ threads: 3 });
    try {
      const [first] = lazy.threadIds;
      expect(lazy.threadIds).toHaveLength(1);
      for (let n = 1; n <= 3; n++) expect((await lazy.read(Buffer.from(rssOf(n, 50)), undefined, `https://feeds.example/one-${n}`)).articles).toHaveLength(n);
      expect(lazy.threadIds).toEqual([first]);
      const burst = Array.from({ length: 5 }, (_, n) => lazy.read(Buffer.from(rssOf(n + 1, 50)), undefined, `https://feeds.example/burst-${n}`));
      expect(lazy.threadIds).toHaveLength(3);
      expect((await Promise.all(burst)).map((c) => c.articles.length)).toEqual([1, 2, 3, 4, 5]);
    } finally {
      await lazy.close();
    }
  });

  it('ends a thread after a document above recycleAboveBytes, and the next read runs on a fresh one', async () => {
    const recycling = new ReadPool({ threads: 1, recycleAboveBytes: 50_000 });
    try {
      const [first] = recycling.threadIds;
      expect((await recycling.read(Buffer.from(rssOf(2, 50)), undefined, 'https://feeds.example/small')).articles).toHaveLength(2);
      expect(recycling.threadIds).toEqual([first]);
      const big = Buffer.from(rssOf(20, 5000));
      expect(big.byteLength).toBeGreaterThan(50_000);
      expect((await recycling.read(big, undefined, 'https://feeds.example/big')).articles).toHaveLength(20);
      // Ended, and not replaced while no read waits.
      expect(recycling.threadIds).toEqual([]);
      expect((await recycling.read(Buffer.from(rssOf(3, 50)), undefined, 'https://feeds.example/after')).articles).toHaveLength(3);
      expect(recycling.threadIds).toHaveLength(1);
      expect(recycling.threadIds[0]).not.toBe(first);
    } finally {
      await recycling.close();
    }
  });

  it('ends a thread that has had no work for idleMs, and starts one again for the next read', async () => {
    const idle = new ReadPool({ threads: 1, idleMs: 200 });
    try {
      expect((await idle.read(Buffer.from(rssOf(2, 50)), undefined, 'https://feeds.example/one')).articles).toHaveLength(2);
      const [first] = idle.threadIds;
      await vi.waitFor(() => expect(idle.threadIds).toEqual([]), { timeout: 10_000, interval: 50 });
      expect((await idle.read(Buffer.from(rssOf(3, 50)), undefined, 'https://feeds.example/two')).articles).toHaveLength(3);
      expect(idle.threadIds).toHaveLength(1);
      expect(idle.threadIds[0]).not.toBe(first);
    } finally {
      await idle.close();
    }
  });

  it('abandons a document that runs past the timeout, fails only that read, and goes on with a fresh thread', async () => {
    const slow = new ReadPool({ threads: 1, timeoutMs: 1 });
    try {
      const err = await slow.read(Buffer.from(rssOf(2000, 2000)), undefined, 'https://feeds.example/huge').catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'parse', message: expect.stringMatching(/still being parsed after 0.001 s and was abandoned/) });
    } finally {
      await slow.close();
    }
  });

  it('fails a document that exhausts a thread\'s heap, and the next read still works', async () => {
    const small = new ReadPool({ threads: 1, maxHeapMb: 32 });
    try {
      const err = await small.read(Buffer.from(rssOf(50_000, 100)), undefined, 'https://feeds.example/bomb').catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'parse', message: expect.stringMatching(/^the feed parser failed on this document/) });
      expect((await small.read(Buffer.from(rssOf(3, 10)), undefined, 'https://feeds.example/ok')).articles).toHaveLength(3);
    } finally {
      await small.close();
    }
  });

  it('rejects reads after close', async () => {
    const closed = new ReadPool({ threads: 1 });
    await closed.close();
    await expect(closed.read(Buffer.from('<rss/>'), undefined, 'https://feeds.example/x')).rejects.toMatchObject({ code: 'closed' });
  });
});
