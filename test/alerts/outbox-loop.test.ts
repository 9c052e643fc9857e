import { describe, expect, it } from 'vitest';
import type { Alert, DeliveryOutcome, Sink } from '../../src/alerts/message.ts';
import { startOutboxLoop } from '../../src/alerts/outbox-loop.ts';
import { routeMatches } from '../../src/alerts/route.ts';
import { silentLogger } from '../../src/log.ts';
import { PostgresStore } from '../../src/store/postgres.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import type { Store } from '../../src/store/store.ts';
import { freshSchema } from '../fakes/postgres-schema.ts';

async function setup(outcomes: DeliveryOutcome[], store: Store = new SqliteStore(':memory:')) {
  const now = new Date();
  const feedId = (await store.addFeed({ url: 'https://wire.example/rss', intervalS: 900 }, now)).id;
  const channel = await store.ensureChannel({ platform: 'test', workspace: 'w', channel: 'c' });
  await store.syncTopics([{ slug: 'arms', title: 'Arms', definition: {}, source: 'config' }]);
  await store.syncConfigSubscriptions([{ channelId: channel, topic: 'arms', minScore: 0 }]);
  const queue = async (key: string) => {
    const id = (await store.upsertArticle({ feedId, key, title: key, lead: '', body: '', fetchedAt: new Date(), contentHash: key })).id;
    const story = await store.createStory(id, key, new Date());
    await routeMatches(store, { articleId: id, storyId: story, matches: [{ topic: 'arms', score: 0.9 }] }, new Date());
  };
  const sent: Alert[] = [];
  let arrived: (() => void) | undefined;
  const sink: Sink = {
    platform: 'test',
    async send(alert) {
      const next = outcomes.shift() ?? { status: 'sent', messageRef: `m${sent.length + 1}` };
      if (next.status === 'sent') {
        sent.push(alert);
        arrived?.();
      }
      return next;
    },
  };
  const nextSend = () => new Promise<void>((resolve) => (arrived = resolve));
  const deps = { store, sinks: new Map([['test', sink]]), log: silentLogger(), now: () => new Date(), owner: 'loop' };
  return { store, queue, sent, nextSend, deps };
}

describe('the outbox loop', () => {
  it('retries a rate-limited alert when Retry-After says, with no poll cycle in between', async () => {
    const { store, queue, sent, nextSend, deps } = await setup([{ status: 'failed', retryable: true, detail: 'rate limited', retryAfterS: 0.2 }]);
    await queue('a');
    const arrived = nextSend();
    // Without a wake, it would sleep for an hour: only the row's own retry time can bring it back.
    const loop = startOutboxLoop(deps, { maxSleepMs: 3_600_000 });
    await arrived;
    await loop.stop();
    expect(sent.map((a) => a.title)).toEqual(['a']);
    // The 429 cost no attempt: only the send that went through counts.
    expect((await store.listDeliveries({ limit: 5 })).map((d) => [d.status, d.attempts])).toEqual([['sent', 1]]);
  });

  it('delivers rows queued while it sleeps as soon as its store tells it (SQLite: its own writes)', async () => {
    const { queue, sent, nextSend, deps } = await setup([]);
    // Only the store's word can bring it back within the hour.
    const loop = startOutboxLoop(deps, { maxSleepMs: 3_600_000 });
    await new Promise((resolve) => setTimeout(resolve, 50)); // asleep: nothing is due
    const arrived = nextSend();
    await queue('b');
    await arrived;
    await loop.stop();
    expect(sent.map((a) => a.title)).toEqual(['b']);
  });

  it('delivers rows another replica queued as soon as its store hears of them (PostgreSQL NOTIFY), with no wake', async () => {
    const db = freshSchema('wf_outbox');
    const [a, b] = [await PostgresStore.open({ connectionString: db.url, schema: db.schema }), await PostgresStore.open({ connectionString: db.url, schema: db.schema })];
    try {
      const { queue, sent, nextSend, deps } = await setup([], a);
      // Asleep for ten minutes unless told: the notice of A's row is all that can bring it back in time.
      let runs = 0;
      let ranTwice: () => void;
      const idle = new Promise<void>((resolve) => (ranTwice = resolve));
      const loop = startOutboxLoop({ ...deps, store: b }, { maxSleepMs: 600_000, onRun: () => ++runs === 2 && ranTwice() });
      // Its first run, and the one its store asks for once listening (what came due before was not heard).
      await idle;
      const arrived = nextSend();
      await queue('from a');
      await arrived;
      await loop.stop();
      expect(sent.map((x) => x.title)).toEqual(['from a']);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await db.drop();
    }
  });
});
