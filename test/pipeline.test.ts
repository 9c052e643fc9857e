import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { silentLogger } from '../src/log.ts';
import { createApp } from '../src/main.ts';
import { type Pipeline, type PipelineMetrics, rebuildStoryWindow, runCycle, understandPending } from '../src/pipeline.ts';
import { PostgresStore } from '../src/store/postgres.ts';
import { SqliteStore } from '../src/store/sqlite.ts';
import type { AlertJob, Store } from '../src/store/store.ts';
import { StoryIndex } from '../src/stories/cluster.ts';
import { compileTopics } from '../src/topics/compile.ts';
import { parseTopicQuery } from '../src/topics/query.ts';
import { startFeedServer } from './fakes/feed-server.ts';
import { FEED_FIXTURES, writeTestConfig } from './fakes/test-config.ts';

const T0 = new Date('2026-11-20T10:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
/** Every metric a no-op: these tests read the store. */
const metrics = new Proxy({}, { get: () => () => {} }) as PipelineMetrics;

const PG_URL = process.env.WATCHFLOOR_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function pipelineOf(store: Store, owner = 'test:1:1', now = () => at(120)): Pipeline {
  return {
    store,
    log: silentLogger(),
    now,
    owner,
    poll: {} as Pipeline['poll'],
    pollsInFlight: 1,
    topics: { index: compileTopics([parseTopicQuery('arms', 'Rason AND shells', { threshold: 0.1 })]) },
    stories: new StoryIndex({ windowHours: 72 }),
    sinks: new Map(),
    metrics,
  };
}

const report = (feedId: number, key: string, title: string, fetchedAt: Date) => ({
  feedId, key, title, lead: 'Satellite images show the ship loading artillery shells in Rason.', body: '', publishedAt: fetchedAt, fetchedAt,
  contentHash: key, url: `https://news.example/${key}`, pending: true,
});

describe('understanding pending articles', () => {
  let store: SqliteStore;
  let pipeline: Pipeline;
  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    pipeline = pipelineOf(store);
    await store.syncTopics([{ slug: 'arms', title: 'Arms', definition: {}, source: 'config' }]);
    await store.subscribe(await store.ensureChannel({ platform: 'console', workspace: 'local', channel: 'stdout' }), 'arms', 0, 'test');
  });
  afterEach(() => store.close());

  it('places the earliest-published report first, so it anchors the story and alerts; a later one stored before it follows up', async () => {
    const { id: feedA } = await store.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, T0);
    const { id: feedB } = await store.addFeed({ url: 'https://b.example/rss', intervalS: 900 }, T0);
    const title = 'Ship from Rason carried artillery shells to Vostochny port';
    const item = (feedId: number, key: string, publishedAt: Date) => ({
      feedId, key, title, lead: 'Satellite images show the ship loading artillery shells in Rason.', body: '', publishedAt, fetchedAt: at(100),
      contentHash: key, url: `https://news.example/${key}`, pending: true,
    });
    // Stored (and so numbered) newest first: the id order is the opposite of the publication order.
    const later = (await store.upsertArticle(item(feedA, 'later', at(60)))).id;
    const earlier = (await store.upsertArticle(item(feedB, 'earlier', at(0)))).id;
    expect(later).toBeLessThan(earlier);

    await understandPending(pipeline);

    const first = (await store.getArticle(earlier))!;
    const second = (await store.getArticle(later))!;
    expect(second.storyId).toBe(first.storyId);
    expect(first.storyFold).toBeNull();
    expect(second.storyFold?.reason).toBeTruthy();
    const rows = await store.listDeliveries({ limit: 10 });
    expect(rows.map((r) => r.kind).sort()).toEqual(['alert', 'followup']);
    const alert = rows.find((r) => r.kind === 'alert')!;
    const job = ((await store.claimDeliveries(at(200), 'w', at(201), 10)) as AlertJob[]).find((j) => j.id === alert.id)!;
    expect(job.article.id).toBe(earlier);
  });
});

describe('the story window', () => {
  it('holds matched reports only, as it runs and when rebuilt from the store', async () => {
    const store = new SqliteStore(':memory:');
    try {
      await store.syncTopics([{ slug: 'arms', title: 'Arms', definition: {}, source: 'config' }]);
      const { id: feedId } = await store.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, T0);
      await store.upsertArticle(report(feedId, 'm1', 'Ship from Rason carried artillery shells to Vostochny port', at(10)));
      await store.upsertArticle({ ...report(feedId, 'u1', 'Port authorities in Vladivostok publish the winter schedule', at(11)), lead: 'Ferries run twice a week.' });
      await store.upsertArticle(report(feedId, 'm2', 'Second ship leaves Rason with artillery shells', at(12)));
      const pipeline = pipelineOf(store);
      expect(await understandPending(pipeline)).toMatchObject({ articles: 3, matched: 2 });
      expect(pipeline.stories.size).toBe(2);
      const rebuilt = new StoryIndex({ windowHours: 72 });
      expect(await rebuildStoryWindow(store, rebuilt, at(120), 72 * 3600)).toBe(2);
    } finally {
      await store.close();
    }
  });
});

