/**
 * Replicas on one PostgreSQL schema: two, then three `watchfloor run --role worker` processes (the installed
 * executable) poll 200 feeds of a local feed server and post to two channels of the fake Slack API. Each of 40
 * stories is reported by five outlets on five different feeds (their own URLs, the same headline under the
 * outlet's name, one reworded). Half the stories come out one outlet a wave, and the first waves each go to one
 * replica alone (the others are paused with SIGSTOP, and only once they hold no lease and the understand lock is
 * free): a story is opened by one replica and followed up by another, whose story window must take in what the first
 * placed. The last wave goes to all the replicas at once, racing for feeds, the lock and the outbox, and brings the
 * other half of the stories, all five reports together. At the end each channel must hold, for every story, exactly
 * one alert and its four follow-ups in the alert's thread: nothing lost, nothing twice, no story opened twice (what a
 * window without the store's catch-up, or placement without the lock, gives); the store must have placed each report
 * once. And every replica must have polled, placed and posted, by its own /metrics and, at the fake Slack, by its
 * own token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StoryIndex } from '../../src/stories/cluster.ts';
import { type FeedServer, startFeedServer } from '../fakes/feed-server.ts';
import { madeUpWord, prng } from '../fakes/made-up.ts';
import { freshSchema } from '../fakes/postgres-schema.ts';
import { type FakeSlack, type PostedMessage, startFakeSlack } from '../fakes/slack-api.ts';
import { FEED_FIXTURES, writeTestConfig } from '../fakes/test-config.ts';
import { spawnWatchfloor, until, type WatchfloorProcess } from '../fakes/watchfloor-process.ts';

const FEEDS = 200;
const STORIES = 40;
const OUTLETS = 5;
const WAVES = 4;
/**
 * The wave in which a report comes out. Even stories are staged: outlet 0 opens the story, one more a wave, the last
 * two together. Odd stories break in the last wave, all five outlets at once: replicas race to open them.
 */
const STAGED = [0, 1, 2, 3, 3];
const waveOf = (r: { story: number; outlet: number }) => (r.story % 2 === 0 ? STAGED[r.outlet]! : WAVES - 1);
/** The replicas (indexes) that run during a wave: one at a time, in turn, then all of them. */
const runnersOf = (wave: number, replicas: number) => (wave < WAVES - 1 ? [wave % replicas] : Array.from({ length: replicas }, (_, i) => i));
const CHANNELS = ['C0REPLA', 'C0REPLB'];
const TOKENS = ['xoxb-replica-1', 'xoxb-replica-2', 'xoxb-replica-3'];

/** Outlet k of story s is on this feed: the five outlets of a story are five feeds, each feed carries one report. */
const feedOf = (s: number, k: number) => (s + k * (FEEDS / OUTLETS)) % FEEDS;
const feedName = (f: number) => `outlet-${f}.rss`;

interface Report {
  story: number;
  outlet: number;
  feed: number;
  title: string;
  lead: string;
  link: string;
}

/**
 * Every story has a key figure of its own (3,100 + 37 s shells) and made-up names: two stories' reports share
 * the template but no figure, which the clustering's number veto keeps apart; a story's reports share the
 * headline (the outlet's name after a dash is stripped from the key) or, for the last outlet, reword its end and
 * keep the lead, a near-duplicate.
 */
function generate(seed: number): Report[] {
  const random = prng(seed);
  const reports: Report[] = [];
  for (let s = 0; s < STORIES; s++) {
    const [port, officials, monitor] = [madeUpWord(random), madeUpWord(random), madeUpWord(random)];
    const figure = (3100 + 37 * s).toLocaleString('en-US');
    const headline = `North Korea ships ${figure} artillery shells to Russia through ${port}`;
    const lead = `Officials in ${officials} said ${figure} North Korean artillery shells were loaded onto Russian ships bound for the war in Ukraine, the ${monitor} monitor reported.`;
    for (let k = 0; k < OUTLETS; k++) {
      const feed = feedOf(s, k);
      const title = k === OUTLETS - 1 ? `${headline}, ship trackers say` : `${headline} - Outlet ${feed}`;
      reports.push({ story: s, outlet: k, feed, title, lead, link: `https://outlet${feed}.example/${s}-${k}-${port.toLowerCase()}` });
    }
  }
  return reports;
}

