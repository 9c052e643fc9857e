import { FeedCorpus } from '/work/main/bench/lib/feed-content.ts';
import { decodeFeed } from '/work/main/src/feeds/decode.ts';
import { parseFeed } from '/work/main/src/feeds/parse.ts';
import { normalizeFeed } from '/work/main/src/feeds/normalize.ts';
import { SqliteStore } from '/work/main/src/store/sqlite.ts';
import Parser from 'rss-parser';
import { gunzipSync, gzipSync } from 'node:zlib';
const c = new FeedCorpus('http://127.0.0.1:1234', Date.now() - 11*3600e3);
const N = 40;
const bufs = Array.from({ length: N }, (_, f) => Buffer.from(c.render(c.template(f), 0)));
const gz = bufs.map((b) => gzipSync(b));
const tm: Record<string, number> = {};
const time = async <T>(k: string, fn: () => T | Promise<T>): Promise<T> => { const t = performance.now(); const r = await fn(); tm[k] = (tm[k] ?? 0) + performance.now() - t; return r; };
const store = new SqliteStore('/tmp/bt/p.db' + Date.now());
const p = new Parser();
for (let f = 0; f < N; f++) {
  await time('gunzip', () => gunzipSync(gz[f]));
  const { text } = await time('decode', () => decodeFeed(bufs[f], 'application/rss+xml; charset=utf-8'));
  await time('rss-parser plain', () => p.parseString(text));
  const parsed = await time('parse', () => parseFeed(text, { contentType: 'application/rss+xml', url: 'http://127.0.0.1:1234/feeds/x' }));
  const arts = await time('normalize', () => normalizeFeed(parsed, 'http://127.0.0.1:1234/feeds/x'));
  const { id } = await store.addFeed({ url: 'http://x/' + f, intervalS: 900 }, new Date());
  await time('store', async () => { for (const a of arts) { const r = await store.upsertArticle({ ...a, feedId: id, fetchedAt: new Date() }); await store.hasRecentContent(id, a.contentHash, r.id, new Date(0)); } });
}
for (const [k, v] of Object.entries(tm)) console.log(k.padEnd(18), (v / N).toFixed(2), 'ms/feed');
