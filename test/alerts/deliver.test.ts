import { describe, expect, it } from 'vitest';
import { backoffMs, deliverPending } from '../../src/alerts/deliver.ts';
import type { Digest } from '../../src/alerts/digest.ts';
import type { Alert, DeliveryOutcome, Sink } from '../../src/alerts/message.ts';
import { routeMatches } from '../../src/alerts/route.ts';
import { silentLogger } from '../../src/log.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import type { AlertJob } from '../../src/store/store.ts';

const T0 = new Date('2026-11-20T10:00:00Z');

async function setup(outcomes: Array<DeliveryOutcome | Error>) {
  const store = new SqliteStore(':memory:');
  const feedId = (await store.addFeed({ url: 'https://wire.example/rss', title: 'Wire', intervalS: 900 }, T0)).id;
  const article = async (key: string, title: string) =>
    (await store.upsertArticle({ feedId, key, title, lead: `${title}. North Korea sent artillery shells to Russia.`, body: '', url: `https://wire.example/${key}`, fetchedAt: T0, contentHash: key })).id;
  const a1 = await article('a1', 'Shells shipped');
  const a2 = await article('a2', 'More on the shells');
  const story = await store.createStory(a1, 'Shells shipped', T0);
  await store.attachToStory(a2, story, T0);
  await store.syncTopics([{ slug: 'arms', title: 'Arms', definition: {}, source: 'config' }]);
  const channel = await store.ensureChannel({ platform: 'test', workspace: 'w', channel: 'c' });
  await store.syncConfigSubscriptions([{ channelId: channel, topic: 'arms', minScore: 0.5 }]);
  const sent: Alert[] = [];
  const sink: Sink = {
    platform: 'test',
    async send(alert) {
      const next = outcomes.shift() ?? { status: 'sent', messageRef: `m${sent.length + 1}` };
      if (next instanceof Error) throw next;
      if (next.status === 'sent') sent.push(alert);
      return next;
    },
  };
  let now = T0;
  const deps = { store, sinks: new Map([['test', sink]]), log: silentLogger(), now: () => now, owner: 'test' };
  return { store, a1, a2, story, channel, sent, deps, advance: (s: number) => (now = new Date(now.getTime() + s * 1000)) };
}

