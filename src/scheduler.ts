import cron, { type ScheduledTask } from 'node-cron';
import { duePeriod } from './alerts/digest-schedule.ts';
import { collectDigest } from './alerts/digest-source.ts';
import { startOutboxLoop } from './alerts/outbox-loop.ts';
import { formatTarget, targetChannel } from './chat/targets.ts';
import { errorMessage } from './errors.ts';
import type { Logger } from './log.ts';
import type { App } from './app.ts';
import { type CycleReport, runCycle } from './pipeline.ts';

export interface Schedules {
  /** Stops scheduling, waits for the step in progress, and resolves when it is safe to close the app. */
  stop(): Promise<void>;
  /** When the poll task last ticked and a cycle ran: what `/readyz` judges (src/ops/readiness.ts). */
  pulse(): SchedulePulse;
}

export interface SchedulePulse {
  startedAt: Date;
  lastTickAt?: Date;
  /** When the cycle in progress began; undefined between cycles. */
  cycleStartedAt?: Date;
  lastCycleEndedAt?: Date;
  /** Between the poll task's next two ticks. */
  tickGapMs: number;
}

/**
 * The clock of the long-running bot: a poll cycle now and on every tick of `poll.schedule` (feeds that are
 * not due are skipped cheaply), each config digest on its cron, and every minute the digests channels
 * scheduled with `/watch digest schedule`. A tick that finds the previous cycle still running is skipped
 * rather than stacked.
 */
export function startSchedules(app: App, log: Logger): Schedules {
  // Every run in progress (a cycle, a digest): stop() waits for all of them.
  const running = new Set<Promise<void>>();
  const track = (work: Promise<void>): Promise<void> => {
    running.add(work);
    void work.finally(() => running.delete(work));
    return work;
  };
  let cycleInFlight: Promise<void> | undefined;
  let stopping = false;
  // The pipeline's clock, so the pulse `/readyz` judges can be tested at a chosen time.
  const now = app.pipeline.now;
  const pulse: Omit<SchedulePulse, 'tickGapMs'> = { startedAt: now() };

  const cycle = () => {
    if (cycleInFlight || stopping) return;
    pulse.cycleStartedAt = now();
    cycleInFlight = track(
      // Another replica may have added a chat topic: pick it up before matching.
      app.catalog.refresh()
        .then(() => runCycle(app.pipeline))
        .then((report) => {
          if (report.feeds === 0) return;
          // Every feed failing is an outage (the network, a proxy), not a quiet hour: said at warn.
          log[report.failedFeeds === report.feeds ? 'warn' : 'info'](report, `cycle: ${cycleSummary(report)}`);
        })
        .catch((err) => log.error({ err }, `cycle failed: ${errorMessage(err)}`))
        .finally(() => {
          cycleInFlight = undefined;
          pulse.cycleStartedAt = undefined;
          pulse.lastCycleEndedAt = now();
        }),
    );
  };

  const pollTask = cron.schedule(app.config.poll.schedule, () => {
    pulse.lastTickAt = now();
    cycle();
  }, { name: 'poll', noOverlap: true });
  const tasks: ScheduledTask[] = [pollTask];

  app.config.digests.forEach((digest, i) => {
    tasks.push(cron.schedule(digest.cron, (ctx) => {
      if (stopping) return;
      track(postScheduledDigest(app, i, ctx.date, log).then(
        () => undefined,
        (err) => log.error({ err }, `digest failed: ${errorMessage(err)}`),
      ));
    }, { name: `digest-${i}`, timezone: digest.timezone }));
  });

  tasks.push(cron.schedule('* * * * *', () => {
    if (stopping) return;
    track(postChannelDigests(app, log).then(
      () => undefined,
      (err) => log.error({ err }, `channel digests failed: ${errorMessage(err)}`),
    ));
  }, { name: 'channel-digests', noOverlap: true }));

  // The outbox delivers on its own clock (retry times, Retry-After), woken as soon as a cycle queues rows.
  const { pipeline } = app;
  const outbox = startOutboxLoop({ store: pipeline.store, sinks: pipeline.sinks, log, now: pipeline.now, owner: pipeline.owner, metrics: pipeline.metrics, pacer: pipeline.pacer });
  pipeline.onQueued = () => outbox.wake();

  cycle();
  const [next, after] = pollTask.getNextRuns(2);
  const tickGapMs = next && after ? after.getTime() - next.getTime() : 60_000;
  return {
    pulse: () => ({ ...pulse, tickGapMs }),
    async stop() {
      stopping = true;
      await Promise.all(tasks.map((t) => t.stop()));
      await Promise.all([...running, outbox.stop()]);
      pipeline.onQueued = undefined;
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

/**
 * Posts each channel's scheduled digest that is due now (alerts/digest-schedule.ts), once per period across
 * restarts and replicas. Returns how many were posted.
 */
export async function postChannelDigests(app: App, log: Logger): Promise<number> {
  const now = app.pipeline.now();
  let posted = 0;
  for (const schedule of await app.store.listDigestSchedules()) {
    const due = duePeriod(schedule, now);
    if (!due) continue;
    const sink = app.pipeline.sinks.get(schedule.channel.platform);
    if (!sink?.sendDigest) continue; // its platform is not connected in this process; another may post it
    if (!(await app.store.claimDigestRun(`channel:${schedule.channelId}`, due.period, now))) continue;
    const digest = await collectDigest(app.store, { channelId: schedule.channelId, since: new Date(now.getTime() - due.sinceS * 1000), until: now });
    const outcome = await sink.sendDigest(digest, schedule.channel);
    const where = `${schedule.channel.platform}:${schedule.channel.channel}`;
    if (outcome.status === 'sent') {
      posted++;
      log.info({ channel: where, period: due.period, stories: digest.storyCount }, 'channel digest posted');
    } else {
      log.error({ channel: where, period: due.period, outcome }, `channel digest for ${due.period} not posted to ${where}: ${'detail' in outcome ? outcome.detail : outcome.userDetail}`);
    }
  }
  return posted;
}

/** The one line a cycle ends with: `16 feeds (16 failed, 0 unchanged), 0 new articles, 0 matches, 0 sent`. */
export function cycleSummary(report: CycleReport): string {
  const held = report.delivery.held > 0 ? `, ${report.delivery.held} held` : '';
  return `${report.feeds} feeds (${report.failedFeeds} failed, ${report.notModified} unchanged), ${report.newArticles} new articles, ${report.matched} matches, ${report.delivery.sent} sent${held}`;
}
