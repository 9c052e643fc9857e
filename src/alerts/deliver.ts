import { AppError, errorMessage } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { AlertJob, ArticleRow, DeliveryJob, DigestJob, Store, StoryAlert } from '../store/store.ts';
import { FIRST_REPORTS, focusFromExplanation, summarize, summarySource } from '../summaries/summarize.ts';
import { buildDigest, type Digest } from './digest.ts';
import { collectDigest, collectFeedBurst } from './digest-source.ts';
import { type Alert, type DeliveryOutcome, type Sink, outletName, safeLink } from './message.ts';
import { ChannelPacer, type PostKind } from './pacing.ts';

export interface DeliverDeps {
  store: Store;
  sinks: ReadonlyMap<string, Sink>;
  log: Logger;
  now: () => Date;
  /** Waits `ms` on the same clock as `now` (tests inject one that moves at once); default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  owner: string;
  /** Told every outcome (`/metrics`); absent in tests that do not count. */
  metrics?: DeliverMetrics;
  /**
   * Each channel's pace (pacing, burst guard), kept in the store: every run and every process posting to a channel
   * share it. Absent: one over `store` with the default limits.
   */
  pacer?: ChannelPacer;
  /**
   * Wait (`sleep`) for rows this run deferred for pacing or the burst guard, and deliver them too: `once`, where
   * no outbox loop comes back for them. Without it, they are left to the loop, which wakes when they are due.
   */
  drain?: boolean;
}

export interface DeliverMetrics {
  /**
   * One send's outcome (`sent`, `held`, `rejected`, `failed`); a sent alert's latency runs from its article's
   * fetch (`fetchedAt`; a digest has none).
   */
  delivered(outcome: { platform: string; status: string; fetchedAt?: Date; at: Date }): void;
}

/** A claim holds its rows this long; a send in progress renews it (leases.ts), a dead sender's rows come back after it. */
export const DELIVERY_LEASE_MS = 60_000;
const MAX_ATTEMPTS = 8;
const ALERT_NOT_POSTED = 'alert_not_posted';
/** The medium takes no digests (lazy-sink.ts says so too). */
const NO_DIGESTS = 'no_digests';
/** Refusals that are the row's, not the channel's: they pause no subscription. */
const NOT_THE_CHANNEL = new Set([ALERT_NOT_POSTED, NO_DIGESTS]);
/** Rows claimed at a time; a run claims again until nothing is due. */
const BATCH = 500;
/** A follow-up waiting for its alert looks again after this long, or as soon as the alert is posted (markDelivered wakes it). */
const FOLLOWUP_WAIT_MS = 30_000;
/** A delivery to a platform this process has no connection for looks again after this long (another replica, or a restart with credentials, may have one). */
const NO_CONNECTION_WAIT_MS = 60_000;

export interface DeliverReport {
  sent: number;
  failed: number;
  dead: number;
  /** Refused for good by the platform (channel gone, bot removed): status `rejected`, the subscription paused. */
  rejected: number;
  /** Deferred unsent: waiting for its alert, a connection, a rate limit, or a medium that went away (no attempt spent). */
  held: number;
}

/**
 * An attempt's outcome; a row that waits may say until when. `uncertain`: the post may have reached the platform
 * without us learning it (the send began and failed on the way back, or an earlier such attempt is still unresolved).
 */
type Attempt = (DeliveryOutcome | { status: 'held'; detail: string; until: Date }) & { uncertain?: boolean };

/**
 * The outbox worker: claim due rows, render, send, and record the outcome as data, until nothing is due. Rows
 * are claimed oldest first, so a story's alert goes out before the follow-ups that reply in its thread; a
 * posted alert wakes its waiting follow-ups, which the next claim takes. A claim that sent nothing ends the run
 * (what is left waits for a retry time or a medium that is back).
 */
