import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/log.ts';
import { createApp } from '../../src/main.ts';
import { deliverPending } from '../../src/alerts/deliver.ts';
import { queueScheduledDigest } from '../../src/scheduler.ts';
import { captureIO } from '../fakes/cli-io.ts';
import { type FeedServer, startFeedServer } from '../fakes/feed-server.ts';
import { FEED_FIXTURES, FLAGSHIP_TOPIC, writeTestConfig } from '../fakes/test-config.ts';

let server: FeedServer;
let dir: string;
let config: string;

/** The file's clock: the feeds' dates, the cycle, the digest windows and the schedule's tick all read it, never the real one. */
const T0 = new Date('2026-11-20T10:00:00Z');
const at = (minutes: number) => () => new Date(T0.getTime() + minutes * 60_000);
const cliAt = (minutes: number) => ({ ...captureIO(), now: at(minutes) });

beforeAll(async () => {
  server = await startFeedServer(FEED_FIXTURES, { now: T0 });
  dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-digest-'));
  config = writeTestConfig(dir, 'digest', {
    feeds: ['defense-wire.rss', 'korea-desk.atom', 'ru-wire.rss'].map((f) => server.url(f)),
    extra: ['digests: [{ to: console, topic: dprk-russia-arms, cron: "0 8 * * *", timezone: Europe/Berlin, since: 24h }]'],
  });
  expect(await main(['once', '--config', config], cliAt(1))).toBe(0);
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('digests', () => {
  it('on demand: one line per story with its outlet count', async () => {
    const io = cliAt(30);
    expect(await main(['digest', '--topic', 'dprk-russia-arms', '--since', '24h', '--config', config], io)).toBe(0);
    const text = io.out();
    expect(text).toContain('1 story');
    expect(text).toContain('artillery shells to Russia through Rajin');
    expect(text).toMatch(/\+2 outlets/);
  });

  it('says plainly when the window is empty, and rejects an unknown topic with the known ones', async () => {
    const fresh = path.join(dir, 'fresh.yaml');
    writeFileSync(fresh, `storage: { path: ${JSON.stringify(path.join(dir, 'fresh.db'))} }\ntopics: [${JSON.stringify(FLAGSHIP_TOPIC)}]\n`);
    let io = cliAt(30);
    expect(await main(['digest', '--since', '7d', '--config', fresh], io)).toBe(0);
    expect(io.out()).toMatch(/^No stories/);
    io = cliAt(30);
    expect(await main(['digest', '--topic', 'nope', '--config', config], io)).toBe(2);
    expect(io.err()).toContain('known topics: dprk-russia-arms');
  });

  it('a scheduled digest is queued once per period, even when its tick fires twice, and the outbox posts it once', async () => {
    const out = captureIO();
    const app = await createApp(loadConfig(config, {}), { stdout: out.stdout, log: silentLogger(), env: {}, now: at(60) });
    try {
      const tick = at(60)();
      expect(await queueScheduledDigest(app, app.config.digests[0]!, tick, silentLogger())).toBe(true);
      expect(await queueScheduledDigest(app, app.config.digests[0]!, tick, silentLogger())).toBe(false);
      expect(out.out()).toBe(''); // queued, not posted: the outbox posts it
      const { pipeline } = app;
      const deliver = () => deliverPending({ store: app.store, sinks: pipeline.sinks, log: silentLogger(), now: pipeline.now, owner: pipeline.owner });
      expect(await deliver()).toMatchObject({ sent: 1, failed: 0, held: 0 });
      expect(await deliver()).toMatchObject({ sent: 0 });
      const lines = out.out().trim().split('\n').map((l) => JSON.parse(l));
      expect(lines).toHaveLength(1);
      // The window stored on the row: the 24 h up to the tick.
      expect(lines[0]).toMatchObject({ kind: 'digest', storyCount: 1, since: new Date(tick.getTime() - 86_400_000).toISOString(), until: tick.toISOString() });
      const [row] = await app.store.listDeliveries({ kind: 'digest', limit: 5 });
      expect(row).toMatchObject({ status: 'sent', topic: 'dprk-russia-arms', title: `digest ${tick.toISOString().slice(0, 16)}`, channel: { platform: 'console' } });
    } finally {
      await app.close();
    }
  });
});
