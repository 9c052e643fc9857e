import { deliverPending, type DeliverReport } from './alerts/deliver.ts';
import type { Sink } from './alerts/message.ts';
import type { ChannelPacer } from './alerts/pacing.ts';
import { capFloods, DEFAULT_FEED_BURST, type FeedPoll, type FloodedPolls, type RoutableMatch, routedChannels, routeToChannels, type SubscriberLookup, subscriberLookup } from './alerts/route.ts';
import { type FreshArticle, type PollDeps, type PollResult, pollClaimed } from './feeds/poll/poll.ts';
import { keepLeases, reclaimDeadLeases, selfOf } from './leases.ts';
import type { DeliverMetrics } from './alerts/deliver.ts';
import type { PollMetrics } from './feeds/poll/poll.ts';
import type { Logger } from './log.ts';
import type { ArticleRow, FeedRow, Store, StoryArticle } from './store/store.ts';
import type { StoryAssignment, StoryCandidate, StoryIndex } from './stories/cluster.ts';
import type { TopicIndex } from './topics/compile.ts';
import { matchArticle } from './topics/match.ts';

/**
 * One cycle as a recipe, read top to bottom:
 *   due feeds → new articles → stories → matches → deliveries → send.
 * This is the only module that joins the ingest side (feeds/, topics/, stories/) and the alert side (alerts/).
 */
export interface Pipeline {
  store: Store;
  log: Logger;
  now: () => Date;
  /** Lease owner name of this process (host:pid): leases let a replica pick up a dead one's work. */
  owner: string;
  poll: Omit<PollDeps, 'store' | 'log' | 'now'>;
  /** Feeds polled at once (fetching, waiting for a parser, or storing). */
  pollsInFlight: number;
  /** Swapped whole when topics change; matching reads whichever index is current. */
  topics: { index: TopicIndex };
  stories: StoryIndex;
  sinks: ReadonlyMap<string, Sink>;
  /** Per-channel pacing and burst guard (`delivery.pacing`, `delivery.burst`) over the store: every process posting to a channel shares its pace. */
  pacer?: ChannelPacer;
  /** Matching items one poll of one feed may bring a channel before they go as one burst message instead (`delivery.feed_burst`; default 20, 0 off). */
  feedBurst?: number;
  metrics: PipelineMetrics;
}

/** What a cycle tells `/metrics` (src/ops/metrics.ts): polls, matches, sends and the cycle's own length. */
export interface PipelineMetrics extends PollMetrics, DeliverMetrics {
  matched(topic: string): void;
  cycleEnded(seconds: number): void;
}

export interface CycleReport {
  feeds: number;
  failedFeeds: number;
  notModified: number;
  newArticles: number;
  matched: number;
  queued: number;
  delivery: DeliverReport;
}

/** Leases are short and renewed while the cycle runs, so a dead process's feeds come back within a minute. */
const LEASE_MS = 60_000;
const LEASE_RENEW_MS = 20_000;
/** Reports of a story read back to tell whether a resumed article only repeats one's URL. */
const FIRST_REPORTS_SCAN = 200;

/**
 * `allFeeds` polls every feed now whatever its schedule says (`watchfloor once`). `drain` (the default) waits for
 * the rows the cycle's delivery paced and delivers them too; `watchfloor run` turns it off, as its outbox loop
 * (src/alerts/outbox-loop.ts, woken by the store whenever rows are queued) comes back for them.
 */
export async function runCycle(p: Pipeline, options: { allFeeds?: boolean; drain?: boolean } = {}): Promise<CycleReport> {
  const started = performance.now();
  const now = p.now();
  const dueBy = options.allFeeds ? new Date(8.64e15) : now;
  // A killed process on this host does not hold its feeds and sends until its leases run out.
  await reclaimDeadLeases(p.store, selfOf(p.owner), now, p.log);
  // Wrong folds split since (`watchfloor stories split`, maybe by another process): later reports compare against both stories.
  for (const split of await p.store.storySplitsSince(new Date(now.getTime() - p.stories.windowMs))) p.stories.move(split.articleId, split.storyId);
  const leases = keepLeases(p.store, p.owner, { everyMs: LEASE_RENEW_MS, leaseMs: LEASE_MS, now: p.now, log: p.log });
  let results: PollResult[];
  let feeds: FeedRow[];
  let fresh: FreshArticle[];
  let understood: { matched: number; queued: number };
  let delivery: DeliverReport;
  try {
    ({ feeds, results } = await pollDue(p, dueBy, options.allFeeds === true));

    fresh = results.flatMap((r) => (r.status === 'ok' ? r.fresh : []));
    // Every pending article is understood here, this cycle's and any a killed run stored but never understood.
    understood = await understandPending(p, new Map(fresh.map((f) => [f.id, f.language])));

    delivery = await deliverPending({ store: p.store, sinks: p.sinks, log: p.log, now: p.now, owner: p.owner, metrics: p.metrics, pacer: p.pacer, drain: options.drain ?? true });
  } finally {
    leases.stop();
  }
  const { matched, queued } = understood;
  p.metrics.cycleEnded((performance.now() - started) / 1000);
  return {
    feeds: feeds.length,
    failedFeeds: results.filter((r) => r.status === 'failed').length,
    notModified: results.filter((r) => r.status === 'ok' && r.notModified).length,
    newArticles: fresh.length,
    matched,
    queued,
    delivery,
  };
}

