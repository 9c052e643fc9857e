/**
 * Our full ingest path, measured in a process of its own (so its peak RSS is ours alone): the real
 * HttpClient, ReadPool and pollFeeds (fetch → decode → parse → normalize → store) and a fresh
 * SqliteStore in a temporary directory. One cycle is what runCycle does before matching: claim the
 * due feeds, then pollFeeds with the in-flight window main.ts uses.
 *
 * ingest.ts compiles this file with the sources it imports (bench/tsconfig.ours.json) and runs it
 * under plain node, as `npm start` runs dist/: a TypeScript loader would add its own memory.
 *
 * Input: argv[2] is JSON `OursInput`; output: one `OursResult` message to the parent.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { HttpClient } from '../../src/feeds/http/fetch.ts';
import { type PollDeps, pollFeeds } from '../../src/feeds/poll/poll.ts';
import { readFeedBytes } from '../../src/feeds/read/read.ts';
import { ReadPool } from '../../src/feeds/read/read-pool.ts';
import { DEFAULT_POLL_BOUNDS } from '../../src/feeds/poll/schedule.ts';
import { tuneGarbageCollection } from '../../src/gc.ts';
import { silentLogger } from '../../src/log.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { setGeneration } from './feed-server-client.ts';
import { PeakMemory } from './memory.ts';

export interface OursInput {
  origin: string;
  urls: string[];
  perHostConnections: number;
  totalConnections: number;
  growthCycles: number;
  /** Stop starting growth cycles (after the first two) once they have taken this long (seconds; 0 = no limit). */
  growthBudgetS: number;
  /** Polls in flight at once (`pollsInFlight` of poll.ts, as main.ts sets it). */
  pollsInFlight: number;
  /** Parser threads (config `poll.parse_threads`). */
  parseThreads: number;
}

export interface CycleFigures {
  seconds: number;
  /** CPU time of the whole process (every thread) during the cycle. */
  cpuSeconds: number;
  feeds: number;
  ok: number;
  failed: number;
  notModified: number;
  stored: number;
  fresh: number;
  peakMb: number;
  firstError?: string;
}

export interface OursResult {
  cold: CycleFigures;
  warm: CycleFigures;
  growth: CycleFigures[];
  warmAfterGrowth?: CycleFigures;
  articles: number;
  dbMb: number;
  processPeakMb: number;
}

const FAR_FUTURE = new Date(8.64e15);
const LEASE_MS = 5 * 60_000;

async function main(): Promise<void> {
  // As bin/watchfloor.js does at start.
  tuneGarbageCollection();
  const input = JSON.parse(process.argv[2]!) as OursInput;
  const dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-bench-ingest-'));
  const file = path.join(dir, 'bench.db');
  const store = new SqliteStore(file);
  const http = new HttpClient({
    allowPrivateNetworks: true,
    perHostConnections: input.perHostConnections,
    totalConnections: input.totalConnections,
  });
  const pool = input.parseThreads > 0 ? new ReadPool({ threads: input.parseThreads }) : undefined;
  try {
    const now = new Date();
    for (const url of input.urls) await store.addFeed({ url, intervalS: 900, addedBy: 'bench' }, now);
    const deps: PollDeps = {
      store,
      http,
      read: pool?.read ?? readFeedBytes,
      log: silentLogger(),
      now: () => new Date(),
      bounds: DEFAULT_POLL_BOUNDS,
      firstPollMaxAgeS: 24 * 3600,
    };

    const cycle = async (): Promise<CycleFigures> => {
      const peak = new PeakMemory().start();
      const started = performance.now();
      const cpu = process.cpuUsage();
      const t = new Date();
      const feeds = await store.claimDueFeeds(FAR_FUTURE, 'bench', new Date(t.getTime() + LEASE_MS), 10_000, t);
      const results = await pollFeeds(feeds, deps, input.pollsInFlight);
      const seconds = (performance.now() - started) / 1000;
      const { user, system } = process.cpuUsage(cpu);
      const figures: CycleFigures = { seconds, cpuSeconds: (user + system) / 1e6, feeds: feeds.length, ok: 0, failed: 0, notModified: 0, stored: 0, fresh: 0, peakMb: peak.stop() };
      for (const r of results) {
        if (r.status === 'failed') {
          figures.failed++;
          figures.firstError ??= r.error;
          continue;
        }
        figures.ok++;
        if (r.notModified) figures.notModified++;
        figures.stored += r.stored;
        figures.fresh += r.fresh.length;
      }
      return figures;
    };

    const cold = await cycle();
    const warm = await cycle();
    const growth: CycleFigures[] = [];
    const growthStarted = performance.now();
    for (let gen = 1; gen <= input.growthCycles; gen++) {
      if (gen > 2 && input.growthBudgetS > 0 && (performance.now() - growthStarted) / 1000 > input.growthBudgetS) break;
      await setGeneration(input.origin, gen);
      growth.push(await cycle());
    }
    const warmAfterGrowth = input.growthCycles > 0 ? await cycle() : undefined;

    const reader = new Database(file, { readonly: true });
    const articles = (reader.prepare('SELECT count(*) AS n FROM articles').get() as { n: number }).n;
    reader.close();
    const dbMb = ['', '-wal'].reduce((n, suffix) => n + (safeSize(file + suffix) ?? 0), 0) / 1024 / 1024;
    const result: OursResult = { cold, warm, growth, warmAfterGrowth, articles, dbMb, processPeakMb: Math.max(cold.peakMb, warm.peakMb, ...growth.map((g) => g.peakMb), warmAfterGrowth?.peakMb ?? 0) };
    process.send!(result);
  } finally {
    await http.close();
    await pool?.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function safeSize(file: string): number | undefined {
  try {
    return statSync(file).size;
  } catch {
    return undefined;
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
