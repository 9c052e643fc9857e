import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_URL = process.env.WATCHFLOOR_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A fresh schema name on the test database (nothing is created: the store's migrations make it), and `drop()`
 * to remove it and everything in it when the test is done.
 */
export function freshSchema(prefix: string): { schema: string; url: string; drop(): Promise<void> } {
  const schema = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  return {
    schema,
    url: PG_URL,
    async drop() {
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}
