import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FeedBursts, routeMatches } from '../../src/alerts/route.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import type { DigestJob } from '../../src/store/store.ts';

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

describe('FeedBursts: the flood cap of one feed poll', () => {
  let store: SqliteStore;
  let feedId: number;
  let channels: number[];
  const POLL = new Date('2026-11-20T10:05:00Z');
  const poll = { feedId: 0, fetchedAt: POLL };
  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    feedId = (await store.addFeed({ url: 'https://flood.example/rss', title: 'Flood', intervalS: 900 }, T0)).id;
    poll.feedId = feedId;
    channels = [];
    for (const c of ['C1', 'C2']) {
      const id = await store.ensureChannel({ platform: 'slack', workspace: 'T1', channel: c });
      await store.subscribe(id, 't', 0, 'u');
      channels.push(id);
    }
  });
  afterEach(() => store.close());

  /** Stores `count` items of one poll, each a story of its own that matched `t`, and routes them with `bursts`. */
  async function flood(count: number, bursts: FeedBursts, from = 0, fetchedAt = POLL): Promise<void> {
    for (let i = from; i < from + count; i++) {
      const { id: articleId } = await store.upsertArticle({ feedId, key: `k${i}`, title: `Item ${i}`, lead: '', body: '', fetchedAt, contentHash: `h${i}`, url: `https://flood.example/${i}` });
      const storyId = await store.createStory(articleId, `Item ${i}`, fetchedAt);
      await store.saveMatch({ articleId, topic: 't', score: 0.8, why: 'x', explanation: {} });
      await routeMatches(store, { articleId, storyId, matches: [{ topic: 't', score: 0.8 }], poll: { feedId, fetchedAt } }, fetchedAt, bursts);
    }
  }

  it('gives each channel its first `limit` rows and then one burst row, not due until the poll is understood', async () => {
    const bursts = new FeedBursts(store, 3);
    await flood(10, bursts);
    const rows = await store.listDeliveries({ limit: 100 });
    expect(rows).toHaveLength(2 * (3 + 1));
    for (const channel of ['C1', 'C2']) {
      const mine = rows.filter((d) => d.channel.channel === channel);
      expect(mine.map((d) => d.kind).sort()).toEqual(['alert', 'alert', 'alert', 'digest']);
    }
    // Waiting for the rest of its poll: nothing of the burst is claimable yet.
    expect((await store.claimDeliveries(POLL, 'w', new Date(POLL.getTime() + 1000), 100)).map((j) => j.kind)).toEqual(Array(6).fill('alert'));
    expect(await bursts.release(POLL)).toBe(2);
    const [burst] = (await store.claimDeliveries(POLL, 'w', new Date(POLL.getTime() + 1000), 100)) as DigestJob[];
    expect(burst).toMatchObject({ kind: 'digest', digest: { feedId, since: POLL, of: 'subscriptions', scheduleKey: `feed:${feedId}:${channels[0]}` } });

    // What the burst message will say, read from the store: 7 beyond the 3 rows of its own, the first ones listed.
    const said = await store.feedBurstRows({ channelId: channels[0]!, feedId, fetchedAt: POLL, limit: 5 });
    expect([said.total, said.alerted]).toEqual([7, 3]);
    expect(said.items.map((i) => i.article.title)).toEqual(['Item 3', 'Item 4', 'Item 5', 'Item 6', 'Item 7']);
    expect(said.items[0]).toMatchObject({ topic: 't', score: 0.8, article: { feedTitle: 'Flood' } });
  });

  it('counts a poll of its own, and resumes after a crash from what the store holds', async () => {
    await flood(4, new FeedBursts(store, 3));
    // The process died before the poll was understood; the next run carries on with a fresh memory.
    const resumed = new FeedBursts(store, 3);
    await flood(4, resumed, 4);
    expect((await store.listDeliveries({ kind: 'digest', limit: 10 }))).toHaveLength(2);
    expect(await store.feedPollRows(channels[0]!, feedId, POLL)).toBe(3);
    expect(await resumed.release(POLL)).toBe(2);
    // The next poll of the same feed starts again.
    const later = new Date(POLL.getTime() + 900_000);
    await flood(2, resumed, 8, later);
    expect(await store.feedPollRows(channels[0]!, feedId, later)).toBe(2);
    expect((await store.listDeliveries({ kind: 'digest', limit: 10 }))).toHaveLength(2);
  });

  it('caps nothing with limit 0', async () => {
    await flood(30, new FeedBursts(store, 0));
    expect((await store.listDeliveries({ limit: 100 })).map((d) => d.kind)).toEqual(Array(60).fill('alert'));
  });
});
