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

    it('adds a feed once, keeps its poll state on re-add, and leases due feeds to one owner', () => {
      expect(store.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, T0)).toMatchObject({ created: true });
      expect(store.addFeed({ url: 'https://a.example/rss', intervalS: 600 }, T0)).toMatchObject({ created: false });
      store.addFeed({ url: 'https://b.example/rss', intervalS: 900 }, at(10));
      const claimed = store.claimDueFeeds(at(1), 'w1', at(6), 10, at(1));
      expect(claimed.map((f) => f.url)).toEqual(['https://a.example/rss']);
      expect(claimed[0]!.intervalS).toBe(600);
      expect(claimed[0]!.firstPoll).toBe(true);
      // Leased: another worker gets nothing until the lease expires.
      expect(store.claimDueFeeds(at(2), 'w2', at(7), 10, at(2))).toEqual([]);
      expect(store.claimDueFeeds(at(20), 'w2', at(25), 10, at(20)).map((f) => f.url).sort()).toEqual(['https://a.example/rss', 'https://b.example/rss']);
    });

    it('records success and failure with the error, the failure count and the next poll', () => {
      const { id } = store.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, T0);
      store.recordFeedFailure(id, { error: 'https://a.example/rss answered 503 Service Unavailable.', nextPollAt: at(30) });
      store.recordFeedFailure(id, { error: 'timed out', nextPollAt: at(60) });
      let feed = store.getFeedByUrl('https://a.example/rss')!;
      expect(feed).toMatchObject({ status: 'failing', failures: 2, lastError: 'timed out' });
      expect(feed.nextPollAt).toEqual(at(60));
      store.recordFeedSuccess(id, { etag: '"v1"', lastModified: 'Fri, 20 Nov 2026 10:00:00 GMT', title: 'A', nextPollAt: at(90), now: at(61) });
      feed = store.getFeedByUrl('https://a.example/rss')!;
      expect(feed).toMatchObject({ status: 'ok', failures: 0, lastError: null, etag: '"v1"', title: 'A', firstPoll: false });
      expect(feed.lastSuccessAt).toEqual(at(61));
      // A 304 without validators keeps the stored ones.
      store.recordFeedSuccess(id, { nextPollAt: at(120), now: at(91) });
      expect(store.getFeedByUrl('https://a.example/rss')!.etag).toBe('"v1"');
    });

    it('stores an article once: new, then unchanged, then updated when edited', () => {
      const { id: feedId } = store.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, T0);
      const first = store.upsertArticle(article(feedId, 'k1'));
      expect(first.status).toBe('new');
      expect(store.upsertArticle(article(feedId, 'k1'))).toEqual({ id: first.id, status: 'unchanged' });
      expect(store.upsertArticle(article(feedId, 'k1', { title: 'Corrected title' }))).toEqual({ id: first.id, status: 'updated' });
      expect(store.getArticle(first.id)!.title).toBe('Corrected title');
    });

    it('finds republished content of the same feed within a window', () => {
      const { id: feedId } = store.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, T0);
      const a = store.upsertArticle(article(feedId, 'k1', { contentHash: 'same' }));
      const b = store.upsertArticle(article(feedId, 'k2', { contentHash: 'same', fetchedAt: at(5) }));
      expect(store.hasRecentContent(feedId, 'same', b.id, at(-1))).toBe(true);
      expect(store.hasRecentContent(feedId, 'same', a.id, at(10))).toBe(false);
    });

    it('allows one alert per story per channel, then follow-ups, and one row per article', () => {
      const { id: feedId } = store.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, T0);
      const a1 = store.upsertArticle(article(feedId, 'k1')).id;
      const a2 = store.upsertArticle(article(feedId, 'k2')).id;
      const story = store.createStory(a1, 'Story', T0);
      store.attachToStory(a2, story, at(1));
      const channel = store.ensureChannel({ platform: 'console', workspace: 'local', channel: 'stdout' });
      expect(store.ensureChannel({ platform: 'console', workspace: 'local', channel: 'stdout' })).toBe(channel);
      store.syncTopics([{ slug: 't', title: 'Topic', definition: {}, source: 'config' }]);
      store.saveMatch({ articleId: a1, topic: 't', score: 0.9, why: 'because', explanation: { hits: [] } });

      const alert = store.enqueueDelivery({ channelId: channel, storyId: story, topic: 't', articleId: a1, kind: 'alert' }, T0);
      expect(alert).not.toBeNull();
      expect(store.hasAlert(channel, story)).toBe(true);
      expect(store.enqueueDelivery({ channelId: channel, storyId: story, topic: 't', articleId: a2, kind: 'alert' }, T0)).toBeNull();
      expect(store.enqueueDelivery({ channelId: channel, storyId: story, topic: 't', articleId: a1, kind: 'followup' }, T0)).toBeNull();
      expect(store.enqueueDelivery({ channelId: channel, storyId: story, topic: 't', articleId: a2, kind: 'followup' }, T0)).not.toBeNull();
    });

    it('claims deliveries with a lease, records outcomes, and retries a sending row whose lease expired', () => {
      const { id: feedId } = store.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, T0);
      const a1 = store.upsertArticle(article(feedId, 'k1')).id;
      const story = store.createStory(a1, 'Story', T0);
      const channel = store.ensureChannel({ platform: 'console', workspace: 'local', channel: 'stdout' });
      const id = store.enqueueDelivery({ channelId: channel, storyId: story, topic: 't', articleId: a1, kind: 'alert' }, T0)!;

      const [job] = store.claimDeliveries(T0, 'w1', at(1), 10);
      expect(job).toMatchObject({ id, kind: 'alert', attempts: 1, storyId: story, channel: { platform: 'console', channel: 'stdout' } });
      expect(job!.article.title).toBe('Title k1');
      expect(store.claimDeliveries(T0, 'w2', at(1), 10)).toEqual([]);
      // The worker died mid-send: after the lease, another takes it.
      expect(store.claimDeliveries(at(2), 'w2', at(3), 10).map((j) => j.attempts)).toEqual([2]);
      store.markDeliveryFailed(id, { error: 'rate limited', retryAt: at(10) });
      expect(store.claimDeliveries(at(5), 'w2', at(6), 10)).toEqual([]);
      expect(store.alertMessageRef(channel, story)).toBeUndefined();
      expect(store.claimDeliveries(at(10), 'w2', at(11), 10)).toHaveLength(1);
      store.markDelivered(id, 'msg-1', at(10));
      expect(store.alertMessageRef(channel, story)).toBe('msg-1');
      expect(store.claimDeliveries(at(100), 'w2', at(101), 10)).toEqual([]);
    });

    it('keeps config subscriptions in step with the config and leaves chat subscriptions alone', () => {
      const c1 = store.ensureChannel({ platform: 'console', workspace: 'local', channel: 'stdout' });
      const c2 = store.ensureChannel({ platform: 'slack', workspace: 'T1', channel: 'C1' });
      store.subscribe(c2, 'a', 0.5, 'U1');
      store.syncConfigSubscriptions([{ channelId: c1, topic: 'a', minScore: 0 }, { channelId: c1, topic: 'b', minScore: 0 }]);
      store.syncConfigSubscriptions([{ channelId: c1, topic: 'a', minScore: 0.7 }]);
      expect(store.subscribersOf('a').map((s) => [s.channel, s.minScore])).toEqual([['stdout', 0.7], ['C1', 0.5]]);
      expect(store.subscribersOf('b')).toEqual([]);
      expect(store.unsubscribe(c2, 'a')).toBe(true);
      expect(store.unsubscribe(c2, 'a')).toBe(false);
    });

    it('rebuilds the story window and answers digests with outlet counts', () => {
      const f1 = store.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, T0).id;
      const f2 = store.addFeed({ url: 'https://b.example/rss', intervalS: 900 }, T0).id;
      const a1 = store.upsertArticle(article(f1, 'k1')).id;
      const a2 = store.upsertArticle(article(f2, 'k2')).id;
      store.setArticleAnalysis(a1, { language: 'en', concepts: ['dprk', 'russia'] });
      const story = store.createStory(a1, 'Story', T0);
      store.attachToStory(a2, story, at(5));
      store.syncTopics([{ slug: 't', title: 'Topic', definition: {}, source: 'config' }]);
      store.saveMatch({ articleId: a1, topic: 't', score: 0.7, why: 'w1', explanation: {} });
      store.saveMatch({ articleId: a2, topic: 't', score: 0.9, why: 'w2', explanation: {} });

      const window = store.recentStoryArticles(at(-60));
      expect(window.map((w) => [w.storyId, w.article.id])).toEqual([[story, a1], [story, a2]]);
      expect(window[0]!.concepts).toEqual(['dprk', 'russia']);

      const rows = store.digestRows({ topic: 't', since: at(-60), until: at(60) });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ storyId: story, topic: 't', topicTitle: 'Topic', score: 0.9, outlets: 2, why: 'w2' });
      expect(store.digestRows({ topic: 't', since: at(1), until: at(60) })).toEqual([]);
    });

    it('claims a digest period once', () => {
      expect(store.claimDigestRun('daily', '2026-11-20T08:00', T0)).toBe(true);
      expect(store.claimDigestRun('daily', '2026-11-20T08:00', T0)).toBe(false);
      expect(store.claimDigestRun('daily', '2026-11-21T08:00', T0)).toBe(true);
    });
  });
}