/**
 * Due feeds are claimed in turns of this many polls in flight, so that replicas share a tick's feeds rather than the
 * first to look taking them all.
 */
const CLAIM_TURN = 10;

/**
 * Claims due feeds and polls them, a turn at a time until none is due (pollClaimed). `all` (`watchfloor once`) claims
 * every feed in one turn: everything it polled would be "due" again by its far-off due time.
 */
function pollDue(p: Pipeline, dueBy: Date, all: boolean): Promise<{ feeds: FeedRow[]; results: PollResult[] }> {
  const pollDeps: PollDeps = { ...p.poll, store: p.store, log: p.log, now: p.now, metrics: p.metrics };
  const turn = all ? 1_000_000 : Math.max(1, p.pollsInFlight) * CLAIM_TURN;
  const claim = (limit: number) => {
    const now = p.now();
    return p.store.claimDueFeeds(dueBy, p.owner, new Date(now.getTime() + LEASE_MS), limit, now);
  };
  return pollClaimed(claim, turn, pollDeps, p.pollsInFlight);
}

/** Articles read from the pending queue at a time; the queue is drained in turns of this many. */
const PENDING_BATCH = 10_000;

/**
 * Understands every pending article (stored as new by a poll, not yet scored, clustered and routed), holding
 * the store's understand lock so that replicas take turns. `declared` holds the feed languages of this
 * cycle's articles; one resumed after a crash has its language detected.
 *
 * A batch is understood in two passes: every article is scored first, so that the flood cap knows what each poll
 * brings each channel before any of it is routed; then each is placed in a story and routed, oldest first.
 */
export async function understandPending(p: Pipeline, declared: ReadonlyMap<number, string | undefined> = new Map()): Promise<{ articles: number; matched: number; queued: number }> {
  return p.store.withUnderstandLock(async () => {
    const total = { articles: 0, matched: 0, queued: 0 };
    for (;;) {
      const pending = await p.store.pendingArticles(PENDING_BATCH);
      if (pending.length === 0) break;
      if (total.articles === 0) await catchUpStoryWindow(p);
      // Oldest first, so the first report of a story anchors it and later ones follow up.
      pending.sort((a, b) => (a.publishedAt?.getTime() ?? 0) - (b.publishedAt?.getTime() ?? 0) || a.id - b.id);
      const scored: Scored[] = [];
      const subscribers = subscriberLookup(p.store);
      for (let i = 0; i < pending.length; i += READ_BATCH) {
        const read = new Map((await p.store.getArticles(pending.slice(i, i + READ_BATCH).map((a) => a.id))).map((a) => [a.id, a]));
        for (const { id } of pending.slice(i, i + READ_BATCH)) {
          const article = read.get(id);
          // Gone: its feed was removed meanwhile.
          if (article) scored.push(await score(p, article, declared.get(id), subscribers));
        }
      }
      const flooded = await capFloods(p.store, scored, p.feedBurst ?? DEFAULT_FEED_BURST, p.now());
      for (const s of scored) {
        const queued = await placeAndRoute(p, s, flooded);
        total.matched += s.matches.length;
        total.queued += queued;
      }
      total.articles += pending.length;
    }
    p.stories.prune(p.now());
    // A flooded poll understood to its last article: its burst message can say what it brought.
    await p.store.releaseFeedBursts(p.now());
    return total;
  });
}

/** A pending article scored against every topic (its analysis and matches stored), waiting to be placed and routed. */
interface Scored {
  id: number;
  analysis: { language: string; concepts: string[] };
  /** Placed before a crash. */
  storyId: number | null;
  url: string | null;
  candidate: StoryCandidate;
  matches: RoutableMatch[];
  /** The channels it goes to, each with the topic that speaks for it there. */
  channels: Map<number, RoutableMatch>;
  poll: FeedPoll;
}

/** Pending articles read from the store in one query. */
const READ_BATCH = 500;

/**
 * Scores one pending article against every topic and records its matches with its analysis (an article matching
 * nothing has its analysis recorded with the mark that it is understood). Repeated after a crash, both are overwritten.
 */
