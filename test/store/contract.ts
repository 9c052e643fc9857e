import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertJob, ArticleInput, DigestJob, Store } from '../../src/store/store.ts';

const T0 = new Date('2026-11-20T10:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function article(feedId: number, key: string, extra: Partial<ArticleInput> = {}): ArticleInput {
  return { feedId, key, title: `Title ${key}`, lead: `Lead ${key}`, body: '', fetchedAt: T0, contentHash: `hash-${key}`, url: `https://news.example/${key}`, ...extra };
}

/** One write through the store, and how many times it must tell that rows came due: once whatever its rows, or not at all. */
export interface DueWrite {
  write: string;
  run: () => Promise<unknown>;
  notices: 0 | 1;
}

/**
 * The writes that make outbox rows due, and some that must not (on the sending path, or due later), in an order
 * that works: the contract hears them through `onDeliveriesDue`, the PostgreSQL test counts its raw notices.
 */
export async function dueWrites(store: Store): Promise<DueWrite[]> {
  const { id: feedId } = await store.addFeed({ url: 'https://due.example/rss', intervalS: 900 }, T0);
  const [a1, a2] = [(await store.upsertArticle(article(feedId, 'd1'))).id, (await store.upsertArticle(article(feedId, 'd2'))).id];
  const story = await store.createStory(a1, 'Story', T0);
  await store.attachToStory(a2, story, T0);
  const [c1, c2] = [await store.ensureChannel({ platform: 'console', workspace: 'local', channel: 'one' }), await store.ensureChannel({ platform: 'console', workspace: 'local', channel: 'two' })];
  const alert = { channelId: c1, storyId: story, topic: 't', articleId: a1, kind: 'alert' as const };
  const route = { articleId: a2, storyId: story, to: [{ channelId: c1, topic: 't' }, { channelId: c2, topic: 't' }] };
  const ids = new Map<string, number>();
  const idOf = (name: string) => ids.get(name)!;
  const burst = { channelId: c1, scheduleKey: `feed:${feedId}:${c1}`, period: T0.toISOString(), since: T0, until: T0, of: 'subscriptions' as const, topic: null, feedId };
  const digest = { channelId: c2, scheduleKey: `channel:${c2}`, period: 'daily:2026-11-20', since: at(-1440), until: T0, of: 'subscriptions' as const, topic: null };
  const claim = async (owner: string, now: Date) => {
    for (const job of await store.claimDeliveries(now, owner, at(60), 10)) ids.set(job.kind === 'digest' ? 'digest' : `${job.kind}@${job.channel.channel}`, job.id);
  };
  return [
    { write: 'an alert queued', run: () => store.enqueueDelivery(alert, T0), notices: 1 },
    { write: 'the same alert again', run: () => store.enqueueDelivery(alert, T0), notices: 0 },
    { write: 'an article routed to two channels', run: () => store.routeArticle(route, T0), notices: 1 },
    { write: 'the same routing again', run: () => store.routeArticle(route, T0), notices: 0 },
    { write: 'a claim', run: () => claim('w1', T0), notices: 0 },
    { write: 'a follow-up deferred until its alert is out', run: () => store.releaseDelivery(idOf('followup@one'), T0, { reason: 'waiting', until: at(30) }), notices: 0 },
    { write: 'an alert posted with no follow-up waiting', run: () => store.markDelivered(idOf('alert@two'), 'm2', T0), notices: 0 },
    { write: 'an alert posted, waking its follow-up', run: () => store.markDelivered(idOf('alert@one'), 'm1', T0), notices: 1 },
    { write: 'the follow-up claimed and dead', run: async () => (await claim('w1', at(1)), store.markDeliveryFailed(idOf('followup@one'), { error: 'HTTP 500', retryAt: null })), notices: 0 },
    { write: 'a dead row retried', run: () => store.retryDelivery(idOf('followup@one'), at(2)), notices: 1 },
    { write: 'a row claimed by a worker that dies', run: () => claim('gone', at(2)), notices: 0 },
    { write: "the gone worker's leases released", run: () => store.releaseLeases('gone'), notices: 1 },
    { write: 'a burst queued held', run: () => store.enqueueDigest({ ...burst, dueAt: at(1440) }, at(3)), notices: 0 },
    { write: 'the burst released', run: () => store.releaseFeedBursts(at(3)), notices: 1 },
    { write: 'a digest queued due now', run: () => store.enqueueDigest(digest, at(3)), notices: 1 },
    { write: 'the same digest period again', run: () => store.enqueueDigest(digest, at(4)), notices: 0 },
  ];
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
      await store.saveMatches([{ articleId: a1, topic: 't', score: 0.9, why: 'because', explanation: { hits: [] } }]);

      const alert = await store.enqueueDelivery({ channelId: channel, storyId: story, topic: 't', articleId: a1, kind: 'alert' }, T0);
      expect(alert).not.toBeNull();
      expect(await store.enqueueDelivery({ channelId: channel, storyId: story, topic: 't', articleId: a2, kind: 'alert' }, T0)).toBeNull();
      expect(await store.enqueueDelivery({ channelId: channel, storyId: story, topic: 't', articleId: a1, kind: 'followup' }, T0)).toBeNull();
      expect(await store.enqueueDelivery({ channelId: channel, storyId: story, topic: 't', articleId: a2, kind: 'followup' }, T0)).not.toBeNull();
    });

    it('routes an article to several channels in one call: the alert where a channel has none for the story, else a follow-up', async () => {
      const { id: feedId } = await store.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, T0);
      const [a1, a2, a3] = [(await store.upsertArticle(article(feedId, 'k1'))).id, (await store.upsertArticle(article(feedId, 'k2'))).id, (await store.upsertArticle(article(feedId, 'k3'))).id];
      const story = await store.createStory(a1, 'Story', T0);
      const [c1, c2] = [await store.ensureChannel({ platform: 'slack', workspace: 'T', channel: 'C1' }), await store.ensureChannel({ platform: 'slack', workspace: 'T', channel: 'C2' })];
      await store.syncTopics([{ slug: 't', title: 'Topic', definition: {}, source: 'config' }, { slug: 'u', title: 'U', definition: {}, source: 'config' }]);
      const kinds = async () => (await store.listDeliveries({ limit: 10 })).map((d) => [d.channel.channel, d.title, d.kind, d.topic]).sort();
      expect(await store.routeArticle({ articleId: a1, storyId: story, to: [{ channelId: c1, topic: 't' }] }, T0)).toHaveLength(1);
      const queued = await store.routeArticle({ articleId: a2, storyId: story, to: [{ channelId: c1, topic: 't' }, { channelId: c2, topic: 'u' }] }, at(1));
      expect(queued).toHaveLength(2);
      // Routed again (a resumed run): nothing new.
      expect(await store.routeArticle({ articleId: a2, storyId: story, to: [{ channelId: c1, topic: 't' }, { channelId: c2, topic: 'u' }] }, at(2))).toEqual([]);
      expect(await store.routeArticle({ articleId: a3, storyId: story, to: [] }, at(2))).toEqual([]);
      expect(await kinds()).toEqual([['C1', 'Title k1', 'alert', 't'], ['C1', 'Title k2', 'followup', 't'], ['C2', 'Title k2', 'alert', 'u']].sort());
    });

    it('reads a batch of articles by id, and records the analysis with the mark that an article is understood', async () => {
      const { id: feedId } = await store.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, T0);
      const ids = [];
      for (const k of ['k1', 'k2', 'k3']) ids.push((await store.upsertArticle(article(feedId, k, { pending: true }))).id);
      expect((await store.getArticles([ids[2]!, ids[0]!, 999_999])).map((a) => a.id)).toEqual([ids[0], ids[2]]);
      expect(await store.getArticles([])).toEqual([]);
      await store.markUnderstood(ids[0]!, at(1), { language: 'ko', concepts: ['dprk'] });
      await store.markUnderstood(ids[1]!, at(1));
      expect((await store.pendingArticles(10)).map((a) => a.id)).toEqual([ids[2]]);
      expect(await store.getArticle(ids[0]!)).toMatchObject({ language: 'ko' });
      expect(await store.getArticle(ids[1]!)).toMatchObject({ language: null });
      await store.syncTopics([{ slug: 't', title: 'Topic', definition: {}, source: 'config' }, { slug: 'u', title: 'U', definition: {}, source: 'config' }]);
      await store.saveMatches([]);
      await store.saveMatches([{ articleId: ids[0]!, topic: 't', score: 0.5, why: 'a', explanation: { n: 1 } }, { articleId: ids[0]!, topic: 'u', score: 0.6, why: 'b', explanation: {} }]);
      // A matching article about to be routed: its analysis goes with its matches, before it is understood.
      await store.saveMatches([{ articleId: ids[2]!, topic: 'u', score: 0.8, why: 'd', explanation: {} }], { articleId: ids[2]!, language: 'ru', concepts: ['russia'] });
      expect(await store.getArticle(ids[2]!)).toMatchObject({ language: 'ru' });
      expect((await store.pendingArticles(10)).map((a) => a.id)).toEqual([ids[2]]);
      await store.saveMatches([{ articleId: ids[0]!, topic: 't', score: 0.7, why: 'c', explanation: { n: 2 } }]);
      const story = await store.createStory(ids[0]!, 'Story', at(1));
      expect((await store.topicMatchesSince('t', T0)).map((m) => [m.articleId, m.storyId, m.score])).toEqual([[ids[0], story, 0.7]]);
    });

    it('claims deliveries with a lease, records outcomes, and retries a sending row whose lease expired', async () => {
      const { id: feedId } = await store.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, T0);
      const a1 = (await store.upsertArticle(article(feedId, 'k1'))).id;
      const story = await store.createStory(a1, 'Story', T0);
      const channel = await store.ensureChannel({ platform: 'console', workspace: 'local', channel: 'stdout' });
      const id = (await store.enqueueDelivery({ channelId: channel, storyId: story, topic: 't', articleId: a1, kind: 'alert' }, T0))!;

      expect(await store.storyAlert(channel, story + 1)).toBeUndefined();
      const [job] = (await store.claimDeliveries(T0, 'w1', at(1), 10)) as AlertJob[];
      expect(job).toMatchObject({ id, kind: 'alert', attempts: 1, storyId: story, channel: { platform: 'console', channel: 'stdout' } });
      expect(job!.article.title).toBe('Title k1');
      expect(await store.claimDeliveries(T0, 'w2', at(1), 10)).toEqual([]);
      // The worker died mid-send: after the lease, another takes it.
      expect((await store.claimDeliveries(at(2), 'w2', at(3), 10)).map((j) => j.attempts)).toEqual([2]);
      await store.markDeliveryFailed(id, { error: 'rate limited', retryAt: at(10) });
      expect(await store.claimDeliveries(at(5), 'w2', at(6), 10)).toEqual([]);
      expect(await store.storyAlert(channel, story)).toMatchObject({ status: 'pending', messageRef: null, postedFeeds: [] });
      expect(await store.claimDeliveries(at(10), 'w2', at(11), 10)).toHaveLength(1);
      await store.markDelivered(id, 'msg-1', at(10));
      const posted = await store.storyAlert(channel, story);
      expect(posted).toMatchObject({ status: 'sent', messageRef: 'msg-1', postedFeeds: [feedId], job: { id, kind: 'alert', article: { id: a1 } } });
      expect(await store.claimDeliveries(at(100), 'w2', at(101), 10)).toEqual([]);
    });

    it('keeps why an article joined its story, and splits a wrong fold into a story of its own', async () => {
      const { id: feedId } = await store.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, T0);
      const a1 = (await store.upsertArticle(article(feedId, 'k1'))).id;
      const a2 = (await store.upsertArticle(article(feedId, 'k2'))).id;
      const story = await store.createStory(a1, 'Story', T0);
      await store.attachToStory(a2, story, at(1), { reason: 'event', detail: 'same event: Rajin · 6,700 · NIS' });
      expect((await store.getArticle(a1))!.storyFold).toBeNull();
      expect((await store.getArticle(a2))!.storyFold).toEqual({ reason: 'event', detail: 'same event: Rajin · 6,700 · NIS' });
      const channel = await store.ensureChannel({ platform: 'console', workspace: 'local', channel: 'stdout' });
      await store.enqueueDelivery({ channelId: channel, storyId: story, topic: 't', articleId: a2, kind: 'followup' }, T0);
      const [job] = (await store.claimDeliveries(T0, 'w1', at(1), 10)) as AlertJob[];
      expect(job!.article.storyFold).toEqual({ reason: 'event', detail: 'same event: Rajin · 6,700 · NIS' });

      expect(await store.splitStory(a2 + 100, at(2))).toBeUndefined();
      expect(await store.splitStory(a1, at(2))).toEqual({ from: story, storyId: story });
      const split = (await store.splitStory(a2, at(3)))!;
      expect(split.from).toBe(story);
      expect(split.storyId).not.toBe(story);
      expect((await store.getArticle(a2))!).toMatchObject({ storyId: split.storyId, storyFold: { reason: 'split' } });
      expect((await store.storyArticles(split.storyId, 5)).map((a) => a.id)).toEqual([a2]);
      expect(await store.storySplitsSince(at(2))).toEqual([{ articleId: a2, storyId: split.storyId }]);
      expect(await store.storySplitsSince(at(4))).toEqual([]);
    });

    it('keeps a failed attempt that may have posted (uncertain) cut off for the next claim; a definite failure not', async () => {
      const { id: feedId } = await store.addFeed({ url: 'https://u.example/rss', intervalS: 900 }, T0);
      const channel = await store.ensureChannel({ platform: 'console', workspace: 'local', channel: 'stdout' });
      const ids: number[] = [];
      for (const key of ['u1', 'u2', 'u3']) {
        const a = (await store.upsertArticle(article(feedId, key))).id;
        const story = await store.createStory(a, key, T0);
        ids.push((await store.enqueueDelivery({ channelId: channel, storyId: story, topic: 't', articleId: a, kind: 'alert' }, T0))!);
      }
      const [timedOut, limited, refusedLater] = ids as [number, number, number];
      await store.claimDeliveries(T0, 'w1', at(60), 10);
      for (const id of ids) await store.markAttemptStarted(id, T0);
      await store.markDeliveryFailed(timedOut, { error: 'timeout', retryAt: at(1), uncertain: true });
      await store.releaseDelivery(limited, T0, { reason: 'rate limited', until: at(1) });
      await store.markDeliveryFailed(refusedLater, { error: 'HTTP 400', retryAt: at(1) });
      const jobs = await store.claimDeliveries(at(1), 'w2', at(60), 10);
      expect(jobs.map((j) => [j.id, j.cutOff])).toEqual([[timedOut, true], [limited, false], [refusedLater, false]]);
      // Held again while still unresolved (no connection here): it stays cut off.
      await store.releaseDelivery(timedOut, at(1), { reason: 'no connection', until: at(2), uncertain: true });
      expect((await store.claimDeliveries(at(2), 'w3', at(60), 10)).map((j) => [j.id, j.cutOff])).toEqual([[timedOut, true]]);
    });

    it('tells a row cut off mid-post from one only claimed, defers and wakes follow-ups, lists and retries rows', async () => {
      const { id: feedId } = await store.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, T0);
      const a1 = (await store.upsertArticle(article(feedId, 'k1'))).id;
      const a2 = (await store.upsertArticle(article(feedId, 'k2'))).id;
      const story = await store.createStory(a1, 'Story', T0);
      await store.attachToStory(a2, story, T0);
      const channel = await store.ensureChannel({ platform: 'console', workspace: 'local', channel: 'stdout', name: 'out' });
      const alert = (await store.enqueueDelivery({ channelId: channel, storyId: story, topic: 't', articleId: a1, kind: 'alert' }, T0))!;
      const followup = (await store.enqueueDelivery({ channelId: channel, storyId: story, topic: 't', articleId: a2, kind: 'followup' }, T0))!;
      expect(await store.nextDeliveryDue()).toEqual(T0);

      let jobs = await store.claimDeliveries(T0, 'w1', at(1), 10);
      expect(jobs.map((j) => [j.id, j.cutOff])).toEqual([[alert, false], [followup, false]]);
      await store.markAttemptStarted(alert, T0);
      await store.releaseDelivery(followup, T0, { reason: 'waiting for the story alert', until: at(30) });
      expect(await store.nextDeliveryDue()).toEqual(at(1)); // the alert's lease
      // w1 died: the alert comes back cut off (its post may be out).
      jobs = await store.claimDeliveries(at(2), 'w2', at(3), 10);
      expect(jobs.map((j) => [j.id, j.cutOff, j.attempts])).toEqual([[alert, true, 2]]);
      expect((await store.listDeliveries({ status: 'deferred', limit: 10 })).map((d) => [d.id, d.attempts, d.lastError, d.nextAttemptAt]))
        .toEqual([[followup, 0, 'waiting for the story alert', at(30)]]);
      // The alert posted: its deferred follow-up is due at once.
      await store.markDelivered(alert, 'm1', at(2));
      expect(await store.nextDeliveryDue()).toEqual(at(2));
      jobs = await store.claimDeliveries(at(2), 'w2', at(3), 10);
      expect(jobs.map((j) => [j.id, j.cutOff])).toEqual([[followup, false]]);
      await store.markDeliveryFailed(followup, { error: 'channel_not_found: gone', retryAt: null, rejected: true });
      expect(await store.nextDeliveryDue()).toBeNull();

      const listed = await store.listDeliveries({ limit: 10 });
      expect(listed.map((d) => [d.id, d.kind, d.status])).toEqual([[followup, 'followup', 'rejected'], [alert, 'alert', 'sent']]);
      expect(listed[1]).toMatchObject({ channel: { platform: 'console', channel: 'stdout', name: 'out' }, topic: 't', storyId: story, title: 'Title k1', sentAt: at(2), createdAt: T0 });
      expect((await store.listDeliveries({ id: alert, limit: 1 })).map((d) => d.id)).toEqual([alert]);
      expect(await store.retryDelivery(alert, at(3))).toBe(false); // sent stays sent
      expect(await store.retryDelivery(followup, at(3))).toBe(true);
      expect(await store.retryDelivery(followup + 99, at(3))).toBe(false);
      expect((await store.listDeliveries({ status: 'pending', limit: 10 })).map((d) => [d.id, d.attempts])).toEqual([[followup, 0]]);
    });

    it('names lease owners, renews their leases, and takes back a gone owner\'s feeds and sends', async () => {
      const { id: feedId } = await store.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, T0);
      await store.addFeed({ url: 'https://b.example/rss', intervalS: 900 }, T0);
      const a1 = (await store.upsertArticle(article(feedId, 'k1'))).id;
      const story = await store.createStory(a1, 'Story', T0);
      const channel = await store.ensureChannel({ platform: 'console', workspace: 'local', channel: 'stdout' });
      await store.enqueueDelivery({ channelId: channel, storyId: story, topic: 't', articleId: a1, kind: 'alert' }, T0);
      expect(await store.claimDueFeeds(at(1), 'dead', at(2), 1, at(1))).toHaveLength(1);
      expect(await store.claimDueFeeds(at(1), 'alive', at(2), 1, at(1))).toHaveLength(1);
      expect(await store.claimDeliveries(at(1), 'dead', at(2), 10)).toHaveLength(1);
      expect(await store.leaseOwners(at(1))).toEqual(['alive', 'dead']);
      await store.renewLeases('alive', at(10));
      expect(await store.leaseOwners(at(5))).toEqual(['alive']);
      expect(await store.releaseLeases('dead')).toEqual({ feeds: 1, deliveries: 1 });
      // Within the dead owner's lease, its feed and its send are claimable again; the live owner's feed is not.
      expect((await store.claimDueFeeds(at(1), 'next', at(3), 10, at(1))).map((f) => f.url)).toEqual(['https://a.example/rss']);
      expect(await store.claimDeliveries(at(1), 'next', at(3), 10)).toHaveLength(1);
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
      await store.markUnderstood(a1, T0, { language: 'en', concepts: ['dprk', 'russia'] });
      const story = await store.createStory(a1, 'Story', T0);
      await store.attachToStory(a2, story, at(5));
      await store.syncTopics([{ slug: 't', title: 'Topic', definition: {}, source: 'config' }]);
      await store.saveMatches([{ articleId: a1, topic: 't', score: 0.7, why: 'w1', explanation: {} }]);
      await store.saveMatches([{ articleId: a2, topic: 't', score: 0.9, why: 'w2', explanation: {} }]);

      expect((await store.storyArticles(story, 5)).map((a) => a.id)).toEqual([a1, a2]);
      expect((await store.storyArticles(story, 1)).map((a) => a.id)).toEqual([a1]);
      const window = await store.storyWindow(at(-60));
      expect(window.map((w) => [w.storyId, w.article.id])).toEqual([[story, a1], [story, a2]]);
      expect(window[0]!.concepts).toEqual(['dprk', 'russia']);

      const rows = await store.digestRows({ topic: 't', since: at(-60), until: at(60) });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ storyId: story, topic: 't', topicTitle: 'Topic', score: 0.9, outlets: 2, why: 'w2' });
      expect(await store.digestRows({ topic: 't', since: at(1), until: at(60) })).toEqual([]);
    });

    it('lists the matched articles any process placed in a story and understood since a time, and not what is still pending', async () => {
      const { id: feedId } = await store.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, T0);
      const old = (await store.upsertArticle(article(feedId, 'old', { pending: true }))).id;
      const fresh = (await store.upsertArticle(article(feedId, 'fresh', { pending: true }))).id;
      const pending = (await store.upsertArticle(article(feedId, 'pending', { pending: true }))).id;
      const story = await store.createStory(old, 'Story', at(1));
      await store.markUnderstood(old, at(1));
      await store.attachToStory(fresh, story, at(10));
      await store.markUnderstood(fresh, at(10));
      await store.attachToStory(pending, story, at(11));
      // The window holds matched reports only.
      const unmatched = (await store.upsertArticle(article(feedId, 'unmatched', { pending: true }))).id;
      await store.attachToStory(unmatched, story, at(10));
      await store.markUnderstood(unmatched, at(10));
      await store.syncTopics([{ slug: 't', title: 'Topic', definition: {}, source: 'config' }]);
      for (const id of [old, fresh, pending]) await store.saveMatches([{ articleId: id, topic: 't', score: 0.7, why: 'w', explanation: {} }]);

      expect((await store.storyWindowPlacedSince(at(5))).map((r) => [r.storyId, r.article.id])).toEqual([[story, fresh]]);
      expect((await store.storyWindowPlacedSince(at(0))).map((r) => r.article.id).sort((x, y) => x - y)).toEqual([old, fresh]);
      expect(await store.storyWindowPlacedSince(at(12))).toEqual([]);
    });

    it('stores a batch of articles in one transaction: a failing item leaves none of the batch behind', async () => {
      const { id: feedId } = await store.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, T0);
      await store.upsertArticle(article(feedId, 'k0', { fetchedAt: at(-10) }));
      // The second item names a feed that does not exist: the foreign key fails it, and the first must roll back.
      await expect(store.upsertArticles([article(feedId, 'k1'), article(feedId + 1000, 'k2')])).rejects.toThrow();
      expect((await store.articlesSince(at(-60))).map((a) => a.key)).toEqual(['k0']);
      await store.upsertArticles([article(feedId, 'k1', { fetchedAt: at(2) }), article(feedId, 'k2', { fetchedAt: at(1) })]);
      // articlesSince: fetched at or after the bound, oldest first, with the feed's URL.
      const since = await store.articlesSince(at(0));
      expect(since.map((a) => a.key)).toEqual(['k2', 'k1']);
      expect(since[0]).toMatchObject({ feedId, feedUrl: 'https://a.example/rss', url: 'https://news.example/k2', publishedAt: null, storyId: null });
      expect(await store.articlesSince(at(3))).toEqual([]);
      expect(await store.upsertArticles([])).toEqual([]);
    });

    it('skips paused subscriptions in subscribersOf and lists them with their reason until resumed', async () => {
      const c1 = await store.ensureChannel({ platform: 'slack', workspace: 'T1', channel: 'C1' });
      const c2 = await store.ensureChannel({ platform: 'slack', workspace: 'T1', channel: 'C2' });
      await store.syncTopics([{ slug: 'a', title: 'Topic A', definition: {}, source: 'config' }]);
      await store.subscribe(c1, 'a', 0.5, 'slack:T1:U1');
      await store.subscribe(c1, 'b', 0, 'slack:T1:U1');
      await store.subscribe(c2, 'a', 0, 'slack:T1:U2');
      expect(await store.pauseSubscriptions(c1, 'channel_not_found: the channel was deleted')).toBe(2);
      expect((await store.subscribersOf('a')).map((s) => s.channel)).toEqual(['C2']);
      expect(await store.subscribersOf('b')).toEqual([]);
      expect(await store.channelSubscriptions(c1)).toEqual([
        { topic: 'a', topicTitle: 'Topic A', minScore: 0.5, source: 'chat', createdBy: 'slack:T1:U1', pausedReason: 'channel_not_found: the channel was deleted' },
        { topic: 'b', topicTitle: null, minScore: 0, source: 'chat', createdBy: 'slack:T1:U1', pausedReason: 'channel_not_found: the channel was deleted' },
      ]);
      expect(await store.resumeSubscriptions(c1, 'b')).toBe(1);
      expect(await store.resumeSubscriptions(c1, 'b')).toBe(0);
      expect((await store.subscribersOf('b')).map((s) => s.channel)).toEqual(['C1']);
      expect(await store.pauseSubscriptions(c2, 'not_in_channel', 'a')).toBe(1);
      expect(await store.subscribersOf('a')).toEqual([]);
      // Subscribing again resumes it.
      await store.subscribe(c1, 'a', 0.6, 'slack:T1:U3');
      expect((await store.subscribersOf('a')).map((s) => [s.channel, s.minScore])).toEqual([['C1', 0.6]]);
      expect(await store.channelSubscriptions(await store.ensureChannel({ platform: 'slack', workspace: 'T1', channel: 'C3' }))).toEqual([]);
    });

    it('finds channels without creating them, and keeps their latest name', async () => {
      const ref = { platform: 'slack', workspace: 'T1', channel: 'C1' };
      expect(await store.findChannel(ref)).toBeUndefined();
      const id = await store.ensureChannel({ ...ref, name: 'intel' });
      expect(await store.findChannel(ref)).toBe(id);
      expect(await store.ensureChannel({ ...ref, name: 'intel-desk' })).toBe(id);
      expect(await store.ensureChannel(ref)).toBe(id);
      await store.setDigestSchedule({ channelId: id, every: 'daily', day: null, time: '08:00', timezone: 'UTC', createdBy: 'u' }, T0);
      expect((await store.listDigestSchedules())[0]!.channel).toEqual({ ...ref, name: 'intel-desk' });
    });

    it("paces a channel: its slot taken once until it frees, the burst room counted, a slot that posted nothing given back, a Retry-After held", async () => {
      const [channel, other] = await Promise.all(['C1', 'C2'].map((c) => store.ensureChannel({ platform: 'slack', workspace: 'T1', channel: c })));
      const s = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
      /** A top-level post at `seconds`, counted over the minute before; with `limit`, only while the minute has room. */
      const top = (seconds: number, limit?: number) => ({ since: s(seconds - 60), limit });
      expect(await store.channelPacing(channel!)).toEqual({ nextPostAt: null, recentPosts: [] });
      expect(await store.takePostSlot(channel!, { now: s(0), until: s(1), topLevel: top(0, 2) })).toBe(true);
      expect(await store.takePostSlot(channel!, { now: s(0.5), until: s(1.5) })).toBe(false);
      expect(await store.takePostSlot(other!, { now: s(0.5), until: s(1.5) })).toBe(true);
      expect(await store.channelPacing(channel!)).toEqual({ nextPostAt: s(1), recentPosts: [s(0)] });
      expect(await store.takePostSlot(channel!, { now: s(1), until: s(2), topLevel: top(1, 2) })).toBe(true);
      // The minute has room for two: a third waits; a top-level post without a limit (a digest) goes and counts; a reply goes uncounted.
      expect(await store.takePostSlot(channel!, { now: s(2), until: s(3), topLevel: top(2, 2) })).toBe(false);
      expect(await store.takePostSlot(channel!, { now: s(2), until: s(3), topLevel: top(2) })).toBe(true);
      expect(await store.takePostSlot(channel!, { now: s(3), until: s(4) })).toBe(true);
      expect(await store.channelPacing(channel!)).toEqual({ nextPostAt: s(4), recentPosts: [s(0), s(1), s(2)] });
      // A reply that posted nothing gives its slot back; once the slot moved on, giving back changes nothing.
      await store.returnPostSlot(channel!, { now: s(3), until: s(4), topLevel: false });
      expect((await store.channelPacing(channel!)).nextPostAt).toEqual(s(3));
      await store.returnPostSlot(channel!, { now: s(2), until: s(4), topLevel: false });
      expect((await store.channelPacing(channel!)).nextPostAt).toEqual(s(3));
      // A top-level post that went nowhere leaves the minute's posts (one record of it).
      expect(await store.takePostSlot(channel!, { now: s(3), until: s(4), topLevel: top(3) })).toBe(true);
      await store.returnPostSlot(channel!, { now: s(3), until: s(4), topLevel: true });
      expect(await store.channelPacing(channel!)).toEqual({ nextPostAt: s(3), recentPosts: [s(0), s(1), s(2)] });
      // A Retry-After holds the channel and its rows waiting for less; a shorter one after it does not shorten it.
      const { id: feedId } = await store.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, T0);
      const waiting = [];
      for (const key of ['p1', 'p2']) {
        const articleId = (await store.upsertArticle(article(feedId, key))).id;
        const storyId = await store.createStory(articleId, key, T0);
        waiting.push((await store.enqueueDelivery({ channelId: channel!, storyId, topic: 't', articleId, kind: 'alert' }, T0))!);
      }
      await store.claimDeliveries(T0, 'w1', s(60), 10);
      await store.releaseDelivery(waiting[0]!, T0, { reason: 'paced', until: s(5) });
      await store.releaseDelivery(waiting[1]!, T0, { reason: 'paced', until: s(40) });
      await store.holdChannel(channel!, s(30));
      await store.holdChannel(channel!, s(10));
      expect(await store.takePostSlot(channel!, { now: s(29), until: s(30) })).toBe(false);
      expect((await store.channelPacing(channel!)).nextPostAt).toEqual(s(30));
      expect((await store.listDeliveries({ limit: 10 })).map((d) => [d.id, d.nextAttemptAt])).toEqual([[waiting[1], s(40)], [waiting[0], s(30)]]);
      // A minute later the old posts free the room, and recording a post drops those outside its minute.
      expect(await store.takePostSlot(channel!, { now: s(61.5), until: s(62.5), topLevel: top(61.5, 2) })).toBe(true);
      expect((await store.channelPacing(channel!)).recentPosts).toEqual([s(2), s(61.5)]);
      // The other channel was never held.
      expect((await store.channelPacing(other!)).nextPostAt).toEqual(s(1.5));
    });

    it('lets one of several takers at once have a free slot, and one the last room of a minute', async () => {
      const [paced, guarded] = await Promise.all(['C1', 'C2'].map((c) => store.ensureChannel({ platform: 'slack', workspace: 'T1', channel: c })));
      const now = T0;
      const takers = (take: () => Promise<boolean>) => Promise.all(Array.from({ length: 8 }, take));
      expect((await takers(() => store.takePostSlot(paced!, { now, until: at(1) }))).filter(Boolean)).toHaveLength(1);
      // No interval (the slot stays where it was): only the room of one top-level post a minute tells the takers apart.
      const room = { since: at(-1), limit: 1 };
      expect((await takers(() => store.takePostSlot(guarded!, { now, topLevel: room }))).filter(Boolean)).toHaveLength(1);
      expect(await store.channelPacing(guarded!)).toEqual({ nextPostAt: null, recentPosts: [now] });
    });

    it('adds and removes chat topics; config topics and taken slugs are refused', async () => {
      await store.syncTopics([{ slug: 'cfg', title: 'Config topic', definition: { must: [] }, source: 'config' }]);
      expect(await store.addTopic({ slug: 'ships', title: 'Ships', definition: { query: 'ship* OR vessel*' }, createdBy: 'slack:T1:U1' }, T0)).toBe(true);
      expect(await store.addTopic({ slug: 'ships', title: 'Other', definition: { query: 'x' }, createdBy: 'slack:T1:U2' }, T0)).toBe(false);
      expect(await store.addTopic({ slug: 'cfg', title: 'Other', definition: { query: 'x' }, createdBy: 'slack:T1:U2' }, T0)).toBe(false);
      expect(await store.listTopics('chat')).toEqual([{ slug: 'ships', title: 'Ships', definition: { query: 'ship* OR vessel*' }, source: 'chat', createdBy: 'slack:T1:U1' }]);
      expect((await store.listTopics()).map((t) => [t.slug, t.source])).toEqual([['cfg', 'config'], ['ships', 'chat']]);
      const c1 = await store.ensureChannel({ platform: 'slack', workspace: 'T1', channel: 'C1' });
      const c2 = await store.ensureChannel({ platform: 'slack', workspace: 'T1', channel: 'C2' });
      await store.subscribe(c1, 'ships', 0, 'u');
      await store.subscribe(c2, 'ships', 0, 'u');
      await store.subscribe(c2, 'cfg', 0, 'u');
      expect(await store.removeTopic('cfg')).toEqual({ removed: false, subscriptions: 0 });
      expect(await store.removeTopic('ships')).toEqual({ removed: true, subscriptions: 2 });
      expect(await store.removeTopic('ships')).toEqual({ removed: false, subscriptions: 0 });
      expect(await store.listTopics('chat')).toEqual([]);
      expect((await store.channelSubscriptions(c2)).map((s) => s.topic)).toEqual(['cfg']);
    });

    it('lists a topic\'s recent matches that belong to a story, oldest first', async () => {
      const { id: feedId } = await store.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, T0);
      const old = (await store.upsertArticle(article(feedId, 'old', { fetchedAt: at(-120) }))).id;
      const a1 = (await store.upsertArticle(article(feedId, 'k1', { fetchedAt: at(2) }))).id;
      const a2 = (await store.upsertArticle(article(feedId, 'k2', { fetchedAt: at(1) }))).id;
      const loose = (await store.upsertArticle(article(feedId, 'k3', { fetchedAt: at(3) }))).id;
      const s1 = await store.createStory(a2, 'Story', at(1));
      await store.attachToStory(a1, s1, at(2));
      await store.createStory(old, 'Old', at(-120));
      for (const id of [old, a1, a2, loose]) await store.saveMatches([{ articleId: id, topic: 't', score: 0.8, why: 'w', explanation: {} }]);
      await store.saveMatches([{ articleId: a1, topic: 'other', score: 0.9, why: 'w', explanation: {} }]);
      expect(await store.topicMatchesSince('t', at(-60))).toEqual([
        { articleId: a2, storyId: s1, score: 0.8, fetchedAt: at(1) },
        { articleId: a1, storyId: s1, score: 0.8, fetchedAt: at(2) },
      ]);
      expect(await store.topicMatchesSince('none', at(-600))).toEqual([]);
    });

    it('keeps one digest schedule per channel, replaced when set again and gone with its channel', async () => {
      const c1 = await store.ensureChannel({ platform: 'slack', workspace: 'T1', channel: 'C1' });
      const c2 = await store.ensureChannel({ platform: 'discord', workspace: 'G1', channel: '42', name: 'news' });
      await store.setDigestSchedule({ channelId: c1, every: 'daily', day: null, time: '08:00', timezone: 'Europe/Berlin', createdBy: 'slack:T1:U1' }, T0);
      await store.setDigestSchedule({ channelId: c2, every: 'weekly', day: 1, time: '09:30', timezone: 'UTC', createdBy: 'discord:G1:7' }, T0);
      await store.setDigestSchedule({ channelId: c1, every: 'weekly', day: 5, time: '17:00', timezone: 'Asia/Seoul', createdBy: 'slack:T1:U2' }, at(5));
      expect(await store.listDigestSchedules()).toEqual([
        { channelId: c1, channel: { platform: 'slack', workspace: 'T1', channel: 'C1' }, every: 'weekly', day: 5, time: '17:00', timezone: 'Asia/Seoul', createdBy: 'slack:T1:U2', updatedAt: at(5) },
        { channelId: c2, channel: { platform: 'discord', workspace: 'G1', channel: '42', name: 'news' }, every: 'weekly', day: 1, time: '09:30', timezone: 'UTC', createdBy: 'discord:G1:7', updatedAt: T0 },
      ]);
      // A weekly schedule needs its day, a daily one has none: the table refuses a mix.
      await expect(store.setDigestSchedule({ channelId: c2, every: 'weekly', day: null, time: '09:30', timezone: 'UTC', createdBy: 'x' }, T0)).rejects.toThrow();
      expect(await store.removeDigestSchedule(c1)).toBe(true);
      expect(await store.removeDigestSchedule(c1)).toBe(false);
      expect((await store.listDigestSchedules()).map((d) => d.channelId)).toEqual([c2]);
    });

    it('finds a feed by id and says who added it', async () => {
      const { id } = await store.addFeed({ url: 'https://a.example/rss', intervalS: 900, addedBy: 'slack:T1:U1' }, T0);
      expect(await store.getFeed(id)).toMatchObject({ id, url: 'https://a.example/rss', addedBy: 'slack:T1:U1', firstPoll: true });
      expect(await store.getFeed(id + 1)).toBeUndefined();
    });

    it('keeps an article stored as pending until it is understood; others are understood when stored', async () => {
      const { id: feedId } = await store.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, T0);
      const [fresh, old] = await store.upsertArticles([article(feedId, 'p1', { pending: true, publishedAt: at(-5) }), article(feedId, 'o1')]);
      const { id: later } = await store.upsertArticle(article(feedId, 'p2', { pending: true }));
      expect(await store.pendingArticles(10)).toEqual([{ id: fresh!.id, publishedAt: at(-5), storyId: null }, { id: later, publishedAt: null, storyId: null }]);
      expect(await store.pendingArticles(1)).toHaveLength(1);
      // An edit of a pending item leaves it pending; storing it again as pending changes nothing.
      await store.upsertArticle(article(feedId, 'p1', { title: 'Edited', publishedAt: at(-5) }));
      const story = await store.createStory(fresh!.id, 'Story', T0);
      expect((await store.pendingArticles(10)).map((p) => [p.id, p.storyId])).toEqual([[fresh!.id, story], [later, null]]);
      await store.markUnderstood(fresh!.id, at(1));
      expect((await store.pendingArticles(10)).map((p) => p.id)).toEqual([later]);
      expect(old!.status).toBe('new');
    });

    it('runs understand-lock holders one at a time', async () => {
      const order: string[] = [];
      const hold = (name: string, ms: number) => store.withUnderstandLock(async () => {
        order.push(`${name}+`);
        await new Promise((resolve) => setTimeout(resolve, ms));
        order.push(`${name}-`);
        return name;
      });
      expect(await Promise.all([hold('a', 30), hold('b', 1)])).toEqual(['a', 'b']);
      expect(order).toEqual(['a+', 'a-', 'b+', 'b-']);
      // A holder that throws releases the lock.
      await expect(store.withUnderstandLock(async () => { throw new Error('boom'); })).rejects.toThrow('boom');
      expect(await hold('c', 1)).toBe('c');
    });

    it('answers the status reads: a ping, feeds and deliveries by status, the newest story alerts', async () => {
      await store.ping();
      expect(await store.feedCounts()).toEqual({});
      expect(await store.deliveryCounts()).toEqual({});
      expect(await store.recentAlerts(10)).toEqual([]);
      const { id: ok } = await store.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, T0);
      const { id: failing } = await store.addFeed({ url: 'https://b.example/rss', intervalS: 900 }, T0);
      await store.addFeed({ url: 'https://c.example/rss', intervalS: 900 }, T0);
      await store.recordFeedSuccess(ok, { nextPollAt: at(15), now: T0 });
      await store.recordFeedFailure(failing, { error: 'timeout', nextPollAt: at(15) });
      await store.recordFeedSuccess(failing + 1, { nextPollAt: at(15), now: T0 });
      expect(await store.feedCounts()).toEqual({ ok: 2, failing: 1 });

      const channel = await store.ensureChannel({ platform: 'slack', workspace: 'T1', channel: 'C1' });
      await store.syncTopics([{ slug: 't', title: 'Topic', definition: {}, source: 'config' }]);
      const ids: number[] = [];
      const stories: number[] = [];
      for (const key of ['k1', 'k2', 'k3']) {
        const articleId = (await store.upsertArticle(article(ok, key))).id;
        stories.push(await store.createStory(articleId, `Story ${key}`, T0));
        ids.push((await store.enqueueDelivery({ channelId: channel, storyId: stories.at(-1)!, topic: 't', articleId, kind: 'alert' }, T0))!);
      }
      const [k1, k2, k3] = ids as [number, number, number];
      await store.claimDeliveries(T0, 'w1', at(1), 10);
      await store.markDelivered(k1, 'm1', at(1));
      await store.markDeliveryFailed(k2, { error: 'gave up', retryAt: null });
      await store.markDeliveryFailed(k3, { error: 'channel_not_found', retryAt: null, rejected: true });
      // A follow-up is not an alert: recentAlerts leaves it out, deliveryCounts counts it.
      const k4 = (await store.upsertArticle(article(ok, 'k4'))).id;
      await store.attachToStory(k4, stories[0]!, at(2));
      expect(await store.enqueueDelivery({ channelId: channel, storyId: stories[0]!, topic: 't', articleId: k4, kind: 'followup' }, at(2))).not.toBeNull();
      expect(await store.deliveryCounts()).toEqual({ sent: 1, dead: 1, rejected: 1, pending: 1 });
      const recent = await store.recentAlerts(2);
      expect(recent.map((d) => [d.id, d.status, d.kind, d.title, d.channel.channel])).toEqual([[k3, 'rejected', 'alert', 'Title k3', 'C1'], [k2, 'dead', 'alert', 'Title k2', 'C1']]);
      expect(recent[0]!.lastError).toBe('channel_not_found');
    });

    it("keeps a feed's burst row waiting until brought forward, and reads what it says: the poll's matching items beyond the channel's own rows", async () => {
      const { id: feedId } = await store.addFeed({ url: 'https://flood.example/rss', title: 'Flood', intervalS: 900 }, T0);
      const { id: otherFeed } = await store.addFeed({ url: 'https://calm.example/rss', intervalS: 900 }, T0);
      const channel = await store.ensureChannel({ platform: 'slack', workspace: 'T1', channel: 'C1' });
      await store.syncTopics([{ slug: 't', title: 'Topic', definition: {}, source: 'config' }, { slug: 'u', title: 'Other', definition: {}, source: 'config' }]);
      await store.subscribe(channel, 't', 0.5, 'u');
      await store.subscribe(channel, 'u', 0, 'u');
      const poll = at(5);
      const ids: number[] = [];
      for (let i = 0; i < 6; i++) {
        const id = (await store.upsertArticle(article(feedId, `f${i}`, { fetchedAt: poll }))).id;
        ids.push(id);
        await store.saveMatches([{ articleId: id, topic: 't', score: i === 5 ? 0.4 : 0.9, why: 'x', explanation: { n: i } }]);
      }
      await store.saveMatches([{ articleId: ids[2]!, topic: 'u', score: 0.95, why: 'y', explanation: {} }]);
      // Another poll of the feed, and another feed polled at the same instant, are not this poll.
      const later = (await store.upsertArticle(article(feedId, 'later', { fetchedAt: at(20) }))).id;
      await store.saveMatches([{ articleId: later, topic: 't', score: 0.9, why: 'x', explanation: {} }]);
      const calm = (await store.upsertArticle(article(otherFeed, 'calm', { fetchedAt: poll }))).id;
      await store.saveMatches([{ articleId: calm, topic: 't', score: 0.9, why: 'x', explanation: {} }]);
      const story = await store.createStory(ids[0]!, 'Story', poll);
      const alert = (await store.enqueueDelivery({ channelId: channel, storyId: story, topic: 't', articleId: ids[0]!, kind: 'alert' }, poll))!;
      expect(await store.feedPollRows(channel, feedId, poll)).toBe(1);
      expect(await store.feedPollRows(channel, feedId, at(20))).toBe(0);

      const key = { scheduleKey: `feed:${feedId}:${channel}`, period: poll.toISOString() };
      const burst = (await store.enqueueDigest({ channelId: channel, ...key, since: poll, until: poll, of: 'subscriptions', topic: null, feedId, dueAt: at(65) }, poll))!;
      expect(await store.findDigest(key.scheduleKey, key.period)).toEqual({ id: burst, status: 'pending' });
      expect(await store.findDigest(key.scheduleKey, at(20).toISOString())).toBeUndefined();
      expect((await store.claimDeliveries(at(6), 'w', at(7), 10)).map((j) => j.kind)).toEqual(['alert']);
      expect(await store.nextDeliveryDue()).toEqual(at(7)); // the alert's lease; the burst not before at(65)
      await store.markDelivered(alert, 'm1', at(6));
      expect(await store.nextDeliveryDue()).toEqual(at(65));
      // Not while an article of its poll waits to be understood; another poll's pending article does not hold it.
      const waiting = (await store.upsertArticle(article(feedId, 'f6', { fetchedAt: poll, pending: true }))).id;
      await store.upsertArticle(article(feedId, 'next', { fetchedAt: at(21), pending: true }));
      expect(await store.releaseFeedBursts(at(8))).toBe(0);
      expect(await store.nextDeliveryDue()).toEqual(at(65));
      await store.markUnderstood(waiting, at(8));
      expect(await store.releaseFeedBursts(at(8))).toBe(1);
      const [job] = (await store.claimDeliveries(at(8), 'w', at(9), 10)) as DigestJob[];
      expect(job).toMatchObject({ id: burst, kind: 'digest', digest: { feedId, since: poll, until: poll, of: 'subscriptions', topic: null } });
      // Once tried, it keeps its own time.
      await store.markDeliveryFailed(burst, { error: 'HTTP 502', retryAt: at(30) });
      expect(await store.releaseFeedBursts(at(9))).toBe(0);
      expect((await store.listDeliveries({ id: burst, limit: 1 }))[0]).toMatchObject({ nextAttemptAt: at(30), title: `burst of Flood ${poll.toISOString()}`, topic: '(subscriptions)' });

      const said = await store.feedBurstRows({ channelId: channel, feedId, fetchedAt: poll, limit: 3 });
      // f0 had its own row; f5 is below the subscription's min score; f2 speaks for its best topic.
      expect([said.total, said.alerted]).toEqual([4, 1]);
      expect(said.items.map((i) => [i.article.id, i.topic, i.topicTitle, i.score])).toEqual([[ids[1], 't', 'Topic', 0.9], [ids[2], 'u', 'Other', 0.95], [ids[3], 't', 'Topic', 0.9]]);
      expect(said.items[0]!.explanation).toEqual({ n: 1 });
      expect(said.items[0]!.article).toMatchObject({ title: 'Title f1', feedTitle: 'Flood', url: 'https://news.example/f1' });
      await store.pauseSubscriptions(channel, 'gone', 'u');
      expect((await store.feedBurstRows({ channelId: channel, feedId, fetchedAt: poll, limit: 10 })).items.map((i) => [i.article.id, i.topic])).toEqual([[ids[1], 't'], [ids[2], 't'], [ids[3], 't'], [ids[4], 't']]);
      // Removing the feed removes its bursts.
      await store.removeFeed('https://flood.example/rss');
      expect(await store.findDigest(key.scheduleKey, key.period)).toBeUndefined();
    });

    it('tells its listeners when rows come due: once when listening begins, then once per write that makes some due', async () => {
      let heard = 0;
      let reached: (() => void) | undefined;
      let target = 0;
      const stop = store.onDeliveriesDue(() => {
        heard++;
        if (heard >= target) reached?.();
      });
      const until = (n: number) => new Promise<void>((resolve) => {
        target = n;
        reached = resolve;
        if (heard >= n) resolve();
      });
      await until(1);
      for (const step of await dueWrites(store)) {
        const before = heard;
        await step.run();
        if (step.notices > 0) await until(before + 1);
        // Exact for SQLite; PostgreSQL's notices come after the write, so a surplus may show only later (postgres.test.ts counts them exactly).
        expect(heard - before, step.write).toBe(step.notices);
      }
      stop();
      const before = heard;
      await store.retryDelivery((await store.listDeliveries({ status: 'pending', limit: 1 }))[0]!.id, at(5));
      expect(heard).toBe(before);
    });

    it('queues a digest once per schedule and period, claims it with its window, and records its outcome', async () => {
      const channel = await store.ensureChannel({ platform: 'slack', workspace: '', channel: 'C0DIGEST' });
      const mine = await store.ensureChannel({ platform: 'slack', workspace: 'T1', channel: 'C1', name: 'intel' });
      const daily = { channelId: channel, scheduleKey: 'config:slack:C0DIGEST|*|0 8 * * *|UTC|86400s', period: '2026-11-20T08:00', since: at(-1440), until: T0, of: 'topics' as const, topic: null };
      const id = (await store.enqueueDigest(daily, T0))!;
      expect(id).not.toBeNull();
      // The same schedule and period again — a second tick, a restart, another replica — queues nothing, whatever its window.
      expect(await store.enqueueDigest({ ...daily, until: at(5) }, at(5))).toBeNull();
      const ownId = (await store.enqueueDigest({ channelId: mine, scheduleKey: `channel:${mine}`, period: 'daily:2026-11-20', since: at(-1440), until: T0, of: 'subscriptions', topic: null }, T0))!;
      const tomorrow = (await store.enqueueDigest({ ...daily, period: '2026-11-21T08:00', since: T0, until: at(1440) }, at(1440)))!;
      expect(new Set([id, ownId, tomorrow]).size).toBe(3);
      expect(await store.nextDeliveryDue()).toEqual(T0);

      const jobs = (await store.claimDeliveries(T0, 'w1', at(1), 10)) as DigestJob[];
      expect(jobs).toEqual([
        { id, kind: 'digest', attempts: 1, cutOff: false, channel: { id: channel, platform: 'slack', workspace: '', channel: 'C0DIGEST' }, digest: { scheduleKey: daily.scheduleKey, period: '2026-11-20T08:00', since: at(-1440), until: T0, of: 'topics', topic: null } },
        { id: ownId, kind: 'digest', attempts: 1, cutOff: false, channel: { id: mine, platform: 'slack', workspace: 'T1', channel: 'C1', name: 'intel' }, digest: { scheduleKey: `channel:${mine}`, period: 'daily:2026-11-20', since: at(-1440), until: T0, of: 'subscriptions', topic: null } },
      ]);
      expect(await store.claimDeliveries(T0, 'w2', at(1), 10)).toEqual([]);
      // Rate limited: deferred without spending the attempt; then posted, with the platform's reference.
      await store.releaseDelivery(id, T0, { reason: 'rate limited: slack: rate limited for 30 s', until: at(1) });
      expect((await store.claimDeliveries(at(1), 'w2', at(2), 10)).map((j) => [j.id, j.kind, j.attempts])).toEqual([[id, 'digest', 1]]);
      await store.markAttemptStarted(id, at(1));
      await store.markDelivered(id, 'C0DIGEST:1.2', at(1));
      await store.markDeliveryFailed(ownId, { error: 'channel_not_found: the channel was deleted', retryAt: null, rejected: true });

      const listed = await store.listDeliveries({ kind: 'digest', limit: 10 });
      expect(listed.map((d) => [d.id, d.kind, d.status, d.topic, d.title, d.storyId])).toEqual([
        [tomorrow, 'digest', 'pending', '(all topics)', 'digest 2026-11-21T08:00', null],
        [ownId, 'digest', 'rejected', '(subscriptions)', 'digest daily:2026-11-20', null],
        [id, 'digest', 'sent', '(all topics)', 'digest 2026-11-20T08:00', null],
      ]);
      expect(listed[2]).toMatchObject({ sentAt: at(1), attempts: 1, channel: { platform: 'slack', channel: 'C0DIGEST' } });
      expect(await store.listDeliveries({ kind: 'alert', limit: 10 })).toEqual([]);
      expect(await store.listDeliveries({ kind: 'digest', status: 'rejected', limit: 10 })).toHaveLength(1);
      expect(await store.deliveryCounts()).toEqual({ sent: 1, rejected: 1, pending: 1 });
      expect(await store.recentAlerts(10)).toEqual([]);
      // An operator sends the refused one again: the same period, the same row.
      expect(await store.retryDelivery(ownId, at(2))).toBe(true);
      expect((await store.claimDeliveries(at(2), 'w3', at(3), 10)).map((j) => j.id)).toEqual([ownId]);

      // A digest of one topic keeps it.
      const armsDigest = (await store.enqueueDigest({ ...daily, scheduleKey: 'config:name:arms', topic: 'arms' }, at(3)))!;
      const [arms] = (await store.claimDeliveries(at(3), 'w3', at(4), 10)) as DigestJob[];
      expect(arms).toMatchObject({ id: armsDigest, digest: { topic: 'arms', of: 'topics' } });
      expect((await store.listDeliveries({ id: armsDigest, limit: 1 }))[0]!.topic).toBe('arms');
    });
  });
}