describe('two replicas on one PostgreSQL database', () => {
  it('place a report in the story another replica opened after both started, so the channel gets one alert', async () => {
    const schema = `wf_replicas_${randomBytes(5).toString('hex')}`;
    const [storeA, storeB] = [await PostgresStore.open({ connectionString: PG_URL, schema }), await PostgresStore.open({ connectionString: PG_URL, schema })];
    let clock = at(0);
    const [a, b] = [pipelineOf(storeA, 'a:1:1', () => clock), pipelineOf(storeB, 'b:1:1', () => clock)];
    try {
      await storeA.syncTopics([{ slug: 'arms', title: 'Arms', definition: {}, source: 'config' }]);
      await storeA.subscribe(await storeA.ensureChannel({ platform: 'console', workspace: 'local', channel: 'stdout' }), 'arms', 0, 'test');
      // Both start on an empty database: their windows are empty and synced to now.
      await rebuildStoryWindow(storeA, a.stories, clock, 72 * 3600);
      await rebuildStoryWindow(storeB, b.stories, clock, 72 * 3600);
      const { id: feedA } = await storeA.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, clock);
      const { id: feedB } = await storeA.addFeed({ url: 'https://b.example/rss', intervalS: 900 }, clock);

      clock = at(10);
      const first = (await storeA.upsertArticle(report(feedA, 'a1', 'Ship from Rason carried artillery shells to Vostochny port', clock))).id;
      await understandPending(a);
      clock = at(12);
      const second = (await storeB.upsertArticle(report(feedB, 'b1', 'Ship from Rason carried artillery shells to Vostochny port, images show', clock))).id;
      await understandPending(b);

      const [one, two] = [(await storeA.getArticle(first))!, (await storeA.getArticle(second))!];
      expect(two.storyId).toBe(one.storyId);
      expect(b.stories.has(first)).toBe(true);
      const kinds = (await storeA.listDeliveries({ limit: 10 })).map((r) => r.kind).sort();
      expect(kinds).toEqual(['alert', 'followup']);
    } finally {
      await Promise.all([storeA.close(), storeB.close()]);
      const admin = new pg.Pool({ connectionString: PG_URL, max: 1 });
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  });
});

describe('claiming due feeds', () => {
  it('claims a tick\'s due feeds in turns, so a second process polling at the same time takes its share', async () => {
    const server = await startFeedServer(FEED_FIXTURES);
    const dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-claim-'));
    const feeds = Array.from({ length: 45 }, (_, i) => server.url(`f${i}.rss`));
    for (const [i] of feeds.entries()) server.set(`f${i}.rss`, `<rss version="2.0"><channel><title>F${i}</title><link>https://f${i}.example/</link><description>x</description></channel></rss>`, 'application/rss+xml');
    const app = await createApp(loadConfig(writeTestConfig(dir, 'claim', { feeds, fetch: 'concurrency: 1', extra: ['poll: { parse_threads: 1 }'] }), {}), { stdout: new PassThrough(), log: silentLogger(), env: {} });
    try {
      const turn = app.pipeline.pollsInFlight * 10;
      expect(turn).toBeLessThan(feeds.length);
      const claims: Record<string, number[]> = { first: [], second: [] };
      const owned = (owner: keyof typeof claims): Pipeline => ({
        ...app.pipeline,
        owner: `${owner}:1:1`,
        store: new Proxy(app.store, {
          get: (store, key) => key === 'claimDueFeeds'
            ? async (...args: Parameters<Store['claimDueFeeds']>) => {
              const claimed = await store.claimDueFeeds(...args);
              claims[owner]!.push(claimed.length);
              return claimed;
            }
            : Reflect.get(store, key, store),
        }),
      });
      const [first, second] = await Promise.all([runCycle(owned('first')), runCycle(owned('second'))]);
      // Each feed polled once, by one of them, and both polled some.
      expect(first.feeds + second.feeds).toBe(feeds.length);
      expect(first.feeds).toBeGreaterThan(0);
      expect(second.feeds).toBeGreaterThan(0);
      expect(server.requests).toHaveLength(feeds.length);
      for (const counts of Object.values(claims)) expect(Math.max(...counts)).toBeLessThanOrEqual(turn);
      // A turn that claims fewer than it could is the last.
      expect(claims.first!.at(-1)! + claims.second!.at(-1)!).toBeLessThan(2 * turn);
    } finally {
      await app.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
