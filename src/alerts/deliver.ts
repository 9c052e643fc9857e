import type { Logger } from '../log.ts';
import type { ArticleRow, DeliveryJob, Store } from '../store/store.ts';
import { focusFromExplanation, pickStorySource, summarize } from '../summaries/summarize.ts';
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
/** A follow-up waits for its alert to be posted so that it can reply in the alert's thread. */
const THREAD_WAIT_S = 5;
/** An alert's summary comes from the most informative of the story's first reports, not from a teaser. */
const FIRST_REPORTS = 5;

export interface DeliverReport {
  sent: number;
  failed: number;
  dead: number;
}

/** The outbox worker: claim due rows, render, send, and record the outcome as data. */
export async function deliverPending(deps: DeliverDeps, limit = 500): Promise<DeliverReport> {
  const report: DeliverReport = { sent: 0, failed: 0, dead: 0 };
  const now = deps.now();
  const jobs = await deps.store.claimDeliveries(now, deps.owner, new Date(now.getTime() + LEASE_MS), limit);
  for (const job of jobs) {
    const sink = deps.sinks.get(job.channel.platform);
    let outcome: DeliveryOutcome;
    const threadRef = job.kind === 'followup' ? await deps.store.alertMessageRef(job.channel.id, job.storyId) : null;
    if (!sink) {
      outcome = { status: 'failed', retryable: true, detail: `no ${job.channel.platform} connection is configured; the delivery waits until one is` };
    } else if (job.kind === 'followup' && threadRef === undefined) {
      outcome = { status: 'failed', retryable: true, detail: 'waiting for the story alert to be posted first', retryAfterS: THREAD_WAIT_S };
    } else {
      try {
        const reports = job.kind === 'alert' ? await deps.store.storyArticles(job.storyId, FIRST_REPORTS) : [];
        outcome = await sink.send(toAlert(job, threadRef ?? null, reports), job.channel);
      } catch (err) {
        outcome = { status: 'failed', retryable: true, detail: err instanceof Error ? err.message : String(err) };
      }
    }
    await record(deps, job, outcome, report);
  }
  return report;
}

async function record(deps: DeliverDeps, job: DeliveryJob, outcome: DeliveryOutcome, report: DeliverReport): Promise<void> {
  const at = deps.now();
  if (outcome.status === 'sent') {
    await deps.store.markDelivered(job.id, outcome.messageRef, at);
    report.sent++;
    return;
  }
  const detail = outcome.status === 'rejected' ? `${outcome.code}: ${outcome.userDetail}` : outcome.detail;
  const retry = outcome.status === 'failed' && outcome.retryable && job.attempts < MAX_ATTEMPTS;
  const backoffS = outcome.status === 'failed' && outcome.retryAfterS !== undefined ? outcome.retryAfterS : 30 * 2 ** (job.attempts - 1);
  await deps.store.markDeliveryFailed(job.id, { error: detail, retryAt: retry ? new Date(at.getTime() + backoffS * 1000) : null });
  if (retry) report.failed++;
  else report.dead++;
  deps.log[retry ? 'warn' : 'error']({ delivery: job.id, channel: job.channel.channel, platform: job.channel.platform }, `delivery ${retry ? 'will be retried' : 'gave up'}: ${detail}`);
}

/**
 * Builds the neutral alert for one outbox row. The summary is focused on the terms the topic matched,
 * drawn from the most informative of the story's first reports (`reports`, empty for follow-ups).
 */
export function toAlert(job: DeliveryJob, threadRef: string | null, reports: ArticleRow[]): Alert {
  const a = job.article;
  const explanation = job.match.explanation as Parameters<typeof focusFromExplanation>[0] & { threshold?: number };
  const source = reports.length > 0 ? pickStorySource(reports) : a;
  const summary = job.kind === 'alert'
    ? summarize({ title: source.title, lead: source.lead, body: source.body, language: source.language ?? undefined }, focusFromExplanation(explanation))
    : '';
  return {
    kind: job.kind,
    deliveryId: job.id,
    storyId: job.storyId,
    topic: job.topic,
    score: job.match.score,
    threshold: explanation?.threshold,
    title: a.title || '(untitled)',
    url: safeLink(a.url),
    source: outletName(a.feedTitle, a.feedUrl),
    published: a.publishedAt ?? undefined,
    language: a.language ?? undefined,
    summary,
    why: job.match.why,
    storyTitle: a.title || '(untitled)',
    outlets: 1,
    threadRef,
  };
}
