import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import cron from 'node-cron';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { silentLogger } from '../src/log.ts';
import { createApp } from '../src/main.ts';
import { startSchedules } from '../src/scheduler.ts';
import { writeTestConfig } from './fakes/test-config.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-scheduler-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const until = (ok: () => boolean) => new Promise<void>((resolve) => {
  const check = () => (ok() ? resolve() : setTimeout(check, 10));
  check();
});

describe('startSchedules', () => {
  it('skips a poll tick while a cycle runs, and runs the next tick once it has ended', async () => {
    // Nothing listens on port 9 of loopback: the cycle fails its one feed at once.
    const app = await createApp(loadConfig(writeTestConfig(dir, 'ticks', { feeds: ['http://127.0.0.1:9/feed.xml'] }), {}), { stdout: new PassThrough(), log: silentLogger(), env: {} });
    // Each cycle begins by refreshing the topic catalog: held open here, it keeps the first cycle running.
    let refreshes = 0;
    let release!: () => void;
    const refresh = app.catalog.refresh.bind(app.catalog);
    app.catalog.refresh = () => {
      refreshes++;
      return refreshes === 1 ? new Promise<void>((resolve) => (release = resolve)).then(refresh) : refresh();
    };
    const schedules = startSchedules(app, silentLogger());
    try {
      const tasks = [...cron.getTasks().values()].filter((t) => t.name === 'poll');
      const poll = tasks[tasks.length - 1]!;
      expect(refreshes).toBe(1); // the cycle at start
      await poll.execute();
      await poll.execute();
      expect(refreshes).toBe(1); // both ticks found it running
      expect(schedules.pulse().cycleStartedAt).toBeDefined();

      release();
      await until(() => schedules.pulse().lastCycleEndedAt !== undefined);
      await poll.execute();
      expect(refreshes).toBe(2);
    } finally {
      await schedules.stop();
      await app.close();
    }
  });
});
