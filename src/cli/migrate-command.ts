import { openStore } from '../store/open.ts';
import type { CliCommand } from './command.ts';
import { CONFIG_USAGE, cliLogger, configOption, loadCliConfig } from './context.ts';

export const migrateCommand: CliCommand = {
  name: 'migrate',
  summary: 'apply the database migrations the configured store lacks, and say which',
  usage: `Usage: watchfloor migrate [--config PATH]

Brings the configured database (storage in the config file; PostgreSQL with WATCHFLOOR_DATABASE_URL) to the
schema this version needs, prints each migration it applied, or that the schema was already current, and exits 0.
Nothing else is touched: no feeds, topics or routes are written. Start-up (run, once and the rest) applies
missing migrations too; run this first to migrate in a deploy step of its own. On PostgreSQL the migrations run
in one transaction under an advisory lock, so replicas (or this command) starting together take turns and the
schema is migrated once; on SQLite the same under the file's write lock.

Options:
${CONFIG_USAGE}
  -h, --help          show this help`,
  options: { ...configOption },
  async run({ values }, io) {
    const config = loadCliConfig(values, io);
    const store = await openStore(config, cliLogger(io));
    try {
      const { applied, version } = store.migrations;
      const where = config.storage.driver === 'postgres' ? `PostgreSQL${config.storage.schema ? ` (schema ${config.storage.schema})` : ''}` : config.storage.path;
      io.stdout.write(applied.length === 0
        ? `${where}: the schema is current (version ${version}); nothing to apply.\n`
        : `${where}: applied ${applied.length} migration${applied.length === 1 ? '' : 's'}, now at version ${version}:\n${applied.map((f) => `  ${f}\n`).join('')}`);
      return 0;
    } finally {
      await store.close();
    }
  },
};
