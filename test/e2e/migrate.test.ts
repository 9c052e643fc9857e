/**
 * `watchfloor migrate` and start-up migrations: explicit, reported, and applied once when several replicas open
 * a fresh PostgreSQL schema together (the advisory lock makes them take turns).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { PostgresStore } from '../../src/store/postgres.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { captureIO } from '../fakes/cli-io.ts';
import { ROOT } from '../fakes/test-config.ts';

const PG_URL = process.env.WATCHFLOOR_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const MIGRATIONS = path.join(ROOT, 'src/store/migrations');
const files = (driver: 'sqlite' | 'postgres') => readdirSync(MIGRATIONS).filter((f) => f.startsWith(`${driver}-`) && f.endsWith('.sql')).sort();
const latest = (driver: 'sqlite' | 'postgres') => Number(files(driver).at(-1)!.slice(driver.length + 1, driver.length + 4));

const dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-migrate-'));
const schemas: string[] = [];
const admin = new pg.Pool({ connectionString: PG_URL, max: 2 });
afterAll(async () => {
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
});

function config(name: string, storage: string): string {
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(file, `storage: ${storage}\n`);
  return file;
}

function freshSchema(): string {
  const schema = `wf_migrate_${randomBytes(5).toString('hex')}`;
  schemas.push(schema);
  return schema;
}

describe('watchfloor migrate', () => {
  it('applies every migration to a new SQLite file and says which; a second run finds nothing to do', async () => {
    const db = path.join(dir, 'fresh.db');
    const cfg = config('sqlite', `{ path: ${JSON.stringify(db)} }`);
    const first = captureIO();
    expect(await main(['migrate', '--config', cfg], first)).toBe(0);
    expect(first.out()).toContain(`applied ${files('sqlite').length} migrations, now at version ${latest('sqlite')}`);
    for (const file of files('sqlite')) expect(first.out()).toContain(`  ${file}\n`);
    const second = captureIO();
    expect(await main(['migrate', '--config', cfg], second)).toBe(0);
    expect(second.out()).toContain(`the schema is current (version ${latest('sqlite')}); nothing to apply`);
    // The file is a usable store, and opening it again applies nothing.
    const store = new SqliteStore(db);
    expect(store.migrations).toEqual({ applied: [], version: latest('sqlite') });
    await store.close();
  });

  it('migrates a PostgreSQL schema through the command', async () => {
    const schema = freshSchema();
    const cfg = config('pg', `{ driver: postgres, schema: ${schema} }`);
    const io = captureIO({ WATCHFLOOR_DATABASE_URL: PG_URL });
    expect(await main(['migrate', '--config', cfg], io), io.err()).toBe(0);
    expect(io.out()).toContain(`PostgreSQL (schema ${schema}): applied ${files('postgres').length} migrations`);
    const again = captureIO({ WATCHFLOOR_DATABASE_URL: PG_URL });
    expect(await main(['migrate', '--config', cfg], again)).toBe(0);
    expect(again.out()).toContain('nothing to apply');
  });

  it('two replicas opening a fresh PostgreSQL schema at once both succeed, and the migrations ran once', async () => {
    const schema = freshSchema();
    const open = () => PostgresStore.open({ connectionString: PG_URL, schema, max: 2 });
    const stores = await Promise.all([open(), open(), open()]);
    try {
      const applied = stores.map((s) => s.migrations.applied);
      // One of them applied every file; the others waited on the lock and found them applied.
      expect(applied.filter((a) => a.length > 0)).toEqual([files('postgres')]);
      expect(applied.filter((a) => a.length === 0)).toHaveLength(2);
      expect(stores.map((s) => s.migrations.version)).toEqual([latest('postgres'), latest('postgres'), latest('postgres')]);
      const rows = (await admin.query(`SELECT version, COUNT(*)::int AS n FROM ${schema}.schema_migrations GROUP BY version ORDER BY version`)).rows;
      expect(rows.map((r) => r.n)).toEqual(files('postgres').map(() => 1));
      // And each works: a write through one is read through another.
      await stores[0]!.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, new Date());
      expect((await stores[2]!.listFeeds()).map((f) => f.url)).toEqual(['https://a.example/rss']);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('lists migrate in the overview', async () => {
    const io = captureIO();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.out()).toMatch(/\n {2}migrate +apply the database migrations/);
  });
});
