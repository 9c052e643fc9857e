/**
 * Delivery benchmark (issue 13): alerts per second through the outbox to a fake platform, and the latency from
 * an article stored (and routed) to its alert posted, on SQLite and PostgreSQL, one replica.
 *
 * The platform is the fake Slack API (test/fakes/slack-api.ts) on loopback, driven by the real Slack sink
 * (WebClient), so each post is a real HTTP round trip; pacing and the burst guard are off (the figures are the
 * outbox's, not Slack's one-a-second-per-channel limit).
 * - throughput: BENCH_DELIVER_ROWS rows (stories × channels) queued at once, then one `deliverPending` drains them.
 * - latency: the outbox loop (`startOutboxLoop`, woken on each queue, as `watchfloor run` does) while a producer
 *   stores and routes BENCH_DELIVER_RATE articles a second for BENCH_DELIVER_SECONDS; per alert, the time from the
 *   article stored to the platform's answer. p50 and p99.
 *
 * Run: npm run bench:deliver
 * Env: BENCH_DELIVER_ROWS (2000), BENCH_DELIVER_CHANNELS (4), BENCH_DELIVER_RATE (100), BENCH_DELIVER_SECONDS (5),
 *      WATCHFLOOR_TEST_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/test; unreachable: PostgreSQL is skipped).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type DeliverDeps, deliverPending } from '../src/alerts/deliver.ts';
import type { Sink } from '../src/alerts/message.ts';
import { startOutboxLoop } from '../src/alerts/outbox-loop.ts';
import { ChannelPacer } from '../src/alerts/pacing.ts';
import { routeMatches } from '../src/alerts/route.ts';
import { createSlackSink } from '../src/chat/slack/adapter.ts';
import { silentLogger } from '../src/log.ts';
import { PostgresStore } from '../src/store/postgres.ts';
import { SqliteStore } from '../src/store/sqlite.ts';
import type { Store } from '../src/store/store.ts';
import { BOT_TOKEN, startFakeSlack } from '../test/fakes/slack-api.ts';

const ROWS = Number(process.env.BENCH_DELIVER_ROWS ?? 2000);
const CHANNELS = Number(process.env.BENCH_DELIVER_CHANNELS ?? 4);
const RATE = Number(process.env.BENCH_DELIVER_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_DELIVER_SECONDS ?? 5);
const PG_URL = process.env.WATCHFLOOR_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Result {
  store: string;
  rows: number;
  drainS: number;
  perSecond: number;
  latency: { alerts: number; p50Ms: number; p99Ms: number; maxMs: number };
}

const slack = await startFakeSlack();
const log = silentLogger();

async function seed(store: Store) {
  const now = new Date();
  await store.syncTopics([{ slug: 'arms', title: 'Arms', definition: {}, source: 'config' }]);
  const feedId = (await store.addFeed({ url: 'https://wire.example/rss', title: 'Wire', intervalS: 900 }, now)).id;
  for (let c = 0; c < CHANNELS; c++) {
    const channel = await store.ensureChannel({ platform: 'slack', workspace: 'T0FAKE', channel: `C0BENCH${c}` });
    await store.subscribe(channel, 'arms', 0, 'bench');
  }
  let n = 0;
  /** Stores one article in a story of its own, matched and routed to every channel; returns the delivery ids. */
  return async (): Promise<number[]> => {
    const key = `a${++n}-${randomBytes(3).toString('hex')}`;
    const at = new Date();
    const { id } = await store.upsertArticle({ feedId, key, title: `North Korea ships shells ${key}`, lead: 'North Korea sent artillery shells to Russia.', body: '', url: `https://wire.example/${key}`, fetchedAt: at, contentHash: key });
    const story = await store.createStory(id, key, at);
    await store.saveMatch({ articleId: id, topic: 'arms', score: 0.9, explanation: {}, why: 'North Korea (title)' });
    return routeMatches(store, { articleId: id, storyId: story, matches: [{ topic: 'arms', score: 0.9 }] }, at);
  };
}