describe('routing and the outbox worker', () => {
  it('routes only matches at or above the subscription min score, one alert then follow-ups', async () => {
    const { store, a1, a2, story, channel } = await setup([]);
    expect(await routeMatches(store, { articleId: a1, storyId: story, matches: [{ topic: 'arms', score: 0.4 }] }, T0)).toEqual([]);
    expect(await routeMatches(store, { articleId: a1, storyId: story, matches: [{ topic: 'arms', score: 0.8 }] }, T0)).toHaveLength(1);
    expect(await routeMatches(store, { articleId: a1, storyId: story, matches: [{ topic: 'arms', score: 0.8 }] }, T0)).toEqual([]);
    await routeMatches(store, { articleId: a2, storyId: story, matches: [{ topic: 'arms', score: 0.9 }] }, T0);
    const jobs = (await store.claimDeliveries(T0, 'x', new Date(T0.getTime() + 1000), 10)) as AlertJob[];
    expect(jobs.map((j) => [j.kind, j.article.id, j.channel.id])).toEqual([['alert', a1, channel], ['followup', a2, channel]]);
  });

  it('sends the alert, then the follow-up in its thread', async () => {
    const { store, a1, a2, story, sent, deps } = await setup([]);
    await routeMatches(store, { articleId: a1, storyId: story, matches: [{ topic: 'arms', score: 0.8 }] }, T0);
    await routeMatches(store, { articleId: a2, storyId: story, matches: [{ topic: 'arms', score: 0.8 }] }, T0);
    expect(await deliverPending(deps)).toEqual({ sent: 2, failed: 0, dead: 0, rejected: 0, held: 0 });
    expect(sent.map((a) => [a.kind, a.threadRef])).toEqual([['alert', null], ['followup', 'm1']]);
    expect(sent[0]!).toMatchObject({ title: 'Shells shipped', source: 'Wire', url: 'https://wire.example/a1', topic: { slug: 'arms', title: 'Arms' } });
    expect(sent[0]!.summary).toContain('artillery shells');
    expect(await deliverPending(deps)).toEqual({ sent: 0, failed: 0, dead: 0, rejected: 0, held: 0 });
  });

  it('tells a follow-up why its report joined the story; the alert itself says nothing of it', async () => {
    const { store, a1, a2, story, sent, deps } = await setup([]);
    await store.attachToStory(a2, story, T0, { reason: 'event', detail: 'same event: Rajin · 6,700 · NIS' });
    await routeMatches(store, { articleId: a1, storyId: story, matches: [{ topic: 'arms', score: 0.8 }] }, T0);
    await routeMatches(store, { articleId: a2, storyId: story, matches: [{ topic: 'arms', score: 0.8 }] }, T0);
    await deliverPending(deps);
    expect(sent.map((a) => [a.kind, a.joined])).toEqual([['alert', undefined], ['followup', { reason: 'event', detail: 'same event: Rajin · 6,700 · NIS' }]]);
  });

  it('holds a follow-up until its alert is posted, and retries a rate-limited alert after Retry-After', async () => {
    const { store, a1, a2, story, sent, deps, advance } = await setup([{ status: 'failed', retryable: true, detail: 'rate limited', retryAfterS: 20 }]);
    await routeMatches(store, { articleId: a1, storyId: story, matches: [{ topic: 'arms', score: 0.8 }] }, T0);
    await routeMatches(store, { articleId: a2, storyId: story, matches: [{ topic: 'arms', score: 0.8 }] }, T0);
    // The follow-up waits for its alert, the alert waits out Retry-After: neither spends an attempt.
    expect(await deliverPending(deps)).toEqual({ sent: 0, failed: 0, dead: 0, rejected: 0, held: 2 });
    advance(10);
    // Nothing is due: the alert waits for Retry-After, the follow-up for its alert (no attempt spent either way).
    expect(await deliverPending(deps)).toEqual({ sent: 0, failed: 0, dead: 0, rejected: 0, held: 0 });
    advance(15);
    expect(await deliverPending(deps)).toEqual({ sent: 2, failed: 0, dead: 0, rejected: 0, held: 0 });
    expect(sent.map((a) => a.kind)).toEqual(['alert', 'followup']);
    expect(sent[1]!.threadRef).toBe('m1');
  });

  it('marks a refused delivery rejected (not dead) and never retries it; a thrown error is retried', async () => {
    const { store, a1, story, deps, advance, sent } = await setup([new Error('socket hang up'), { status: 'rejected', code: 'channel_not_found', userDetail: 'the channel was deleted' }]);
    await routeMatches(store, { articleId: a1, storyId: story, matches: [{ topic: 'arms', score: 0.8 }] }, T0);
    expect(await deliverPending(deps)).toEqual({ sent: 0, failed: 1, dead: 0, rejected: 0, held: 0 });
    advance(3600);
    expect(await deliverPending(deps)).toEqual({ sent: 0, failed: 0, dead: 0, rejected: 1, held: 0 });
    expect((await store.listDeliveries({ limit: 10 })).map((d) => [d.status, d.lastError])).toEqual([['rejected', 'channel_not_found: the channel was deleted']]);
    advance(3600);
    expect(await deliverPending(deps)).toEqual({ sent: 0, failed: 0, dead: 0, rejected: 0, held: 0 });
    expect(sent).toEqual([]);
  });

  it("pauses the channel's subscriptions when the platform refuses the channel, with the reason /watch list shows", async () => {
    const { store, a1, story, channel, deps } = await setup([{ status: 'rejected', code: 'channel_not_found', userDetail: 'the channel was deleted; subscribe again from a channel the app is in' }]);
    await routeMatches(store, { articleId: a1, storyId: story, matches: [{ topic: 'arms', score: 0.8 }] }, T0);
    await deliverPending(deps);
    expect(await store.channelSubscriptions(channel)).toMatchObject([{ topic: 'arms', pausedReason: 'the channel was deleted; subscribe again from a channel the app is in' }]);
    expect(await store.subscribersOf('arms')).toEqual([]);
  });

  it('gives up a follow-up whose alert could not be posted, instead of holding it for ever', async () => {
    const { store, a1, a2, story, deps, sent } = await setup([{ status: 'rejected', code: 'channel_not_found', userDetail: 'the channel was deleted' }]);
    await routeMatches(store, { articleId: a1, storyId: story, matches: [{ topic: 'arms', score: 0.8 }] }, T0);
    await routeMatches(store, { articleId: a2, storyId: story, matches: [{ topic: 'arms', score: 0.8 }] }, T0);
    expect(await deliverPending(deps)).toEqual({ sent: 0, failed: 0, dead: 0, rejected: 2, held: 0 });
    expect(sent).toEqual([]);
  });

  it('keeps a follow-up waiting, without spending attempts, while its alert is rate-limited for minutes', async () => {
    const limited: DeliveryOutcome = { status: 'failed', retryable: true, detail: 'rate limited', retryAfterS: 300 };
    const { store, a1, a2, story, sent, deps, advance } = await setup([limited, limited]);
    await routeMatches(store, { articleId: a1, storyId: story, matches: [{ topic: 'arms', score: 0.8 }] }, T0);
    await routeMatches(store, { articleId: a2, storyId: story, matches: [{ topic: 'arms', score: 0.8 }] }, T0);
    // A worker looking every 5 s for 11 minutes: the follow-up is claimed many times while it waits.
    for (let s = 0; s < 660; s += 5) {
      await deliverPending(deps);
      advance(5);
    }
    expect(sent.map((a) => [a.kind, a.threadRef])).toEqual([['alert', null], ['followup', 'm1']]);
    const rows = await store.listDeliveries({ limit: 10 });
    // Two 429s cost the alert no attempt either: only the send that went through counts.
    expect(rows.map((d) => [d.kind, d.status, d.attempts])).toEqual([['followup', 'sent', 1], ['alert', 'sent', 1]]);
  });

  it('defers a delivery to a platform with no connection, visibly and without attempts, until one is configured', async () => {
    const { store, a1, story, sent, deps, advance } = await setup([]);
    await routeMatches(store, { articleId: a1, storyId: story, matches: [{ topic: 'arms', score: 0.8 }] }, T0);
    const sink = deps.sinks.get('test')!;
    deps.sinks.delete('test');
    for (let run = 0; run < 20; run++) {
      expect(await deliverPending(deps)).toEqual({ sent: 0, failed: 0, dead: 0, rejected: 0, held: 1 });
      advance(3600);
    }
    expect((await store.listDeliveries({ status: 'deferred', limit: 10 })).map((d) => [d.status, d.attempts, d.lastError]))
      .toEqual([['deferred', 0, 'no test connection is configured; the delivery waits until one is']]);
    deps.sinks.set('test', sink);
    expect(await deliverPending(deps)).toMatchObject({ sent: 1 });
    expect(sent).toHaveLength(1);
  });

  it('delivers everything due in one run, however many batches that takes', async () => {
    const { store, a1, story, sent, deps } = await setup([]);
    for (let i = 0; i < 1_200; i++) {
      const channel = await store.ensureChannel({ platform: 'test', workspace: 'w', channel: `c${i}` });
      await store.subscribe(channel, 'arms', 0, 'test');
    }
    await routeMatches(store, { articleId: a1, storyId: story, matches: [{ topic: 'arms', score: 0.8 }] }, T0);
    expect(await deliverPending(deps)).toMatchObject({ sent: 1_201, held: 0 });
    expect(new Set(sent.map((a) => a.deliveryId)).size).toBe(1_201);
  });

  it('asks the medium about a post a crash cut off before sending it again', async () => {
    const { store, a1, story, sent, deps } = await setup([]);
    await routeMatches(store, { articleId: a1, storyId: story, matches: [{ topic: 'arms', score: 0.8 }] }, T0);
    // A worker claimed the row and began the post, then died.
    const [job] = await store.claimDeliveries(T0, 'dead', T0, 10);
    await store.markAttemptStarted(job!.id, T0);
    const asked: number[] = [];
    deps.sinks.get('test')!.recover = async (alert) => (asked.push(alert.deliveryId), { status: 'sent', messageRef: 'found-in-history' });
    expect(await deliverPending({ ...deps, now: () => new Date(T0.getTime() + 1000) })).toMatchObject({ sent: 1 });
    expect(asked).toEqual([job!.id]);
    expect(sent).toEqual([]); // recovered, not posted twice
    expect(await store.storyAlert(job!.channel.id, story)).toMatchObject({ status: 'sent', messageRef: 'found-in-history' });
  });

  it('looks for a cut-off alert in the bursts when it is not found on its own, and records it as posted in one', async () => {
    const { store, a1, a2, story, sent, deps } = await setup([]);
    await routeMatches(store, { articleId: a1, storyId: story, matches: [{ topic: 'arms', score: 0.8 }] }, T0);
    const [job] = await store.claimDeliveries(T0, 'dead', T0, 10);
    await store.markAttemptStarted(job!.id, T0);
    const sink = deps.sinks.get('test')!;
    const asked: Array<[string, number]> = [];
    sink.recover = async (alert) => (asked.push(['alert', alert.deliveryId]), undefined);
    sink.recoverDigest = async (digest, _to, id) => (asked.push([digest ? 'digest' : 'burst', id]), { status: 'sent', messageRef: 'c:burst-message' });
    expect(await deliverPending({ ...deps, now: () => new Date(T0.getTime() + 1000) })).toMatchObject({ sent: 1 });
    expect(asked).toEqual([['alert', job!.id], ['burst', job!.id]]);
    expect(sent).toEqual([]);
    // Its follow-ups reply under the burst message and leave it as it is.
    expect(await store.storyAlert(job!.channel.id, story)).toMatchObject({ status: 'sent', messageRef: 'burst:c:burst-message' });
    await routeMatches(store, { articleId: a2, storyId: story, matches: [{ topic: 'arms', score: 0.8 }] }, T0);
    expect(await deliverPending({ ...deps, now: () => new Date(T0.getTime() + 2000) })).toMatchObject({ sent: 1 });
    expect(sent.map((a) => [a.kind, a.threadRef, a.anchor])).toEqual([['followup', 'c:burst-message', undefined]]);
  });

  it('sends again a row that was claimed but never begun, without asking the medium', async () => {
    const { store, a1, story, sent, deps } = await setup([]);
    await routeMatches(store, { articleId: a1, storyId: story, matches: [{ topic: 'arms', score: 0.8 }] }, T0);
    await store.claimDeliveries(T0, 'dead', T0, 10);
    let asked = 0;
    deps.sinks.get('test')!.recover = async () => (asked++, undefined);
    expect(await deliverPending({ ...deps, now: () => new Date(T0.getTime() + 1000) })).toMatchObject({ sent: 1 });
    expect([asked, sent.length]).toEqual([0, 1]);
  });

  it('backs off exponentially with jitter, or as long as Retry-After says', () => {
    expect(backoffMs(1, 300)).toBe(300_000);
    expect([backoffMs(1, undefined, () => 0), backoffMs(1, undefined, () => 1)]).toEqual([24_000, 36_000]);
    expect([backoffMs(4, undefined, () => 0.5), backoffMs(8, undefined, () => 0.5)]).toEqual([240_000, 3_840_000]);
  });

  it('waits out rate limits without spending attempts, however many come', async () => {
    const limited: DeliveryOutcome = { status: 'failed', retryable: true, detail: 'rate limited', retryAfterS: 1 };
    const { store, a1, story, deps, advance, sent } = await setup(Array.from({ length: 30 }, () => limited));
    await routeMatches(store, { articleId: a1, storyId: story, matches: [{ topic: 'arms', score: 0.8 }] }, T0);
    for (let i = 0; i < 31; i++) {
      await deliverPending(deps);
      advance(1);
    }
    expect(sent).toHaveLength(1);
    expect((await store.listDeliveries({ limit: 5 })).map((d) => [d.status, d.attempts])).toEqual([['sent', 1]]);
  });

  it('asks the medium before sending again after a failure that may have come after the post (a timeout)', async () => {
    const { store, a1, story, deps, advance, sent } = await setup([{ status: 'failed', retryable: true, detail: 'slack: timeout of 15000ms exceeded' }]);
    await routeMatches(store, { articleId: a1, storyId: story, matches: [{ topic: 'arms', score: 0.8 }] }, T0);
    const asked: number[] = [];
    deps.sinks.get('test')!.recover = async (alert) => (asked.push(alert.deliveryId), { status: 'sent', messageRef: 'it-was-posted' });
    expect(await deliverPending(deps)).toMatchObject({ failed: 1 });
    advance(3600);
    expect(await deliverPending(deps)).toMatchObject({ sent: 1 });
    expect(asked).toHaveLength(1);
    expect(sent).toEqual([]); // found, not posted again
  });

  it('sends again without asking after a definite "not posted" (a rate limit)', async () => {
    const { store, a1, story, deps, advance, sent } = await setup([{ status: 'failed', retryable: true, detail: 'rate limited', retryAfterS: 5 }]);
    await routeMatches(store, { articleId: a1, storyId: story, matches: [{ topic: 'arms', score: 0.8 }] }, T0);
    let asked = 0;
    deps.sinks.get('test')!.recover = async () => (asked++, undefined);
    await deliverPending(deps);
    advance(5);
    expect(await deliverPending(deps)).toMatchObject({ sent: 1 });
    expect([asked, sent.length]).toEqual([0, 1]);
  });

  it('gives up after the attempt cap', async () => {
    const failing: DeliveryOutcome = { status: 'failed', retryable: true, detail: 'HTTP 502' };
    const { store, a1, story, deps, advance } = await setup(Array.from({ length: 20 }, () => failing));
    await routeMatches(store, { articleId: a1, storyId: story, matches: [{ topic: 'arms', score: 0.8 }] }, T0);
    const reports = [];
    for (let i = 0; i < 10; i++) {
      reports.push(await deliverPending(deps));
      advance(24 * 3600);
    }
    expect(reports.filter((r) => r.failed === 1)).toHaveLength(7);
    expect(reports.filter((r) => r.dead === 1)).toHaveLength(1);
    expect(reports.slice(8)).toEqual([{ sent: 0, failed: 0, dead: 0, rejected: 0, held: 0 }, { sent: 0, failed: 0, dead: 0, rejected: 0, held: 0 }]);
  });
});

