/**
 * Delivery benchmark (issue 13): alerts per second through the outbox to a fake platform, and the latency from
 * an article stored (and routed) to its alert posted — on SQLite with one replica and on PostgreSQL with 1, 2 and 3
 * replicas; then the understand step, which replicas take turns at (one holds the lock), in articles a second.
 *
 * The platform is the fake Slack API (test/fakes/slack-api.ts) on loopback in this process, driven by the real Slack
 * sink (WebClient), so each post is a real HTTP round trip; pacing and the burst guard are off (the figures are the
 * outbox's, not Slack's one-a-second-per-channel limit). Each replica is a child process (bench/lib/deliver-replica.ts)
 * with its own store connection and lease owner, as `watchfloor run --role worker` replicas are.
 * - throughput: BENCH_DELIVER_ROWS rows (stories × channels) queued at once, then every replica runs
 *   `deliverPending` until nothing is left for it; alerts/s is rows ÷ the time until the last replica is done.
 * - latency: every replica runs its outbox loop (`startOutboxLoop`); replica 1 also stores and routes
 *   BENCH_DELIVER_RATE articles a second for BENCH_DELIVER_SECONDS, each loop woken by the store's notice of the rows
 *   as in `watchfloor run`; per alert, the time from the article stored to the platform's
 *   answer, whichever replica posted it. p50 and p99.
 * - understand: BENCH_UNDERSTAND_ARTICLES pending articles (stories of four reports, the bundled topics, the
 *   channels subscribed) through `understandPending` in one process: scoring, clustering, routing, all its writes;
 *   once with every article matching and routed to every channel, once with none matching (most of a real day).
 *
 * Run: npm run bench:deliver
 * Env: BENCH_DELIVER_ROWS (3000), BENCH_DELIVER_CHANNELS (4), BENCH_DELIVER_RATE (25), BENCH_DELIVER_SECONDS (5),
 *      BENCH_DELIVER_REPLICAS (1,2,3: PostgreSQL replica counts), BENCH_UNDERSTAND_ARTICLES (1000; 0 skips it),
 *      WATCHFLOOR_TEST_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/test; unreachable: PostgreSQL is skipped).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { silentLogger } from '../src/log.ts';
import { type Pipeline, type PipelineMetrics, rebuildStoryWindow, understandPending } from '../src/pipeline.ts';
import { PostgresStore } from '../src/store/postgres.ts';
import { SqliteStore } from '../src/store/sqlite.ts';
import type { Store } from '../src/store/store.ts';
import { StoryIndex } from '../src/stories/cluster.ts';
import { compileTopics } from '../src/topics/compile.ts';
import { loadTopicFile } from '../src/topics/define.ts';
import { madeUpWord, prng } from '../test/fakes/made-up.ts';
import { startFakeSlack } from '../test/fakes/slack-api.ts';
import { articleQueue, seedChannels } from './lib/deliver-seed.ts';
import type { ReplicaCommand, ReplicaReply } from './lib/deliver-replica.ts';

const ROWS = Number(process.env.BENCH_DELIVER_ROWS ?? 3000);
const CHANNELS = Number(process.env.BENCH_DELIVER_CHANNELS ?? 4);
const RATE = Number(process.env.BENCH_DELIVER_RATE ?? 25);
const SECONDS = Number(process.env.BENCH_DELIVER_SECONDS ?? 5);
const REPLICAS = (process.env.BENCH_DELIVER_REPLICAS ?? '1,2,3').split(',').map(Number).filter((n) => n > 0);
const UNDERSTAND = Number(process.env.BENCH_UNDERSTAND_ARTICLES ?? 1000);
const PG_URL = process.env.WATCHFLOOR_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROOT = path.resolve(import.meta.dirname, '..');

type Where = { driver: 'sqlite'; path: string } | { driver: 'postgres'; url: string; schema: string };

interface DeliverResult {
  store: string;
  replicas: number;
  rows: number;
  drainS: number;
  perSecond: number;
  /** Rows each replica sent in the drain. */
  shares: number[];
  /** PostgreSQL transactions (statements) per alert in the drain, claim to outcome. */
  transactionsPerAlert?: number;
  latency: { alerts: number; queued: number; p50Ms: number; p99Ms: number; maxMs: number; shares: number[] };
}

