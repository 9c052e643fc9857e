import { errorMessage } from '../errors.ts';
import { reloadTopics } from '../main.ts';
import { ROLES, type Role, startBot } from '../bot.ts';
import type { CliCommand } from './command.ts';
import { CONFIG_USAGE, configOption, usageError, withApp } from './context.ts';
import { statusLine } from './progress.ts';

/** After abandoned work, how long closing the app may take before the process exits anyway. */
const CLOSE_TIMEOUT_MS = 2000;

export const runCommand: CliCommand = {
  name: 'run',
  summary: 'run the bot: poll feeds on schedule, alert, post digests; stops on SIGINT/SIGTERM',
  usage: `Usage: watchfloor run [--role all|worker|bot] [--config PATH]

Runs until interrupted. Polls the due feeds on every tick of poll.schedule, scores new articles,
and delivers alerts to the configured routes (the console when no chat credentials are set).
On SIGHUP it re-reads the topic files and recompiles the topic index (a broken file is logged and the
running topics stay). On SIGINT or SIGTERM it finishes the step in progress — at most shutdown.grace (7 s), then
abandons it and releases its feed and delivery leases for another worker — closes the database and exits 0.
A second signal exits at once (1). /readyz answers 503 from the first signal on.
Each cycle that polls feeds logs one line: \`cycle: 16 feeds (1 failed, 3 unchanged), 4 new articles, …\` (at
warn when every feed failed); on a terminal a progress bar on stderr follows the polling.

Roles, for several replicas on PostgreSQL (docs/operations.md):
  all     (the default) everything in one process
  worker  polls, matches and delivers, and posts scheduled digests; no chat connection: run as many as needed
  bot     holds the chat connections (Discord gateway, Slack Socket Mode or HTTP events) and answers commands;
          polling and delivering are left to the workers. Run one.
Every role serves /healthz, /readyz and /metrics on http.port.

Options:
      --role ROLE     all, worker or bot (default all)
${CONFIG_USAGE}
  -h, --help          show this help`,
  options: { ...configOption, role: { type: 'string' } },
  async run({ values }, io) {
    const role = (values.role ?? 'all') as Role;
    if (!ROLES.includes(role)) throw usageError(`--role must be one of ${ROLES.join(', ')}, not "${String(values.role)}".`);
    const status = statusLine(io.stderr, io.stderr.isTTY === true);
    return withApp(values, { ...io, stderr: status.log }, async (app, log) => {
      app.pipeline.poll.progress = status.polling;
      log.info({ feeds: app.config.feeds.length, topics: app.catalog.list().map((t) => t.definition.slug), db: app.config.storage.path }, 'watchfloor running');
      const bot = await startBot(app, log, { role });
      const onHangup = () => {
        reloadTopics(app)
          .then((topics) => log.info({ topics: topics.map((t) => t.slug) }, 'topics reloaded'))
          .catch((err) => log.error(`topics not reloaded, the running ones stay: ${errorMessage(err)}`));
      };
      process.on('SIGHUP', onHangup);
      const signal = await new Promise<string>((resolve) => {
        process.once('SIGINT', () => resolve('SIGINT'));
        process.once('SIGTERM', () => resolve('SIGTERM'));
      });
      const graceS = app.config.shutdown.grace;
      log.info(`${signal} received: finishing the current step (at most ${graceS} s)`);
      process.off('SIGHUP', onHangup);
      const again = (second: string) => {
        log.warn(`${second} received again: exiting without waiting`);
        process.exit(1);
      };
      process.once('SIGINT', again);
      process.once('SIGTERM', again);
      try {
        const { clean } = await bot.stop({ graceMs: graceS * 1000 });
        if (clean) {
          log.info('stopped cleanly');
        } else {
          // The abandoned work may hold a connection (a fetch waiting out its timeout) that would keep closing the
          // app, and so the process, alive past any deadline: the database is closed or not, the process ends.
          setTimeout(() => process.exit(0), CLOSE_TIMEOUT_MS).unref();
          log.info('stopped: the abandoned work is left to other workers');
        }
        return 0;
      } finally {
        process.off('SIGINT', again);
        process.off('SIGTERM', again);
      }
    });
  },
};
