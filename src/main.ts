import type { App } from './app.ts';
import { ChannelPacer } from './alerts/pacing.ts';
import type { Output } from './chat/platform.ts';
import { createSinks } from './chat/registry.ts';
import { createCommandHandler, createFeedAdder } from './commands/index.ts';
import { configFeedsOf } from './commands/config-feeds.ts';
import { targetChannel } from './chat/targets.ts';
import type { Config } from './config.ts';
import { readEnv } from './env.ts';
import { createHttpClient, type HttpClient } from './feeds/http/fetch.ts';
import { createMetrics } from './ops/metrics.ts';
import { pollsInFlight } from './feeds/poll/poll.ts';
import { type FeedReader, type PageReader, readFeedBytes, readPageText } from './feeds/read/read.ts';
import { ReadPool } from './feeds/read/read-pool.ts';
import { DEFAULT_POLL_BOUNDS } from './feeds/poll/schedule.ts';
import { leaseOwner } from './leases.ts';
import type { Logger } from './log.ts';
import { type Pipeline, rebuildStoryWindow } from './pipeline.ts';
import { openStore } from './store/open.ts';
import type { Store } from './store/store.ts';
import { StoryIndex } from './stories/cluster.ts';
import { TopicCatalog } from './topics/catalog.ts';
import type { TopicIndex } from './topics/compile.ts';
import type { TopicDefinition } from './topics/define.ts';
import { loadConfigTopics } from './config-check.ts';

export interface AppIO {
  stdout: Output;
  log: Logger;
  /** The process environment: secrets and chat credentials (src/env.ts). */
  env: NodeJS.ProcessEnv;
  now?: () => Date;
}

export type { App };

/**
 * The composition root: config → store → topics → pipeline → sinks. Only this module builds real dependencies;
 * everything below receives them as arguments. Each step below is one job, in the order they depend on each other.
 */
export async function createApp(config: Config, io: AppIO): Promise<App> {
  const now = io.now ?? (() => new Date());
  const env = readEnv(io.env);
  const topics = loadTopics(config);
  const { store, configFeedIds } = await openConfiguredStore(config, topics, now(), io.log);
  const readers = createReaders(config);
  const sinks = await createSinks({ env, config, log: io.log, stdout: io.stdout });
  const metrics = createMetrics({ store, log: io.log });
  const stories = new StoryIndex({ windowHours: config.stories.window / 3600 });
  await rebuildStoryWindow(store, stories, now(), config.stories.window);
  const { catalog, current } = await loadCatalog(store, topics, io.log);
  const commands = createCommandHandler({
    store,
    topics: catalog,
    feeds: createFeedAdder({ http: readers.http, read: readers.read, store, intervalS: config.poll.interval, firstPollMaxAgeS: config.poll.first_poll_max_age, now }),
    configFeeds: configFeedsOf(config, configFeedIds),
    log: io.log,
    now,
  });
  const pipeline: Pipeline = {
    store,
    log: io.log,
    now,
    owner: leaseOwner(),
    poll: {
      http: readers.http,
      read: readers.read,
      readPage: readers.readPage,
      bounds: { ...DEFAULT_POLL_BOUNDS, minIntervalS: config.poll.min_interval, maxIntervalS: config.poll.max_interval },
      firstPollMaxAgeS: config.poll.first_poll_max_age,
    },
    pollsInFlight: pollsInFlight(config.fetch.concurrency, config.poll.parse_threads),
    topics: current,
    stories,
    sinks,
    pacer: new ChannelPacer(store, config.delivery),
    feedBurst: config.delivery.feed_burst,
    metrics,
  };

  return {
    config,
    env,
    store,
    http: readers.http,
    pipeline,
    metrics,
    catalog,
    commands,
    configFeedIds,
    async close() {
      await Promise.allSettled([...sinks.values()].map((s) => s.close?.()));
      await readers.close();
      await store.close();
    },
  };
}

/** The store, migrated, with the config file applied to it; closed again when applying fails. */
async function openConfiguredStore(config: Config, topics: TopicDefinition[], now: Date, log: Logger): Promise<{ store: Store; configFeedIds: number[] }> {
  const store = await openStore(config, log);
  try {
    return { store, configFeedIds: await applyConfig(store, config, topics, now, log) };
  } catch (err) {
    await store.close();
    throw err;
  }
}

/** The guarded HTTP client and the feed and page readers: in parser threads when `poll.parse_threads` > 0. */
function createReaders(config: Config): { http: HttpClient; read: FeedReader; readPage: PageReader; close(): Promise<void> } {
  const http = createHttpClient(config.fetch);
  const pool = config.poll.parse_threads > 0 ? new ReadPool({ threads: config.poll.parse_threads }) : undefined;
  return {
    http,
    read: pool?.read ?? readFeedBytes,
    readPage: pool?.readPage ?? readPageText,
    async close() {
      await http.close();
      await pool?.close();
    },
  };
}

/**
 * The topic catalog (config and chat topics) and the index the pipeline reads: the catalog swaps it whole on
 * every change, its loading included.
 */
async function loadCatalog(store: Store, topics: TopicDefinition[], log: Logger): Promise<{ catalog: TopicCatalog; current: { index: TopicIndex } }> {
  const current = {} as { index: TopicIndex };
  const catalog = await TopicCatalog.load({ store, config: topics, log, onChange: (index) => (current.index = index) });
  current.index = catalog.index;
  return { catalog, current };
}

/** The config file's topics, feeds and routes, written to the store; returns the feed id of each `feeds[i]`. */
async function applyConfig(store: Store, config: Config, topics: TopicDefinition[], now: Date, log: Logger): Promise<number[]> {
  await syncTopics(store, topics);
  const feedIds: number[] = [];
  for (const [i, feed] of config.feeds.entries()) {
    const { id, movedTo } = await store.addFeed({ url: feed.url, title: feed.title, intervalS: feed.interval ?? config.poll.interval, fullText: feed.full_text, addedBy: 'config' }, now);
    feedIds.push(id);
    if (movedTo) log.warn({ feed: feed.url, movedTo }, `feeds[${i}] in ${config.file} moved permanently to ${movedTo}, which is polled instead; put the new URL in the file`);
  }
  const routes = [];
  for (const route of config.routes) {
    routes.push({ channelId: await store.ensureChannel(targetChannel(route.to)), topic: route.topic, minScore: route.min_score ?? 0 });
  }
  await store.syncConfigSubscriptions(routes);
  return feedIds;
}

/**
 * Re-reads the topic files (SIGHUP) and swaps in a freshly compiled index, chat topics kept.
 * A broken file throws and leaves the running index untouched.
 */
export async function reloadTopics(app: App): Promise<TopicDefinition[]> {
  const topics = loadTopics(app.config);
  app.catalog.setConfigTopics(topics);
  await syncTopics(app.store, topics);
  return topics;
}

/** The config's topic files, checked against the routes and digests that name them (one report of every problem). */
function loadTopics(config: Config): TopicDefinition[] {
  return loadConfigTopics(config);
}

function syncTopics(store: Store, topics: TopicDefinition[]): Promise<void> {
  return store.syncTopics(topics.map((t) => ({ slug: t.slug, title: t.title, definition: t, source: 'config' as const })));
}