let feeds: FeedServer;
let slack: FakeSlack;
let dir: string;
const seed = Date.now() % 100_000;
const reports = generate(seed);
const byLink = new Map(reports.map((r) => [r.link, r]));

beforeAll(async () => {
  feeds = await startFeedServer(FEED_FIXTURES);
  slack = await startFakeSlack({ tokens: TOKENS });
  dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-replicas-'));
});
afterAll(async () => {
  await feeds?.close();
  await slack?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Serves every report of waves up to `wave` (none below 0), each dated when its wave came out; returns the time it was set. */
function release(wave: number, releasedAt: number[]): number {
  if (wave >= 0) releasedAt[wave] = Date.now();
  const items = new Map<number, string[]>();
  for (const r of reports) {
    if (waveOf(r) > wave) continue;
    const at = new Date(releasedAt[waveOf(r)]! - (OUTLETS - r.outlet) * 1000);
    const list = items.get(r.feed) ?? [];
    list.push(`<item><title>${r.title}</title><link>${r.link}</link><guid isPermaLink="false">s${r.story}-k${r.outlet}</guid><pubDate>${at.toUTCString()}</pubDate><description>${r.lead}</description></item>`);
    items.set(r.feed, list);
  }
  for (let f = 0; f < FEEDS; f++) {
    feeds.set(feedName(f), `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Outlet ${f}</title><link>https://outlet${f}.example/</link><language>en</language>${(items.get(f) ?? []).join('')}</channel></rss>`, 'application/rss+xml; charset=utf-8');
  }
  return Date.now();
}

/**
 * The wave is through when every feed was answered with its new content and that poll recorded, no stored
 * article waits to be understood, and no delivery waits to be sent.
 */
async function settled(db: pg.Client, since: number): Promise<boolean> {
  const served = new Map<string, number>();
  for (const r of feeds.requests) if (r.at >= since && !served.has(r.path)) served.set(r.path, r.at);
  if (served.size < FEEDS) return false;
  const polled = await db.query<{ url: string; last_success_at: Date | null }>('SELECT url, last_success_at FROM feeds');
  for (const row of polled.rows) {
    const at = served.get(new URL(row.url).pathname);
    if (at === undefined || !row.last_success_at || row.last_success_at.getTime() < at) return false;
  }
  const waiting = await db.query<{ n: number }>(
    `SELECT (SELECT count(*) FROM articles WHERE understood_at IS NULL) + (SELECT count(*) FROM deliveries WHERE status IN ('pending', 'deferred', 'sending')) AS n`,
  );
  return Number(waiting.rows[0]!.n) === 0;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Pauses a replica (SIGSTOP) at a moment it holds nothing others wait for: no feed or delivery lease (its owner name
 * is `host:pid:start`) and not the understand lock (free when this connection can take it; given back at once).
 * Otherwise it is resumed and tried again a little later.
 */
async function pause(p: WatchfloorProcess, db: pg.Client): Promise<void> {
  const owner = `%:${p.child.pid}:%`;
  for (;;) {
    p.child.kill('SIGSTOP');
    // A statement it sent just before the stop is carried out meanwhile.
    await sleep(200);
    const held = await db.query<{ n: string }>(
      `SELECT (SELECT count(*) FROM feeds WHERE lease_owner LIKE $1 AND lease_until > now())
            + (SELECT count(*) FROM deliveries WHERE status = 'sending' AND lease_owner LIKE $1) AS n`,
      [owner],
    );
    if (Number(held.rows[0]!.n) === 0) {
      const lock = await db.query<{ free: boolean }>(`SELECT pg_try_advisory_lock(hashtext('watchfloor.understand'), hashtext(current_schema())) AS free`);
      if (lock.rows[0]!.free) {
        await db.query(`SELECT pg_advisory_unlock(hashtext('watchfloor.understand'), hashtext(current_schema()))`);
        return;
      }
    }
    p.child.kill('SIGCONT');
    await sleep(100 + Math.random() * 200);
  }
}

/** Sum of a counter over its labels (`name` or `name{…}` lines of a Prometheus scrape), or of the lines `labels` picks. */
function counter(scrape: string, name: string, labels = ''): number {
  let sum = 0;
  for (const line of scrape.split('\n')) {
    const m = /^(\w+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m?.[1] === name && (m[2] ?? '').includes(labels)) sum += Number(m[3]);
  }
  return sum;
}

/** What a replica says it did, from its own /metrics: polls, new articles stored, articles placed (each matches), alerts sent. */
async function workOf(p: WatchfloorProcess): Promise<{ polled: number; stored: number; placed: number; sent: number }> {
  const port = /listening on port (\d+)/.exec(p.stderr())![1];
  const scrape = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return {
    polled: counter(scrape, 'watchfloor_feed_fetches_total'),
    stored: counter(scrape, 'watchfloor_articles_ingested_total'),
    placed: counter(scrape, 'watchfloor_matches_total'),
    sent: counter(scrape, 'watchfloor_deliveries_total', 'status="sent"'),
  };
}

/** The JSON lines a replica logged. */
function logLines(p: WatchfloorProcess): Array<Record<string, unknown>> {
  return p.stderr().split('\n').flatMap((line) => {
    try {
      return line.startsWith('{') ? [JSON.parse(line) as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
}

interface ChannelCheck {
  alerts: number;
  followups: number;
  /** Stories without an alert, or reports posted nowhere in the channel. */
  lost: string[];
  /** Deliveries posted twice, stories alerted twice, reports posted twice. */
  twice: string[];
  /** Follow-ups outside their story's alert thread, messages of no known report. */
  misplaced: string[];
}

/** What one channel holds, read against the reports: each message is told by its delivery id (its metadata). */
function checkChannel(channel: string, messages: PostedMessage[], urlOf: Map<number, { url: string; kind: string }>): ChannelCheck {
  const check: ChannelCheck = { alerts: 0, followups: 0, lost: [], twice: [], misplaced: [] };
  const seenDeliveries = new Set<number>();
  const alertTs = new Map<number, string>();
  const posted = new Map<string, number>();
  const replies: Array<{ message: PostedMessage; report: Report }> = [];
  for (const m of messages) {
    const id = Number(m.metadata?.event_payload?.delivery_id);
    const delivery = urlOf.get(id);
    const report = delivery && byLink.get(delivery.url);
    if (!report) {
      check.misplaced.push(`${channel} ${m.ts}: no known report (delivery ${id})`);
      continue;
    }
    if (seenDeliveries.has(id)) check.twice.push(`${channel}: delivery ${id} (${report.link})`);
    seenDeliveries.add(id);
    posted.set(report.link, (posted.get(report.link) ?? 0) + 1);
    if ((delivery.kind === 'alert') === Boolean(m.thread_ts)) check.misplaced.push(`${channel}: ${delivery.kind} ${report.link} ${m.thread_ts ? 'in a thread' : 'at the top level'}`);
    if (m.thread_ts) {
      check.followups++;
      replies.push({ message: m, report });
    } else {
      check.alerts++;
      if (alertTs.has(report.story)) check.twice.push(`${channel}: story ${report.story} alerted again by ${report.link}`);
      else alertTs.set(report.story, m.ts);
    }
  }
  for (const { message, report } of replies) {
    if (message.thread_ts !== alertTs.get(report.story)) check.misplaced.push(`${channel}: ${report.link} in thread ${message.thread_ts}, not story ${report.story}'s`);
  }
  for (let s = 0; s < STORIES; s++) if (!alertTs.has(s)) check.lost.push(`${channel}: story ${s} has no alert`);
  for (const r of reports) {
    const n = posted.get(r.link) ?? 0;
    if (n === 0) check.lost.push(`${channel}: ${r.link}`);
    if (n > 1) check.twice.push(`${channel}: ${r.link} ×${n}`);
  }
  return check;
}

async function runReplicas(replicas: number) {
  const db = freshSchema('wf_replicas');
  slack.messages.splice(0);
  slack.calls.splice(0);
  const config = writeTestConfig(dir, `replicas-${replicas}`, {
    feeds: Array.from({ length: FEEDS }, (_, f) => feeds.url(feedName(f))),
    storage: `{ driver: postgres, schema: ${db.schema} }`,
    to: CHANNELS.map((c) => `slack:${c}`),
    // Every outlet is on 127.0.0.1 here: the per-host limit would make them one slow outlet.
    fetch: 'per_host: 8',
    extra: [
      // A tick every second and every feed due again a second after its poll: each wave is seen within seconds.
      'poll: { schedule: "* * * * * *", interval: 1s, min_interval: 1s, max_interval: 2s, parse_threads: 0 }',
      // Every alert its own message as fast as the fake answers (pacing has its own tests).
      'delivery: { pacing: false, burst: 0 }',
    ],
  });
  const releasedAt: number[] = [];
  // Every feed empty until the first wave: the replicas' first polls find nothing.
  release(-1, releasedAt);
  const client = new pg.Client({ connectionString: db.url, options: `-c search_path=${db.schema}` });
  const processes = TOKENS.slice(0, replicas).map((token) =>
    spawnWatchfloor(['run', '--role', 'worker', '--config', config], {
      ...process.env,
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      WATCHFLOOR_DATABASE_URL: db.url,
      SLACK_BOT_TOKEN: token,
      SLACK_API_URL: slack.apiUrl,
    }),
  );
  const logs = () => processes.map((p, i) => `--- replica ${i + 1} (exit ${p.child.exitCode}) ---\n${p.stderr().slice(-3000)}`).join('\n');
  try {
    await until('every replica to listen', () => {
      if (processes.some((p) => p.child.exitCode !== null)) throw new Error(`a replica exited early\n${logs()}`);
      return processes.every((p) => /listening on port/.test(p.stderr()));
    }, { detail: logs });
    await client.connect();
    const paused = new Set<number>();
    const waveMs: number[] = [];
    for (let wave = 0; wave < WAVES; wave++) {
      const runners = runnersOf(wave, replicas);
      for (const i of [...paused].filter((i) => runners.includes(i))) {
        processes[i]!.child.kill('SIGCONT');
        paused.delete(i);
      }
      for (const i of processes.keys()) {
        if (runners.includes(i) || paused.has(i)) continue;
        await pause(processes[i]!, client);
        paused.add(i);
      }
      const from = release(wave, releasedAt);
      await until(`wave ${wave} to be polled, understood and delivered by replicas ${runners.map((i) => i + 1).join(', ')}`, () => settled(client, from), { timeoutMs: 90_000, everyMs: 200, detail: logs });
      waveMs.push(Date.now() - from);
    }
    const did = await Promise.all(processes.map(workOf));
    for (const p of processes) p.child.kill('SIGTERM');
    const codes = await Promise.all(processes.map((p) => p.exited));
    expect(codes, logs()).toEqual(processes.map(() => 0));

    const deliveries = await client.query<{ id: number; url: string; kind: string }>('SELECT d.id, a.canonical_url AS url, d.kind FROM deliveries d JOIN articles a ON a.id = d.article_id');
    const urlOf = new Map(deliveries.rows.map((r) => [Number(r.id), { url: r.url, kind: r.kind }]));
    const checks = CHANNELS.map((c) => checkChannel(c, slack.messages.filter((m) => m.channel === c), urlOf));
    const work = did.map((w, i) => ({
      ...w,
      posted: slack.callsTo('chat.postMessage').filter((c) => c.token === TOKENS[i]).length,
      errors: logLines(processes[i]!).filter((l) => Number(l.level) >= 50).map((l) => l.msg),
    }));
    const summary = { seed, replicas, waveMs, channels: checks.map(({ alerts, followups, lost, twice, misplaced }) => ({ alerts, followups, lost: lost.length, twice: twice.length, misplaced: misplaced.length })), work };
    if (process.env.WATCHFLOOR_E2E_VERBOSE) process.stderr.write(`replicas ${replicas}: ${JSON.stringify(summary)}\n`);

    const sample = (list: string[]) => list.slice(0, 5);
    expect(checks.map((c) => ({ lost: sample(c.lost), twice: sample(c.twice), misplaced: sample(c.misplaced) })), JSON.stringify(summary)).toEqual(CHANNELS.map(() => ({ lost: [], twice: [], misplaced: [] })));
    expect(checks.map((c) => [c.alerts, c.followups])).toEqual(CHANNELS.map(() => [STORIES, STORIES * (OUTLETS - 1)]));
    // The stories themselves: one per event in the store, holding its five reports.
    const placed = await client.query<{ url: string; story_id: number }>('SELECT canonical_url AS url, story_id FROM articles');
    const storiesOf = new Map<number, Set<number>>();
    for (const row of placed.rows) {
      const story = byLink.get(row.url)!.story;
      storiesOf.set(story, (storiesOf.get(story) ?? new Set()).add(Number(row.story_id)));
    }
    expect([...storiesOf.values()].filter((ids) => ids.size !== 1).length, JSON.stringify(summary)).toBe(0);
    expect(new Set(placed.rows.map((r) => Number(r.story_id))).size).toBe(STORIES);
    expect(work.map((w) => w.errors), JSON.stringify(summary)).toEqual(processes.map(() => []));
    // The counts add up: every feed polled at least once a wave, every report stored and placed once, every post made.
    expect(work.reduce((n, w) => n + w.polled, 0)).toBeGreaterThanOrEqual(FEEDS * WAVES);
    expect([work.reduce((n, w) => n + w.stored, 0), work.reduce((n, w) => n + w.placed, 0)]).toEqual([reports.length, reports.length]);
    expect(work.reduce((n, w) => n + w.sent, 0)).toBe(CHANNELS.length * reports.length);
    expect(work.map((w) => w.posted), 'each replica posts with its own token').toEqual(work.map((w) => w.sent));
    // Shared: each replica had a wave of its own, and polled, placed and posted in it.
    expect(work.map((w) => [w.polled > 0, w.placed > 0, w.sent > 0]), JSON.stringify(summary)).toEqual(processes.map(() => [true, true, true]));
    return summary;
  } finally {
    for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    await client.end().catch(() => {});
    await db.drop();
  }
}

describe('replicas on one PostgreSQL database', () => {
  it('the generated reports fold into one story per event, and no two events fold', () => {
    // The fixtures' own check, in this process: were this to fail, the replica tests below would say nothing.
    const index = new StoryIndex();
    const storyOf = new Map<number, number>();
    let next = 0;
    const now = Date.now();
    const ordered = [...reports].sort((a, b) => waveOf(a) - waveOf(b) || a.outlet - b.outlet || a.story - b.story);
    ordered.forEach((r, i) => {
      const placed = index.place({ articleId: i + 1, url: r.link, title: r.title, lead: r.lead, publishedAt: new Date(now + waveOf(r) * 10_000 + r.outlet * 1000), concepts: [], language: 'en', source: '127.0.0.1' }, () => ++next);
      const opened = storyOf.get(r.story);
      if (opened === undefined) storyOf.set(r.story, placed.storyId);
      expect({ story: r.story, outlet: r.outlet, storyId: placed.storyId }).toEqual({ story: r.story, outlet: r.outlet, storyId: opened ?? placed.storyId });
    });
    expect(next).toBe(STORIES);
  });

  it('two replicas: every alert once per channel, every follow-up once in its thread, both did work', async () => {
    await runReplicas(2);
  }, 240_000);

  it('three replicas: every alert once per channel, every follow-up once in its thread, all did work', async () => {
    await runReplicas(3);
  }, 240_000);
});
