import { runCycle } from '../pipeline.ts';
import type { CliCommand } from './command.ts';
import { CONFIG_USAGE, configOption, withApp } from './context.ts';

export const onceCommand: CliCommand = {
  name: 'once',
  summary: 'run one poll → match → deliver cycle over every feed, then exit',
  usage: `Usage: watchfloor once [--config PATH]

Polls every configured feed once (due or not), scores the new articles, delivers the alerts and exits 0.
Running it twice delivers nothing the second time: only new articles alert. For cron users and tests.

Options:
${CONFIG_USAGE}
  -h, --help          show this help`,
  options: { ...configOption },
  async run({ values }, io) {
    return withApp(values, io, async (app, log) => {
      const report = await runCycle(app.pipeline, { allFeeds: true });
      log.info(report, `once: ${report.feeds} feeds (${report.failedFeeds} failed, ${report.notModified} unchanged), ${report.newArticles} new articles, ${report.matched} matches, ${report.delivery.sent} sent`);
      return 0;
    });
  },
};
