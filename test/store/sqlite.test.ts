import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
});
