/**
 * Scheduled digests as outbox rows: queued once per (schedule, period) under a key that names the digest and not
 * its place in the config file, and posted by the outbox with an alert's handling — here a 429 from the fake
 * Slack, waited out and posted once. The clock is the file's: the feeds' dates, the ticks and the outbox's time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverPending } from '../../src/alerts/deliver.ts';
import type { App } from '../../src/app.ts';
import { main } from '../../src/cli.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/log.ts';
import { createApp } from '../../src/main.ts';
import { queueChannelDigests, queueScheduledDigest } from '../../src/scheduler.ts';
import { captureIO } from '../fakes/cli-io.ts';
import { type FeedServer, startFeedServer } from '../fakes/feed-server.ts';
import { BOT_TOKEN, type FakeSlack, startFakeSlack } from '../fakes/slack-api.ts';
import { FEED_FIXTURES, writeTestConfig } from '../fakes/test-config.ts';

const T0 = new Date('2026-11-20T10:00:00Z');
const HEADLINE = 'artillery shells to Russia through Rajin';

let server: FeedServer;
let slack: FakeSlack;
let dir: string;
let feeds: string[];

/** Time that moves only when told. */
function clock(start: Date) {
  let t = start.getTime();
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}

/** A config on the shared database whose digests are `digests` (YAML flow items), in that order. */
function configWith(name: string, digests: string[]): string {
  return writeTestConfig(dir, name, {
    feeds,
    storage: `{ path: ${JSON.stringify(path.join(dir, 'shared.db'))} }`,
    extra: [`digests: [${digests.join(', ')}]`],
  });
}

const DPRK_BERLIN = '{ to: console, topic: dprk-russia-arms, cron: "0 8 * * *", timezone: Europe/Berlin, since: 24h }';
const EVERYTHING_UTC = '{ to: console, cron: "0 9 * * *", since: 7d }';
const NAMED = '{ name: morning-brief, to: console, cron: "30 7 * * *", since: 24h }';

async function appOf(config: string, options: { now: () => Date; env?: Record<string, string> }) {
  const out = captureIO();
  const app = await createApp(loadConfig(config, {}), { stdout: out.stdout, log: silentLogger(), env: options.env ?? {}, now: options.now });
  return { app, out };
}

const deliver = (app: App) => deliverPending({ store: app.store, sinks: app.pipeline.sinks, log: silentLogger(), now: app.pipeline.now, owner: app.pipeline.owner, pacer: app.pipeline.pacer });
const digestLines = (text: string) => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((l) => l.kind === 'digest');

