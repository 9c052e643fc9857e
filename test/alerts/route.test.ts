import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capFloods, routedChannels, routeMatches, routeToChannels, subscriberLookup } from '../../src/alerts/route.ts';
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

describe('capFloods: the flood cap of one feed poll', () => {
  let store: SqliteStore;
  let feedId: number;
  let channels: number[];
  const POLL = new Date('2026-11-20T10:05:00Z');
  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    feedId = (await store.addFeed({ url: 'https://flood.example/rss', title: 'Flood', intervalS: 900 }, T0)).id;
    channels = [];
    for (const c of ['C1', 'C2']) {
      const id = await store.ensureChannel({ platform: 'slack', workspace: 'T1', channel: c });
      await store.subscribe(id, 't', c === 'C2' ? 0.7 : 0, 'u');
      channels.push(id);
    }
  });
  afterEach(() => store.close());

  /**
   * Stores `count` pending items of one poll, each a story of its own that matched `t` (every third only weakly,
   * below C2's min score), then caps and routes them as the understand step does: the whole batch counted first.
   */
  async function understand(count: number, limit: number, from = 0, fetchedAt = POLL): Promise<void> {
    const poll = { feedId, fetchedAt };
    const subscribers = subscriberLookup(store);
    const batch = [];
    for (let i = from; i < from + count; i++) {
      const { id: articleId } = await store.upsertArticle({ feedId, key: `k${i}`, title: `Item ${i}`, lead: '', body: '', fetchedAt, contentHash: `h${i}`, url: `https://flood.example/${i}`, pending: true });
      const score = i % 3 === 2 ? 0.6 : 0.8;
      await store.saveMatches([{ articleId, topic: 't', score, why: 'x', explanation: {} }]);
      batch.push({ articleId, channels: await routedChannels([{ topic: 't', score }], subscribers), poll });
    }
    const flooded = await capFloods(store, batch, limit, fetchedAt);
    for (const item of batch) {
      const storyId = await store.createStory(item.articleId, 'Item', fetchedAt);
      await routeToChannels(store, { ...item, storyId }, fetchedAt, flooded);
      await store.markUnderstood(item.articleId, fetchedAt);
    }
  }

  it('gives a channel that a poll brings more than `limit` items one burst row and no row per item, due once the poll is understood', async () => {
    // C1 gets all 6 items (over the limit of 4); C2 only the 4 strong ones (not over it).
    await understand(6, 4);
    const rows = await store.listDeliveries({ limit: 100 });
    expect(rows.filter((d) => d.channel.channel === 'C1').map((d) => d.kind)).toEqual(['digest']);
    expect(rows.filter((d) => d.channel.channel === 'C2').map((d) => d.kind)).toEqual(Array(4).fill('alert'));
    // Held until the end of the understand run says the poll has nothing pending any more.
    expect((await store.claimDeliveries(POLL, 'w', new Date(POLL.getTime() + 1000), 100)).map((j) => j.kind)).toEqual(Array(4).fill('alert'));
    expect(await store.releaseFeedBursts(POLL)).toBe(1);
    const [burst] = (await store.claimDeliveries(POLL, 'w', new Date(POLL.getTime() + 1000), 100)) as DigestJob[];
    expect(burst).toMatchObject({ kind: 'digest', digest: { feedId, since: POLL, of: 'subscriptions', scheduleKey: `feed:${feedId}:${channels[0]}` } });

    // What the burst message will say, read from the store: all 6, none posted as alerts, the first ones listed.
    const said = await store.feedBurstRows({ channelId: channels[0]!, feedId, fetchedAt: POLL, limit: 5 });
    expect([said.total, said.alerted]).toEqual([6, 0]);
    expect(said.items.map((i) => i.article.title)).toEqual(['Item 0', 'Item 1', 'Item 2', 'Item 3', 'Item 4']);
    expect(said.items[0]).toMatchObject({ topic: 't', score: 0.8, article: { feedTitle: 'Flood' } });
  });

  it('counts what the poll queued before (a resumed run, a poll larger than one batch), and a burst once queued stays the poll\'s', async () => {
    // The first part of a poll queued 3 rows per channel; the rest of it makes 3 + 3 > 4 for C1, who gets the burst.
    await understand(3, 4);
    await understand(3, 4, 3);
    const c1 = (await store.listDeliveries({ limit: 100 })).filter((d) => d.channel.channel === 'C1').map((d) => d.kind);
    expect(c1.sort()).toEqual(['alert', 'alert', 'alert', 'digest']);
    // Another batch of the same poll adds nothing of its own for C1, however small; it takes C2 (4 rows) over the limit.
    await understand(1, 4, 6);
    expect((await store.listDeliveries({ limit: 100 })).filter((d) => d.channel.channel === 'C1')).toHaveLength(4);
    expect((await store.listDeliveries({ kind: 'digest', limit: 10 })).map((d) => d.channel.channel).sort()).toEqual(['C1', 'C2']);
    // The next poll of the same feed starts again.
    const later = new Date(POLL.getTime() + 900_000);
    await understand(2, 4, 7, later);
    expect(await store.feedPollRows(channels[0]!, feedId, later)).toBe(2);
    expect((await store.listDeliveries({ kind: 'digest', limit: 10 }))).toHaveLength(2);
  });

  it('caps nothing with limit 0', async () => {
    await understand(30, 0);
    expect((await store.listDeliveries({ limit: 100 })).map((d) => d.kind)).toEqual(Array(30 + 20).fill('alert'));
  });
});
