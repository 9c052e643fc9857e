import { afterEach, describe, expect, it } from 'vitest';
import { type DeliverDeps, type DeliverReport, deliverPending } from '../../src/alerts/deliver.ts';
import type { Digest } from '../../src/alerts/digest.ts';
import type { Alert, DeliveryOutcome, Destination, Sink } from '../../src/alerts/message.ts';
import { BURST_WINDOW_MS, ChannelPacer, type PacingStore } from '../../src/alerts/pacing.ts';
import { routeMatches } from '../../src/alerts/route.ts';
import { silentLogger } from '../../src/log.ts';
import { PostgresStore } from '../../src/store/postgres.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import type { Store } from '../../src/store/store.ts';
import { freshSchema } from '../fakes/postgres-schema.ts';

const T0 = new Date('2026-11-20T10:00:00Z').getTime();

interface Post {
  channel: string;
  at: number;
  kind: 'alert' | 'followup' | 'burst';
  /** The deliverer (owner) that posted it. */
  by: string;
  deliveryId?: number;
  threadRef?: string | null;
  refreshes?: boolean;
  stories?: number;
}

/**
 * A clock that moves only when slept on or set. With several deliverers running at once it moves only when every
 * one still running sleeps (to the earliest wake-up), as if each post were instant: none sees time pass between
 * taking a channel's slot and posting, so the posts' times are the slots'.
 */
function fakeClock(deliverers: number) {
  let t = T0;
  let running = deliverers;
  const sleepers: Array<{ at: number; wake: () => void }> = [];
  const advance = () => {
    if (sleepers.length === 0 || sleepers.length < running) return;
    t = Math.max(t, Math.min(...sleepers.map((s) => s.at)));
    for (const s of sleepers.filter((x) => x.at <= t)) {
      sleepers.splice(sleepers.indexOf(s), 1);
      s.wake();
    }
  };
  return {
    now: () => new Date(t),
    advance: (ms: number) => (t += ms),
    sleep: (ms: number) => new Promise<void>((wake) => {
      sleepers.push({ at: t + ms, wake });
      advance();
    }),
    /** A deliverer is done: the others no longer wait for it to sleep. */
    done() {
      running--;
      advance();
    },
  };
}

/**
 * A store (SQLite in memory unless given), a paced sink (1 s per channel, with digests) for each deliverer, and a
 * clock for `deliverers` running at once. `deliverer(owner)` builds one's deps: its own pacer, over the same store.
 */
async function setup(options: { burst?: number; outcomes?: Array<DeliveryOutcome | undefined>; store?: Store; deliverers?: number } = {}) {
  const store = options.store ?? new SqliteStore(':memory:');
  const clock = fakeClock(options.deliverers ?? 1);
  await store.syncTopics([{ slug: 'arms', title: 'Arms', definition: {}, source: 'config' }]);
  const feedId = (await store.addFeed({ url: 'https://wire.example/rss', title: 'Wire', intervalS: 900 }, new Date(T0))).id;
  const channels = new Map<string, number>();
  for (const name of ['A', 'B']) {
    const id = await store.ensureChannel({ platform: 'paced', workspace: 'w', channel: name });
    channels.set(name, id);
    await store.subscribe(id, 'arms', 0, 'test');
  }
  const posts: Post[] = [];
  const outcomes = options.outcomes ?? [];
  let n = 0;
  const sinkFor = (by: string): Sink => ({
    platform: 'paced',
    minIntervalMs: 1000,
    async send(alert: Alert, to: Destination) {
      const scripted = outcomes.shift();
      if (scripted) return scripted;
      posts.push({ channel: to.channel, at: clock.now().getTime(), kind: alert.kind, by, deliveryId: alert.deliveryId, threadRef: alert.threadRef, refreshes: alert.anchor !== undefined });
      return { status: 'sent', messageRef: `${to.channel}:m${++n}` };
    },
    async sendDigest(digest: Digest, to: Destination) {
      posts.push({ channel: to.channel, at: clock.now().getTime(), kind: 'burst', by, stories: digest.topics.reduce((sum, topic) => sum + topic.stories.length + topic.more, 0) });
      return { status: 'sent', messageRef: `${to.channel}:m${++n}` };
    },
  });
  let stories = 0;
  /** `count` new stories (an alert in each channel), each with `followups` more reports. */
  const queue = async (count: number, followups = 0) => {
    const ids: number[] = [];
    for (let i = 0; i < count; i++) {
      const s = ++stories;
      let story = 0;
      for (let r = 0; r <= followups; r++) {
        const key = `s${s}r${r}`;
        const { id } = await store.upsertArticle({ feedId, key, title: `Story ${key}`, lead: 'North Korea sent shells.', body: '', url: `https://wire.example/${key}`, fetchedAt: clock.now(), contentHash: key });
        if (r === 0) story = await store.createStory(id, key, clock.now());
        else await store.attachToStory(id, story, clock.now());
        ids.push(...await routeMatches(store, { articleId: id, storyId: story, matches: [{ topic: 'arms', score: 0.9 }] }, clock.now()));
      }
    }
    return ids;
  };
  const deliverer = (owner: string): DeliverDeps => ({
    store, sinks: new Map([['paced', sinkFor(owner)]]), log: silentLogger(), now: clock.now, sleep: clock.sleep, owner,
    pacer: new ChannelPacer(store, { burst: options.burst ?? 6 }), drain: true,
  });
  const deps = deliverer('pacing');
  return { store, clock, posts, queue, deps, deliverer, channels };
}

