/**
 * One `watchfloor once` cycle in a process of its own, for bench/memory.ts: the real CLI entry
 * (config → store → poll with the read pool → stories → matching → routing → console), run under
 * plain node from dist-bench/ as `npm start` runs dist/, so the peak RSS it reports is the
 * cycle's alone (no TypeScript loader). The peak is the kernel's (getrusage maxrss): every thread,
 * and moments no sampler would catch.
 *
 * Input: argv[2] is the config file; output: one `MemoryRunResult` message to the parent.
 */
import { Writable } from 'node:stream';
import { main } from '../../src/cli.ts';
import { tuneGarbageCollection } from '../../src/gc.ts';

export interface MemoryRunResult {
  code: number;
  seconds: number;
  peakMb: number;
  alerts: number;
  stderr: string;
}

async function run(): Promise<void> {
  // As bin/watchfloor.js does before anything loads.
  tuneGarbageCollection();
  const started = performance.now();
  let alerts = 0;
  let stderr = '';
  const stdout = new Writable({
    write(chunk, _enc, done) {
      alerts += String(chunk).split('\n').filter((l) => l.startsWith('{')).length;
      done();
    },
  });
  const errors = new Writable({
    write(chunk, _enc, done) {
      if (stderr.length < 4000) stderr += String(chunk);
      done();
    },
  });
  const code = await main(['once', '--config', process.argv[2]!], { stdout, stderr: errors, stdin: process.stdin, env: { ...process.env, LOG_LEVEL: 'warn' }, cwd: process.cwd() });
  const result: MemoryRunResult = { code, seconds: (performance.now() - started) / 1000, peakMb: process.resourceUsage().maxRSS / 1024, alerts, stderr };
  process.send!(result);
  process.disconnect();
}

await run();
