/**
 * The flood cap through `watchfloor once`: a feed that brings 137 new matching items in one poll gives the channel
 * one burst message that names the count and lists the first ten with their links — one outbox row, not 137. A
 * later poll of the same feed within `delivery.feed_burst` (20) posts its items one by one again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { captureIO } from '../fakes/cli-io.ts';
import { type FeedServer, startFeedServer } from '../fakes/feed-server.ts';
import { FEED_FIXTURES, writeTestConfig } from '../fakes/test-config.ts';

const T0 = new Date('2026-11-20T10:00:00Z');
const FLOOD = 137;
const PORTS = ['Rajin', 'Chongjin', 'Nampo', 'Wonsan', 'Hamhung', 'Sinpo', 'Haeju'];

/** A broken feed's dump: undated items (they count as "now"), each a different report that the topic matches. */
function floodFeed(count: number): string {
  const items = Array.from({ length: count }, (_, i) => `
    <item>
      <title>North Korea ships ${1000 + i * 37} artillery shells to Russia through ${PORTS[i % PORTS.length]}, lot ${i}</title>
      <link>https://flood-wire.example/items/${i}</link>
      <guid isPermaLink="false">fw-${i}</guid>
      <description>North Korea loaded ${1000 + i * 37} artillery shells onto Russian cargo ships at ${PORTS[i % PORTS.length]} (lot ${i}); the munitions go by rail to the front in Ukraine.</description>
    </item>`);
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Flood Wire</title><link>https://flood-wire.example/</link><description>x</description><language>en</language>${items.join('')}
</channel></rss>`;
}

let server: FeedServer;
let dir: string;
let config: string;
const once = async (minutes: number) => {
  const io = { ...captureIO(), now: () => new Date(T0.getTime() + minutes * 60_000) };
  const code = await main(['once', '--config', config], io);
  expect(code, io.err()).toBe(0);
  return io.out().trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
};

beforeAll(async () => {
  server = await startFeedServer(FEED_FIXTURES, { now: T0 });
  dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-feed-burst-'));
  // The per-channel burst guard off, so the posts seen here are the flood cap's alone.
  config = writeTestConfig(dir, 'flood', { feeds: [server.url('flood.rss')], extra: ['delivery: { burst: 0 }'] });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a feed that floods a channel in one poll', () => {
  it('posts a poll of more than 20 matching items as one burst message naming the count, from one outbox row', async () => {
    // First poll: one undated item, silent (nothing tells a new one from the archive).
    server.set('flood.rss', floodFeed(1), 'application/rss+xml');
    expect(await once(1)).toEqual([]);

    server.set('flood.rss', floodFeed(1 + FLOOD), 'application/rss+xml');
    const posts = await once(20);
    expect(posts.map((p) => p.kind)).toEqual(['digest']);
    const burst = posts[0];
    expect(burst.title).toBe(`Flood Wire: ${FLOOD} new matching items in one poll; the first 10 of them`);
    const listed = burst.topics.flatMap((t: { stories: Array<{ url: string; title: string }> }) => t.stories);
    expect(listed).toHaveLength(10);
    expect(listed.every((s: { url: string }) => /^https:\/\/flood-wire\.example\/items\/\d+$/.test(s.url))).toBe(true);

    const store = new SqliteStore(path.join(dir, 'flood.db'));
    try {
      const rows = await store.listDeliveries({ limit: 1000 });
      expect(rows.map((d) => [d.kind, d.status, d.title])).toEqual([['digest', 'sent', `burst of Flood Wire ${new Date(T0.getTime() + 20 * 60_000).toISOString()}`]]);
    } finally {
      await store.close();
    }

    // Nothing is left over for the next run, and the same items do not come back.
    expect(await once(40)).toEqual([]);
    // A later poll that brings a few is no flood: each item is posted on its own.
    server.set('flood.rss', floodFeed(1 + FLOOD + 3), 'application/rss+xml');
    expect((await once(60)).map((p) => p.kind).sort()).toEqual(['alert', 'alert', 'alert']);
  });
});
