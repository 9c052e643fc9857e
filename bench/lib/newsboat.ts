/**
 * The second reference: newsboat (Debian package) reloading the same feeds, cold and then with
 * every feed answering 304. It runs with a urls file, a cache and a config of its own in a
 * temporary HOME, `reload-threads` set to the concurrency of the other rows.
 *
 * newsboat 2.21 loses the validators of a feed's first download: it UPDATEs `rss_feed` with the
 * ETag and Last-Modified before the row is INSERTed (its debug log shows the order), so its second
 * reload downloads everything again and only the third sends conditional headers. Rather than
 * spend another minute on that second reload, the validators the server sent are written into its
 * cache — exactly what the second reload would store — and the all-304 reload is timed after that.
 * BENCH_NEWSBOAT_PRIME=reload runs (and reports) the real second reload instead.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { serverCounts, serverValidators } from './feed-server-client.ts';
import { watchPeak } from './memory.ts';

export interface NewsboatRun {
  seconds: number;
  peakMb?: number;
  exitCode: number | null;
  timedOut: boolean;
  /** What the feed server answered during the run, by status. */
  answers: Record<string, number>;
  stderr: string;
}

/** The version line, or undefined when newsboat is not on PATH. */
export function newsboatVersion(): string | undefined {
  const r = spawnSync('newsboat', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return /newsboat [\d.]+/.exec(r.stdout)?.[0] ?? r.stdout.split('\n')[0];
}

export async function benchNewsboat(
  origin: string,
  urls: string[],
  threads: number,
  timeoutMs: number,
  prime: 'cache' | 'reload',
): Promise<{ cold: NewsboatRun; second?: NewsboatRun; warm: NewsboatRun }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-bench-newsboat-'));
  try {
    const urlsFile = path.join(dir, 'urls');
    const config = path.join(dir, 'config');
    writeFileSync(urlsFile, `${urls.join('\n')}\n`);
    writeFileSync(config, `${[`reload-threads ${threads}`, 'download-timeout 60', 'show-read-feeds yes'].join('\n')}\n`);
    const args = ['-x', 'reload', '-u', urlsFile, '-c', path.join(dir, 'cache.db'), '-C', config];
    const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: path.join(dir, '.config'), XDG_DATA_HOME: path.join(dir, '.local/share') };
    const cold = await runOnce(origin, args, env, timeoutMs);
    let second: NewsboatRun | undefined;
    if (prime === 'reload') second = await runOnce(origin, args, env, timeoutMs);
    else await storeValidators(path.join(dir, 'cache.db'), await serverValidators(origin));
    const warm = await runOnce(origin, args, env, timeoutMs);
    return { cold, second, warm };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runOnce(origin: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<NewsboatRun> {
  await serverCounts(origin, true);
  const started = performance.now();
  const child = spawn('newsboat', args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const peak = watchPeak(child.pid!);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGTERM');
  }, timeoutMs);
  const exitCode = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const seconds = (performance.now() - started) / 1000;
  clearTimeout(timer);
  return { seconds, peakMb: peak(), exitCode, timedOut, answers: await serverCounts(origin), stderr: stderr.trim().slice(0, 500) };
}

/** What newsboat's FeedRetriever stores after a download: Last-Modified as epoch seconds, the ETag verbatim. */
async function storeValidators(cacheFile: string, validators: Array<{ url: string; etag: string; lastModified: string }>): Promise<void> {
  const db = new Database(cacheFile);
  try {
    const update = db.prepare('UPDATE rss_feed SET lastmodified = ?, etag = ? WHERE rssurl = ?');
    db.transaction(() => {
      for (const v of validators) update.run(Math.floor(Date.parse(v.lastModified) / 1000), v.etag, v.url);
    })();
  } finally {
    db.close();
  }
}