async function score(p: Pipeline, article: ArticleRow, language: string | undefined, subscribers: SubscriberLookup): Promise<Scored> {
  // The feed's declared language saves a detection pass; articles of feeds that declare none are detected.
  const analysis = matchArticle(p.topics.index, { title: article.title, lead: article.lead, body: article.body, language });
  const matches = analysis.matches.filter((m) => m.matched);
  for (const m of matches) p.metrics.matched(m.topic);
  // A matching article's deliveries may be read as soon as it is routed: its analysis is stored with its matches.
  if (matches.length > 0) {
    await p.store.saveMatches(matches.map((m) => ({ articleId: article.id, topic: m.topic, score: m.score, why: m.why, explanation: m.explanation })),
      { articleId: article.id, language: analysis.language, concepts: analysis.concepts });
  }
  return {
    id: article.id,
    analysis: { language: analysis.language, concepts: analysis.concepts },
    storyId: article.storyId,
    url: article.url,
    candidate: storyCandidate(article, analysis.concepts, analysis.language, p.now()),
    matches: matches.map((m) => ({ topic: m.topic, score: m.score })),
    channels: await routedChannels(matches, subscribers),
    poll: { feedId: article.feedId, fetchedAt: article.fetchedAt },
  };
}

/**
 * Places a scored article in a story, queues its deliveries and marks it understood; returns how many rows it
 * queued. Repeated after a crash, a story already given is kept and the outbox's unique keys turn a second routing
 * into nothing.
 */
async function placeAndRoute(p: Pipeline, s: Scored, flooded: FloodedPolls): Promise<number> {
  const now = p.now();
  let storyId: number;
  let how: StoryAssignment['reason'] | 'resumed';
  if (s.storyId !== null) {
    // Placed before a crash: the window rebuilt at start already holds it if it matched. Only a copy of a URL the
    // story already carries (another feed's link to the same page) stays out of routing, as when first placed.
    storyId = s.storyId;
    const others = await p.store.storyArticles(storyId, FIRST_REPORTS_SCAN);
    how = others.some((o) => o.id < s.id && o.url !== null && o.url === s.url) ? 'url' : 'resumed';
  } else {
    const placed = p.stories.assign(s.candidate);
    how = placed.reason;
    if (placed.storyId === null) {
      storyId = await p.store.createStory(s.id, s.candidate.title, now);
    } else {
      storyId = placed.storyId;
      await p.store.attachToStory(s.id, storyId, now, { reason: placed.reason, detail: placed.detail ?? placed.reason });
    }
    // The window holds matched reports only: one no topic wants never anchors a story for another to follow up.
    if (s.matches.length > 0) p.stories.add(storyId, s.candidate);
  }
  // The same canonical URL through a second feed is the same report, not another outlet: never its own follow-up.
  const queued = how === 'url' ? [] : await routeToChannels(p.store, { articleId: s.id, storyId, channels: s.channels, poll: s.poll }, now, flooded);
  if (s.matches.length > 0) p.log.debug({ article: s.id, story: storyId, topics: s.matches.map((m) => m.topic), how }, 'matched');
  await p.store.markUnderstood(s.id, now, s.analysis);
  return queued.length;
}

function storyCandidate(article: ArticleRow, concepts: string[], language: string | undefined, fetchedAt: Date): StoryCandidate {
  return {
    articleId: article.id,
    url: article.url ?? undefined,
    title: article.title,
    lead: article.lead,
    // Clustering runs in arrival time: a feed's own clock (or a missing date) must not place an item outside the window.
    publishedAt: article.publishedAt && article.publishedAt < fetchedAt ? article.publishedAt : fetchedAt,
    concepts,
    language,
    source: new URL(article.feedUrl).host,
  };
}

/** After a restart, the clustering window is rebuilt from the store so a story keeps gathering its reports. */
export async function rebuildStoryWindow(store: Store, stories: StoryIndex, now: Date, windowS: number): Promise<number> {
  const rows = await store.storyWindow(new Date(now.getTime() - windowS * 1000));
  for (const row of rows) addToWindow(stories, row);
  stories.prune(now);
  stories.synced(now);
  return rows.length;
}

/** Replicas' clocks may differ by this much: a catch-up looks back as far again, and skips what it holds. */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Other replicas place articles too. Holding the understand lock, the window first takes in every matched article
 * any process placed since this one last looked, so a report another replica placed a minute ago is found here and
 * two replicas never open two stories for one event.
 */
async function catchUpStoryWindow(p: Pick<Pipeline, 'store' | 'stories' | 'now'>): Promise<void> {
  const lookedAt = p.now();
  const since = p.stories.syncedAt ? new Date(p.stories.syncedAt.getTime() - CLOCK_SKEW_MS) : new Date(lookedAt.getTime() - p.stories.windowMs);
  for (const row of await p.store.storyWindowPlacedSince(since)) {
    if (!p.stories.has(row.article.id)) addToWindow(p.stories, row);
  }
  p.stories.synced(lookedAt);
}

function addToWindow(stories: StoryIndex, row: StoryArticle): void {
  stories.add(row.storyId, storyCandidate(row.article, row.concepts, row.article.language ?? undefined, row.article.fetchedAt));
}
