import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { createApp } from '../../src/main.ts';
import { startSchedules } from '../../src/scheduler.ts';
import { captureIO, jsonLines } from '../fakes/cli-io.ts';
import { type FeedServer, startFeedServer } from '../fakes/feed-server.ts';
import { FEED_FIXTURES, ROOT, writeTestConfig } from '../fakes/test-config.ts';


let server: FeedServer;
let dir: string;
beforeAll(async () => {
  server = await startFeedServer(FEED_FIXTURES);
  dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-run-'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('watchfloor run', () => {
  it('alerts, keeps running with a failing feed, and stops cleanly on SIGTERM', async () => {
    // Nothing listens on port 9 of loopback: this feed fails the way an offline machine does.
    const config = writeTestConfig(dir, 'run', { feeds: [server.url('defense-wire.rss'), 'http://127.0.0.1:9/feed.xml'] });
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/watchfloor.js'), 'run', '--config', config], {
      env: { ...process.env, LOG_FORMAT: 'json', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        if (stdout.includes('\n')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`exited early with ${code}: ${stderr}`)));
    });
    // Wait until the cycle has finished (its summary line), then ask the process to stop.
    await new Promise<void>((resolve) => {
      const check = () => (stderr.includes('"msg":"cycle:') ? resolve() : setTimeout(check, 50));
      check();
    });
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(JSON.parse(stdout.split('\n')[0]!)).toMatchObject({ kind: 'alert', topic: 'dprk-russia-arms' });
    const failing = stderr.split('\n').filter((l) => l.includes('feed failed'));
    expect(failing).toHaveLength(1);
    expect(failing[0]).toContain('http://127.0.0.1:9/feed.xml');
    expect(stderr).toContain('stopped cleanly');
  });

  it("says in the cycle line how many feeds failed", async () => {
    const config = loadConfig(writeTestConfig(dir, 'cycle', { feeds: [server.url('defense-wire.rss'), server.url('missing.rss')] }), {});
    const io = captureIO();
    const log = createLogger({ LOG_LEVEL: 'info', LOG_FORMAT: 'json' }, io.stderr);
    const app = await createApp(config, { stdout: io.stdout, log, env: {} });
    const bot = startSchedules(app, log);
    try {
      await new Promise<void>((resolve) => {
        const check = () => (io.err().includes('"msg":"cycle:') ? resolve() : setTimeout(check, 20));
        check();
      });
    } finally {
      await bot.stop();
      await app.close();
    }
    const cycle = jsonLines(io.err()).find((l) => String(l.msg).startsWith('cycle:'))!;
    expect(cycle.msg).toMatch(/^cycle: 2 feeds \(1 failed, 0 unchanged\), \d+ new articles, \d+ matches, \d+ sent/);
    expect(cycle).toMatchObject({ feeds: 2, failedFeeds: 1 });
  });
});
