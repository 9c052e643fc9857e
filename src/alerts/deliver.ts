import type { Logger } from '../log.ts';
import type { ArticleRow, DeliveryJob, Store, StoryAlert } from '../store/store.ts';
import { FIRST_REPORTS, focusFromExplanation, summarize, summarySource } from '../summaries/summarize.ts';
import { type Alert, type DeliveryOutcome, type Sink, outletName, safeLink } from './message.ts';

export interface DeliverDeps {
  store: Store;
  sinks: ReadonlyMap<string, Sink>;
  log: Logger;
  now: () => Date;
  owner: string;
}

const LEASE_MS = 60_000;
const MAX_ATTEMPTS = 8;
const ALERT_NOT_POSTED = 'alert_not_posted';
/** Passes of one delivery run: the first posts alerts, the next their follow-ups (a third catches stragglers). */
const MAX_PASSES = 3;

export interface DeliverReport {
  sent: number;
  failed: number;
  dead: number;
  /** Released unsent because the medium was unavailable (not counted as attempts). */
  held: number;
}

/**
 * The outbox worker: claim due rows, render, send, and record the outcome as data. Rows are claimed
 * oldest first, so a story's alert goes out before the follow-ups that reply in its thread; a pass
 * that posted alerts is followed by another, so their waiting follow-ups go in the same run.
 */
export async function deliverPending(deps: DeliverDeps, limit = 500): Promise<DeliverReport> {
  const report: DeliverReport = { sent: 0, failed: 0, dead: 0, held: 0 };
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const sentBefore = report.sent;
    const { held } = report;
    const now = deps.now();
    const jobs = await deps.store.claimDeliveries(now, deps.owner, new Date(now.getTime() + LEASE_MS), limit);
    for (const job of jobs) await record(deps, job, await attempt(deps, job), report);
    // Another pass only for follow-ups released because their alert was not out yet.
    if (report.sent === sentBefore || report.held === held) break;
  }
  return report;
}

async function attempt(deps: DeliverDeps, job: DeliveryJob): Promise<DeliveryOutcome> {
  const sink = deps.sinks.get(job.channel.platform);
  if (!sink) return { status: 'failed', retryable: true, detail: `no ${job.channel.platform} connection is configured; the delivery waits until one is` };
  const anchor = job.kind === 'followup' ? await deps.store.storyAlert(job.channel.id, job.storyId) : undefined;
  if (job.kind === 'followup') {
    if (anchor?.status === 'dead') return { status: 'rejected', code: ALERT_NOT_POSTED, userDetail: 'the story alert this follow-up replies to could not be posted' };
    // Waiting for its alert is not an attempt: the follow-up goes back to pending until the alert is out.
    if (anchor?.status !== 'sent') return { status: 'held', detail: 'waiting for the story alert to be posted first' };
  }
  try {
    return await sink.send(await buildAlert(deps.store, job, anchor), job.channel);
  } catch (err) {
    return { status: 'failed', retryable: true, detail: err instanceof Error ? err.message : String(err) };
  }
}

/** The alert of one outbox row; a follow-up also carries its story's alert, re-rendered with the outlet count. */
async function buildAlert(store: Store, job: DeliveryJob, anchor: StoryAlert | undefined): Promise<Alert> {
  if (job.kind === 'alert' || !anchor) return toAlert(job, { reports: await store.storyArticles(job.storyId, FIRST_REPORTS), outlets: 1 });
  const outlets = new Set([...anchor.postedFeeds, job.article.feedId]).size;
  const posted = toAlert(anchor.job, { reports: await store.storyArticles(anchor.job.storyId, FIRST_REPORTS), outlets });
  return toAlert(job, { reports: [], outlets, anchor: { alert: posted, messageRef: anchor.messageRef } });
}

async function record(deps: DeliverDeps, job: DeliveryJob, outcome: DeliveryOutcome, report: DeliverReport): Promise<void> {
  const at = deps.now();
  if (outcome.status === 'sent') {
    await deps.store.markDelivered(job.id, outcome.messageRef, at);
    report.sent++;
    return;
  }
  if (outcome.status === 'held') {
    await deps.store.releaseDelivery(job.id, at);
    report.held++;
    return;
  }
  const detail = outcome.status === 'rejected' ? `${outcome.code}: ${outcome.userDetail}` : outcome.detail;
  // The platform refused the channel itself (gone, archived, bot removed, token revoked): stop routing to it
  // until someone subscribes again; `/watch list` shows why. A follow-up whose alert failed is not the channel's fault.
  if (outcome.status === 'rejected' && outcome.code !== ALERT_NOT_POSTED) {
    const paused = await deps.store.pauseSubscriptions(job.channel.id, outcome.userDetail);
    if (paused > 0) deps.log.warn({ channel: job.channel.channel, platform: job.channel.platform, code: outcome.code }, `${paused} subscription(s) of ${job.channel.platform}:${job.channel.channel} paused: ${outcome.userDetail}`);
  }
  const retry = outcome.status === 'failed' && outcome.retryable && job.attempts < MAX_ATTEMPTS;
  const backoffS = outcome.status === 'failed' && outcome.retryAfterS !== undefined ? outcome.retryAfterS : 30 * 2 ** (job.attempts - 1);
  await deps.store.markDeliveryFailed(job.id, { error: detail, retryAt: retry ? new Date(at.getTime() + backoffS * 1000) : null });
  if (retry) report.failed++;
  else report.dead++;
  deps.log[retry ? 'warn' : 'error']({ delivery: job.id, channel: job.channel.channel, platform: job.channel.platform }, `delivery ${retry ? 'will be retried' : 'gave up'}: ${detail}`);
}

/**
 * Builds the neutral alert for one outbox row. An alert's summary is its own article's, focused on the
 * terms the topic matched; only a teaser borrows a fuller first report's (`reports`), and then says whose.
 * A follow-up has no summary: it names its story's alert (`anchor`) and replies in its thread.
 */
export function toAlert(job: DeliveryJob, context: { reports: ArticleRow[]; outlets: number; anchor?: { alert: Alert; messageRef: string | null } }): Alert {
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
  if (context.anchor) alert.anchor = context.anchor.alert;
  if (job.kind === 'alert') {
    const { article: source, borrowed } = summarySource(a, context.reports);
    alert.summary = summarize({ title: source.title, lead: source.lead, body: source.body, language: source.language ?? undefined }, focusFromExplanation(explanation));
    if (borrowed) alert.summaryFrom = { source: outletName(source.feedTitle, source.feedUrl), url: safeLink(source.url) };
  }
  return alert;
}
