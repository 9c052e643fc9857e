import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { migrationHistory } from '../../src/store/migration-history.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { storeContract } from './contract.ts';

storeContract('SQLite (memory)', () => new SqliteStore(':memory:'));

describe('SQLite file store', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-store-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates its folder, migrates once and keeps data across reopen', async () => {
    const file = path.join(dir, 'nested', 'w.db');
    const a = new SqliteStore(file);
    await a.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, new Date());
    await a.close();
    const b = new SqliteStore(file);
    expect((await b.listFeeds()).map((f) => f.url)).toEqual(['https://a.example/rss']);
    await b.close();
  });

  it('carries a channel digest claimed before digests were outbox rows over as its period, taken', async () => {
    // A file at version 8: digest_runs held the claims.
    const file = path.join(dir, 'v8.db');
    const db = new Database(file);
    for (const step of migrationHistory('sqlite').filter((s) => s.version <= 8)) db.exec(step.sql());
    db.pragma('user_version = 8');
    const claimed = Date.parse('2026-11-20T07:00:30Z');
    const channel = Number(db.prepare(`INSERT INTO channels (platform, workspace, channel) VALUES ('slack', 'T1', 'C1') RETURNING id`).pluck().get());
    const run = db.prepare('INSERT INTO digest_runs (schedule_key, period_key, claimed_at) VALUES (?, ?, ?)');
    run.run(`channel:${channel}`, 'weekly:2026-11-16', claimed);
    run.run('channel:999', 'daily:2026-11-20', claimed); // its channel is gone
    run.run('config:0:*:0 8 * * *:UTC', '2026-11-20T08:00', claimed);
    db.close();

    const store = new SqliteStore(file);
    try {
      expect(store.migrations.applied).toContain('sqlite-009-digest-outbox.sql');
      const rows = await store.listDeliveries({ limit: 10 });
      expect(rows.map((d) => [d.kind, d.status, d.title, d.topic])).toEqual([['digest', 'sent', 'digest weekly:2026-11-16', '(subscriptions)']]);
      expect(rows[0]!.lastError).toMatch(/whether it was posted was not recorded/);
      const period = { channelId: channel, scheduleKey: `channel:${channel}`, since: new Date(claimed - 7 * 86_400_000), until: new Date(claimed), of: 'subscriptions' as const, topic: null };
      expect(await store.enqueueDigest({ ...period, period: 'weekly:2026-11-16' }, new Date(claimed))).toBeNull();
      expect(await store.enqueueDigest({ ...period, period: 'weekly:2026-11-23' }, new Date(claimed))).not.toBeNull();
    } finally {
      await store.close();
    }
  });
});
