import { hostname } from 'node:os';
import type { Sink } from './alerts/message.ts';
import { createConsoleSink } from './chat/console/adapter.ts';
import type { Config } from './config.ts';
import { HttpClient } from './feeds/fetch.ts';
import { pollsInFlight } from './feeds/poll.ts';
import { readFeedBytes, readPageText } from './feeds/read.ts';
import { ReadPool } from './feeds/read-pool.ts';
import { DEFAULT_POLL_BOUNDS } from './feeds/schedule.ts';
import type { Logger } from './log.ts';
import { type Pipeline, rebuildStoryWindow } from './pipeline.ts';
import { openStore } from './store/open.ts';
import type { Store } from './store/store.ts';
import { StoryIndex } from './stories/cluster.ts';
import { compileTopics } from './topics/compile.ts';
import type { TopicDefinition } from './topics/define.ts';
import { loadConfigTopics } from './config-check.ts';

/** The console "channel": alerts routed `to: console` land here. */
export const CONSOLE_CHANNEL = { platform: 'console', workspace: 'local', channel: 'stdout', name: 'console' } as const;

export interface App {
  config: Config;
  store: Store;
  http: HttpClient;
  pipeline: Pipeline;
  topics: TopicDefinition[];
  /** The stored feed of each `config.feeds` entry, by index (a moved feed's entry names its old URL). */
  configFeedIds: number[];
  close(): Promise<void>;
}

/**
 * The composition root: config → store → topics → pipeline → sinks. Only this function builds real
 * dependencies; everything below receives them as arguments.
 */
export async function createApp(config: Config, io: { stdout: NodeJS.WritableStream & { isTTY?: boolean }; log: Logger; now?: () => Date }): Promise<App> {
  const now = io.now ?? (() => new Date());
  const topics = loadTopics(config);

  const store: Store = await openStore(config, io.log);
  const configFeedIds: number[] = [];
  try {
    await syncTopics(store, topics);
    for (const [i, feed] of config.feeds.entries()) {
      const { id, movedTo } = await store.addFeed({ url: feed.url, title: feed.title, intervalS: feed.interval ?? config.poll.interval, fullText: feed.full_text, addedBy: 'config' }, now());
      configFeedIds.push(id);
      if (movedTo) io.log.warn({ feed: feed.url, movedTo }, `feeds[${i}] in ${config.file} moved permanently to ${movedTo}, which is polled instead; put the new URL in the file`);
    }
    const consoleChannel = await store.ensureChannel(CONSOLE_CHANNEL);
    await store.syncConfigSubscriptions(config.routes.map((r) => ({
      channelId: consoleChannel,
      topic: r.topic,
      minScore: r.min_score ?? 0,
    })));
  } catch (err) {
    await store.close();
    throw err;
  }

  const http = new HttpClient({
    allowPrivateNetworks: config.fetch.allow_private_networks,
    totalTimeoutMs: config.fetch.timeout * 1000,
    maxBodyBytes: config.fetch.max_bytes,
    maxRedirects: config.fetch.max_redirects,
    perHostConnections: config.fetch.per_host,
    totalConnections: config.fetch.concurrency,
    ...(config.fetch.user_agent ? { userAgent: config.fetch.user_agent } : {}),
  });

  const pool = config.poll.parse_threads > 0 ? new ReadPool({ threads: config.poll.parse_threads }) : undefined;
  const sinks = new Map<string, Sink>([['console', createConsoleSink({ format: config.console.format, out: io.stdout })]]);
  const stories = new StoryIndex({ windowHours: config.stories.window / 3600 });
  await rebuildStoryWindow(store, stories, now(), config.stories.window);

  const pipeline: Pipeline = {
    store,
    log: io.log,
    now,
    owner: `${hostname()}:${process.pid}`,
    poll: {
      http,
      read: pool?.read ?? readFeedBytes,
      readPage: pool?.readPage ?? readPageText,
      bounds: { ...DEFAULT_POLL_BOUNDS, minIntervalS: config.poll.min_interval, maxIntervalS: config.poll.max_interval },
      firstPollMaxAgeS: config.poll.first_poll_max_age,
    },
    pollsInFlight: pollsInFlight(config.fetch.concurrency, config.poll.parse_threads),
    topics: { index: compileTopics(topics) },
    stories,
    sinks,
  };

  return {
    config,
    store,
    http,
    pipeline,
    topics,
    configFeedIds,
    async close() {
      await Promise.allSettled([...sinks.values()].map((s) => s.close?.()));
      await http.close();
      await pool?.close();
      await store.close();
    },
  };
}

/**
 * Re-reads the topic files (SIGHUP, or a topic added from chat) and swaps in a freshly compiled index.
 * A broken file throws and leaves the running index untouched.
 */
export async function reloadTopics(app: App): Promise<TopicDefinition[]> {
  const topics = loadTopics(app.config);
  const index = compileTopics(topics);
  await syncTopics(app.store, topics);
  app.pipeline.topics.index = index;
  app.topics = topics;
  return topics;
}

/** The config's topic files, checked against the routes and digests that name them (one report of every problem). */
function loadTopics(config: Config): TopicDefinition[] {
  return loadConfigTopics(config);
}

function syncTopics(store: Store, topics: TopicDefinition[]): Promise<void> {
  return store.syncTopics(topics.map((t) => ({ slug: t.slug, title: t.title, definition: t, source: 'config' as const })));
}
