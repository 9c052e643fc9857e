import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { PostgresStore } from './postgres.ts';
import { SqliteStore } from './sqlite.ts';
import type { Store } from './store.ts';

/** The store the config names. Errors name the database and what to do (AppError `storage`). */
export async function openStore(config: Config, log: Logger): Promise<Store> {
  return config.storage.driver === 'postgres'
    ? PostgresStore.open({
        connectionString: config.databaseUrl!,
        schema: config.storage.schema,
        onError: (err) => log.warn({ err }, 'PostgreSQL connection error'),
      })
    : new SqliteStore(config.storage.path);
}
