import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArticleInput, Store } from '../../src/store/store.ts';

const T0 = new Date('2026-11-20T10:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function article(feedId: number, key: string, extra: Partial<ArticleInput> = {}): ArticleInput {
  return { feedId, key, title: `Title ${key}`, lead: `Lead ${key}`, body: '', fetchedAt: T0, contentHash: `hash-${key}`, url: `https://news.example/${key}`, ...extra };
}

/** The behaviour every store must have; run against each implementation. */
export function storeContract(name: string, open: () => Promise<Store> | Store, dispose: (store: Store) => Promise<void> | void = (s) => s.close()) {
  describe(`${name} store contract`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await dispose(store);
    });

    it('adds a feed once, keeps its poll state on re-add, and leases due feeds to one owner', async () => {
      expect(await store.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, T0)).toMatchObject({ created: true });
      expect(await store.addFeed({ url: 'https://a.example/rss', intervalS: 600 }, T0)).toMatchObject({ created: false });
      await store.addFeed({ url: 'https://b.example/rss', intervalS: 900 }, at(10));
      const claimed = await store.claimDueFeeds(at(1), 'w1', at(6), 10, at(1));
      expect(claimed.map((f) => f.url)).toEqual(['https://a.example/rss']);
      expect(claimed[0]!.intervalS).toBe(600);
      expect(claimed[0]!.firstPoll).toBe(true);
      // Leased: another worker gets nothing until the lease expires.
      expect(await store.claimDueFeeds(at(2), 'w2', at(7), 10, at(2))).toEqual([]);
      expect((await store.claimDueFeeds(at(20), 'w2', at(25), 10, at(20))).map((f) => f.url).sort()).toEqual(['https://a.example/rss', 'https://b.example/rss']);
    });

    it('records success and failure with the error, the failure count and the next poll', async () => {
      const { id } = await store.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, T0);
      await store.recordFeedFailure(id, { error: 'https://a.example/rss answered 503 Service Unavailable.', nextPollAt: at(30) });
      await store.recordFeedFailure(id, { error: 'timed out', nextPollAt: at(60) });
      let feed = (await store.getFeedByUrl('https://a.example/rss'))!;
      expect(feed).toMatchObject({ status: 'failing', failures: 2, lastError: 'timed out' });
      expect(feed.nextPollAt).toEqual(at(60));
      await store.recordFeedSuccess(id, { etag: '"v1"', lastModified: 'Fri, 20 Nov 2026 10:00:00 GMT', title: 'A', nextPollAt: at(90), now: at(61) });
      feed = (await store.getFeedByUrl('https://a.example/rss'))!;
      expect(feed).toMatchObject({ status: 'ok', failures: 0, lastError: null, etag: '"v1"', title: 'A', firstPoll: false });
      expect(feed.lastSuccessAt).toEqual(at(61));
      // A 304 without validators keeps the stored ones.
      await store.recordFeedSuccess(id, { nextPollAt: at(120), now: at(91) });
      expect((await store.getFeedByUrl('https://a.example/rss'))!.etag).toBe('"v1"');
    });

    it('remembers the URLs a feed moved from: adding or removing one reaches the moved feed', async () => {
      const { id } = await store.addFeed({ url: 'https://old.example/rss', intervalS: 900 }, T0);
      await store.recordFeedSuccess(id, { url: 'https://new.example/rss', nextPollAt: at(15), now: at(1) });
      // The config file still names the old URL: the moved feed takes its settings, no second feed appears.
      expect(await store.addFeed({ url: 'https://old.example/rss', intervalS: 600 }, at(2))).toEqual({ id, created: false, movedTo: 'https://new.example/rss' });
      expect((await store.listFeeds()).map((f) => [f.url, f.intervalS])).toEqual([['https://new.example/rss', 600]]);
      expect(await store.addFeed({ url: 'https://new.example/rss', intervalS: 600 }, at(2))).toEqual({ id, created: false });
      // Moving on, and back to the first URL, which is then the feed's own again.
      await store.recordFeedSuccess(id, { url: 'https://third.example/rss', nextPollAt: at(30), now: at(16) });
      expect((await store.addFeed({ url: 'https://new.example/rss', intervalS: 600 }, at(17))).movedTo).toBe('https://third.example/rss');
      expect(await store.listFeedMoves()).toEqual([
        { url: 'https://old.example/rss', feedId: id, movedAt: at(1) },
        { url: 'https://new.example/rss', feedId: id, movedAt: at(16) },
      ]);
      await store.recordFeedSuccess(id, { url: 'https://old.example/rss', nextPollAt: at(45), now: at(31) });
      expect(await store.addFeed({ url: 'https://old.example/rss', intervalS: 600 }, at(32))).toEqual({ id, created: false });
      expect((await store.addFeed({ url: 'https://third.example/rss', intervalS: 600 }, at(32))).movedTo).toBe('https://old.example/rss');
      // Removing by a former URL removes the feed, and its former URLs with it.
      expect(await store.removeFeed('https://new.example/rss')).toBe(true);
      expect(await store.listFeeds()).toEqual([]);
      expect(await store.listFeedMoves()).toEqual([]);
      expect(await store.addFeed({ url: 'https://third.example/rss', intervalS: 600 }, at(33))).toMatchObject({ created: true });
    });

    it('stores an article once: new, then unchanged, then updated when edited', async () => {
      const { id: feedId } = await store.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, T0);
      const first = await store.upsertArticle(article(feedId, 'k1'));
      expect(first.status).toBe('new');
      expect(await store.upsertArticle(article(feedId, 'k1'))).toEqual({ id: first.id, status: 'unchanged' });
      expect(await store.upsertArticle(article(feedId, 'k1', { title: 'Corrected title' }))).toEqual({ id: first.id, status: 'updated' });
      expect((await store.getArticle(first.id))!.title).toBe('Corrected title');
      const batch = await store.upsertArticles([article(feedId, 'k1', { title: 'Corrected title' }), article(feedId, 'k2'), article(feedId, 'k1', { title: 'Again' })]);
      expect(batch.map((r) => r.status)).toEqual(['unchanged', 'new', 'updated']);
      expect(batch[0]!.id).toBe(first.id);
    });

    it('finds republished content of the same feed within a window', async () => {
      const { id: feedId } = await store.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, T0);
      const a = await store.upsertArticle(article(feedId, 'k1', { contentHash: 'same' }));
      const b = await store.upsertArticle(article(feedId, 'k2', { contentHash: 'same', fetchedAt: at(5) }));
      await store.upsertArticle(article(feedId, 'k3', { contentHash: 'other' }));
      const { id: otherFeed } = await store.addFeed({ url: 'https://b.example/rss', intervalS: 900 }, T0);
      await store.upsertArticle(article(otherFeed, 'k1', { contentHash: 'same' }));
      const byId = (rows: Array<{ id: number; contentHash: string }>) => rows.sort((x, y) => x.id - y.id);
      expect(byId(await store.recentContent(feedId, ['same', 'unseen'], at(-1)))).toEqual([{ id: a.id, contentHash: 'same' }, { id: b.id, contentHash: 'same' }]);
      expect(await store.recentContent(feedId, ['same'], at(1))).toEqual([{ id: b.id, contentHash: 'same' }]);
      expect(await store.recentContent(feedId, [], at(-1))).toEqual([]);
    });

    it('allows one alert per story per channel, then follow-ups, and one row per article', async () => {
      const { id: feedId } = await store.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, T0);
      const a1 = (await store.upsertArticle(article(feedId, 'k1'))).id;
      const a2 = (await store.upsertArticle(article(feedId, 'k2'))).id;
      const story = await store.createStory(a1, 'Story', T0);
      await store.attachToStory(a2, story, at(1));
      const channel = await store.ensureChannel({ platform: 'console', workspace: 'local', channel: 'stdout' });
      expect(await store.ensureChannel({ platform: 'console', workspace: 'local', channel: 'stdout' })).toBe(channel);
      await store.syncTopics([{ slug: 't', title: 'Topic', definition: {}, source: 'config' }]);
      await store.saveMatch({ articleId: a1, topic: 't', score: 0.9, why: 'because', explanation: { hits: [] } });

      const alert = await store.enqueueDelivery({ channelId: channel, storyId: story, topic: 't', articleId: a1, kind: 'alert' }, T0);
      expect(alert).not.toBeNull();
      expect(await store.hasAlert(channel, story)).toBe(true);
      expect(await store.enqueueDelivery({ channelId: channel, storyId: story, topic: 't', articleId: a2, kind: 'alert' }, T0)).toBeNull();
      expect(await store.enqueueDelivery({ channelId: channel, storyId: story, topic: 't', articleId: a1, kind: 'followup' }, T0)).toBeNull();
      expect(await store.enqueueDelivery({ channelId: channel, storyId: story, topic: 't', articleId: a2, kind: 'followup' }, T0)).not.toBeNull();
    });

    it('claims deliveries with a lease, records outcomes, and retries a sending row whose lease expired', async () => {
      const { id: feedId } = await store.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, T0);
      const a1 = (await store.upsertArticle(article(feedId, 'k1'))).id;
      const story = await store.createStory(a1, 'Story', T0);
      const channel = await store.ensureChannel({ platform: 'console', workspace: 'local', channel: 'stdout' });
      const id = (await store.enqueueDelivery({ channelId: channel, storyId: story, topic: 't', articleId: a1, kind: 'alert' }, T0))!;

      const [job] = await store.claimDeliveries(T0, 'w1', at(1), 10);
      expect(job).toMatchObject({ id, kind: 'alert', attempts: 1, storyId: story, channel: { platform: 'console', channel: 'stdout' } });
      expect(job!.article.title).toBe('Title k1');
      expect(await store.claimDeliveries(T0, 'w2', at(1), 10)).toEqual([]);
      // The worker died mid-send: after the lease, another takes it.
      expect((await store.claimDeliveries(at(2), 'w2', at(3), 10)).map((j) => j.attempts)).toEqual([2]);
      await store.markDeliveryFailed(id, { error: 'rate limited', retryAt: at(10) });
      expect(await store.claimDeliveries(at(5), 'w2', at(6), 10)).toEqual([]);
      expect(await store.alertMessageRef(channel, story)).toBeUndefined();
      expect(await store.claimDeliveries(at(10), 'w2', at(11), 10)).toHaveLength(1);
      await store.markDelivered(id, 'msg-1', at(10));
      expect(await store.alertMessageRef(channel, story)).toBe('msg-1');
      expect(await store.claimDeliveries(at(100), 'w2', at(101), 10)).toEqual([]);
    });

    it('keeps config subscriptions in step with the config and leaves chat subscriptions alone', async () => {
      const c1 = await store.ensureChannel({ platform: 'console', workspace: 'local', channel: 'stdout' });
      const c2 = await store.ensureChannel({ platform: 'slack', workspace: 'T1', channel: 'C1' });
      await store.subscribe(c2, 'a', 0.5, 'U1');
      await store.syncConfigSubscriptions([{ channelId: c1, topic: 'a', minScore: 0 }, { channelId: c1, topic: 'b', minScore: 0 }]);
      await store.syncConfigSubscriptions([{ channelId: c1, topic: 'a', minScore: 0.7 }]);
      expect((await store.subscribersOf('a')).map((s) => [s.channel, s.minScore])).toEqual([['stdout', 0.7], ['C1', 0.5]]);
      expect(await store.subscribersOf('b')).toEqual([]);
      expect(await store.unsubscribe(c2, 'a')).toBe(true);
      expect(await store.unsubscribe(c2, 'a')).toBe(false);
    });

    it('rebuilds the story window and answers digests with outlet counts', async () => {
      const f1 = (await store.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, T0)).id;
      const f2 = (await store.addFeed({ url: 'https://b.example/rss', intervalS: 900 }, T0)).id;
      const a1 = (await store.upsertArticle(article(f1, 'k1'))).id;
      const a2 = (await store.upsertArticle(article(f2, 'k2'))).id;
      await store.setArticleAnalysis(a1, { language: 'en', concepts: ['dprk', 'russia'] });
      const story = await store.createStory(a1, 'Story', T0);
      await store.attachToStory(a2, story, at(5));
      await store.syncTopics([{ slug: 't', title: 'Topic', definition: {}, source: 'config' }]);
      await store.saveMatch({ articleId: a1, topic: 't', score: 0.7, why: 'w1', explanation: {} });
      await store.saveMatch({ articleId: a2, topic: 't', score: 0.9, why: 'w2', explanation: {} });

      expect((await store.storyArticles(story, 5)).map((a) => a.id)).toEqual([a1, a2]);
      expect((await store.storyArticles(story, 1)).map((a) => a.id)).toEqual([a1]);
      const window = await store.recentStoryArticles(at(-60));
      expect(window.map((w) => [w.storyId, w.article.id])).toEqual([[story, a1], [story, a2]]);
      expect(window[0]!.concepts).toEqual(['dprk', 'russia']);

      const rows = await store.digestRows({ topic: 't', since: at(-60), until: at(60) });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ storyId: story, topic: 't', topicTitle: 'Topic', score: 0.9, outlets: 2, why: 'w2' });
      expect(await store.digestRows({ topic: 't', since: at(1), until: at(60) })).toEqual([]);
    });

    it('claims a digest period once', async () => {
      expect(await store.claimDigestRun('daily', '2026-11-20T08:00', T0)).toBe(true);
      expect(await store.claimDigestRun('daily', '2026-11-20T08:00', T0)).toBe(false);
      expect(await store.claimDigestRun('daily', '2026-11-21T08:00', T0)).toBe(true);
    });
  });
}