beforeAll(async () => {
  server = await startFeedServer(FEED_FIXTURES, { now: T0 });
  slack = await startFakeSlack();
  dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-digest-outbox-'));
  feeds = ['defense-wire.rss', 'korea-desk.atom', 'ru-wire.rss'].map((f) => server.url(f));
  const io = { ...captureIO(), now: () => new Date(T0.getTime() + 60_000) };
  expect(await main(['once', '--config', configWith('seed', [])], io), io.err()).toBe(0);
});
afterAll(async () => {
  await server.close();
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('scheduled digests through the outbox', () => {
  it('reordering the config file, or adding a digest before one, does not post a period twice', async () => {
    const tick = new Date('2026-11-20T11:00:00Z');
    const first = await appOf(configWith('order-a', [DPRK_BERLIN, EVERYTHING_UTC]), { now: () => tick });
    try {
      for (const digest of first.app.config.digests) expect(await queueScheduledDigest(first.app, digest, tick, silentLogger())).toBe(true);
      expect(await deliver(first.app)).toMatchObject({ sent: 2 });
      expect(digestLines(first.out.out())).toHaveLength(2);
    } finally {
      await first.app.close();
    }

    // The restarted bot's tick for the same period, the two digests swapped and a new one between them: each moved.
    const second = await appOf(configWith('order-b', [EVERYTHING_UTC, NAMED, DPRK_BERLIN]), { now: () => tick });
    try {
      const queued = [];
      for (const digest of second.app.config.digests) queued.push(await queueScheduledDigest(second.app, digest, tick, silentLogger()));
      expect(queued).toEqual([false, true, false]);
      expect(await deliver(second.app)).toMatchObject({ sent: 1 });
      const lines = digestLines(second.out.out());
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ storyCount: 1 });
      const rows = await second.app.store.listDeliveries({ kind: 'digest', limit: 10 });
      expect(rows.map((d) => [d.status, d.topic])).toEqual([['sent', '(all topics)'], ['sent', '(all topics)'], ['sent', 'dprk-russia-arms']]);
    } finally {
      await second.app.close();
    }

    // A named digest keeps its key through an edit of everything but its name.
    const third = await appOf(configWith('order-c', [NAMED.replace('30 7', '45 7').replace('24h', '48h')]), { now: () => tick });
    try {
      expect(await queueScheduledDigest(third.app, third.app.config.digests[0]!, tick, silentLogger())).toBe(false);
    } finally {
      await third.app.close();
    }
  });

  it('a digest Slack answers with 429 waits out its Retry-After, spends no attempt, and is posted once', async () => {
    const time = clock(new Date('2026-11-20T12:00:00Z'));
    const config = configWith('slack', ['{ to: "slack:C0DIGEST", topic: dprk-russia-arms, cron: "0 13 * * *", since: 24h }']);
    const { app } = await appOf(config, { now: time.now, env: { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_API_URL: slack.apiUrl } });
    const inDigestChannel = () => slack.messages.filter((m) => m.channel === 'C0DIGEST');
    try {
      const tick = time.now();
      expect(await queueScheduledDigest(app, app.config.digests[0]!, tick, silentLogger())).toBe(true);
      slack.rateLimit('chat.postMessage', 30);
      expect(await deliver(app)).toMatchObject({ sent: 0, held: 1, failed: 0, dead: 0 });
      expect(inDigestChannel()).toEqual([]);
      let [row] = await app.store.listDeliveries({ kind: 'digest', limit: 1 });
      expect(row).toMatchObject({ status: 'deferred', attempts: 0, lastError: expect.stringContaining('rate limited') });
      expect(row!.nextAttemptAt).toEqual(new Date(tick.getTime() + 30_000));

      // Not before Slack said: nothing is due.
      time.advance(10_000);
      expect(await deliver(app)).toMatchObject({ sent: 0, held: 0 });
      expect(await queueScheduledDigest(app, app.config.digests[0]!, tick, silentLogger())).toBe(false);
      time.advance(20_000);
      expect(await deliver(app)).toMatchObject({ sent: 1 });
      time.advance(60_000);
      expect(await deliver(app)).toMatchObject({ sent: 0 });

      const posted = inDigestChannel();
      expect(posted).toHaveLength(1);
      expect(JSON.stringify(posted[0]!.blocks)).toContain(HEADLINE);
      [row] = await app.store.listDeliveries({ kind: 'digest', limit: 1 });
      expect(row).toMatchObject({ status: 'sent', attempts: 1, lastError: null });
    } finally {
      await app.close();
    }
  });

  it('a channel\'s own digest is queued once for its period and posted by the outbox', async () => {
    const time = clock(new Date('2026-11-20T12:05:00Z'));
    const { app, out } = await appOf(configWith('channel', []), { now: time.now });
    try {
      const channelId = (await app.store.findChannel({ platform: 'console', workspace: 'local', channel: 'stdout' }))!;
      await app.store.setDigestSchedule({ channelId, every: 'daily', day: null, time: '12:00', timezone: 'UTC', createdBy: 'test' }, time.now());
      expect(await queueChannelDigests(app, silentLogger())).toBe(1);
      time.advance(60_000);
      expect(await queueChannelDigests(app, silentLogger())).toBe(0); // the next minute, still in its grace period
      expect(await deliver(app)).toMatchObject({ sent: 1 });
      expect(digestLines(out.out())).toEqual([expect.objectContaining({ storyCount: 1 })]);
      const [row] = await app.store.listDeliveries({ kind: 'digest', limit: 1 });
      expect(row).toMatchObject({ status: 'sent', topic: '(subscriptions)', title: 'digest daily:2026-11-20' });
    } finally {
      await app.close();
    }
  });
});
