/**
 * The schema's history, one list for both databases. Version N is one change with one name, written once per
 * dialect (`sqlite-NNN-name.sql`, `postgres-NNN-name.sql`: their DDL differs). Reading the folder refuses a
 * version that one dialect lacks or names differently, so the two histories cannot drift; both stores record
 * each version they apply in the same `schema_migrations` table (version, name, applied_at).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type Dialect = 'sqlite' | 'postgres';

export interface MigrationStep {
  version: number;
  name: string;
  /** The file applied, as `watchfloor migrate` reports it. */
  file: string;
  sql(): string;
}

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
const MIGRATION_FILE = /^(sqlite|postgres)-(\d{3})-([a-z0-9-]+)\.sql$/;

/** Every migration of `dialect`, oldest first; throws when the folder's two histories disagree. */
export function migrationHistory(dialect: Dialect, dir = MIGRATIONS_DIR): MigrationStep[] {
  const byDialect: Record<Dialect, Map<number, string>> = { sqlite: new Map(), postgres: new Map() };
  for (const file of readdirSync(dir)) {
    const parsed = MIGRATION_FILE.exec(file);
    if (!parsed) continue;
    const [, fileDialect, version, name] = parsed as unknown as [string, Dialect, string, string];
    const seen = byDialect[fileDialect];
    if (seen.has(Number(version))) throw new Error(`two ${fileDialect} migrations have version ${version} in ${dir}: give each change its own number`);
    seen.set(Number(version), name);
  }
  const versions = [...new Set([...byDialect.sqlite.keys(), ...byDialect.postgres.keys()])].sort((a, b) => a - b);
  return versions.map((version, i) => {
    const names = { sqlite: byDialect.sqlite.get(version), postgres: byDialect.postgres.get(version) };
    const label = String(version).padStart(3, '0');
    if (names.sqlite === undefined || names.postgres === undefined) {
      const missing = names.sqlite === undefined ? 'sqlite' : 'postgres';
      throw new Error(`migration ${label} exists only for ${missing === 'sqlite' ? 'postgres' : 'sqlite'} in ${dir}: write ${missing}-${label}-${names.sqlite ?? names.postgres}.sql too`);
    }
    if (names.sqlite !== names.postgres) throw new Error(`migration ${label} is named ${names.sqlite} for sqlite and ${names.postgres} for postgres in ${dir}: one change has one name`);
    if (version !== i + 1) throw new Error(`migration ${String(i + 1).padStart(3, '0')} is missing in ${dir}: versions are consecutive`);
    const file = `${dialect}-${label}-${names.sqlite}.sql`;
    return { version, name: names.sqlite, file, sql: () => readFileSync(path.join(dir, file), 'utf8') };
  });
}

/** The table both stores keep their history in (SQLite also keeps `user_version`, which older files relied on alone). */
export const SCHEMA_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
)`;
