import { AppError, errorMessage } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import type { FeedRow, Store } from '../../store/store.ts';
import { BodyBudget, bodyBudgetBytes } from './body-budget.ts';
import { FetchError, type FetchOutcome, type HttpClient, PAGE_ACCEPT, type Validators } from '../http/fetch.ts';
import { type FeedReader, type PageReader, readFetchedFeed, readPageText } from '../read/read.ts';
import { type PollBounds, nextPollAfterFailure, nextPollAfterSuccess } from './schedule.ts';

export interface PollDeps {
  store: Store;
  http: HttpClient;
  /** Decode → parse → normalize: on this thread or on a pool of worker threads (read-pool.ts). */
  read: FeedReader;
  /** Article page → main text, for `full_text` feeds: on this thread unless given the pool's. */
  readPage?: PageReader;
  log: Logger;
  now: () => Date;
  bounds: PollBounds;
  /** On a feed's first poll, items older than this are stored but not alerted (seconds). */
  firstPollMaxAgeS: number;
  /** Told how many feeds a cycle claims and each one's outcome as it ends: the CLI's progress bar on a terminal. */
  progress?: PollProgress;
  /** Told each poll's outcome (`/metrics`); absent in tests that do not count. */
  metrics?: PollMetrics;
  /**
   * Bytes of feed bodies fetched but not yet read, shared by the polls of a cycle (body-budget.ts).
   * `pollFeeds` makes one when none is given; a lone `pollFeed` without one does not count.
   */
  bodyBudget?: BodyBudget;
}

export interface PollMetrics {
  /** `outcome`: `200`, `304`, or the error's code (`timeout`, `http_status`, `parse` …); `ingested`: new articles stored. */
  feedPolled(outcome: string, seconds: number, ingested: number): void;
}

/** A cycle's polls as they go: feeds claimed (in turns), each one's outcome, and the end. */
export interface PollProgress {
  start(): void;
  claimed(count: number): void;
  polled(result: PollResult): void;
  ended(): void;
}

/**
 * A stored article that is new to us and may alert. Only a reference: a cold cycle can bring tens of
 * thousands, and their text is read back from the store one at a time when they are scored.
 */
export interface FreshArticle {
  id: number;
  feed: FeedRow;
  publishedAt?: Date;
  /** The feed's declared language (primary subtag), when it declares one. */
  language?: string;
}

export type PollResult =
  | { status: 'ok'; fresh: FreshArticle[]; stored: number; updated: number; notModified: boolean }
  | { status: 'failed'; error: string };

/** A republished item (new guid or date, same content) within this window does not alert again. */
const REPUBLISH_WINDOW_MS = 7 * 86_400_000;
/**
 * With `full_text` on, an item whose body is shorter than this gets its page fetched. Deliberately above
 * the summarizer's teaser test (summaries/summarize.ts `isTeaser`, 300 clean characters): a page is worth
 * fetching even for a short report that would already summarize.
 */
const FULL_TEXT_BELOW_CHARS = 600;

/**
 * Refreshes one feed, read top to bottom: conditional GET → decode → parse → normalize → store.
 * Returns only the articles that are new and may alert; knows nothing of topics or channels.
 * Never throws: a broken feed is recorded (with backoff) and the cycle goes on.
 */