const of = (posts: Post[], channel: string) => posts.filter((p) => p.channel === channel);

describe('per-channel pacing', () => {
  it('posts at most one message a second in a channel, without holding up the other channel', async () => {
    const { posts, queue, deps } = await setup();
    await queue(3, 1); // per channel: 3 alerts and 3 follow-ups
    const report = await deliverPending(deps);
    expect(report).toMatchObject({ sent: 12, failed: 0, dead: 0 });
    for (const channel of ['A', 'B']) {
      const times = of(posts, channel).map((p) => p.at);
      expect(times).toHaveLength(6);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);
    }
    // B's first post did not wait for A's queue: both channels start at once and go on side by side.
    expect([of(posts, 'A')[0]!.at, of(posts, 'B')[0]!.at]).toEqual([T0, T0]);
    expect(of(posts, 'B')[1]!.at).toBeLessThan(of(posts, 'A')[5]!.at);
    // Follow-ups still reply in their alert's thread.
    expect(posts.filter((p) => p.kind === 'followup').every((p) => p.threadRef?.startsWith(p.channel))).toBe(true);
  });

  it('without drain, leaves the paced rows deferred to their slots, one interval apart and no attempt spent', async () => {
    const { store, queue, deps, posts } = await setup();
    await queue(3);
    expect(await deliverPending({ ...deps, drain: false })).toMatchObject({ sent: 2, held: 4 });
    expect(posts.map((p) => p.channel).sort()).toEqual(['A', 'B']);
    const deferred = await store.listDeliveries({ status: 'deferred', limit: 10 });
    expect(deferred.map((d) => d.attempts)).toEqual([0, 0, 0, 0]);
    const slots = deferred.filter((d) => d.channel.channel === 'A').map((d) => d.nextAttemptAt.getTime() - T0).sort((a, b) => a - b);
    expect(slots).toEqual([1000, 2000]);
    expect(deferred[0]!.lastError).toContain('paced');
  });

  it("holds a channel for the platform's Retry-After: its other rows wait without asking again, the other channel goes on", async () => {
    const { clock, queue, deps, posts } = await setup({ outcomes: [{ status: 'failed', retryable: true, detail: '429', retryAfterS: 30 }] });
    await queue(3);
    await deliverPending({ ...deps, drain: false });
    // A's first alert was refused with 429; its other rows were deferred without a call; B posted.
    expect(of(posts, 'A')).toEqual([]);
    expect(of(posts, 'B')).toHaveLength(1);
    clock.advance(30_000);
    await deliverPending(deps); // after the 30 s: paced again
    expect(of(posts, 'A').map((p) => p.at - T0)).toEqual([30_000, 31_000, 32_000]);
  });
  it("gives the slot of a follow-up still waiting for its alert back: the channel's next post goes at once", async () => {
    const { clock, queue, deps, posts } = await setup({ outcomes: [{ status: 'failed', retryable: true, detail: '503' }] });
    await queue(1, 1);
    await deliverPending({ ...deps, drain: false }); // A's alert failed (retried in 30 s); both follow-ups paced to +1 s
    clock.advance(1000);
    await queue(1);
    await deliverPending({ ...deps, drain: false });
    // A: the follow-up waits for its alert and posts nothing, so the new alert takes the slot; B: its follow-up did.
    expect(of(posts, 'A').map((p) => [p.kind, p.at - T0])).toEqual([['alert', 1000]]);
    expect(of(posts, 'B').map((p) => [p.kind, p.at - T0])).toEqual([['alert', 0], ['followup', 1000]]);
  });
});

