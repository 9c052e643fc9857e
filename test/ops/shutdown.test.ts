import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, writeTestConfig } from '../fakes/test-config.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-shutdown-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('watchfloor run on SIGTERM', () => {
  it('abandons a poll that outlives shutdown.grace, releases its lease, says so and exits 0; /readyz says stopping meanwhile', async () => {
    // A feed host that takes the request and never answers: the cycle hangs on it for the 30 s fetch timeout.
    const hanging: ServerResponse[] = [];
    let requested!: () => void;
    const asked = new Promise<void>((resolve) => (requested = resolve));
    const server = createServer((_req, res) => {
      hanging.push(res);
      requested();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const feedUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slow.rss`;
    const config = writeTestConfig(dir, 'slow', { feeds: [feedUrl], extra: ['shutdown: { grace: 1s }'] });
    // The test config gives a fetch 5 s, longer than this grace: only the deadline can end the poll in time.
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/watchfloor.js'), 'run', '--config', config], {
      env: { ...process.env, LOG_FORMAT: 'json', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await asked;
      const db = new Database(path.join(dir, 'slow.db'), { readonly: true });
      const lease = () => db.prepare('SELECT lease_owner FROM feeds WHERE url = ?').get(feedUrl) as { lease_owner: string | null };
      expect(lease().lease_owner).toEqual(expect.any(String));
      // The log line and the feed request travel on different pipes: wait for the line itself.
      const listening = () => stderr.split('\n').find((l) => l.includes('"msg":"listening on port'));
      while (!listening()) await new Promise((resolve) => setTimeout(resolve, 20));
      const port = JSON.parse(listening()!).port as number;


      child.kill('SIGTERM');
      // Within the grace the server still answers, and readiness says the bot is going away.
      await new Promise<void>((resolve) => {
        const check = () => (stderr.includes('SIGTERM received') ? resolve() : setTimeout(check, 20));
        check();
      });
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { status: string }).status).toBe('stopping');

      expect(await exited).toBe(0);
      expect(stderr).toContain('shutdown: the work in progress did not finish within 1 s; abandoning it and releasing its leases');
      expect(stderr).toContain('shutdown: released 1 feed and 0 delivery lease(s) for another worker');
      expect(stderr).not.toContain('stopped cleanly');
      expect(lease().lease_owner).toBeNull();
      db.close();
    } finally {
      child.kill('SIGKILL');
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
