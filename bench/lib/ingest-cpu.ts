/**
 * Micro-benchmark of the CPU half of the ingest path, single-threaded and without HTTP: for the
 * benchmark's feeds (lib/feed-content.ts, the same mix as bench:ingest), the time per feed of
 * decodeFeed, parseFeed, normalizeFeed and SqliteStore.upsertArticles (fresh items, then the same
 * items again: the "unchanged" path of a feed that changed one item).
 *
 * Run: npx tsx bench/lib/ingest-cpu.ts [feeds=200] [rounds=3]
 * Env: BENCH_FULL_CONTENT_SHARE as for bench:ingest (1 measures full-content feeds only).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeFeed } from '../../src/feeds/read/decode.ts';
import { normalizeFeed } from '../../src/feeds/read/normalize.ts';
import { parseFeed } from '../../src/feeds/read/parse.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { FeedCorpus, FULL_CONTENT_SHARE } from './feed-content.ts';

const feeds = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 3);
const origin = 'http://127.0.0.1:8080';
const corpus = new FeedCorpus(origin, Date.UTC(2025, 0, 1));
const bodies = Array.from({ length: feeds }, (_, f) => {
  const t = corpus.template(f);
  return { url: origin + corpus.feedPath(f), body: Buffer.from(corpus.render(t, 0)), type: t.contentType };
});
const kib = bodies.reduce((n, b) => n + b.body.length, 0) / feeds / 1024;
console.log(`${feeds} feeds (${(FULL_CONTENT_SHARE * 100).toFixed(0)} % with full content), ${kib.toFixed(0)} KiB a feed, best of ${rounds} rounds, ms per feed:`);

const dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-cpu-'));
try {
  const best = { decode: Infinity, parse: Infinity, normalize: Infinity, storeNew: Infinity, storeSame: Infinity };
  for (let round = 0; round < rounds; round++) {
    const store = new SqliteStore(path.join(dir, `r${round}.db`));
    const ids: number[] = [];
    for (const b of bodies) ids.push((await store.addFeed({ url: b.url, intervalS: 900 }, new Date())).id);
    const t = { decode: 0, parse: 0, normalize: 0, storeNew: 0, storeSame: 0 };
    for (const [i, b] of bodies.entries()) {
      let s = performance.now();
      const text = decodeFeed(b.body, b.type).text;
      t.decode += performance.now() - s;
      s = performance.now();
      const parsed = await parseFeed(text, { contentType: b.type, url: b.url });
      t.parse += performance.now() - s;
      s = performance.now();
      const articles = normalizeFeed(parsed, b.url);
      t.normalize += performance.now() - s;
      const inputs = articles.map((a) => ({ ...a, feedId: ids[i]!, fetchedAt: new Date() }));
      s = performance.now();
      await store.upsertArticles(inputs);
      t.storeNew += performance.now() - s;
      s = performance.now();
      await store.upsertArticles(inputs);
      t.storeSame += performance.now() - s;
    }
    await store.close();
    for (const k of Object.keys(t) as Array<keyof typeof t>) best[k] = Math.min(best[k], t[k] / feeds);
  }
  const total = best.decode + best.parse + best.normalize + best.storeNew;
  console.log(
    `decode ${best.decode.toFixed(2)}  parse ${best.parse.toFixed(2)}  normalize ${best.normalize.toFixed(2)}  ` +
      `store new ${best.storeNew.toFixed(2)}  (store unchanged ${best.storeSame.toFixed(2)})  cold total ${total.toFixed(2)} ms a feed → ${(total * 1000 / 1000).toFixed(1)} s CPU for 1,000 feeds`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
