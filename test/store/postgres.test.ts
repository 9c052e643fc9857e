import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrationHistory, SCHEMA_MIGRATIONS_TABLE } from '../../src/store/migration-history.ts';
import { PostgresStore } from '../../src/store/postgres.ts';
import { deliveriesChannel } from '../../src/store/postgres-notices.ts';
import type { Store } from '../../src/store/store.ts';
import { dueWrites, storeContract } from './contract.ts';

// CI and every dev session provide PostgreSQL here; when it is missing these tests fail, they never skip.
const PG_URL = process.env.WATCHFLOOR_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const admin = new pg.Pool({ connectionString: PG_URL, max: 2, connectionTimeoutMillis: 5_000 });
const schemas = new Set<string>();

let reachable: Promise<void> | undefined;
/** Checked once per file; every test that needs the server then fails with this message (none is skipped). */
function ensureReachable(): Promise<void> {
  reachable ??= admin.query('SELECT 1').then(
    () => undefined,
    (err: Error) => {
      throw new Error(
        `PostgreSQL is not reachable at ${PG_URL.replace(/\/\/[^@/]*@/, '//')} (${err.message}). `
        + 'These tests need it: start PostgreSQL 15 on 127.0.0.1:5432 (trust auth, database "test") or set WATCHFLOOR_TEST_POSTGRES_URL.',
      );
    },
  );
  return reachable;
}

afterAll(async () => {
  // Drops every schema this file made: the contract's, and any a failed test left behind.
  if (await ensureReachable().then(() => true, () => false)) {
    for (const schema of schemas) await dropSchema(schema);
  }
  await admin.end();
});

function freshSchema(): string {
  const schema = `wf_test_${randomBytes(6).toString('hex')}`;
  schemas.add(schema);
  return schema;
}

async function dropSchema(schema: string): Promise<void> {
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  schemas.delete(schema);
}

/** A store in `schema` (created and migrated by open when new). */
async function open(schema = freshSchema(), onWarning?: (message: string) => void): Promise<PostgresStore> {
  await ensureReachable();
  return PostgresStore.open({ connectionString: PG_URL, schema, onWarning });
}

/**
 * The raw notices of a schema's deliveries channel, on a connection of the test's own. `drain()` says how many came
 * since the last drain: it sends a notice of its own and waits for it, and notices come in commit order, so
 * every notice of a write done before has arrived by then.
 */
async function rawNotices(schema: string): Promise<{ drain(): Promise<number>; close(): Promise<void> }> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  const channel = deliveriesChannel(schema);
  let count = 0;
  let marked: (() => void) | undefined;
  client.on('notification', (notice) => {
    if (notice.payload === 'test-mark') marked?.();
    else count++;
  });
  await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
  return {
    async drain() {
      const mark = new Promise<void>((resolve) => (marked = resolve));
      await admin.query('SELECT pg_notify($1, $2)', [channel, 'test-mark']);
      await mark;
      const n = count;
      count = 0;
      return n;
    },
    close: () => client.end(),
  };
}

/** Resolves on the listener's next call after this one. */
function listener(): { listen: () => void; next(): Promise<void>; calls: () => number } {
  let calls = 0;
  let waiting: Array<() => void> = [];
  return {
    listen: () => {
      calls++;
      for (const resolve of waiting) resolve();
      waiting = [];
    },
    next: () => new Promise((resolve) => waiting.push(resolve)),
    calls: () => calls,
  };
}

// The contract runs in one schema per file, emptied after each test: migrating a fresh schema costs ~10x more.
let contractSchema: string | undefined;
const TABLES_CHILD_FIRST = ['digest_schedules', 'deliveries', 'matches', 'subscriptions', 'articles', 'stories', 'channels', 'feeds', 'topics'];

storeContract(
  'PostgreSQL',
  () => open((contractSchema ??= freshSchema())),
  async (store: Store | undefined) => {
    if (!store) return; // open() failed: its error is the one to report
    await store.close();
    await admin.query(TABLES_CHILD_FIRST.map((t) => `DELETE FROM ${contractSchema}.${t};`).join('\n'));
  },
);