export async function deliverPending(deps: DeliverDeps, limit = BATCH): Promise<DeliverReport> {
  const report: DeliverReport = { sent: 0, failed: 0, dead: 0, rejected: 0, held: 0 };
  const pacer = deps.pacer ?? new ChannelPacer(deps.store);
  const run: Run = { deps, pacer, report, paced: [] };
  for (;;) {
    const sentBefore = report.sent;
    const now = deps.now();
    const jobs = await deps.store.claimDeliveries(now, deps.owner, new Date(now.getTime() + DELIVERY_LEASE_MS), limit);
    for (const group of byChannel(jobs)) await deliverToChannel(run, group);
    if (jobs.length > 0 && report.sent > sentBefore) continue;
    // Nothing more is due now. Rows this run paced come due within seconds (a minute for the burst guard).
    const at = deps.now().getTime();
    run.paced = run.paced.filter((t) => t > at);
    if (!deps.drain || run.paced.length === 0) break;
    await (deps.sleep ?? sleep)(Math.min(...run.paced) - at);
  }
  return report;
}

/** One run's state: its deps, the pacer, the counts, and when the rows it paced come due (ms). */
interface Run {
  deps: DeliverDeps;
  pacer: ChannelPacer;
  report: DeliverReport;
  paced: number[];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A claim's rows by channel, each channel's in claim order (oldest first: an alert before its follow-ups). */
function byChannel(jobs: DeliveryJob[]): DeliveryJob[][] {
  const groups = new Map<number, DeliveryJob[]>();
  for (const job of jobs) {
    const group = groups.get(job.channel.id);
    if (group) group.push(job);
    else groups.set(job.channel.id, [job]);
  }
  return [...groups.values()];
}

/**
 * Delivers one channel's claimed rows, paced: each post first takes the channel's slot (pacing.ts), shared with every
 * process posting there; a post that finds it taken (sooner than the sink's interval after the previous one, or inside
 * a platform's Retry-After) is deferred to its slot, spending no attempt, and the next channel's rows go on meanwhile.
 * Burst guard: when more alerts are due than the channel's minute has room for, they go together as one message;
 * when the minute is full, they wait for room.
 */
async function deliverToChannel(run: Run, group: DeliveryJob[]): Promise<void> {
  const { deps, pacer } = run;
  const channel = group[0]!.channel;
  const sink = deps.sinks.get(channel.platform);
  const intervalMs = sink?.minIntervalMs ?? 0;
  // A row cut off mid-post goes alone: it is asked about (Sink.recover) before anything is sent again.
  // A scheduled digest is one message already: paced, never gathered into a burst.
  const alerts = sink?.sendDigest && pacer.options.burst > 0 ? group.filter((j): j is AlertJob => j.kind === 'alert' && !j.cutOff) : [];
  let units: Array<DeliveryJob | AlertJob[]> = group;
  if (alerts.length > 0) {
    const { room, freesAt } = await pacer.room(channel.id, deps.now().getTime());
    if (alerts.length > room) {
      const rest = group.filter((j) => !alerts.includes(j as AlertJob));
      if (room < 1) {
        for (const job of alerts) await defer(run, job, freesAt, `burst guard: ${channel.platform}:${channel.channel} had ${pacer.options.burst} messages this minute`);
        units = rest;
      } else {
        const first = group.indexOf(alerts[0]!);
        units = [...rest.filter((j) => group.indexOf(j) < first), alerts, ...rest.filter((j) => group.indexOf(j) > first)];
      }
    }
  }
  // Once a unit finds the slot taken, the rest follow it without asking, each one interval later, in order.
  let slot: number | undefined;
  let deferred = 0;
  for (const unit of units) {
    const now = deps.now().getTime();
    const kind = postKind(unit, alerts);
    // With no sink nothing is posted (the row waits for a connection): it takes no slot.
    if (slot === undefined && sink) slot = await pacer.take(channel.id, now, intervalMs, kind);
    if (slot !== undefined) {
      const until = slot + deferred++ * intervalMs;
      for (const job of Array.isArray(unit) ? unit : [unit]) await defer(run, job, until, `paced: ${channel.platform}:${channel.channel} takes one message every ${intervalMs / 1000} s`);
      continue;
    }
    let outcome: Attempt;
    if (Array.isArray(unit)) outcome = await sendBurst(run, sink!, unit);
    else {
      outcome = unit.kind === 'digest' ? await attemptDigest(deps, unit) : await attempt(deps, unit);
      await record(deps, unit, outcome, run.report);
    }
    if (sink) await settle(run, channel.id, { now, intervalMs, kind }, outcome);
  }
}

/**
 * What a post that went nowhere leaves of its slot: a held one (a follow-up waiting for its alert, a medium that
 * takes nothing now) gives it back; one refused for a rate limit holds the channel for the platform's Retry-After,
 * for every process posting to it, so its other rows wait as long rather than each asking for its own 429. Neither
 * counts for the burst guard: the channel never got it.
 */
async function settle(run: Run, channel: number, taken: { now: number; intervalMs: number; kind: PostKind }, outcome: Attempt): Promise<void> {
  if (outcome.status === 'held') await run.pacer.giveBack(channel, taken.now, taken.intervalMs, taken.kind);
  else if (outcome.status === 'failed' && outcome.retryAfterS !== undefined) {
    await run.pacer.holdUntil(channel, run.deps.now().getTime() + outcome.retryAfterS * 1000, taken);
  }
}

/** Alerts the guard counted, alone or gathered, need the minute's room; other alerts and digests are top-level messages; follow-ups reply in threads. */
function postKind(unit: DeliveryJob | AlertJob[], guarded: AlertJob[]): PostKind {
  if (Array.isArray(unit) || guarded.includes(unit as AlertJob)) return 'guarded';
  return unit.kind === 'followup' ? 'reply' : 'top';
}

/** Defers a row to its pacing slot (no attempt spent); a drained run waits for it. */
async function defer(run: Run, job: DeliveryJob, until: number, reason: string): Promise<void> {
  await run.deps.store.releaseDelivery(job.id, run.deps.now(), { reason, until: new Date(until), uncertain: job.cutOff });
  run.report.held++;
  run.paced.push(until);
}

/** Rows held as one message (a burst) are posted `burst:<ref>`: their follow-ups reply under it, and do not edit it. */
const BURST_REF = 'burst:';
/** Alerts a burst message lists per topic; the rest are counted ("and 12 more"). */
const BURST_SHOWN = 10;

/**
 * Posts a burst of alerts for one channel as one mini-digest (the sink's `sendDigest`, told every row's id), and
 * records the outcome on every row of it. A row cut off mid-burst goes alone next time and is asked about first
 * (`recoverAlert`): the medium finds the burst by the ids it carries.
 */
async function sendBurst(run: Run, sink: Sink, jobs: AlertJob[]): Promise<Attempt> {
  const { deps } = run;
  const now = deps.now();
  let outcome: Attempt;
  try {
    const digest = burstDigest(jobs, now);
    for (const job of jobs) await deps.store.markAttemptStarted(job.id, now);
    const posted = await sink.sendDigest!(digest, jobs[0]!.channel, jobs.map((j) => j.id));
    outcome = posted.status === 'failed' && posted.retryAfterS === undefined ? { ...posted, uncertain: true } : posted;
  } catch (err) {
    outcome = { status: 'failed', retryable: true, detail: errorMessage(err), uncertain: true };
  }
  if (outcome.status === 'sent') {
    deps.log.info({ channel: jobs[0]!.channel.channel, platform: jobs[0]!.channel.platform, alerts: jobs.length }, `burst guard: ${jobs.length} alerts posted as one message`);
    outcome = { status: 'sent', messageRef: outcome.messageRef ? `${BURST_REF}${outcome.messageRef}` : null };
  }
  for (const job of jobs) await record(deps, job, outcome, run.report);
  return outcome;
}

/** The neutral mini-digest of a burst: every alert of it, grouped by topic, the first few of each shown. */
function burstDigest(jobs: AlertJob[], now: Date): Digest {
  const stories = jobs.map((job) => {
    const a = job.article;
    return {
      storyId: job.storyId,
      topic: job.topic.slug,
      topicTitle: job.topic.title,
      title: a.title || '(untitled)',
      url: safeLink(a.url),
      source: outletName(a.feedTitle, a.feedUrl),
      outlets: 1,
      score: job.match.score,
      firstSeenAt: a.fetchedAt,
      gist: summarize({ title: a.title, lead: a.lead, body: a.body, language: a.language ?? undefined },
        focusFromExplanation(job.match.explanation as Parameters<typeof focusFromExplanation>[0]), { maxSentences: 1, maxChars: 240 }),
    };
  });
  const since = new Date(Math.min(...jobs.map((j) => j.article.fetchedAt.getTime()), now.getTime()));
  return buildDigest(stories, { since, until: now }, { title: `a burst of ${jobs.length} alerts`, perTopic: BURST_SHOWN, now });
}

/** No sink for the row's platform in this process: it waits (no attempt spent) for a process or restart that has one. */
function noConnection(deps: DeliverDeps, job: DeliveryJob): Attempt {
  return { status: 'held', detail: `no ${job.channel.platform} connection is configured; the delivery waits until one is`, until: new Date(deps.now().getTime() + NO_CONNECTION_WAIT_MS) };
}

async function attempt(deps: DeliverDeps, job: AlertJob): Promise<Attempt> {
  const sink = deps.sinks.get(job.channel.platform);
  if (!sink) return noConnection(deps, job);
  const anchor = job.kind === 'followup' ? await deps.store.storyAlert(job.channel.id, job.storyId) : undefined;
  if (job.kind === 'followup') {
    if (anchor?.status === 'dead' || anchor?.status === 'rejected') return { status: 'rejected', code: ALERT_NOT_POSTED, userDetail: 'the story alert this follow-up replies to could not be posted' };
    // Waiting for its alert is not an attempt: the follow-up is deferred until the alert is out.
    if (anchor?.status !== 'sent') return { status: 'held', detail: 'waiting for the story alert to be posted first', until: new Date(deps.now().getTime() + FOLLOWUP_WAIT_MS) };
  }
  let began = false;
  try {
    const alert = await buildAlert(deps.store, job, anchor);
    // An earlier attempt may have posted without us learning it: cut off by a crash, or failed after the platform
    // accepted the post (a timeout, a dropped connection, a 5xx from a proxy). The medium may know (Slack's
    // metadata in history, the console's count); Discord's nonce makes the re-send itself harmless.
    const recovered = job.cutOff ? await recoverAlert(sink, alert, job) : undefined;
    if (recovered) return recovered;
    await deps.store.markAttemptStarted(job.id, deps.now());
    began = true;
    const outcome = await sink.send(alert, job.channel);
    // A rate limit or a refusal is a definite "not posted"; any other failure may have happened after the post.
    return outcome.status === 'failed' && outcome.retryAfterS === undefined ? { ...outcome, uncertain: true } : outcome;
  } catch (err) {
    return { status: 'failed', retryable: true, detail: errorMessage(err), uncertain: began || job.cutOff };
  }
}

/**
 * Asks the medium whether an uncertain earlier attempt of an alert went out: on its own, or (an alert) in a burst
 * cut off mid-post, whose follow-ups then reply under it as under any burst.
 */
async function recoverAlert(sink: Sink, alert: Alert, job: AlertJob): Promise<DeliveryOutcome | undefined> {
  const own = sink.recover ? await ask(() => sink.recover!(alert, job.channel)) : undefined;
  if (own || job.kind !== 'alert' || !sink.recoverDigest) return own;
  const inBurst = await ask(() => sink.recoverDigest!(undefined, job.channel, job.id));
  return inBurst?.status === 'sent' ? { status: 'sent', messageRef: inBurst.messageRef ? `${BURST_REF}${inBurst.messageRef}` : null } : inBurst;
}

/**
 * Asks the medium about an uncertain earlier attempt. A medium that cannot be asked for good (the channel is gone)
 * is answered by the send that follows; one that cannot be asked now is tried again later.
 */
async function ask(question: () => Promise<DeliveryOutcome | undefined>): Promise<DeliveryOutcome | undefined> {
  try {
    return await question();
  } catch (err) {
    if (err instanceof AppError && !err.retryable) return undefined;
    throw err;
  }
}

/**
 * One period of a scheduled digest, or a feed's burst (the poll's items beyond a channel's own rows). Its stories are read now, from the window stored on the row, so a digest
 * retried an hour later still covers its own period. Like an alert, one whose earlier attempt may have gone out
 * asks the medium first (`recoverDigest`), which also completes one cut off between its parts.
 */
async function attemptDigest(deps: DeliverDeps, job: DigestJob): Promise<Attempt> {
  const sink = deps.sinks.get(job.channel.platform);
  if (!sink) return noConnection(deps, job);
  if (!sink.sendDigest) return { status: 'rejected', code: NO_DIGESTS, userDetail: `${job.channel.platform} cannot post digests; send the digest to another destination` };
  let began = false;
  try {
    const { since, until, of, topic, feedId } = job.digest;
    const digest = feedId !== undefined
      ? await collectFeedBurst(deps.store, { channelId: job.channel.id, feedId, fetchedAt: since })
      : await collectDigest(deps.store, of === 'subscriptions' ? { channelId: job.channel.id, since, until } : { topic: topic ?? undefined, since, until });
    const recovered = job.cutOff && sink.recoverDigest ? await ask(() => sink.recoverDigest!(digest, job.channel, job.id)) : undefined;
    // A failure while it posts the parts still missing may have come after one of them: the retry asks again.
    if (recovered) return recovered.status === 'failed' ? { ...recovered, uncertain: true } : recovered;
    await deps.store.markAttemptStarted(job.id, deps.now());
    began = true;
    const outcome = await sink.sendDigest(digest, job.channel, [job.id]);
    // As for an alert: a rate limit or a refusal is a definite "not posted", any other failure may be after the post.
    return outcome.status === 'failed' && outcome.retryAfterS === undefined ? { ...outcome, uncertain: true } : outcome;
  } catch (err) {
    return { status: 'failed', retryable: true, detail: errorMessage(err), uncertain: began || job.cutOff };
  }
}

/** The alert of one outbox row; a follow-up also carries its story's alert, re-rendered with the outlet count. */
async function buildAlert(store: Store, job: AlertJob, anchor: StoryAlert | undefined): Promise<Alert> {
  if (job.kind === 'alert' || !anchor) return toAlert(job, { reports: await store.storyArticles(job.storyId, FIRST_REPORTS), outlets: 1 });
  const outlets = new Set([...anchor.postedFeeds, job.article.feedId]).size;
  // An alert posted in a burst shares its message with others: reply under it, never rewrite it as one alert.
  if (anchor.messageRef?.startsWith(BURST_REF)) {
    const posted = toAlert(anchor.job, { reports: [], outlets });
    return toAlert(job, { reports: [], outlets, anchor: { alert: posted, messageRef: anchor.messageRef.slice(BURST_REF.length) }, refresh: false });
  }
  const posted = toAlert(anchor.job, { reports: await store.storyArticles(anchor.job.storyId, FIRST_REPORTS), outlets });
  return toAlert(job, { reports: [], outlets, anchor: { alert: posted, messageRef: anchor.messageRef } });
}

async function record(deps: DeliverDeps, job: DeliveryJob, outcome: Attempt, report: DeliverReport): Promise<void> {
  const at = deps.now();
  deps.metrics?.delivered({ platform: job.channel.platform, status: outcome.status, fetchedAt: job.kind === 'digest' ? undefined : job.article.fetchedAt, at });
  if (outcome.status === 'sent') {
    await deps.store.markDelivered(job.id, outcome.messageRef, at);
    report.sent++;
    const what = job.kind === 'digest'
      ? { schedule: job.digest.scheduleKey, period: job.digest.period }
      : { story: job.storyId, topic: job.topic.slug, article: job.article.id };
    deps.log.info({ delivery: job.id, kind: job.kind, ...what, platform: job.channel.platform, channel: job.channel.channel, messageRef: outcome.messageRef }, `delivered ${job.kind} to ${job.channel.platform}:${job.channel.channel}`);
    return;
  }
  // A rate limit is the platform saying when, not a failed attempt: wait it out without spending one, so a 429
  // storm cannot run a row out of attempts. (A platform that never lets up keeps the row waiting, visible as deferred.)
  if (outcome.status === 'failed' && outcome.retryAfterS !== undefined) {
    const until = new Date(at.getTime() + backoffMs(job.attempts, outcome.retryAfterS));
    await deps.store.releaseDelivery(job.id, at, { reason: `rate limited: ${outcome.detail}`, until });
    report.held++;
    deps.log.info({ delivery: job.id, channel: job.channel.channel, platform: job.channel.platform, retryAfterS: outcome.retryAfterS }, `delivery rate limited, waiting ${outcome.retryAfterS} s: ${outcome.detail}`);
    return;
  }
  if (outcome.status === 'held') {
    await deps.store.releaseDelivery(job.id, at, { reason: outcome.detail, until: 'until' in outcome ? outcome.until : at, uncertain: job.cutOff });
    report.held++;
    return;
  }
  const detail = outcome.status === 'rejected' ? `${outcome.code}: ${outcome.userDetail}` : outcome.detail;
  // The platform refused the channel itself (gone, archived, bot removed, token revoked): stop routing to it
  // until someone subscribes again; `/watch list` shows why. A follow-up whose alert failed, or a digest to a medium
  // that takes none, is not the channel's fault.
  if (outcome.status === 'rejected' && !NOT_THE_CHANNEL.has(outcome.code)) {
    const paused = await deps.store.pauseSubscriptions(job.channel.id, outcome.userDetail);
    if (paused > 0) deps.log.warn({ channel: job.channel.channel, platform: job.channel.platform, code: outcome.code }, `${paused} subscription(s) of ${job.channel.platform}:${job.channel.channel} paused: ${outcome.userDetail}`);
  }
  const retry = outcome.status === 'failed' && outcome.retryable && job.attempts < MAX_ATTEMPTS;
  const rejected = outcome.status === 'rejected';
  await deps.store.markDeliveryFailed(job.id, { error: detail, retryAt: retry ? new Date(at.getTime() + backoffMs(job.attempts, outcome.status === 'failed' ? outcome.retryAfterS : undefined)) : null, rejected, uncertain: outcome.uncertain === true });
  if (retry) report.failed++;
  else if (rejected) report.rejected++;
  else report.dead++;
  deps.log[retry ? 'warn' : 'error']({ delivery: job.id, channel: job.channel.channel, platform: job.channel.platform }, `delivery ${retry ? 'will be retried' : rejected ? 'was refused' : 'gave up'}: ${detail}`);
}

/**
 * The wait before attempt `attempts + 1`: the platform's Retry-After when it gave one, else exponential from 30 s
 * (30, 60, 120 … s) with ±20% jitter, so rows that failed together (an outage) do not all come back at once.
 */
export function backoffMs(attempts: number, retryAfterS: number | undefined, random: () => number = Math.random): number {
  if (retryAfterS !== undefined) return retryAfterS * 1000;
  return Math.round(30_000 * 2 ** Math.max(0, attempts - 1) * (0.8 + 0.4 * random()));
}

/**
 * Builds the neutral alert for one outbox row. An alert's summary is its own article's, focused on the
 * terms the topic matched; only a teaser borrows a fuller first report's (`reports`), and then says whose.
 * A follow-up has no summary: it names its story's alert (`anchor`) and replies in its thread.
 */
export function toAlert(job: AlertJob, context: { reports: ArticleRow[]; outlets: number; anchor?: { alert: Alert; messageRef: string | null }; refresh?: boolean }): Alert {
  const a = job.article;
  const explanation = job.match.explanation as Parameters<typeof focusFromExplanation>[0] & { threshold?: number };
  const title = a.title || '(untitled)';
  const alert: Alert = {
    kind: job.kind,
    deliveryId: job.id,
    storyId: job.storyId,
    topic: job.topic,
    score: job.match.score,
    threshold: explanation?.threshold,
    title,
    url: safeLink(a.url),
    source: outletName(a.feedTitle, a.feedUrl),
    published: a.publishedAt ?? undefined,
    language: a.language ?? undefined,
    summary: '',
    why: job.match.why,
    storyTitle: context.anchor?.alert.title ?? title,
    outlets: context.outlets,
    threadRef: context.anchor?.messageRef ?? null,
  };
  if (context.anchor && context.refresh !== false) alert.anchor = context.anchor.alert;
  if (job.kind === 'followup' && a.storyFold) alert.joined = { reason: a.storyFold.reason, detail: a.storyFold.detail || a.storyFold.reason };
  if (job.kind === 'alert') {
    const { article: source, borrowed } = summarySource(a, context.reports);
    alert.summary = summarize({ title: source.title, lead: source.lead, body: source.body, language: source.language ?? undefined }, focusFromExplanation(explanation));
    if (borrowed) alert.summaryFrom = { source: outletName(source.feedTitle, source.feedUrl), url: safeLink(source.url) };
  }
  return alert;
}
