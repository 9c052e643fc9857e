/**
 * Crash test: `watchfloor once` (the installed executable, a child process) against 30 feeds × 100 matching
 * items, killed with SIGKILL at random moments and restarted, then run to the end. The alerts go to a Slack
 * channel on the fake Slack API, which outlives every run: at the end it must hold each expected alert exactly
 * once — nothing lost, nothing twice — including the ones whose post went out just before a kill and was never
 * recorded (a re-sent `sending` row first looks for its delivery id in the channel's history). Every item
 * matches the topic, so the expected set is every item's link, as an alert or a follow-up in its story's thread. (The console cannot
 * be exact: a line written just before a kill cannot be read back, so its window is documented instead.)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeedServer, startFeedServer } from '../fakes/feed-server.ts';
import { madeUpWord, prng } from '../fakes/made-up.ts';
import { freshSchema } from '../fakes/postgres-schema.ts';
import { BOT_TOKEN, type FakeSlack, startFakeSlack } from '../fakes/slack-api.ts';
import { FEED_FIXTURES, writeTestConfig } from '../fakes/test-config.ts';
import { BIN } from '../fakes/watchfloor-process.ts';

const FEEDS = 30;
const ITEMS = 100;
const KILLS = 10;

const CHANNEL = 'C0CRASH';

let server: FeedServer;
let slack: FakeSlack;
let dir: string;

/** Every item's link: each one matches the topic, so each is posted once, as an alert or a follow-up. */
const expected: string[] = [];