export async function pollFeed(feed: FeedRow, deps: PollDeps): Promise<PollResult> {
  const { store, http, log } = deps;
  const started = performance.now();
  const polled = (outcome: string, ingested: number) => {
    const seconds = (performance.now() - started) / 1000;
    deps.metrics?.feedPolled(outcome, seconds, ingested);
    log.debug({ feedId: feed.id, feed: feed.url, outcome, new: ingested, ms: Math.round(seconds * 1000) }, 'feed polled');
  };
  // Each fetched body holds its share of the budget until its feed has been read, not while it is stored.
  const releases: Array<() => void> = [];
  const releaseBodies = () => {
    for (const release of releases.splice(0)) release();
  };
  const get = async (url: string, opts: { validators?: Validators } = {}): Promise<FetchOutcome> => {
    if (!deps.bodyBudget) return http.get(url, opts);
    // A second fetch (the feed a web page announced) comes after the first body was read: its share goes first.
    releaseBodies();
    const held = await deps.bodyBudget.hold((count, signal) => http.get(url, { ...opts, count, signal }));
    releases.push(held.release);
    return held.value;
  };
  try {
    const response = await get(feed.url, { validators: { etag: feed.etag, lastModified: feed.lastModified } });
    const now = deps.now();
    if (response.status === 'not_modified') {
      await store.recordFeedSuccess(feed.id, {
        etag: response.etag, lastModified: response.lastModified, url: await movedTo(feed, response.permanentUrl, store), now,
        nextPollAt: nextPollAfterSuccess({ now, intervalS: feed.intervalS, maxAgeS: response.maxAgeS }, deps.bounds),
      });
      polled('304', 0);
      return { status: 'ok', fresh: [], stored: 0, updated: 0, notModified: true };
    }

    const { response: document, feed: info, articles, discovered } = await readFetchedFeed(http, response, deps.read, get);
    releaseBodies();
    // A web page that announced its feed: the stored URL becomes the feed's.
    if (discovered) log.info({ feedId: feed.id, feed: feed.url, using: discovered }, 'the feed URL is a web page; using the feed it announces');
    if (info.recoveredFrom) log.warn({ feedId: feed.id, feed: feed.url }, `feed is malformed and was repaired (${info.recoveredFrom})`);

    const language = info.language?.trim().toLowerCase().split(/[-_]/)[0] || undefined;
    const fresh: FreshArticle[] = [];
    const oldestAlertable = feed.firstPoll ? now.getTime() - deps.firstPollMaxAgeS * 1000 : -Infinity;
    // Whether an item may alert is decided before it is stored, so a new one is stored pending in the same
    // write: a crash right after cannot leave it stored, "unchanged" to the next poll, and never understood.
    // A new item whose content another item of this feed carries (stored within the window, or in this batch) was republished.
    const carried = new Set((await store.recentContent(feed.id, [...new Set(articles.map((a) => a.contentHash))], new Date(now.getTime() - REPUBLISH_WINDOW_MS))).map((r) => r.contentHash));
    const inBatch = new Map<string, number>();
    for (const a of articles) inBatch.set(a.contentHash, (inBatch.get(a.contentHash) ?? 0) + 1);
    // An undated item counts as "now" later on, but on a first poll nothing tells a new one from the archive: silent.
    const recent = (a: (typeof articles)[number]) => (a.publishedAt ? a.publishedAt.getTime() >= oldestAlertable : !feed.firstPoll);
    const alertable = articles.map((a) => recent(a) && !carried.has(a.contentHash) && inBatch.get(a.contentHash) === 1);
    const results = await store.upsertArticles(articles.map((a, i) => ({ ...a, feedId: feed.id, fetchedAt: now, pending: alertable[i] })));
    const candidates = results
      .map((result, i) => ({ id: result.id, status: result.status, article: articles[i]!, alertable: alertable[i] }))
      .filter(({ status, alertable }) => status === 'new' && alertable);
    for (const { id, article } of candidates) {
      // Teaser feeds: the article page is fetched once, for new items only.
      if (feed.fullText && article.body.length < FULL_TEXT_BELOW_CHARS && article.url) {
        const body = await fullText(article.url, deps);
        if (body && body.length > article.body.length) await store.upsertArticle({ ...article, body, feedId: feed.id, fetchedAt: now });
      }
      fresh.push({ id, feed, publishedAt: article.publishedAt, language });
    }
    const updated = results.filter((r) => r.status === 'updated').length;

    const newUrl = await movedTo(feed, discovered ?? document.permanentUrl, store);
    await store.recordFeedSuccess(feed.id, {
      etag: document.etag, lastModified: document.lastModified, title: info.title, url: newUrl, now,
      nextPollAt: nextPollAfterSuccess({ now, intervalS: feed.intervalS, maxAgeS: document.maxAgeS, ttlMinutes: info.ttlMinutes }, deps.bounds),
    });
    if (newUrl) log.info({ feedId: feed.id, feed: feed.url, to: newUrl }, 'feed moved; stored URL updated');
    polled('200', results.filter((r) => r.status === 'new').length);
    return { status: 'ok', fresh, stored: articles.length, updated, notModified: false };
  } catch (err) {
    releaseBodies();
    const error = errorMessage(err);
    const failures = feed.failures + 1;
    const retryAfterS = err instanceof FetchError ? err.retryAfterS : undefined;
    const nextPollAt = nextPollAfterFailure({ now: deps.now(), intervalS: feed.intervalS, failures, retryAfterS }, deps.bounds);
    await store.recordFeedFailure(feed.id, { error, nextPollAt });
    log.warn({ feedId: feed.id, feed: feed.url, failures, retryAt: nextPollAt.toISOString() }, `feed failed: ${error}`);
    polled(err instanceof FetchError && err.httpStatus ? `http_${err.httpStatus}` : err instanceof AppError ? err.code : 'error', 0);
    return { status: 'failed', error };
  } finally {
    releaseBodies();
  }
}

