import { describe, expect, it } from 'vitest';
import { deliverPending } from '../../src/alerts/deliver.ts';
import type { Alert, DeliveryOutcome, Sink } from '../../src/alerts/message.ts';
import { routeMatches } from '../../src/alerts/route.ts';
import { silentLogger } from '../../src/log.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';

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
    const jobs = await store.claimDeliveries(T0, 'x', new Date(T0.getTime() + 1000), 10);
    expect(jobs.map((j) => [j.kind, j.article.id, j.channel.id])).toEqual([['alert', a1, channel], ['followup', a2, channel]]);
  });

  it('sends the alert, then the follow-up in its thread', async () => {
    const { store, a1, a2, story, sent, deps } = await setup([]);
    await routeMatches(store, { articleId: a1, storyId: story, matches: [{ topic: 'arms', score: 0.8 }] }, T0);
    await routeMatches(store, { articleId: a2, storyId: story, matches: [{ topic: 'arms', score: 0.8 }] }, T0);
    expect(await deliverPending(deps)).toEqual({ sent: 2, failed: 0, dead: 0 });
    expect(sent.map((a) => [a.kind, a.threadRef])).toEqual([['alert', null], ['followup', 'm1']]);
    expect(sent[0]!).toMatchObject({ title: 'Shells shipped', source: 'Wire', url: 'https://wire.example/a1', topic: { slug: 'arms', title: 'Arms' } });
    expect(sent[0]!.summary).toContain('artillery shells');
    expect(await deliverPending(deps)).toEqual({ sent: 0, failed: 0, dead: 0 });
  });

  it('holds a follow-up until its alert is posted, and retries a rate-limited alert after Retry-After', async () => {
    const { store, a1, a2, story, sent, deps, advance } = await setup([{ status: 'failed', retryable: true, detail: 'rate limited', retryAfterS: 20 }]);
    await routeMatches(store, { articleId: a1, storyId: story, matches: [{ topic: 'arms', score: 0.8 }] }, T0);
    await routeMatches(store, { articleId: a2, storyId: story, matches: [{ topic: 'arms', score: 0.8 }] }, T0);
    expect(await deliverPending(deps)).toEqual({ sent: 0, failed: 2, dead: 0 });
    advance(10);
    expect(await deliverPending(deps)).toEqual({ sent: 0, failed: 1, dead: 0 }); // the follow-up, still waiting
    advance(15);
    const report = await deliverPending(deps);
    expect(report.sent).toBeGreaterThanOrEqual(1);
    advance(10);
    await deliverPending(deps);
    expect(sent.map((a) => a.kind)).toEqual(['alert', 'followup']);
    expect(sent[1]!.threadRef).toBe('m1');
  });

  it('marks a rejected delivery dead and never retries it; a thrown error is retried', async () => {
    const { store, a1, story, deps, advance, sent } = await setup([new Error('socket hang up'), { status: 'rejected', code: 'channel_not_found', userDetail: 'the channel was deleted' }]);
    await routeMatches(store, { articleId: a1, storyId: story, matches: [{ topic: 'arms', score: 0.8 }] }, T0);
    expect(await deliverPending(deps)).toEqual({ sent: 0, failed: 1, dead: 0 });
    advance(3600);
    expect(await deliverPending(deps)).toEqual({ sent: 0, failed: 0, dead: 1 });
    advance(3600);
    expect(await deliverPending(deps)).toEqual({ sent: 0, failed: 0, dead: 0 });
    expect(sent).toEqual([]);
  });
});