function feedXml(feed: number, random: () => number): string {
  const items: string[] = [];
  for (let i = 0; i < ITEMS; i++) {
    const names = Array.from({ length: 5 }, () => madeUpWord(random));
    const minutes = 5 + Math.floor(random() * 600);
    const link = `https://wire${feed}.example/${i}-${names[0]!.toLowerCase()}`;
    expected.push(link);
    items.push(`<item>
  <title>North Korea ships artillery shells to Russia through ${names[0]} as ${names[1]} ${names[2]} watches</title>
  <link>${link}</link>
  <guid isPermaLink="false">f${feed}-i${i}</guid>
  <pubDate>${new Date(Date.now() - minutes * 60_000).toUTCString()}</pubDate>
  <description>Officials in ${names[3]} said North Korean munitions were loaded onto Russian ships bound for the war in Ukraine, the ${names[4]} monitor reported.</description>
</item>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Wire ${feed}</title><link>https://wire${feed}.example/</link><language>en</language>${items.join('\n')}</channel></rss>`;
}

beforeAll(async () => {
  server = await startFeedServer(FEED_FIXTURES);
  slack = await startFakeSlack();
  const random = prng(13);
  for (let f = 0; f < FEEDS; f++) server.set(`wire-${f}.rss`, feedXml(f, random), 'application/rss+xml; charset=utf-8');
  dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-crash-'));
});
afterAll(async () => {
  await server?.close();
  await slack?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  killed: boolean;
  /** Alerts the fake channel received during the run. */
  posted: number;
}

/** When to kill: after so many ms, or once the run has posted so many alerts; never when absent. */
type Kill = { afterMs: number } | { afterPosts: number };

/** Messages in the crash channel, thread replies included: one per alert or follow-up (edits are applied in place). */
const channelPosts = () => slack.messages.filter((m) => m.channel === CHANNEL);

/** One `watchfloor once`, killed with SIGKILL at `kill` unless it ends first. */
function once(config: string, env: NodeJS.ProcessEnv, kill?: Kill): Promise<Run> {
  return new Promise((resolve, reject) => {
    const before = channelPosts().length;
    const child = spawn(process.execPath, [BIN, 'once', '--config', config], { env: { ...process.env, LOG_LEVEL: 'error', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    const err: Buffer[] = [];
    let killed = false;
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = kill && 'afterMs' in kill ? setTimeout(() => (killed = child.kill('SIGKILL')), kill.afterMs) : undefined;
    // The fake lives in this process: watch its channel and kill right after the chosen post.
    const watch = kill && 'afterPosts' in kill
      ? setInterval(() => {
          if (!killed && channelPosts().length - before >= kill.afterPosts) killed = child.kill('SIGKILL');
        }, 2)
      : undefined;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(watch);
      const stderr = Buffer.concat(err).toString();
      if (!killed && code !== 0) return reject(new Error(`watchfloor once exited ${code ?? signal}: ${stderr}`));
      resolve({ killed: killed && signal === 'SIGKILL', posted: channelPosts().length - before });
    });
  });
}

/** The article link each message in the channel carries (every item has its own). */
function postedLinks(): string[] {
  return channelPosts().map((m) => /https:\/\/wire\d+\.example\/[\w-]+/.exec(JSON.stringify(m.blocks))?.[0] ?? `(no link in ${m.ts})`);
}

async function crashAndCount(name: string, storage: string | undefined, env: NodeJS.ProcessEnv) {
  const feeds = Array.from({ length: FEEDS }, (_, f) => server.url(`wire-${f}.rss`));
  // Every alert as its own message, as fast as the fake answers: the count is per alert (pacing and the burst
  // guard have their own tests: test/alerts/pacing.test.ts).
  const config = writeTestConfig(dir, name, { feeds, storage, to: `slack:${CHANNEL}`, extra: ['delivery: { pacing: false, burst: 0, feed_burst: 0 }'] });
  const slackEnv = { ...env, SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_API_URL: slack.apiUrl };
  slack.messages.splice(0); // each database starts with an empty channel
  const seed = Date.now() % 100_000;
  const random = prng(seed);
  const runs: Run[] = [];
  // Until KILLS runs were actually killed (a run may end before its moment comes). Every other kill at a random
  // time (start-up, polling, storing, understanding), the others at a random point of the delivering (after a
  // random number of alerts printed), where "posted" and "recorded" can part.
  for (let k = 0; runs.filter((r) => r.killed).length < KILLS && k < 3 * KILLS; k++) {
    runs.push(await once(config, slackEnv, k % 2 === 0 ? { afterMs: 200 + Math.floor(random() * 4_000) } : { afterPosts: 1 + Math.floor(random() * 250) }));
  }
  runs.push(await once(config, slackEnv));
  const seen = new Map<string, number>();
  for (const url of postedLinks()) seen.set(url, (seen.get(url) ?? 0) + 1);
  const lost = expected.filter((url) => !seen.has(url));
  const twice = [...seen].filter(([, n]) => n > 1).map(([url]) => url);
  const wanted = new Set(expected);
  const extra = [...seen.keys()].filter((url) => !wanted.has(url));
  const summary = { seed, killed: runs.filter((r) => r.killed).length, postedPerRun: runs.map((r) => r.posted), lost: lost.length, twice: twice.length, extra: extra.length };
  if (process.env.WATCHFLOOR_E2E_VERBOSE) process.stderr.write(`${name}: ${JSON.stringify(summary)}\n`);
  expect(summary.killed, JSON.stringify(summary)).toBe(KILLS);
  expect({ lost: lost.slice(0, 5), twice: twice.slice(0, 5), extra: extra.slice(0, 5) }, JSON.stringify(summary)).toEqual({ lost: [], twice: [], extra: [] });
  return summary;
}

describe('watchfloor once killed with SIGKILL and restarted', () => {
  it('posts every expected alert exactly once across the runs (SQLite)', async () => {
    await crashAndCount('sqlite', undefined, {});
  }, 600_000);

  it('posts every expected alert exactly once across the runs (PostgreSQL)', async () => {
    const db = freshSchema('wf_crash');
    try {
      await crashAndCount('pg', `{ driver: postgres, schema: ${db.schema} }`, { WATCHFLOOR_DATABASE_URL: db.url });
    } finally {
      await db.drop();
    }
  }, 600_000);
});
