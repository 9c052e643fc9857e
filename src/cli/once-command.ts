import { runCycle } from '../pipeline.ts';
import { cycleSummary } from '../scheduler.ts';
import type { CliCommand } from './command.ts';
import { CONFIG_USAGE, configOption, withApp } from './context.ts';
import { statusLine } from './progress.ts';

export const onceCommand: CliCommand = {
  name: 'once',
  summary: 'run one poll → match → deliver cycle over every feed, then exit',
  usage: `Usage: watchfloor once [--config PATH]

Polls every configured feed once (due or not), scores the new articles, delivers the alerts and exits 0.
Running it twice delivers nothing the second time: only new articles alert. For cron users and tests.
Exits 1 when there were feeds and every one of them failed (each failure is logged with its reason).
On a terminal, a progress bar on stderr follows the polling and ends with a count line.

Options:
${CONFIG_USAGE}
  -h, --help          show this help`,
  options: { ...configOption },
  async run({ values }, io) {
    const status = statusLine(io.stderr, io.stderr.isTTY === true);
    return withApp(values, { ...io, stderr: status.log }, async (app, log) => {
      app.pipeline.poll.progress = status.polling;
      const report = await runCycle(app.pipeline, { allFeeds: true });
      const allFailed = report.feeds > 0 && report.failedFeeds === report.feeds;
      log[allFailed ? 'warn' : 'info'](report, `once: ${cycleSummary(report)}`);
      if (!allFailed) return 0;
      status.log.write(`watchfloor once: every feed failed (${report.failedFeeds} of ${report.feeds}); the reasons are logged above and shown by \`watchfloor feeds list\`.\n`);
      return 1;
    });
  },
};