describe('burst guard', () => {
  it('posts more alerts than a minute has room for as one message; their follow-ups reply under it without rewriting it', async () => {
    const { store, queue, deps, posts } = await setup({ burst: 6 });
    await queue(10, 1);
    const report = await deliverPending(deps);
    expect(report).toMatchObject({ sent: 40, dead: 0, failed: 0 });
    for (const channel of ['A', 'B']) {
      const mine = of(posts, channel);
      expect(mine.filter((p) => p.kind === 'burst').map((p) => p.stories)).toEqual([10]);
      expect(mine.filter((p) => p.kind === 'alert')).toEqual([]);
      const burst = mine.find((p) => p.kind === 'burst')!;
      const followups = mine.filter((p) => p.kind === 'followup');
      expect(followups).toHaveLength(10);
      expect(new Set(followups.map((p) => p.threadRef))).toEqual(new Set([`${channel}:m${posts.indexOf(burst) + 1}`]));
      expect(followups.every((p) => p.refreshes === false && p.at > burst.at)).toBe(true);
    }
    const alerts = (await store.listDeliveries({ limit: 100 })).filter((d) => d.kind === 'alert');
    expect(alerts.every((d) => d.status === 'sent')).toBe(true);
  });

  it('never posts more than N top-level messages in a channel within any minute, however the alerts trickle in', async () => {
    const { clock, queue, deps, posts } = await setup({ burst: 4 });
    await queue(3);
    await deliverPending(deps); // three alerts on their own
    clock.advance(10_000);
    await queue(3);
    await deliverPending(deps); // room for one more: the three go as one burst
    clock.advance(10_000);
    await queue(2);
    await deliverPending(deps); // no room: they wait for the minute to free, then go
    const a = of(posts, 'A');
    expect(a.map((p) => p.kind)).toEqual(['alert', 'alert', 'alert', 'burst', 'burst']);
    expect(a.map((p) => p.stories ?? 1)).toEqual([1, 1, 1, 3, 2]);
    for (const p of a) expect(a.filter((q) => q.at > p.at - BURST_WINDOW_MS && q.at <= p.at).length).toBeLessThanOrEqual(4);
    expect(a[4]!.at).toBeGreaterThanOrEqual(a[0]!.at + BURST_WINDOW_MS);
  });

  it('does not count a post refused for a rate limit: the channel never got it', async () => {
    const { queue, deps, posts } = await setup({ burst: 2, outcomes: [{ status: 'failed', retryable: true, detail: '429', retryAfterS: 1 }] });
    await queue(2);
    await deliverPending(deps);
    // Counted, the 429 would have left room for one: the two alerts would have gone as a burst.
    expect(of(posts, 'A').map((p) => [p.kind, p.at - T0])).toEqual([['alert', 1000], ['alert', 2000]]);
  });

  it('is off at 0: every alert is its own message (paced)', async () => {
    const { queue, deps, posts } = await setup({ burst: 0 });
    await queue(9);
    await deliverPending(deps);
    expect(of(posts, 'A').map((p) => p.kind)).toEqual(Array.from({ length: 9 }, () => 'alert'));
  });
});

/** The stores two deliverers share: each test gets a fresh one (PostgreSQL: a schema of its own, dropped after). */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});
const stores: Array<[string, () => Promise<Store>]> = [
  ['SQLite', async () => new SqliteStore(':memory:')],
  ['PostgreSQL', async () => {
    const db = freshSchema('wf_pacing');
    const store = await PostgresStore.open({ connectionString: db.url, schema: db.schema });
    cleanups.push(async () => {
      await store.close();
      await db.drop();
    });
    return store;
  }],
];

