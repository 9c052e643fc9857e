import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { SqliteStore } from './sqlite.ts';
import { prepareSqlitePath } from './sqlite-path.ts';
import type { MigrationReport, Store } from './store.ts';

/**
 * The store the config names. Errors name the database and what to do: AppError `config` for a
 * SQLite path that cannot hold a database (sqlite-path.ts, checked before SQLite sees it), `storage`
 * for a database that cannot be opened or reached. Opening applies the migrations the database lacks
 * (PostgreSQL: under an advisory lock, so replicas starting together take turns); `migrations` says which.
 */
export async function openStore(config: Config, log: Logger): Promise<Store & { readonly migrations: MigrationReport }> {
  // pg (~16 MB) loads only for PostgreSQL deployments.
  const store = config.storage.driver === 'postgres'
    ? await (await import('./postgres.ts')).PostgresStore.open({
        connectionString: config.databaseUrl!,
        schema: config.storage.schema,
        onError: (err) => log.warn({ err }, 'PostgreSQL connection error'),
        onWarning: (message, err) => log.warn({ err }, message),
      })
    : openSqlite(config.storage.path);
  // Start-up migrates too (under the migration lock): say so when it changed the schema.
  if (store.migrations.applied.length > 0) log.info({ applied: store.migrations.applied, version: store.migrations.version }, `database migrated to version ${store.migrations.version}`);
  return store;
}

function openSqlite(file: string): SqliteStore {
  prepareSqlitePath(file, { create: true });
  return new SqliteStore(file);
}
