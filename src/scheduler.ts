import cron, { type ScheduledTask } from 'node-cron';
import { collectDigest } from './alerts/digest-source.ts';
import { renderDigestText } from './alerts/digest.ts';
import { errorMessage } from './errors.ts';
import type { Logger } from './log.ts';
import { CONSOLE_CHANNEL, type App } from './main.ts';
import { runCycle } from './pipeline.ts';

export interface Bot {
  /** Stops scheduling, waits for the step in progress, and resolves when it is safe to close the app. */
  stop(): Promise<void>;
}

/**
 * The long-running bot: a poll cycle now and on every tick of `poll.schedule` (feeds that are not due
 * are skipped cheaply), and each scheduled digest. A tick that finds the previous cycle still running
 * is skipped rather than stacked.
 */
export function startBot(app: App, log: Logger, out: NodeJS.WritableStream): Bot {
  let inFlight: Promise<unknown> = Promise.resolve();
  let cycleRunning = false;
  let stopping = false;

  const cycle = () => {
    if (cycleRunning || stopping) return;
    cycleRunning = true;
    const run = runCycle(app.pipeline)
      .then((report) => {
        if (report.feeds > 0) log.info(report, `cycle: ${report.feeds} feeds, ${report.newArticles} new articles, ${report.matched} matches, ${report.delivery.sent} sent`);
      })
      .catch((err) => log.error({ err }, `cycle failed: ${errorMessage(err)}`))
      .finally(() => {
        cycleRunning = false;
      });
    inFlight = run;
  };

  const tasks: ScheduledTask[] = [cron.schedule(app.config.poll.schedule, cycle, { name: 'poll', noOverlap: true })];

  app.config.digests.forEach((digest, i) => {
    const scheduleKey = `config:${i}:${digest.topic ?? '*'}:${digest.cron}:${digest.timezone}`;
    tasks.push(cron.schedule(digest.cron, (ctx) => {
      if (stopping) return;
      // One digest per scheduled minute, even across restarts and replicas: the store's unique key decides.
      const period = ctx.date.toISOString().slice(0, 16);
      if (!app.store.claimDigestRun(scheduleKey, period, new Date())) return;
      const until = new Date();
      const result = collectDigest(app.store, { topic: digest.topic, since: new Date(until.getTime() - digest.since * 1000), until });
      if (digest.to === 'console' && app.config.console.format === 'json') out.write(JSON.stringify({ kind: 'digest', ...result }) + '\n');
      else out.write(renderDigestText(result) + '\n');
      log.info({ schedule: scheduleKey, period, stories: result.storyCount, channel: CONSOLE_CHANNEL.channel }, 'digest posted');
    }, { name: `digest-${i}`, timezone: digest.timezone }));
  });

  cycle();
  return {
    async stop() {
      stopping = true;
      await Promise.all(tasks.map((t) => t.stop()));
      await inFlight;
      await Promise.all(tasks.map((t) => t.destroy()));
    },
  };
}
