import { describe, expect, it } from 'vitest';
import { type DeliverDeps, deliverPending } from '../../src/alerts/deliver.ts';
import type { Digest } from '../../src/alerts/digest.ts';
import type { Alert, DeliveryOutcome, Destination, Sink } from '../../src/alerts/message.ts';
import { BURST_WINDOW_MS, ChannelPacer } from '../../src/alerts/pacing.ts';
import { routeMatches } from '../../src/alerts/route.ts';
import { silentLogger } from '../../src/log.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';

const T0 = new Date('2026-11-20T10:00:00Z').getTime();

interface Post {
  channel: string;
  at: number;
  kind: 'alert' | 'followup' | 'burst';
  deliveryId?: number;
  threadRef?: string | null;
  refreshes?: boolean;
  stories?: number;
}

/** A store, a paced sink (1 s per channel, with digests) and a clock that moves only when slept on or set. */
async function setup(options: { burst?: number; outcomes?: Array<DeliveryOutcome | undefined> } = {}) {
  const store = new SqliteStore(':memory:');
  let t = T0;
  const clock = {
    now: () => new Date(t),
    advance: (ms: number) => (t += ms),
    async sleep(ms: number) {
      const target = t + ms;
      await Promise.resolve();
      t = Math.max(t, target);
    },
  };
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
  const sink: Sink = {
    platform: 'paced',
    minIntervalMs: 1000,
    async send(alert: Alert, to: Destination) {
      const scripted = outcomes.shift();
      if (scripted) return scripted;
      posts.push({ channel: to.channel, at: t, kind: alert.kind, deliveryId: alert.deliveryId, threadRef: alert.threadRef, refreshes: alert.anchor !== undefined });
      return { status: 'sent', messageRef: `${to.channel}:m${++n}` };
    },
    async sendDigest(digest: Digest, to: Destination) {
      posts.push({ channel: to.channel, at: t, kind: 'burst', stories: digest.topics.reduce((sum, topic) => sum + topic.stories.length + topic.more, 0) });
      return { status: 'sent', messageRef: `${to.channel}:m${++n}` };
    },
  };
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
  const pacer = new ChannelPacer({ burst: options.burst ?? 6 });
  const deps: DeliverDeps = { store, sinks: new Map([['paced', sink]]), log: silentLogger(), now: clock.now, sleep: clock.sleep, owner: 'pacing', pacer, drain: true };
  return { store, clock, posts, queue, deps, channels };
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

  it('is off at 0: every alert is its own message (paced)', async () => {
    const { queue, deps, posts } = await setup({ burst: 0 });
    await queue(9);
    await deliverPending(deps);
    expect(of(posts, 'A').map((p) => p.kind)).toEqual(Array.from({ length: 9 }, () => 'alert'));
  });
});
