import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/log.ts';
import { type Pipeline, type PipelineMetrics, understandPending } from '../src/pipeline.ts';
import { SqliteStore } from '../src/store/sqlite.ts';
import { StoryIndex } from '../src/stories/cluster.ts';
import { compileTopics } from '../src/topics/compile.ts';
import { parseTopicQuery } from '../src/topics/query.ts';

const T0 = new Date('2026-11-20T10:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
/** Every metric a no-op: these tests read the store. */
const metrics = new Proxy({}, { get: () => () => {} }) as PipelineMetrics;

describe('understanding pending articles', () => {
  let store: SqliteStore;
  let pipeline: Pipeline;
  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    pipeline = {
      store,
      log: silentLogger(),
      now: () => at(120),
      owner: 'test:1:1',
      poll: {} as Pipeline['poll'],
      pollsInFlight: 1,
      topics: { index: compileTopics([parseTopicQuery('arms', 'Rason AND shells', { threshold: 0.1 })]) },
      stories: new StoryIndex({ windowHours: 72 }),
      sinks: new Map(),
      metrics,
    };
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
    const job = (await store.claimDeliveries(at(200), 'w', at(201), 10)).find((j) => j.id === alert.id)!;
    expect(job.article.id).toBe(earlier);
  });
});
