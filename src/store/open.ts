import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { PostgresStore } from './postgres.ts';
import { SqliteStore } from './sqlite.ts';
import { prepareSqlitePath } from './sqlite-path.ts';
import type { Store } from './store.ts';

/**
 * The store the config names. Errors name the database and what to do: AppError `config` for a
 * SQLite path that cannot hold a database (sqlite-path.ts, checked before SQLite sees it), `storage`
 * for a database that cannot be opened or reached.
 */
export async function openStore(config: Config, log: Logger): Promise<Store> {
  if (config.storage.driver === 'postgres') {
    return PostgresStore.open({
      connectionString: config.databaseUrl!,
      schema: config.storage.schema,
      onError: (err) => log.warn({ err }, 'PostgreSQL connection error'),
    });
  }
  prepareSqlitePath(config.storage.path, { create: true });
  return new SqliteStore(config.storage.path);
}
