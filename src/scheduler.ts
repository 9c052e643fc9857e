import cron, { type ScheduledTask } from 'node-cron';
import { duePeriod } from './alerts/digest-schedule.ts';
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
 * not due are skipped cheaply), each config digest queued on its cron, and every minute the digests channels
 * scheduled with `/watch digest schedule` queued when due; the outbox loop, started here too, posts them. A
 * tick that finds the previous cycle still running is skipped rather than stacked.
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
        .then(() => runCycle(app.pipeline, { drain: false }))
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
      track(queueScheduledDigest(app, digest, ctx.date, log).then(
        () => undefined,
        (err) => log.error({ err }, `digest failed: ${errorMessage(err)}`),
      ));
    }, { name: `digest-${i}`, timezone: digest.timezone }));
  });

  tasks.push(cron.schedule('* * * * *', () => {
    if (stopping) return;
    track(queueChannelDigests(app, log).then(
      () => undefined,
      (err) => log.error({ err }, `channel digests failed: ${errorMessage(err)}`),
    ));
  }, { name: 'channel-digests', noOverlap: true }));

  // The outbox delivers on its own clock (retry times, Retry-After), woken by the store as soon as rows are queued.
  const { pipeline } = app;
  const outbox = startOutboxLoop({ store: pipeline.store, sinks: pipeline.sinks, log, now: pipeline.now, owner: pipeline.owner, metrics: pipeline.metrics, pacer: pipeline.pacer });

  cycle();
  const [next, after] = pollTask.getNextRuns(2);
  const tickGapMs = next && after ? after.getTime() - next.getTime() : 60_000;
  return {
    pulse: () => ({ ...pulse, tickGapMs }),
    async stop() {
      stopping = true;
      await Promise.all(tasks.map((t) => t.stop()));
      await Promise.all([...running, outbox.stop()]);
      await Promise.all(tasks.map((t) => t.destroy()));
    },
  };
}

type ConfigDigest = App['config']['digests'][number];

/**
 * The key a config digest goes out once per period under. It names what the digest is — its `name` when it has
 * one, else its destination, topic, cron, zone and window — never its place in the file, so reordering the file
 * or adding a digest before it cannot post a period twice. Editing an unnamed digest makes it a new schedule
 * (its next period goes out as usual); a `name` keeps the key through edits.
 */
export function configDigestKey(digest: ConfigDigest): string {
  if (digest.name) return `config:name:${digest.name}`;
  return `config:${formatTarget(digest.to)}|${digest.topic ?? '*'}|${digest.cron}|${digest.timezone}|${digest.since}s`;
}

/**
 * Queues the period of a config digest that began at `scheduledAt` as an outbox row (kind `digest`), which the
 * outbox posts with an alert's retries and outcomes — once, even across restarts and replicas: the outbox's
 * unique (schedule, period) key decides. Returns whether this call queued it.
 */
export async function queueScheduledDigest(app: App, digest: ConfigDigest, scheduledAt: Date, log: Logger): Promise<boolean> {
  const to = formatTarget(digest.to);
  const scheduleKey = configDigestKey(digest);
  const period = scheduledAt.toISOString().slice(0, 16);
  const channelId = await app.store.ensureChannel(targetChannel(digest.to));
  const since = new Date(scheduledAt.getTime() - digest.since * 1000);
  const id = await app.store.enqueueDigest({ channelId, scheduleKey, period, since, until: scheduledAt, of: 'topics', topic: digest.topic ?? null }, app.pipeline.now());
  if (id === null) return false;
  if (app.pipeline.sinks.has(digest.to.platform)) log.info({ schedule: scheduleKey, period, to, delivery: id }, 'digest queued');
  else log.error({ schedule: scheduleKey, period, to, delivery: id }, `the digest for ${period} goes to ${to}, but no ${digest.to.platform} connection is configured; it waits in the outbox until one is: set its credentials (watchfloor check-config lists them)`);
  return true;
}

/**
 * Queues each channel's scheduled digest that is due now (alerts/digest-schedule.ts), once per period across
 * restarts and replicas; the outbox posts them. Returns how many this call queued.
 */
export async function queueChannelDigests(app: App, log: Logger): Promise<number> {
  const now = app.pipeline.now();
  let queued = 0;
  for (const schedule of await app.store.listDigestSchedules()) {
    const due = duePeriod(schedule, now);
    if (!due) continue;
    const id = await app.store.enqueueDigest({
      channelId: schedule.channelId, scheduleKey: `channel:${schedule.channelId}`, period: due.period,
      since: new Date(now.getTime() - due.sinceS * 1000), until: now, of: 'subscriptions', topic: null,
    }, now);
    if (id === null) continue;
    queued++;
    log.info({ channel: `${schedule.channel.platform}:${schedule.channel.channel}`, period: due.period, delivery: id }, 'channel digest queued');
  }
  return queued;
}

/** The one line a cycle ends with: `16 feeds (16 failed, 0 unchanged), 0 new articles, 0 matches, 0 sent`. */
export function cycleSummary(report: CycleReport): string {
  const held = report.delivery.held > 0 ? `, ${report.delivery.held} held` : '';
  return `${report.feeds} feeds (${report.failedFeeds} failed, ${report.notModified} unchanged), ${report.newArticles} new articles, ${report.matched} matches, ${report.delivery.sent} sent${held}`;
}