async function measure(name: string, open: () => Promise<Store>): Promise<Result> {
  const sink = createSlackSink({ token: BOT_TOKEN, apiUrl: slack.apiUrl, log });
  const posted = new Map<number, number>();
  const timed: Sink = { ...sink, platform: 'slack', send: async (alert, to) => {
    const outcome = await sink.send(alert, to);
    if (outcome.status === 'sent') posted.set(alert.deliveryId, performance.now());
    return outcome;
  } };
  const pacer = new ChannelPacer({ pacing: false, burst: 0 });

  // Throughput: a backlog drained by one run.
  let store = await open();
  let queue = await seed(store);
  for (let i = 0; i < ROWS / CHANNELS; i++) await queue();
  const deps: DeliverDeps = { store, sinks: new Map([['slack', timed]]), log, now: () => new Date(), owner: `bench:${process.pid}`, pacer };
  const started = performance.now();
  const report = await deliverPending(deps);
  const drainS = (performance.now() - started) / 1000;
  if (report.sent !== ROWS) throw new Error(`${name}: sent ${report.sent} of ${ROWS}: ${JSON.stringify(report)}`);
  await store.close();

  // Latency: a steady stream through the outbox loop.
  store = await open();
  queue = await seed(store);
  posted.clear();
  const storedAt = new Map<number, number>();
  const loop = startOutboxLoop({ ...deps, store });
  const tickMs = 50;
  const perTick = Math.max(1, Math.round((RATE * tickMs) / 1000));
  const end = performance.now() + SECONDS * 1000;
  while (performance.now() < end) {
    const tick = performance.now();
    for (let i = 0; i < perTick; i++) {
      const ids = await queue();
      const at = performance.now();
      for (const id of ids) storedAt.set(id, at);
    }
    loop.wake();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, tickMs - (performance.now() - tick))));
  }
  const deadline = performance.now() + 30_000;
  while (posted.size < storedAt.size && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  await loop.stop();
  await store.close();
  const latencies = [...storedAt].map(([id, at]) => (posted.get(id) ?? Number.NaN) - at).filter(Number.isFinite).sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? Number.NaN;
  return {
    store: name,
    rows: ROWS,
    drainS,
    perSecond: ROWS / drainS,
    latency: { alerts: latencies.length, p50Ms: pct(0.5), p99Ms: pct(0.99), maxMs: latencies.at(-1) ?? Number.NaN },
  };
}

const results: Result[] = [];
const dir = mkdtempSync(path.join(os.tmpdir(), 'watchfloor-bench-deliver-'));
let files = 0;
try {
  results.push(await measure('SQLite (WAL, file)', async () => new SqliteStore(path.join(dir, `deliver-${++files}.db`))));
  const admin = new pg.Pool({ connectionString: PG_URL, max: 1, connectionTimeoutMillis: 3000 });
  const reachable = await admin.query('SELECT 1').then(() => true, () => false);
  if (!reachable) process.stderr.write(`PostgreSQL not reachable at ${PG_URL}: skipped\n`);
  else {
    const schemas: string[] = [];
    try {
      results.push(await measure('PostgreSQL', async () => {
        const schema = `wf_bench_${randomBytes(5).toString('hex')}`;
        schemas.push(schema);
        return PostgresStore.open({ connectionString: PG_URL, schema });
      }));
    } finally {
      for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    }
  }
  await admin.end();
} finally {
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
}

const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '—');
process.stdout.write(`Delivery through the outbox to the fake Slack API (loopback HTTP), pacing and burst guard off, 1 replica, ${os.cpus().length} cores\n`);
process.stdout.write(`| store | backlog drained | alerts/s | stream (${RATE} articles/s × ${CHANNELS} channels, ${SECONDS} s): alerts | p50 stored→posted | p99 | max |\n|---|---|---|---|---|---|---|\n`);
for (const r of results) {
  process.stdout.write(`| ${r.store} | ${r.rows} in ${fmt(r.drainS, 2)} s | ${fmt(r.perSecond)} | ${r.latency.alerts} | ${fmt(r.latency.p50Ms)} ms | ${fmt(r.latency.p99Ms)} ms | ${fmt(r.latency.maxMs)} ms |\n`);
}
process.stdout.write(`${JSON.stringify(results)}\n`);
