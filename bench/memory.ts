/**
 * Memory benchmark (issue 17, point 3): the peak RSS of a whole `watchfloor once` cycle when feeds
 * carry one huge description each — the case that cost 553 MB for one feed and 808 MB for eight with
 * four parser threads, and killed a container with a 512 MB limit. Target: the cycle's peak under
 * 300 MB whatever the feeds hold.
 *
 * A local server (this process) serves feeds of one item whose description is 9 MiB of escaped HTML
 * paragraphs (news-like sentences that hit the flagship topic, so matching, clustering and
 * summaries all run); each case runs `once` in a process of its own (bench/lib/memory-run.ts,
 * compiled to dist-bench/ and run under plain node) against a fresh SQLite file.
 *
 * Run: npx tsx bench/memory.ts
 * Env: BENCH_MEMORY_MIB (9: the description's size), BENCH_MEMORY_CASES ("1x1,8x4": feeds × parser threads).
 * A missed target prints FAIL and exits 1; the figures are noisy on a shared machine.
 */
import { execFileSync, fork } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MemoryRunResult } from './lib/memory-run.ts';
import { rng } from './lib/random.ts';

const TARGET_MB = 300;
const MIB = Number(process.env.BENCH_MEMORY_MIB ?? 9);
const CASES = (process.env.BENCH_MEMORY_CASES ?? '1x1,8x4').split(',').map((c) => {
  const [feeds, threads] = c.split('x').map(Number);
  return { feeds: feeds!, threads: threads! };
});
const ROOT = new URL('../', import.meta.url);
const FLAGSHIP_TOPIC = fileURLToPath(new URL('config/topics/dprk-russia-arms.yaml', ROOT));

const SUBJECTS = ['North Korea', 'Pyongyang', 'Russia', 'The Kremlin', 'Seoul', 'A defence ministry official', 'Analysts', 'The report'];
const VERBS = ['shipped', 'delivered', 'transferred', 'loaded', 'denied sending', 'confirmed', 'tracked', 'described'];
const OBJECTS = ['artillery shells', 'ballistic missiles', 'containers of ammunition', 'rail cars of munitions', 'a cargo of rockets', 'spare parts'];
const PLACES = ['through the port of Rason', 'by rail across the Tumen river', 'to Vostochny', 'via Vladivostok', 'over the past month', 'according to satellite images'];

/** `bytes` of escaped HTML paragraphs, as an RSS description carries them (`&lt;p&gt;…&lt;/p&gt;`). */
function hugeDescription(bytes: number, seed: number): string {
  const random = rng(seed);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)]!;
  const parts: string[] = [];
  let size = 0;
  while (size < bytes) {
    const sentences: string[] = [];
    for (let i = 0; i < 6; i++) sentences.push(`${pick(SUBJECTS)} ${pick(VERBS)} ${pick(OBJECTS)} ${pick(PLACES)}, item ${Math.floor(random() * 1e6)}.`);
    const paragraph = `&lt;p&gt;${sentences.join(' ')}&lt;/p&gt;\n`;
    parts.push(paragraph);
    size += paragraph.length;
  }
  return parts.join('');
}

function feedXml(n: number, description: string): string {
  const date = new Date(Date.now() - 60_000).toUTCString();
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Huge outlet ${n}</title><link>https://huge${n}.example/</link><description>one huge item</description>
<item><title>North Korea ships artillery shells to Russia, report ${n} says</title><link>https://huge${n}.example/story</link><guid>huge-${n}</guid>
<pubDate>${date}</pubDate><description>${description}</description></item>
</channel></rss>
`;
}

function compile(): URL {
  const out = new URL('dist-bench/', ROOT);
  rmSync(out, { recursive: true, force: true });
  try {
    execFileSync(process.execPath, [fileURLToPath(new URL('node_modules/typescript/bin/tsc', ROOT)), '-p', fileURLToPath(new URL('bench/tsconfig.ours.json', ROOT))], { stdio: 'inherit' });
  } catch {
    // Type errors still emit JavaScript; a missing entry below is the failure that matters.
    console.log('(tsc reported type errors; running what it emitted)');
  }
  cpSync(new URL('src/store/migrations', ROOT), new URL('src/store/migrations', out), { recursive: true });
  return new URL('bench/lib/memory-run.js', out);
}

function runOnce(script: URL, config: string): Promise<MemoryRunResult> {
  return new Promise((resolve, reject) => {
    const child = fork(script, [config], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
    let result: MemoryRunResult | undefined;
    child.on('message', (m) => (result = m as MemoryRunResult));
    child.on('exit', (code) => (result ? resolve(result) : reject(new Error(`memory-run exited with code ${code} and no result`))));
  });
}

async function main(): Promise<void> {
  console.log('Watchfloor memory benchmark (issue 17): peak RSS of one `once` cycle over feeds of one huge description');
  console.log(`machine: ${os.availableParallelism()} CPUs, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const maxFeeds = Math.max(...CASES.map((c) => c.feeds));
  const bodies = Array.from({ length: maxFeeds }, (_, i) => Buffer.from(feedXml(i, hugeDescription(MIB * 1024 * 1024, 17 + i))));
  const server = http.createServer((req, res) => {
    const n = Number(/^\/feed\/(\d+)$/.exec(req.url ?? '')?.[1]);
    const body = bodies[n];
    if (!body) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', 'content-length': body.length });
    res.end(body);
  });
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as AddressInfo).port;
  console.log(`feeds:   RSS 2.0, one item each, its description ${MIB} MiB of escaped HTML paragraphs (${(bodies[0]!.length / 2 ** 20).toFixed(1)} MiB a feed); fetch.max_bytes 10 MiB`);

  const script = compile();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'watchfloor-bench-memory-'));
  let failed = false;
  try {
    console.log('');
    console.log('case                              exit  alerts  seconds  peak RSS MB  target');
    for (const c of CASES) {
      const config = path.join(dir, `${c.feeds}x${c.threads}.yaml`);
      writeFileSync(config, [
        `storage: { path: ${JSON.stringify(path.join(dir, `${c.feeds}x${c.threads}.db`))} }`,
        `fetch: { allow_private_networks: true, timeout: 60s, max_bytes: ${10 * 1024 * 1024} }`,
        `poll: { parse_threads: ${c.threads} }`,
        'feeds:',
        ...Array.from({ length: c.feeds }, (_, i) => `  - url: http://127.0.0.1:${port}/feed/${i}`),
        `topics: [${JSON.stringify(FLAGSHIP_TOPIC)}]`,
        'routes: [{ topic: dprk-russia-arms, to: console }]',
        'console: { format: json }',
      ].join('\n'));
      const r = await runOnce(script, config);
      const ok = r.code === 0 && r.peakMb <= TARGET_MB;
      failed ||= !ok;
      const name = `${c.feeds} feed${c.feeds === 1 ? '' : 's'}, ${c.threads} parser thread${c.threads === 1 ? '' : 's'}`;
      console.log(`${name.padEnd(32)}  ${String(r.code).padStart(4)}  ${String(r.alerts).padStart(6)}  ${r.seconds.toFixed(1).padStart(7)}  ${r.peakMb.toFixed(0).padStart(11)}  ${ok ? 'PASS' : `FAIL (≤ ${TARGET_MB} MB, exit 0)`}`);
      if (r.code !== 0) console.log(`  stderr: ${r.stderr.trim().split('\n').slice(0, 3).join(' | ')}`);
    }
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