/**
 * Polls many feeds, at most `inFlight` at once, with hosts interleaved. The bounded window keeps
 * fetched bodies from piling up faster than they are parsed (memory), and the body budget bounds
 * their bytes (a window of huge feeds would otherwise hold them all); interleaving keeps one host's
 * feeds, limited to a few connections, from filling the window while other hosts wait.
 * Results come in the order of `feeds`.
 */
export async function pollFeeds(feeds: FeedRow[], deps: PollDeps, inFlight: number): Promise<PollResult[]> {
  let left = feeds;
  const once = async () => {
    const given = left;
    left = [];
    return given;
  };
  return (await pollClaimed(once, Math.max(1, feeds.length), deps, inFlight)).results;
}

/**
 * Polls feeds as `claim` hands them out, `turn` at a time (leases taken from the store, so that replicas share a
 * tick's due feeds), in pollFeeds's window. A lane that finds nothing left to start claims the next turn while the
 * others finish theirs, so no turn waits for its slowest feed; a claim that brings fewer than `turn` is the last.
 * Feeds and results come in claim order.
 */
export async function pollClaimed(claim: (limit: number) => Promise<FeedRow[]>, turn: number, deps: PollDeps, inFlight: number): Promise<{ feeds: FeedRow[]; results: PollResult[] }> {
  deps = { ...deps, bodyBudget: deps.bodyBudget ?? new BodyBudget(bodyBudgetBytes(deps.http.options.maxBodyBytes)) };
  const feeds: FeedRow[] = [];
  const results: PollResult[] = [];
  const queue: number[] = [];
  let more = true;
  let failed: unknown;
  let claiming: Promise<void> | undefined;
  // One claim at a time: lanes that run dry together wait for the same turn. A claim that fails ends the polling
  // once the feeds in hand are done (their leases are held), and the error is the cycle's.
  const refill = () => (claiming ??= (async () => {
    try {
      const claimed = await claim(turn);
      more = claimed.length >= turn;
      const first = feeds.length;
      feeds.push(...claimed);
      queue.push(...interleaveByHost(claimed).map((i) => first + i));
      deps.progress?.claimed(claimed.length);
    } catch (err) {
      failed ??= err;
      more = false;
    } finally {
      claiming = undefined;
    }
  })());
  const lane = async () => {
    for (;;) {
      const i = queue.shift();
      if (i === undefined) {
        if (!more && !claiming) return;
        await refill();
        continue;
      }
      results[i] = await pollFeed(feeds[i]!, deps);
      deps.progress?.polled(results[i]!);
    }
  };
  deps.progress?.start();
  try {
    await Promise.all(Array.from({ length: Math.max(1, inFlight) }, lane));
  } finally {
    deps.progress?.ended();
  }
  if (failed !== undefined) throw failed;
  return { feeds, results };
}

/**
 * The window for pollFeeds: every connection busy, and each parser thread with a document in hand and
 * one waiting. More only holds fetched bodies in memory (bench:ingest: same time, higher peak).
 */
export function pollsInFlight(connections: number, parseThreads: number): number {
  return connections + 2 * Math.max(1, parseThreads);
}

/** Indexes of `feeds` taking one feed of each host in turn: a, b, c, a, b, a … */
export function interleaveByHost(feeds: FeedRow[]): number[] {
  const byHost = new Map<string, number[]>();
  for (const [i, feed] of feeds.entries()) {
    const host = URL.canParse(feed.url) ? new URL(feed.url).host : feed.url;
    const queue = byHost.get(host);
    if (queue) queue.push(i);
    else byHost.set(host, [i]);
  }
  const order: number[] = [];
  for (let round = 0, queues = [...byHost.values()]; queues.length; round++) {
    queues = queues.filter((queue) => round < queue.length);
    for (const queue of queues) order.push(queue[round]!);
  }
  return order;
}

/** The URL to store after a permanent move — unless another stored feed already has it (the URL is unique). */
async function movedTo(feed: FeedRow, permanentUrl: string | undefined, store: Store): Promise<string | undefined> {
  if (!permanentUrl || permanentUrl === feed.url) return undefined;
  return (await store.getFeedByUrl(permanentUrl)) ? undefined : permanentUrl;
}

/** The main text of an article page, fetched through the same guarded client (Readability on a light DOM). */
async function fullText(url: string, deps: PollDeps): Promise<string | undefined> {
  try {
    const page = await deps.http.get(url, { accept: PAGE_ACCEPT });
    if (page.status !== 'ok') return undefined;
    return await (deps.readPage ?? readPageText)(page.body, page.contentType, page.url);
  } catch (err) {
    deps.log.debug({ url }, `full text unavailable: ${errorMessage(err)}`);
    return undefined;
  }
}
