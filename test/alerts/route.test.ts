import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { routeMatches } from '../../src/alerts/route.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';

const T0 = new Date('2026-11-20T10:00:00Z');

describe('routeMatches', () => {
  let store: SqliteStore;
  let channel: number;
  let articleId: number;
  let storyId: number;
  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    const { id: feedId } = await store.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, T0);
    articleId = (await store.upsertArticle({ feedId, key: 'k', title: 'Report', lead: '', body: '', fetchedAt: T0, contentHash: 'k' })).id;
    storyId = await store.createStory(articleId, 'Report', T0);
    channel = await store.ensureChannel({ platform: 'slack', workspace: 'T1', channel: 'C1' });
  });
  afterEach(() => store.close());

  it('lets the best-scoring topic speak when an article matches two topics of one channel, whatever order they come in', async () => {
    await store.subscribe(channel, 'weak', 0, 'u');
    await store.subscribe(channel, 'strong', 0, 'u');
    const queued = await routeMatches(store, { articleId, storyId, matches: [{ topic: 'weak', score: 0.55 }, { topic: 'strong', score: 0.9 }] }, T0);
    // One row per channel × article: the second topic finds it taken.
    expect(queued).toHaveLength(1);
    expect((await store.listDeliveries({ limit: 10 })).map((d) => [d.kind, d.topic])).toEqual([['alert', 'strong']]);
  });

  it('skips a subscription whose min score the match does not reach, and a paused one', async () => {
    const other = await store.ensureChannel({ platform: 'slack', workspace: 'T1', channel: 'C2' });
    const paused = await store.ensureChannel({ platform: 'slack', workspace: 'T1', channel: 'C3' });
    await store.subscribe(channel, 't', 0.95, 'u');
    await store.subscribe(other, 't', 0.5, 'u');
    await store.subscribe(paused, 't', 0, 'u');
    await store.pauseSubscriptions(paused, 'channel_not_found');
    await routeMatches(store, { articleId, storyId, matches: [{ topic: 't', score: 0.9 }] }, T0);
    expect((await store.listDeliveries({ limit: 10 })).map((d) => d.channel.channel)).toEqual(['C2']);
  });
});
