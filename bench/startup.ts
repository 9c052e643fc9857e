/**
 * Start-up benchmark (issue 14): the time from starting `watchfloor run` (bin/watchfloor.js, the compiled dist/ as
 * in production) to `/readyz` answering 200, and the idle RSS once the first cycle is done, with the bundled
 * config — its feeds, topics, routes and digests — except that every feed is served by a local server (fixture
 * feeds) so nothing leaves the machine, and the database is a fresh file in a temporary folder.
 *
 * Each round starts a new process twice: on an empty database (migrations, first poll) and again on the database the
 * first start left (the usual restart). Figures are medians over the rounds; RSS is read from the bot's own
 * `/metrics` (process_resident_memory_bytes) twice: 5 s after the first cycle ended, while the parser thread is
 * still up, and idle — after BENCH_STARTUP_IDLE_S, past the parser thread's 30 s idle end (src/feeds/read/read-pool.ts),
 * as a bot sits between poll cycles.
 *
 * Run: npm run bench:startup   (targets: ready ≤ 1.5 s, idle RSS ≤ 150 MB)
 * Env: BENCH_STARTUP_ROUNDS (5), BENCH_STARTUP_IDLE_S (40: idle seconds before the idle RSS is read), BENCH_PARSE_THREADS
 *      (default as in the config: one parser thread on 2 cores; 0 parses on the main thread).
 * A missed target prints FAIL but does not stop `npm run bench`; a start that never gets ready exits 1.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { startFeedServer } from '../test/fakes/feed-server.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const TARGET = { readyS: 1.5, rssMb: 150 };
const ROUNDS = Number(process.env.BENCH_STARTUP_ROUNDS ?? 5);
const IDLE_S = Number(process.env.BENCH_STARTUP_IDLE_S ?? 40);
const AFTER_CYCLE_S = Math.min(5, IDLE_S);
const READY_TIMEOUT_MS = 30_000;
const FIXTURES = ['defense-wire.rss', 'korea-desk.atom', 'ru-wire.rss', 'unchanged.rss'];

interface Start {
  readyS: number;
  /** 5 s after the first cycle. */
  afterCycleMb: number;
  /** After IDLE_S idle seconds: the figure the target is for. */
  rssMb: number;
}

if (!existsSync(path.join(ROOT, 'dist/cli.js'))) {
  console.error('bench:startup runs the compiled bot: run `npm run build` first.');
  process.exit(1);
}

const server = await startFeedServer(path.join(ROOT, 'test/fixtures/feeds'));
const dir = mkdtempSync(path.join(os.tmpdir(), 'watchfloor-startup-'));

/** The bundled config with local feeds (same count), a database in `dir`, and a free port. */
function localConfig(round: number): { file: string; feeds: number } {
  const bundled = path.join(ROOT, 'config/watchfloor.yaml');
  const config = parse(readFileSync(bundled, 'utf8')) as Record<string, Record<string, unknown>> & { feeds: Array<{ url: string }>; topics: string[] };
  const feeds = config.feeds.map((feed, i) => ({ ...feed, url: server.url(`feed-${i}/${FIXTURES[i % FIXTURES.length]}`) }));
  const file = path.join(dir, `round-${round}.yaml`);
  writeFileSync(file, stringify({
    ...config,
    storage: { ...config.storage, path: path.join(dir, `round-${round}.db`) },
    fetch: { ...config.fetch, allow_private_networks: true },
    ...(process.env.BENCH_PARSE_THREADS ? { poll: { ...config.poll, parse_threads: Number(process.env.BENCH_PARSE_THREADS) } } : {}),
    feeds,
    topics: config.topics.map((t) => path.resolve(path.dirname(bundled), t)),
    http: { port: 0 },
  }));
  return { file, feeds: feeds.length };
}

async function startOnce(configFile: string): Promise<Start> {
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/watchfloor.js'), 'run', '--config', configFile], {
    env: { ...process.env, LOG_FORMAT: 'json', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  try {
    const port = await waitFor(child, () => {
      const line = stderr.split('\n').find((l) => l.includes('"msg":"listening on port'));
      return line ? (JSON.parse(line).port as number) : undefined;
    }, () => stderr);
    const base = `http://127.0.0.1:${port}`;
    await waitFor(child, async () => ((await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined), () => stderr);
    const readyS = (performance.now() - started) / 1000;
    // Idle: the first cycle (every feed due on an empty database, none on the restart) is over, then nothing for a few seconds.
    await waitFor(child, async () => {
      const body = (await (await fetch(`${base}/readyz`)).json()) as { checks: { poll: { detail: string } } };
      return body.checks.poll.detail.startsWith('the last poll cycle ended') ? true : undefined;
    }, () => stderr);
    const rssMb = async () => Number(/^process_resident_memory_bytes (\S+)$/m.exec(await (await fetch(`${base}/metrics`)).text())?.[1]) / 1024 / 1024;
    await new Promise((resolve) => setTimeout(resolve, AFTER_CYCLE_S * 1000));
    const afterCycleMb = await rssMb();
    await new Promise((resolve) => setTimeout(resolve, (IDLE_S - AFTER_CYCLE_S) * 1000));
    return { readyS, afterCycleMb, rssMb: await rssMb() };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)));
  }
}

/** Polls `check` every 10 ms until it gives a value; fails if the bot exits or takes longer than READY_TIMEOUT_MS. */
async function waitFor<T>(child: ChildProcess, check: () => T | undefined | Promise<T | undefined>, log: () => string): Promise<T> {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (child.exitCode !== null) throw new Error(`the bot exited with ${child.exitCode} before it was ready:\n${log()}`);
    if (performance.now() > deadline) throw new Error(`the bot was not ready within ${READY_TIMEOUT_MS / 1000} s:\n${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

let exitCode = 0;
try {
  const cold: Start[] = [];
  const warm: Start[] = [];
  let feedCount = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const { file, feeds } = localConfig(round);
    feedCount = feeds;
    cold.push(await startOnce(file));
    warm.push(await startOnce(file));
  }
  console.log(`watchfloor run, bundled config with its ${feedCount} feeds served on 127.0.0.1 — ${ROUNDS} rounds, Node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}`);
  console.log(`${'start'.padEnd(20)} ${'ready (median, min–max)'.padEnd(30)} ${`RSS ${AFTER_CYCLE_S} s after the cycle`.padEnd(28)} idle RSS after ${IDLE_S} s (median, min–max)`);
  const range = (xs: number[]) => `${median(xs).toFixed(0)} MB (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
  for (const [name, starts] of [['empty database', cold], ['existing database', warm]] as const) {
    const ready = starts.map((s) => s.readyS);
    const rss = starts.map((s) => s.rssMb);
    const readyCell = `${median(ready).toFixed(2)} s (${Math.min(...ready).toFixed(2)}–${Math.max(...ready).toFixed(2)}) ${verdict(median(ready) <= TARGET.readyS)}`;
    console.log(`${name.padEnd(20)} ${readyCell.padEnd(30)} ${range(starts.map((s) => s.afterCycleMb)).padEnd(28)} ${range(rss)} ${verdict(median(rss) <= TARGET.rssMb)}`);
  }
  console.log(`targets: ready ≤ ${TARGET.readyS} s, idle RSS ≤ ${TARGET.rssMb} MB`);
} catch (err) {
  console.error(`bench:startup: ${(err as Error).message}`);
  exitCode = 1;
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);