describe('scheduled digests in the outbox', () => {
  async function digestSetup(outcomes: Array<DeliveryOutcome | Error>, options: { digests?: boolean } = {}) {
    const world = await setup([]);
    const { store, a1, channel } = world;
    await store.saveMatches([{ articleId: a1, topic: 'arms', score: 0.8, why: 'shells (title)', explanation: {} }]);
    const posted: Digest[] = [];
    const sink = world.deps.sinks.get('test')!;
    if (options.digests !== false) {
      sink.sendDigest = async (digest) => {
        const next = outcomes.shift() ?? { status: 'sent', messageRef: `d${posted.length + 1}` };
        if (next instanceof Error) throw next;
        if (next.status === 'sent') posted.push(digest);
        return next;
      };
    }
    const queue = (period: string, of: 'topics' | 'subscriptions' = 'subscriptions') =>
      store.enqueueDigest({ channelId: channel, scheduleKey: `channel:${channel}`, period, since: new Date(T0.getTime() - 3600_000), until: new Date(T0.getTime() + 3600_000), of, topic: null }, T0);
    return { ...world, posted, queue };
  }

  it('sends a digest of its own window, read when it is sent, and retries a failure within that window', async () => {
    const { store, deps, advance, posted, queue } = await digestSetup([{ status: 'failed', retryable: true, detail: 'slack: HTTP 502' }]);
    const id = (await queue('daily:2026-11-20'))!;
    expect(await deliverPending(deps)).toEqual({ sent: 0, failed: 1, dead: 0, rejected: 0, held: 0 });
    expect(await store.listDeliveries({ id, limit: 1 })).toMatchObject([{ status: 'pending', attempts: 1, lastError: 'slack: HTTP 502' }]);
    advance(6 * 3600);
    expect(await deliverPending(deps)).toEqual({ sent: 1, failed: 0, dead: 0, rejected: 0, held: 0 });
    // Six hours late, it still covers its period, not the six hours before the retry.
    expect(posted.map((d) => [d.since, d.until, d.storyCount])).toEqual([[new Date(T0.getTime() - 3600_000), new Date(T0.getTime() + 3600_000), 1]]);
    expect(posted[0]!.topics[0]!.stories[0]!.title).toBe('Shells shipped');
    expect(await store.listDeliveries({ id, limit: 1 })).toMatchObject([{ status: 'sent', attempts: 2, lastError: null }]);
    expect(await deliverPending(deps)).toMatchObject({ sent: 0 });
  });

  it('asks the medium about a digest a crash cut off, and posts it only when it is not out', async () => {
    const { store, deps, posted, queue } = await digestSetup([]);
    const found = (await queue('daily:2026-11-20'))!;
    const missing = (await queue('daily:2026-11-21'))!;
    for (const job of await store.claimDeliveries(T0, 'dead', T0, 10)) await store.markAttemptStarted(job.id, T0);
    const asked: number[] = [];
    deps.sinks.get('test')!.recoverDigest = async (digest, _to, id) => {
      asked.push(id);
      expect(digest?.storyCount).toBe(1);
      return id === found ? { status: 'sent', messageRef: 'd-found' } : undefined;
    };
    expect(await deliverPending({ ...deps, now: () => new Date(T0.getTime() + 1000) })).toMatchObject({ sent: 2 });
    expect(asked).toEqual([found, missing]);
    expect(posted).toHaveLength(1);
    expect((await store.listDeliveries({ kind: 'digest', limit: 5 })).map((d) => [d.id, d.status])).toEqual([[missing, 'sent'], [found, 'sent']]);
  });

  it('asks again after a failure while the medium posted the parts still missing', async () => {
    const { store, deps, advance, posted, queue } = await digestSetup([]);
    await queue('daily:2026-11-20');
    for (const job of await store.claimDeliveries(T0, 'dead', T0, 10)) await store.markAttemptStarted(job.id, T0);
    const answers: DeliveryOutcome[] = [{ status: 'failed', retryable: true, detail: 'slack: HTTP 502 (after 1 of 3 digest parts were posted)' }, { status: 'sent', messageRef: 'd1' }];
    let asked = 0;
    deps.sinks.get('test')!.recoverDigest = async () => (asked++, answers.shift());
    advance(1);
    expect(await deliverPending(deps)).toMatchObject({ failed: 1 });
    advance(3600);
    expect(await deliverPending(deps)).toMatchObject({ sent: 1 });
    expect([asked, posted.length]).toEqual([2, 0]);
  });

  it("pauses the channel when the platform refuses it, but not when the medium takes no digests", async () => {
    const refused = await digestSetup([{ status: 'rejected', code: 'channel_not_found', userDetail: 'the channel was deleted' }]);
    await refused.queue('daily:2026-11-20');
    expect(await deliverPending(refused.deps)).toMatchObject({ rejected: 1 });
    expect(await refused.store.channelSubscriptions(refused.channel)).toMatchObject([{ pausedReason: 'the channel was deleted' }]);

    const plain = await digestSetup([], { digests: false });
    await plain.queue('daily:2026-11-20');
    expect(await deliverPending(plain.deps)).toMatchObject({ rejected: 1 });
    expect((await plain.store.listDeliveries({ kind: 'digest', limit: 1 }))[0]!.lastError).toBe('no_digests: test cannot post digests; send the digest to another destination');
    expect(await plain.store.channelSubscriptions(plain.channel)).toMatchObject([{ pausedReason: null }]);
  });

  it('waits, without attempts, for a connection to its platform', async () => {
    const { store, deps, posted, queue, advance } = await digestSetup([]);
    await queue('daily:2026-11-20');
    const sink = deps.sinks.get('test')!;
    deps.sinks.delete('test');
    for (let run = 0; run < 10; run++) {
      expect(await deliverPending(deps)).toMatchObject({ held: 1 });
      advance(3600);
    }
    expect(await store.listDeliveries({ kind: 'digest', limit: 1 })).toMatchObject([{ status: 'deferred', attempts: 0 }]);
    deps.sinks.set('test', sink);
    expect(await deliverPending(deps)).toMatchObject({ sent: 1 });
    expect(posted).toHaveLength(1);
  });
});

