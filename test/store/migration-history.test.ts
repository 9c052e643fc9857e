/**
 * One schema history for both databases: the folder's two dialects must list the same versions with the same
 * names, and a database migrated by either store ends with the same tables, columns and recorded history.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrationHistory } from '../../src/store/migration-history.ts';
import { PostgresStore } from '../../src/store/postgres.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';

const PG_URL = process.env.WATCHFLOOR_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function folder(files: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'wf-migrations-'));
  dirs.push(dir);
  for (const file of files) writeFileSync(path.join(dir, file), '-- empty\n');
  return dir;
}

describe('migration history', () => {
  it('lists the same versions and names for both dialects, consecutive from 1', () => {
    const sqlite = migrationHistory('sqlite');
    const postgres = migrationHistory('postgres');
    expect(sqlite.length).toBeGreaterThanOrEqual(8);
    expect(sqlite.map((s) => [s.version, s.name])).toEqual(postgres.map((s) => [s.version, s.name]));
    expect(sqlite.map((s) => s.version)).toEqual(sqlite.map((_, i) => i + 1));
    expect(sqlite[0]!.file).toBe('sqlite-001-init.sql');
    expect(postgres[0]!.sql()).toContain('CREATE TABLE');
  });

  it('refuses a change written for one database only, and names the file to write', () => {
    const dir = folder(['sqlite-001-init.sql', 'postgres-001-init.sql', 'sqlite-002-digests.sql']);
    expect(() => migrationHistory('sqlite', dir)).toThrow(/migration 002 exists only for sqlite .*write postgres-002-digests\.sql too/);
  });

  it('refuses one version named two ways, two files of one version, and a gap', () => {
    expect(() => migrationHistory('postgres', folder(['sqlite-001-init.sql', 'postgres-001-start.sql']))).toThrow(/named init for sqlite and start for postgres/);
    expect(() => migrationHistory('postgres', folder(['sqlite-001-init.sql', 'sqlite-001-other.sql', 'postgres-001-init.sql']))).toThrow(/two sqlite migrations have version 001/);
    expect(() => migrationHistory('postgres', folder(['sqlite-001-a.sql', 'postgres-001-a.sql', 'sqlite-003-c.sql', 'postgres-003-c.sql']))).toThrow(/migration 002 is missing/);
  });

  it('migrates SQLite and PostgreSQL to the same tables, columns and recorded history', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wf-parity-'));
    dirs.push(dir);
    const file = path.join(dir, 'parity.db');
    await new SqliteStore(file).close();
    const lite = new Database(file, { readonly: true });
    const liteTables = (lite.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as Array<{ name: string }>).map((t) => t.name);
    const liteSchema = Object.fromEntries(liteTables.map((t) => [t, (lite.prepare(`SELECT name FROM pragma_table_info(?) ORDER BY name`).all(t) as Array<{ name: string }>).map((c) => c.name)]));
    const liteHistory = lite.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    lite.close();

    const schema = `wf_parity_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Pool({ connectionString: PG_URL, max: 1 });
    try {
      await (await PostgresStore.open({ connectionString: PG_URL, schema })).close();
      const columns = await admin.query(`SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, column_name`, [schema]);
      const pgSchema: Record<string, string[]> = {};
      for (const row of columns.rows) (pgSchema[row.table_name] ??= []).push(row.column_name);
      const pgHistory = (await admin.query(`SELECT version, name FROM ${schema}.schema_migrations ORDER BY version`)).rows;

      expect(Object.keys(liteSchema).length).toBeGreaterThanOrEqual(10);
      expect(liteSchema).toEqual(pgSchema);
      expect(liteHistory).toEqual(pgHistory);
      expect(liteHistory).toEqual(migrationHistory('sqlite').map((s) => ({ version: s.version, name: s.name })));
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  });
});