const slack = await startFakeSlack();
const dir = mkdtempSync(path.join(os.tmpdir(), 'watchfloor-bench-deliver-'));
const schemas: string[] = [];
let files = 0;

/** A fresh database: a SQLite file in the bench folder, or a PostgreSQL schema dropped at the end. */
function freshDatabase(driver: 'sqlite' | 'postgres'): Where {
  if (driver === 'sqlite') return { driver, path: path.join(dir, `deliver-${++files}.db`) };
  const schema = `wf_bench_${randomBytes(5).toString('hex')}`;
  schemas.push(schema);
  return { driver, url: PG_URL, schema };
}

const open = (where: Where): Promise<Store> =>
  where.driver === 'postgres' ? PostgresStore.open({ connectionString: where.url, schema: where.schema }) : Promise.resolve(new SqliteStore(where.path));

const admin = new pg.Pool({ connectionString: PG_URL, max: 1, connectionTimeoutMillis: 3000 });

/**
 * Transactions the test database has committed or rolled back so far (every statement outside BEGIN is one), read
 * once the connections that made them have closed: a backend reports its counts when it exits. Other work on the
 * same database counts too, so the figure is an upper bound.
 */
async function transactions(): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 500));
  const { rows } = await admin.query<{ n: string }>('SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()');
  return Number(rows[0]!.n);
}

interface Replica {
  child: ChildProcess;
  ask<R extends ReplicaReply['ok']>(command: ReplicaCommand, expect: R): Promise<Extract<ReplicaReply, { ok: R }>>;
}

