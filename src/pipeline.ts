import { deliverPending, type DeliverReport } from './alerts/deliver.ts';
import type { Sink } from './alerts/message.ts';
import { routeMatches } from './alerts/route.ts';
import { type FreshArticle, type PollDeps, pollFeeds } from './feeds/poll.ts';
import type { Logger } from './log.ts';
import type { ArticleRow, Store } from './store/store.ts';
import type { StoryCandidate, StoryIndex } from './stories/cluster.ts';
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

const FEED_LEASE_MS = 5 * 60_000;

/** `allFeeds` polls every feed now whatever its schedule says (`watchfloor once`). */
export async function runCycle(p: Pipeline, options: { allFeeds?: boolean } = {}): Promise<CycleReport> {
  const now = p.now();
  const dueBy = options.allFeeds ? new Date(8.64e15) : now;
  const feeds = await p.store.claimDueFeeds(dueBy, p.owner, new Date(now.getTime() + FEED_LEASE_MS), 10_000, now);
  const pollDeps: PollDeps = { ...p.poll, store: p.store, log: p.log, now: p.now };
  const results = await pollFeeds(feeds, pollDeps, p.pollsInFlight);

  const fresh = results.flatMap((r) => (r.status === 'ok' ? r.fresh : []));
  // Oldest first, so the first report of a story anchors it and later ones follow up.
  fresh.sort((a, b) => (a.publishedAt?.getTime() ?? 0) - (b.publishedAt?.getTime() ?? 0) || a.id - b.id);
  let matched = 0;
  let queued = 0;
  for (const article of fresh) {
    const outcome = await understand(p, article);
    matched += outcome.matched;
    queued += outcome.queued;
  }
  p.stories.prune(p.now());

  const delivery = await deliverPending({ store: p.store, sinks: p.sinks, log: p.log, now: p.now, owner: p.owner });
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

/** Score one new article against every topic, place it in a story, record matches and queue deliveries. */
async function understand(p: Pipeline, fresh: FreshArticle): Promise<{ matched: number; queued: number }> {
  const now = p.now();
  const article = await p.store.getArticle(fresh.id);
  if (!article) return { matched: 0, queued: 0 }; // its feed was removed meanwhile
  // The feed's declared language saves a detection pass; articles of feeds that declare none are detected.
  const analysis = matchArticle(p.topics.index, { title: article.title, lead: article.lead, body: article.body, language: fresh.language });
  await p.store.setArticleAnalysis(fresh.id, { language: analysis.language, concepts: analysis.concepts });

  const candidate = storyCandidate(article, analysis.concepts, analysis.language, now);
  const assigned = p.stories.assign(candidate);
  let storyId: number;
  if (assigned.storyId === null) {
    storyId = await p.store.createStory(fresh.id, article.title, now);
  } else {
    storyId = assigned.storyId;
    await p.store.attachToStory(fresh.id, storyId, now);
  }
  p.stories.add(storyId, candidate);

  const matches = analysis.matches.filter((m) => m.matched);
  for (const m of matches) await p.store.saveMatch({ articleId: fresh.id, topic: m.topic, score: m.score, why: m.why, explanation: m.explanation });
  // The same canonical URL through a second feed is the same report, not another outlet: never its own follow-up.
  const queued = assigned.reason === 'url' ? [] : await routeMatches(p.store, { articleId: fresh.id, storyId, matches }, now);
  if (matches.length > 0) p.log.debug({ article: fresh.id, story: storyId, topics: matches.map((m) => m.topic), how: assigned.reason }, 'matched');
  return { matched: matches.length, queued: queued.length };
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
  const rows = await store.recentStoryArticles(new Date(now.getTime() - windowS * 1000));
  for (const row of rows) {
    stories.add(row.storyId, storyCandidate(row.article, row.concepts, row.article.language ?? undefined, row.article.fetchedAt));
  }
  stories.prune(now);
  return rows.length;
}
