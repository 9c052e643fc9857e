import cron, { type ScheduledTask } from 'node-cron';
import { collectDigest } from './alerts/digest-source.ts';
import { formatTarget, targetChannel } from './chat/targets.ts';
import { errorMessage } from './errors.ts';
import type { Logger } from './log.ts';
import type { App } from './main.ts';
import { type CycleReport, runCycle } from './pipeline.ts';

export interface Bot {
  /** Stops scheduling, waits for the step in progress, and resolves when it is safe to close the app. */
  stop(): Promise<void>;
}

/**
 * The long-running bot: a poll cycle now and on every tick of `poll.schedule` (feeds that are not due
 * are skipped cheaply), and each scheduled digest. A tick that finds the previous cycle still running
 * is skipped rather than stacked.
 */
export function startBot(app: App, log: Logger): Bot {
  // Every run in progress (a cycle, a digest): stop() waits for all of them.
  const running = new Set<Promise<void>>();
  const track = (work: Promise<void>): Promise<void> => {
    running.add(work);
    void work.finally(() => running.delete(work));
    return work;
  };
  let cycleInFlight: Promise<void> | undefined;
  let stopping = false;

  const cycle = () => {
    if (cycleInFlight || stopping) return;
    cycleInFlight = track(
      runCycle(app.pipeline)
        .then((report) => {
          if (report.feeds === 0) return;
          // Every feed failing is an outage (the network, a proxy), not a quiet hour: said at warn.
          log[report.failedFeeds === report.feeds ? 'warn' : 'info'](report, `cycle: ${cycleSummary(report)}`);
        })
        .catch((err) => log.error({ err }, `cycle failed: ${errorMessage(err)}`))
        .finally(() => {
          cycleInFlight = undefined;
        }),
    );
  };

  const tasks: ScheduledTask[] = [cron.schedule(app.config.poll.schedule, cycle, { name: 'poll', noOverlap: true })];

  app.config.digests.forEach((digest, i) => {
    tasks.push(cron.schedule(digest.cron, (ctx) => {
      if (stopping) return;
      track(postScheduledDigest(app, i, ctx.date, log).then(
        () => undefined,
        (err) => log.error({ err }, `digest failed: ${errorMessage(err)}`),
      ));
    }, { name: `digest-${i}`, timezone: digest.timezone }));
  });

  cycle();
  return {
    async stop() {
      stopping = true;
      await Promise.all(tasks.map((t) => t.stop()));
      await Promise.all(running);
      await Promise.all(tasks.map((t) => t.destroy()));
    },
  };
}

/**
 * Posts the config's digest number `index` for the period that began at `scheduledAt` — once, even across
 * restarts and replicas: the store's unique (schedule, period) key decides who posts. Returns whether it posted.
 */
export async function postScheduledDigest(app: App, index: number, scheduledAt: Date, log: Logger): Promise<boolean> {
  const digest = app.config.digests[index]!;
  const to = formatTarget(digest.to);
  const sink = app.pipeline.sinks.get(digest.to.platform);
  if (!sink?.sendDigest) {
    log.error({ schedule: index, to }, `digests[${index}] goes to ${to}, but no ${digest.to.platform} connection is configured; set its credentials (watchfloor check-config lists them)`);
    return false;
  }
  const scheduleKey = `config:${index}:${digest.topic ?? '*'}:${digest.cron}:${digest.timezone}`;
  const period = scheduledAt.toISOString().slice(0, 16);
  if (!(await app.store.claimDigestRun(scheduleKey, period, app.pipeline.now()))) return false;
  const until = scheduledAt;
  const result = await collectDigest(app.store, { topic: digest.topic, since: new Date(until.getTime() - digest.since * 1000), until });
  const outcome = await sink.sendDigest(result, targetChannel(digest.to));
  if (outcome.status !== 'sent') {
    log.error({ schedule: scheduleKey, period, to, outcome }, `digest for ${period} not posted to ${to}: ${'detail' in outcome ? outcome.detail : outcome.userDetail}`);
    return false;
  }
  log.info({ schedule: scheduleKey, period, stories: result.storyCount, to }, 'digest posted');
  return true;
}

/** The one line a cycle ends with: `16 feeds (16 failed, 0 unchanged), 0 new articles, 0 matches, 0 sent`. */
export function cycleSummary(report: CycleReport): string {
  const held = report.delivery.held > 0 ? `, ${report.delivery.held} held` : '';
  return `${report.feeds} feeds (${report.failedFeeds} failed, ${report.notModified} unchanged), ${report.newArticles} new articles, ${report.matched} matches, ${report.delivery.sent} sent${held}`;
}