describe.each(stores)('pacing shared by deliverers of one store (%s)', (_name, open) => {
  it("defers a deliverer's post to a channel another deliverer just posted to, and counts both's posts for the burst guard", async () => {
    const { clock, queue, deliverer, posts } = await setup({ burst: 4, store: await open() });
    const [a, b] = [deliverer('a'), deliverer('b')];
    await queue(1);
    expect(await deliverPending({ ...a, drain: false })).toMatchObject({ sent: 2 });
    await queue(1);
    // Same instant: a's posts hold both channels' slots, b defers its alerts to them (no attempt spent).
    expect(await deliverPending({ ...b, drain: false })).toMatchObject({ sent: 0, held: 2 });
    clock.advance(1000);
    await deliverPending(b);
    expect(of(posts, 'A').map((p) => [p.by, p.at - T0])).toEqual([['a', 0], ['b', 1000]]);
    await queue(1);
    await deliverPending(a); // a third alert: the minute's room is now 1 (b's post counts)
    clock.advance(10_000);
    await queue(3);
    await deliverPending(b); // three more for room for one: one burst
    expect(of(posts, 'A').map((p) => [p.by, p.kind, p.stories ?? 1])).toEqual([['a', 'alert', 1], ['b', 'alert', 1], ['a', 'alert', 1], ['b', 'burst', 3]]);
    clock.advance(10_000);
    await queue(2);
    await deliverPending(a); // no room: they wait for the minute to free (a's first post), then go as one
    const mine = of(posts, 'A');
    expect(mine.map((p) => [p.by, p.kind])).toEqual([['a', 'alert'], ['b', 'alert'], ['a', 'alert'], ['b', 'burst'], ['a', 'burst']]);
    expect(mine[4]!.at).toBeGreaterThanOrEqual(mine[0]!.at + BURST_WINDOW_MS);
  });

  it('with pacing off, never defers a post for another deliverer having posted a moment later by its own clock', async () => {
    const { queue, deliverer, store } = await setup({ store: await open() });
    const off = new ChannelPacer(store, { pacing: false, burst: 0 });
    await queue(1);
    expect(await deliverPending({ ...deliverer('a'), pacer: off, now: () => new Date(T0 + 5) })).toMatchObject({ sent: 2, held: 0 });
    await queue(1);
    expect(await deliverPending({ ...deliverer('b'), pacer: off })).toMatchObject({ sent: 2, held: 0 });
  });

  it('never lets two deliverers working one outbox at once post to a channel faster than its interval or past the burst limit', async () => {
    const { queue, deliverer, posts, clock } = await setup({ burst: 4, store: await open(), deliverers: 2 });
    await queue(10, 1); // per channel: 10 alerts and 10 follow-ups
    // Claims of three rows, so both deliverers take turns at the outbox and each holds rows of both channels.
    const run = (deps: DeliverDeps): Promise<DeliverReport> => deliverPending(deps, 3).finally(clock.done);
    const reports = await Promise.all([run(deliverer('a')), run(deliverer('b'))]);
    expect(reports.every((r) => r.sent + r.held > 0)).toBe(true);
    expect(reports.reduce((sum, r) => sum + r.sent, 0)).toBe(40);
    for (const channel of ['A', 'B']) {
      const mine = of(posts, channel);
      for (let i = 1; i < mine.length; i++) expect(mine[i]!.at - mine[i - 1]!.at).toBeGreaterThanOrEqual(1000);
      const topLevel = mine.filter((p) => p.kind !== 'followup');
      for (const p of topLevel) expect(topLevel.filter((q) => q.at > p.at - BURST_WINDOW_MS && q.at <= p.at).length).toBeLessThanOrEqual(4);
      expect(topLevel.reduce((sum, p) => sum + (p.stories ?? 1), 0)).toBe(10);
    }
  });
});

describe('taking a slot that frees as it is read', () => {
  /** A channel whose slot another poster holds for `busy` takes, then gives back (its post went nowhere). */
  function flickering(busy: number): PacingStore & { takes: number } {
    const store = {
      takes: 0,
      takePostSlot: async () => ++store.takes > busy,
      channelPacing: async () => ({ nextPostAt: null, recentPosts: [] }),
      returnPostSlot: async () => {},
      holdChannel: async () => {},
    };
    return store;
  }

  it('takes it again instead of deferring the row to "now"', async () => {
    const store = flickering(1);
    expect(await new ChannelPacer(store).take(1, 5_000, 1_000, 'top')).toBeUndefined();
    expect(store.takes).toBe(2);
  });

  it('after a few such tries, waits one interval rather than spin', async () => {
    const store = flickering(Number.POSITIVE_INFINITY);
    expect(await new ChannelPacer(store).take(1, 5_000, 1_000, 'top')).toBe(6_000);
    expect(store.takes).toBe(3);
  });
});