describe('PostgreSQL store', () => {
  const T0 = new Date('2026-11-20T10:00:00Z');
  const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

  it('migrates once when two replicas start together, and again finds nothing to do', async () => {
    const schema = freshSchema();
    const [a, b] = await Promise.all([open(schema), open(schema)]);
    const c = await open(schema);
    const versions = await admin.query(`SELECT version, name FROM ${schema}.schema_migrations ORDER BY version`);
    // Every postgres-NNN file, in order: a new migration needs no edit here.
    const files = readdirSync(path.join(import.meta.dirname, '../../src/store/migrations')).filter((f) => /^postgres-\d{3}-.*\.sql$/.test(f)).sort();
    expect(files.length).toBeGreaterThanOrEqual(7);
    expect(versions.rows).toEqual(files.map((file) => ({ version: Number(file.slice(9, 12)), name: file.slice(13, -4) })));
    await Promise.all([a.close(), b.close(), c.close()]);
    await dropSchema(schema);
  });

  it('carries a channel digest claimed before digests were outbox rows over as its period, taken', async () => {
    // A schema at version 8: digest_runs held the claims.
    const schema = freshSchema();
    await ensureReachable();
    const client = await admin.connect();
    try {
      await client.query(`CREATE SCHEMA ${schema}; SET search_path = ${schema}`);
      await client.query(SCHEMA_MIGRATIONS_TABLE);
      for (const step of migrationHistory('postgres').filter((s) => s.version <= 8)) {
        await client.query(step.sql());
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [step.version, step.name]);
      }
      const channel = Number((await client.query(`INSERT INTO channels (platform, workspace, channel) VALUES ('slack', 'T1', 'C1') RETURNING id`)).rows[0].id);
      await client.query(`INSERT INTO digest_runs (schedule_key, period_key, claimed_at) VALUES ($1, 'weekly:2026-11-16', $3), ('channel:999', 'daily:2026-11-20', $3),
        ('config:0:*:0 8 * * *:UTC', $2, $3)`, [`channel:${channel}`, '2026-11-20T08:00', at(-180)]);
      await client.query('SET search_path TO DEFAULT');
      const store = await open(schema);
      try {
        expect(store.migrations.applied[0]).toBe('postgres-009-digest-outbox.sql');
        const rows = await store.listDeliveries({ limit: 10 });
        expect(rows.map((d) => [d.kind, d.status, d.title, d.topic])).toEqual([['digest', 'sent', 'digest weekly:2026-11-16', '(subscriptions)']]);
        expect(rows[0]!.lastError).toMatch(/whether it was posted was not recorded/);
        const period = { channelId: channel, scheduleKey: `channel:${channel}`, since: at(-180 - 7 * 1440), until: at(-180), of: 'subscriptions' as const, topic: null };
        expect(await store.enqueueDigest({ ...period, period: 'weekly:2026-11-16' }, T0)).toBeNull();
        expect(await store.enqueueDigest({ ...period, period: 'weekly:2026-11-23' }, T0)).not.toBeNull();
      } finally {
        await store.close();
      }
    } finally {
      client.release();
      await dropSchema(schema);
    }
  });

  it('returns ids as numbers and keeps scores and JSON exact', async () => {
    const schema = freshSchema();
    const store = await open(schema);
    try {
      const { id: feedId } = await store.addFeed({ url: 'https://a.example/rss', intervalS: 900, fullText: true }, T0);
      expect(typeof feedId).toBe('number');
      expect((await store.listFeeds())[0]).toMatchObject({ id: feedId, fullText: true, nextPollAt: T0, firstPoll: true });
      const { id: articleId } = await store.upsertArticle({ feedId, key: 'k', title: 'T', lead: 'L', body: '', fetchedAt: T0, contentHash: 'h' });
      const story = await store.createStory(articleId, 'Story', T0);
      expect(typeof story).toBe('number');
      const channel = await store.ensureChannel({ platform: 'slack', workspace: 'T1', channel: 'C1', name: 'news' });
      await store.syncTopics([{ slug: 't', title: 'Topic', definition: { any: ['x'] }, source: 'config' }]);
      await store.saveMatches([{ articleId, topic: 't', score: 0.91, why: 'w', explanation: { hits: [{ term: 'x', where: 'title' }] } }]);
      await store.enqueueDelivery({ channelId: channel, storyId: story, topic: 't', articleId, kind: 'alert' }, T0);
      const [job] = await store.claimDeliveries(T0, 'w1', at(1), 10);
      expect(job).toMatchObject({
        channel: { id: channel, name: 'news' },
        topic: { slug: 't', title: 'Topic' },
        match: { score: 0.91, why: 'w', explanation: { hits: [{ term: 'x', where: 'title' }] } },
        article: { id: articleId, storyId: story, feedId, feedUrl: 'https://a.example/rss', publishedAt: null, fetchedAt: T0 },
      });
    } finally {
      await store.close();
      await dropSchema(schema);
    }
  });

  it('never hands the same due feed or delivery to two replicas claiming at once', async () => {
    const schema = freshSchema();
    const [a, b] = await Promise.all([open(schema), open(schema)]);
    try {
      const N = 120;
      const feedIds: number[] = [];
      for (let i = 0; i < N; i++) feedIds.push((await a.addFeed({ url: `https://f${i}.example/rss`, intervalS: 900 }, T0)).id);
      const article = (await a.upsertArticle({ feedId: feedIds[0]!, key: 'k', title: 'T', lead: 'L', body: '', fetchedAt: T0, contentHash: 'h' })).id;
      const story = await a.createStory(article, 'Story', T0);
      const deliveryIds: number[] = [];
      for (let i = 0; i < N; i++) {
        const channel = await a.ensureChannel({ platform: 'slack', workspace: 'T1', channel: `C${i}` });
        deliveryIds.push((await a.enqueueDelivery({ channelId: channel, storyId: story, topic: 't', articleId: article, kind: 'alert' }, T0))!);
      }

      // Each replica runs several claimers in parallel (its pool has 10 connections), small batches, until dry.
      type Claim = (store: Store, owner: string) => Promise<number[]>;
      const race = async (claim: Claim) => {
        const taken = new Map<number, string[]>();
        const worker = async (store: Store, owner: string) => {
          for (;;) {
            const ids = await claim(store, owner);
            if (ids.length === 0) return;
            for (const id of ids) taken.set(id, [...(taken.get(id) ?? []), owner]);
          }
        };
        const workers = [];
        for (let i = 0; i < 6; i++) workers.push(worker(a, `a${i}`), worker(b, `b${i}`));
        await Promise.all(workers);
        return taken;
      };

      const feeds = await race(async (store, owner) => (await store.claimDueFeeds(at(1), owner, at(10), 3, at(1))).map((f) => f.id));
      expect([...feeds.keys()].sort((x, y) => x - y)).toEqual(feedIds);
      expect([...feeds.values()].filter((owners) => owners.length > 1)).toEqual([]);
      expect(new Set([...feeds.values()].map((o) => o[0]![0])).size).toBe(2); // both replicas got work
      const leased = await admin.query(`SELECT id, lease_owner FROM ${schema}.feeds`);
      for (const row of leased.rows) expect(row.lease_owner).toBe(feeds.get(Number(row.id))![0]);

      const deliveries = await race(async (store, owner) => (await store.claimDeliveries(T0, owner, at(10), 3)).map((d) => d.id));
      expect([...deliveries.keys()].sort((x, y) => x - y)).toEqual(deliveryIds);
      expect([...deliveries.values()].filter((owners) => owners.length > 1)).toEqual([]);
      const sending = await admin.query(`SELECT id, status, attempts, lease_owner FROM ${schema}.deliveries`);
      for (const row of sending.rows) {
        expect(row).toMatchObject({ status: 'sending', attempts: 1, lease_owner: deliveries.get(Number(row.id))![0] });
      }

      // Both replicas' workers "die": once the leases expire, every row is claimable again, still exactly once.
      const again = await race(async (store, owner) => (await store.claimDeliveries(at(11), owner, at(20), 7)).map((d) => d.id));
      expect(again.size).toBe(N);
      expect([...again.values()].filter((owners) => owners.length > 1)).toEqual([]);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await dropSchema(schema);
    }
  });

  it("notifies its schema's deliveries channel once per write that makes rows due, and no other schema's", async () => {
    const schema = freshSchema();
    const store = await open(schema);
    const mine = await rawNotices(schema);
    const theirs = await rawNotices(`${schema}_other`);
    try {
      for (const step of await dueWrites(store)) {
        await step.run();
        expect(await mine.drain(), step.write).toBe(step.notices);
      }
      expect(await theirs.drain()).toBe(0);
    } finally {
      await Promise.all([store.close(), mine.close(), theirs.close()]);
    }
  });

  it('tells a second store on the schema of a delivery the first queued, and a store on another schema nothing', async () => {
    const schema = freshSchema();
    const otherSchema = freshSchema();
    const [a, b, other] = [await open(schema), await open(schema), await open(otherSchema)];
    const otherChannel = await rawNotices(otherSchema);
    try {
      const heard = listener();
      const otherHeard = listener();
      const started = [heard.next(), otherHeard.next()];
      b.onDeliveriesDue(heard.listen);
      other.onDeliveriesDue(otherHeard.listen);
      await Promise.all(started); // both listening
      const { id: feedId } = await a.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, T0);
      const articleId = (await a.upsertArticle({ feedId, key: 'k1', title: 'T', lead: '', body: '', fetchedAt: T0, contentHash: 'h' })).id;
      const storyId = await a.createStory(articleId, 'T', T0);
      const channelId = await a.ensureChannel({ platform: 'console', workspace: 'local', channel: 'stdout' });
      const queued = heard.next();
      await a.enqueueDelivery({ channelId, storyId, topic: 't', articleId, kind: 'alert' }, T0);
      await queued;
      expect(heard.calls()).toBe(2);
      // The other schema's store listens on its own channel, where the write sent nothing: its listener was told only
      // that it began to listen, and the channel's raw notices, drained (exact), hold none.
      expect(otherHeard.calls()).toBe(1);
      expect(await otherChannel.drain()).toBe(0);
    } finally {
      await Promise.all([a.close(), b.close(), other.close(), otherChannel.close()]);
    }
  });

  it('listens again after its connection is cut, with a warning, and tells its listeners to look', async () => {
    const schema = freshSchema();
    const warnings: string[] = [];
    const [a, b] = [await open(schema), await open(schema, (message) => warnings.push(message))];
    try {
      const heard = listener();
      let next = heard.next();
      b.onDeliveriesDue(heard.listen);
      await next;
      next = heard.next();
      // The server ends the listening session (a restart, an idle-session killer, a failover).
      const cut = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1`, [`LISTEN "${deliveriesChannel(schema)}"`]);
      expect(cut.rowCount).toBe(1);
      await next; // listening again: whatever came due meanwhile is to be looked for
      expect(warnings).toEqual([expect.stringMatching(/^the PostgreSQL connection that hears queued deliveries failed \(.+\); listening again in 1 s\./)]);
      next = heard.next();
      const channelId = await a.ensureChannel({ platform: 'console', workspace: 'local', channel: 'stdout' });
      await a.enqueueDigest({ channelId, scheduleKey: `channel:${channelId}`, period: 'p', since: T0, until: T0, of: 'subscriptions', topic: null }, T0);
      await next;
      // Cut again soon after: a server that keeps dropping the session is waited for longer each time.
      next = heard.next();
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1`, [`LISTEN "${deliveriesChannel(schema)}"`]);
      await next;
      expect(warnings[1]).toMatch(/listening again in 2 s\./);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('rejects a schema name it would have to quote', async () => {
    await expect(PostgresStore.open({ connectionString: PG_URL, schema: 'x; DROP TABLE feeds' })).rejects.toThrow(/schema name/);
  });
});
