import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/log.ts';
import { type Pipeline, type PipelineMetrics, rebuildStoryWindow, understandPending } from '../src/pipeline.ts';
import { PostgresStore } from '../src/store/postgres.ts';
import { SqliteStore } from '../src/store/sqlite.ts';
import type { AlertJob, Store } from '../src/store/store.ts';
import { StoryIndex } from '../src/stories/cluster.ts';
import { compileTopics } from '../src/topics/compile.ts';
import { parseTopicQuery } from '../src/topics/query.ts';

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
