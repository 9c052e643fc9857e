import { errorMessage } from '../errors.ts';
import { reloadTopics } from '../main.ts';
import { startBot } from '../bot.ts';
import type { CliCommand } from './command.ts';
import { CONFIG_USAGE, configOption, withApp } from './context.ts';
import { statusLine } from './progress.ts';

export const runCommand: CliCommand = {
  name: 'run',
  summary: 'run the bot: poll feeds on schedule, alert, post digests; stops on SIGINT/SIGTERM',
  usage: `Usage: watchfloor run [--config PATH]

Runs until interrupted. Polls the due feeds on every tick of poll.schedule, scores new articles,
and delivers alerts to the configured routes (the console when no chat credentials are set).
On SIGHUP it re-reads the topic files and recompiles the topic index (a broken file is logged and the
running topics stay). On SIGINT or SIGTERM it finishes the step in progress, closes the database and exits 0.
Each cycle that polls feeds logs one line: \`cycle: 16 feeds (1 failed, 3 unchanged), 4 new articles, …\` (at
warn when every feed failed); on a terminal a progress bar on stderr follows the polling.

Options:
${CONFIG_USAGE}
  -h, --help          show this help`,
  options: { ...configOption },
  async run({ values }, io) {
    const status = statusLine(io.stderr, io.stderr.isTTY === true);
    return withApp(values, { ...io, stderr: status.log }, async (app, log) => {
      app.pipeline.poll.progress = status.polling;
      log.info({ feeds: app.config.feeds.length, topics: app.catalog.list().map((t) => t.definition.slug), db: app.config.storage.path }, 'watchfloor running');
      const bot = await startBot(app, log);
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
      log.info(`${signal} received: finishing the current step`);
      process.off('SIGHUP', onHangup);
      await bot.stop();
      log.info('stopped cleanly');
      return 0;
    });
  },
};