/** Replica processes opened on `where`, ready to be told what to do. */
async function startReplicas(n: number, where: Where): Promise<Replica[]> {
  const replicas = Array.from({ length: n }, () => {
    // tsx's loader comes with process.execArgv, so the child runs the TypeScript sources as this process does.
    const child = fork(path.join(import.meta.dirname, 'lib/deliver-replica.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let serial = 0;
    const waiting = new Map<number, (reply: ReplicaReply) => void>();
    child.on('message', (message: { id: number; reply: ReplicaReply }) => waiting.get(message.id)?.(message.reply));
    return {
      child,
      ask: <R extends ReplicaReply['ok']>(command: ReplicaCommand, expect: R) => new Promise<Extract<ReplicaReply, { ok: R }>>((resolve, reject) => {
        const id = ++serial;
        waiting.set(id, (reply) => {
          waiting.delete(id);
          if (reply.ok === expect) resolve(reply as Extract<ReplicaReply, { ok: R }>);
          else reject(new Error(`replica answered ${reply.ok} to ${command.cmd}: ${'error' in reply ? reply.error : ''}`));
        });
        child.send({ id, command });
      }),
    };
  });
  await Promise.all(replicas.map((r, index) => r.ask({ cmd: 'open', ...where, apiUrl: slack.apiUrl, index }, 'ready')));
  return replicas;
}

async function stopReplicas(replicas: Replica[]): Promise<Array<Array<[number, number]>>> {
  const posted = await Promise.all(replicas.map((r) => r.ask({ cmd: 'stop' }, 'stopped')));
  for (const r of replicas) r.child.disconnect();
  return posted.map((p) => p.posted);
}

async function measureDelivery(name: string, driver: 'sqlite' | 'postgres', n: number): Promise<DeliverResult> {
  // Throughput: a backlog every replica drains at once.
  let where = freshDatabase(driver);
  const seeding = await open(where);
  const queue = articleQueue(seeding, await seedChannels(seeding, CHANNELS));
  for (let i = 0; i < ROWS / CHANNELS; i++) await queue();
  await seeding.close();
  let replicas = await startReplicas(n, where);
  const before = driver === 'postgres' ? await transactions() : 0;
  const started = performance.now();
  const drained = await Promise.all(replicas.map((r) => r.ask({ cmd: 'drain' }, 'drained')));
  const drainS = (performance.now() - started) / 1000;
  const shares = drained.map((d) => d.sent);
  await stopReplicas(replicas);
  const transactionsPerAlert = driver === 'postgres' ? ((await transactions()) - before) / ROWS : undefined;
  const sent = shares.reduce((a, b) => a + b, 0);
  if (sent !== ROWS) throw new Error(`${name} × ${n}: sent ${sent} of ${ROWS} (${shares.join(' + ')})`);

  // Latency: a steady stream queued by replica 1, delivered by whichever replica's loop claims it.
  where = freshDatabase(driver);
  const seeded = await open(where);
  await seedChannels(seeded, CHANNELS);
  await seeded.close();
  replicas = await startReplicas(n, where);
  await Promise.all(replicas.slice(1).map((r) => r.ask({ cmd: 'stream' }, 'streaming')));
  const { stored } = await replicas[0]!.ask({ cmd: 'stream', produce: { rate: RATE, seconds: SECONDS, channels: CHANNELS } }, 'produced');
  const deadline = performance.now() + 30_000;
  for (;;) {
    const counts = await Promise.all(replicas.map((r) => r.ask({ cmd: 'posted' }, 'posted')));
    if (counts.reduce((a, c) => a + c.count, 0) >= stored.length || performance.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const postedBy = await stopReplicas(replicas);
  const posted = new Map(postedBy.flat());
  const latencies = stored.map(([id, at]) => (posted.get(id) ?? Number.NaN) - at).filter(Number.isFinite).sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? Number.NaN;
  return {
    store: name,
    replicas: n,
    rows: ROWS,
    drainS,
    perSecond: ROWS / drainS,
    shares,
    transactionsPerAlert,
    latency: { alerts: latencies.length, queued: stored.length, p50Ms: pct(0.5), p99Ms: pct(0.99), maxMs: latencies.at(-1) ?? Number.NaN, shares: postedBy.map((p) => p.length) },
  };
}

interface UnderstandResult {
  store: string;
  /** Every article matches the flagship topic and is routed to every channel; else none matches any topic. */
  matching: boolean;
  articles: number;
  seconds: number;
  perSecond: number;
  stories: number;
  /** PostgreSQL transactions (statements) per article understood. */
  transactionsPerArticle?: number;
}

/** Every metric a no-op: the figure is the step's own time. */
const metrics = new Proxy({}, { get: () => () => {} }) as PipelineMetrics;

/**
 * `understandPending` over UNDERSTAND stored, pending articles: stories of four reports (the same headline under
 * each outlet's name, so three of four fold), each matching the flagship topic, routed to CHANNELS channels.
 */
async function measureUnderstand(name: string, driver: 'sqlite' | 'postgres', matching: boolean): Promise<UnderstandResult> {
  const where = freshDatabase(driver);
  let store = await open(where);
  try {
    const topicsDir = path.join(ROOT, 'config/topics');
    const topics = readdirSync(topicsDir).filter((f) => f.endsWith('.yaml')).map((f) => loadTopicFile(path.join(topicsDir, f)));
    await store.syncTopics(topics.map((t) => ({ slug: t.slug, title: t.title, definition: {}, source: 'config' as const })));
    for (let c = 0; c < CHANNELS; c++) {
      await store.subscribe(await store.ensureChannel({ platform: 'slack', workspace: 'T0FAKE', channel: `C0UNDER${c}` }), 'dprk-russia-arms', 0, 'bench');
    }
    const now = new Date();
    const feeds: number[] = [];
    for (let f = 0; f < 200; f++) feeds.push((await store.addFeed({ url: `https://outlet${f}.example/rss`, intervalS: 900 }, now)).id);
    const random = prng(13);
    const ids: number[] = [];
    for (let s = 0; ids.length < UNDERSTAND; s++) {
      const [port, officials] = [madeUpWord(random), madeUpWord(random)];
      const figure = (3100 + 37 * s).toLocaleString('en-US');
      for (let k = 0; k < 4 && ids.length < UNDERSTAND; k++) {
        const key = `s${s}-k${k}`;
        const { id } = await store.upsertArticle({
          feedId: feeds[(s + 50 * k) % feeds.length]!, key, url: `https://outlet${k}.example/${key}`, contentHash: key, body: '', pending: true,
          ...(matching
            ? {
                title: `North Korea ships ${figure} artillery shells to Russia through ${port} - Outlet ${k}`,
                lead: `Officials in ${officials} said ${figure} North Korean artillery shells were loaded onto Russian ships bound for the war in Ukraine.`,
              }
            : {
                title: `${port} council approves ${figure} new bicycle lanes before the winter - Outlet ${k}`,
                lead: `Officials in ${officials} said ${figure} lanes would open across the city by March, the transport office reported.`,
              }),
          publishedAt: new Date(now.getTime() - (UNDERSTAND - ids.length) * 1000), fetchedAt: now,
        });
        ids.push(id);
      }
    }
    await store.close();
    const before = driver === 'postgres' ? await transactions() : 0;
    store = await open(where);
    const pipeline: Pipeline = {
      store, log: silentLogger(), now: () => new Date(), owner: `bench:${process.pid}:1`, poll: {} as Pipeline['poll'], pollsInFlight: 1,
      topics: { index: compileTopics(topics) }, stories: new StoryIndex(), sinks: new Map(), metrics,
    };
    await rebuildStoryWindow(store, pipeline.stories, now, 72 * 3600);
    const started = performance.now();
    // The feeds declare English, as a cycle passes on: no detection pass.
    const done = await understandPending(pipeline, new Map(ids.map((id) => [id, 'en'])));
    const seconds = (performance.now() - started) / 1000;
    if (done.articles !== ids.length || done.matched !== (matching ? ids.length : 0)) throw new Error(`${name}: understood ${done.articles}, matched ${done.matched} of ${ids.length}`);
    await store.close();
    const transactionsPerArticle = driver === 'postgres' ? ((await transactions()) - before) / ids.length : undefined;
    store = await open(where);
    const stories = new Set<number>();
    for (const id of ids) stories.add((await store.getArticle(id))!.storyId!);
    return { store: name, matching, articles: ids.length, seconds, perSecond: ids.length / seconds, stories: stories.size, transactionsPerArticle };
  } finally {
    await store.close();
  }
}

const loadAtStart = os.loadavg()[0]!;
const results: DeliverResult[] = [];
const understood: UnderstandResult[] = [];
try {
  results.push(await measureDelivery('SQLite (WAL, file)', 'sqlite', 1));
  const reachable = await admin.query('SELECT 1').then(() => true, () => false);
  if (!reachable) process.stderr.write(`PostgreSQL not reachable at ${PG_URL}: skipped\n`);
  else for (const n of REPLICAS) results.push(await measureDelivery('PostgreSQL', 'postgres', n));
  if (UNDERSTAND > 0) {
    for (const matching of [true, false]) {
      understood.push(await measureUnderstand('SQLite (WAL, file)', 'sqlite', matching));
      if (reachable) understood.push(await measureUnderstand('PostgreSQL', 'postgres', matching));
    }
  }
} finally {
  await slack.close();
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
}

const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '—');
process.stdout.write(`Delivery through the outbox to the fake Slack API (loopback HTTP), pacing and burst guard off, ${os.cpus().length} cores, 1-minute load ${fmt(loadAtStart, 2)} at the start, ${fmt(os.loadavg()[0]!, 2)} at the end\n`);
process.stdout.write(`| store | replicas | backlog drained | alerts/s | sent per replica | transactions per alert | stream (up to ${RATE} articles/s × ${CHANNELS} channels, ${SECONDS} s): articles/s produced | p50 stored→posted | p99 | max | posted per replica |\n|---|---|---|---|---|---|---|---|---|---|---|\n`);
for (const r of results) {
  process.stdout.write(`| ${r.store} | ${r.replicas} | ${r.rows} in ${fmt(r.drainS, 2)} s | ${fmt(r.perSecond)} | ${r.shares.join(' / ')} | ${r.transactionsPerAlert === undefined ? '—' : fmt(r.transactionsPerAlert, 1)} | ${fmt(r.latency.queued / CHANNELS / SECONDS)} | ${fmt(r.latency.p50Ms)} ms | ${fmt(r.latency.p99Ms)} ms | ${fmt(r.latency.maxMs)} ms | ${r.latency.shares.join(' / ')} |\n`);
}
if (understood.length > 0) {
  process.stdout.write(`\nThe understand step (one process, as the lock's holder runs it): scored against the bundled topics, placed in a story, recorded, and (matching) routed to ${CHANNELS} channels\n| store | articles | articles/s | stories | transactions per article |\n|---|---|---|---|---|\n`);
  for (const u of understood) process.stdout.write(`| ${u.store} | ${u.articles} ${u.matching ? `matching, ${CHANNELS} channels` : 'matching nothing'} | ${fmt(u.perSecond)} | ${u.stories} | ${u.transactionsPerArticle === undefined ? '—' : fmt(u.transactionsPerArticle, 1)} |\n`);
}
process.stdout.write(`${JSON.stringify({ results, understood })}\n`);