describe('what an alert shows', () => {
  const full = (text: string) => `${text} `.repeat(12).trim();

  async function story(reports: Array<{ outlet: string; title: string; body: string }>) {
    const store = new SqliteStore(':memory:');
    const ids: number[] = [];
    for (const [i, r] of reports.entries()) {
      const feedId = (await store.addFeed({ url: `https://${r.outlet.toLowerCase()}.example/rss`, title: r.outlet, intervalS: 900 }, T0)).id;
      ids.push((await store.upsertArticle({ feedId, key: `k${i}`, title: r.title, lead: '', body: r.body, url: `https://${r.outlet.toLowerCase()}.example/${i}`, fetchedAt: new Date(T0.getTime() + i * 1000), contentHash: `h${i}` })).id);
    }
    const storyId = await store.createStory(ids[0]!, reports[0]!.title, T0);
    for (const id of ids.slice(1)) await store.attachToStory(id, storyId, T0);
    await store.syncTopics([{ slug: 'drones', title: 'Russia–Iran drones', definition: {}, source: 'config' }]);
    const channel = await store.ensureChannel({ platform: 'test', workspace: 'w', channel: 'c' });
    await store.syncConfigSubscriptions([{ channelId: channel, topic: 'drones', minScore: 0 }]);
    const sent: Alert[] = [];
    const sink: Sink = { platform: 'test', send: async (alert) => (sent.push(alert), { status: 'sent', messageRef: `m${sent.length}` }) };
    const deps = { store, sinks: new Map([['test', sink]]), log: silentLogger(), now: () => T0, owner: 'test' };
    const route = (i: number) => routeMatches(store, { articleId: ids[i]!, storyId, matches: [{ topic: 'drones', score: 0.8 }] }, T0);
    return { store, ids, sent, deps, route };
  }

  it("shows the alert's own summary, never another report's under its headline", async () => {
    const { sent, deps, route } = await story([
      { outlet: 'Claims', title: 'Russia has an agreement with Iran on Shahed drones', body: full(full('Russia has an official agreement with Iran on Shahed drones, officials said.')) },
      { outlet: 'Denials', title: 'Iran denies sending drones to Russia', body: full('Tehran denied on Monday that it had sent any drones to Russia for use in Ukraine.') },
    ]);
    await route(1); // the denial reaches this channel first: it is the story's alert here
    await deliverPending(deps);
    expect(sent[0]!.title).toBe('Iran denies sending drones to Russia');
    expect(sent[0]!.summary).toMatch(/^Tehran denied/);
    expect(sent[0]!.summaryFrom).toBeUndefined();
  });

  it('borrows a fuller report only for a teaser, and names its outlet and link', async () => {
    const { sent, deps, route } = await story([
      { outlet: 'Teasers', title: 'Drones for Russia', body: 'Iran sent drones… Read more' },
      { outlet: 'Reuters', title: 'Iran ships more Shahed drones to Russia', body: full('Iran shipped another batch of Shahed drones to Russia by sea, three sources said.') },
    ]);
    await route(0);
    await deliverPending(deps);
    expect(sent[0]!.summary).toMatch(/^Iran shipped another batch/);
    expect(sent[0]!.summaryFrom).toEqual({ source: 'Reuters', url: 'https://reuters.example/1' });
  });

  it("names the story's headline in a follow-up and refreshes the alert's outlet count", async () => {
    const { sent, deps, route } = await story([
      { outlet: 'Wire', title: 'Iran ships Shahed drones to Russia', body: full('Iran shipped Shahed drones to Russia, officials said.') },
      { outlet: 'Yonhap', title: '이란, 러시아에 드론', body: full('이란이 러시아에 샤헤드 드론을 보냈다고 관리들이 말했다.') },
      { outlet: 'TASS', title: 'Иран и беспилотники', body: full('Иран передал России беспилотники, сообщили источники.') },
    ]);
    await route(0);
    await route(1);
    await route(2);
    await deliverPending(deps);
    expect(sent.map((a) => [a.kind, a.storyTitle, a.outlets, a.threadRef])).toEqual([
      ['alert', 'Iran ships Shahed drones to Russia', 1, null],
      ['followup', 'Iran ships Shahed drones to Russia', 2, 'm1'],
      ['followup', 'Iran ships Shahed drones to Russia', 3, 'm1'],
    ]);
    expect(sent[2]!.anchor).toMatchObject({ kind: 'alert', title: 'Iran ships Shahed drones to Russia', outlets: 3, summary: sent[0]!.summary });
  });

  it('releases a held delivery without counting an attempt, so a closed output never kills an alert', async () => {
    const { store, sent, deps, route } = await story([{ outlet: 'Wire', title: 'Iran ships drones', body: full('Iran shipped drones to Russia.') }]);
    let open = false;
    deps.sinks.set('test', { platform: 'test', send: async (alert) => (open ? (sent.push(alert), { status: 'sent', messageRef: 'm1' }) : { status: 'held', detail: 'closed' }) });
    await route(0);
    for (let run = 0; run < 12; run++) expect(await deliverPending(deps)).toEqual({ sent: 0, failed: 0, dead: 0, rejected: 0, held: 1 });
    open = true;
    expect(await deliverPending(deps)).toEqual({ sent: 1, failed: 0, dead: 0, rejected: 0, held: 0 });
    const [job] = await store.claimDeliveries(T0, 'x', T0, 10);
    expect(job).toBeUndefined();
  });
});
