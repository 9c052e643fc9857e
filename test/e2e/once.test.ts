import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { captureIO, jsonLines } from '../fakes/cli-io.ts';
import { type FeedServer, startFeedServer } from '../fakes/feed-server.ts';
import { FEED_FIXTURES, ROOT, writeTestConfig } from '../fakes/test-config.ts';


let server: FeedServer;
let dir: string;

beforeAll(async () => {
  server = await startFeedServer(FEED_FIXTURES);
  dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-e2e-'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function writeConfig(name: string, feeds: string[], storage?: string): string {
  return writeTestConfig(dir, name, { feeds: feeds.map((f) => server.url(f)), storage });
}

async function once(config: string, env: NodeJS.ProcessEnv = {}) {
  const io = captureIO(env);
  const code = await main(['once', '--config', config], io);
  expect(io.err()).not.toMatch(/"level":(50|60)/);
  return { code, alerts: jsonLines(io.out()), stderr: io.err() };
}

describe('watchfloor once, end to end against a local feed server', () => {
  it('alerts the relevant story once, ignores unrelated items, and alerts nothing the second time', async () => {
    const config = writeConfig('single', ['defense-wire.rss', 'unchanged.rss']);
    const first = await once(config);
    expect(first.code).toBe(0);
    expect(first.alerts).toHaveLength(1);
    const alert = first.alerts[0]!;
    expect(alert).toMatchObject({ kind: 'alert', topic: 'dprk-russia-arms', source: 'Defense Wire' });
    expect(alert.title).toMatch(/artillery shells to Russia through Rajin/);
    // Tracking parameters are stripped from the canonical link.
    expect(alert.url).toBe('https://defense-wire.example/2026/11/north-korea-shells-rajin');
    for (const key of ['score', 'published', 'summary', 'why', 'story_id']) expect(alert[key]).toBeTruthy();
    expect(alert.score as number).toBeGreaterThan(0);
    expect(String(alert.summary).length).toBeLessThanOrEqual(450);

    const before = server.requests.length;
    const second = await once(config);
    expect(second.code).toBe(0);
    expect(second.alerts).toHaveLength(0);
    // The second poll is conditional and the server answered 304.
    const conditional = server.requests.slice(before);
    expect(conditional).toHaveLength(2);
    for (const r of conditional) expect(r.headers['if-none-match']).toMatch(/^"/);
  });

  it('folds one story carried by three outlets into one alert and two follow-ups', async () => {
    const config = writeConfig('story', ['defense-wire.rss', 'korea-desk.atom', 'ru-wire.rss']);
    const { alerts } = await once(config);
    const alertLines = alerts.filter((a) => a.kind === 'alert');
    const followups = alerts.filter((a) => a.kind === 'followup');
    expect(alertLines).toHaveLength(1);
    expect(followups).toHaveLength(2);
    for (const f of followups) expect(f.story_id).toBe(alertLines[0]!.story_id);
    expect(new Set(followups.map((f) => f.source))).toEqual(new Set(['Korea Desk', 'Русская служба новостей']));
  });

  it('keeps gathering a story after a restart: the clustering window is rebuilt from the store', async () => {
    const first = await once(writeConfig('restart', ['defense-wire.rss']));
    expect(first.alerts.map((a) => a.kind)).toEqual(['alert']);
    // A new process, a new feed carrying the same story: a follow-up, not a second alert.
    const second = await once(writeConfig('restart', ['defense-wire.rss', 'korea-desk.atom']));
    expect(second.alerts.map((a) => [a.kind, a.source, a.story_id])).toEqual([['followup', 'Korea Desk', first.alerts[0]!.story_id]]);
  });

  it('runs the same flow on PostgreSQL (storage.driver: postgres)', async () => {
    const url = process.env.WATCHFLOOR_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
    const schema = `wf_e2e_${process.pid}_${Date.now().toString(36)}`;
    const config = writeConfig('pg', ['defense-wire.rss', 'korea-desk.atom', 'ru-wire.rss'], `{ driver: postgres, schema: ${schema} }`);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const first = await once(config, { WATCHFLOOR_DATABASE_URL: url });
      expect(first.alerts.map((a) => a.kind).sort()).toEqual(['alert', 'followup', 'followup']);
      expect((await once(config, { WATCHFLOOR_DATABASE_URL: url })).alerts).toEqual([]);
    } finally {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  });

  it('keeps going when a feed fails, naming the feed and the reason on stderr', async () => {
    const config = writeConfig('broken', ['missing.rss', 'defense-wire.rss']);
    const io = captureIO();
    expect(await main(['once', '--config', config], io)).toBe(0);
    expect(jsonLines(io.out())).toHaveLength(1);
    expect(io.err()).toContain(server.url('missing.rss'));
    expect(io.err()).toMatch(/404/);
  });

  it('runs as the installed `watchfloor` executable', async () => {
    const config = writeConfig('bin', ['defense-wire.rss']);
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(ROOT, 'bin/watchfloor.js'), 'once', '--config', config], {
      env: { ...process.env, LOG_LEVEL: 'warn' },
    });
    expect(jsonLines(stdout).map((a) => a.kind)).toEqual(['alert']);
  });
});
