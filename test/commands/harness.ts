import { Writable } from 'node:stream';
import pino from 'pino';
import { createCommandHandler } from '../../src/commands/index.ts';
import type { Caller, ConfigFeeds, FeedAdder, Reply } from '../../src/commands/types.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { TopicCatalog } from '../../src/topics/catalog.ts';
import type { TopicIndex } from '../../src/topics/compile.ts';
import { parseTopicQuery } from '../../src/topics/query.ts';

export const NOW = new Date('2026-11-20T10:00:00Z');
export const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);

export const ALICE: Caller = { platform: 'slack', workspace: 'T1', channel: 'C1', channelName: 'intel', user: 'U1', userName: 'alice' };
export const BOB_ELSEWHERE: Caller = { platform: 'discord', workspace: 'G1', channel: '42', user: '7' };

/** Two config topics, as the config's files would give them. */
export const CONFIG_TOPICS = [
  parseTopicQuery('dprk-russia-arms', '("North Korea" OR DPRK) AND (Russia OR Kremlin) AND (munitions OR shells OR missiles)', { title: 'DPRK–Russia arms transfers' }),
  parseTopicQuery('iran-drones', 'Iran AND drone*', { title: 'Iranian drones' }),
];

export interface Harness {
  store: SqliteStore;
  catalog: TopicCatalog;
  /** Every index the catalog handed to onChange, latest last. */
  swaps: TopicIndex[];
  logs: Array<Record<string, any>>;
  /** The audit lines among the logs: the changes, each with who made it (`by`). */
  audits(): Array<Record<string, any>>;
  added: Array<{ url: string; by: string }>;
  /** The config file's feeds the handler refuses to remove; tests add entries. */
  configFeeds: ConfigFeeds;
  run(text: string, caller?: Caller, admin?: boolean): Promise<Reply>;
  /** The reply's text parts joined, for assertions on what a user reads. */
  say(text: string, caller?: Caller, admin?: boolean): Promise<string>;
  close(): Promise<void>;
}

/** A real SqliteStore in memory, a real catalog over it, a fake network for `feed add`. */
export async function harness(options: { feeds?: FeedAdder; configFeeds?: ConfigFeeds } = {}): Promise<Harness> {
  const store = new SqliteStore(':memory:');
  await store.syncTopics(CONFIG_TOPICS.map((t) => ({ slug: t.slug, title: t.title, definition: t, source: 'config' as const })));
  const logs: Harness['logs'] = [];
  const log = pino({ level: 'info' }, new Writable({
    write(chunk, _enc, done) {
      logs.push(JSON.parse(String(chunk)));
      done();
    },
  }));
  const swaps: TopicIndex[] = [];
  const catalog = await TopicCatalog.load({ store, config: CONFIG_TOPICS, log, onChange: (index) => swaps.push(index) });
  const added: Harness['added'] = [];
  const feeds: FeedAdder = options.feeds ?? {
    async add(url, by) {
      added.push({ url, by });
      const { id, created } = await store.addFeed({ url, title: 'Example News', intervalS: 900, addedBy: by }, NOW);
      return { id, url, title: 'Example News', created, items: 12, intervalS: 900, firstPollMaxAgeS: 86_400 };
    },
  };
  const configFeeds = options.configFeeds ?? { file: 'config/watchfloor.yaml', entries: [] };
  const handle = createCommandHandler({ store, topics: catalog, feeds, configFeeds, log, now: () => NOW });
  const run = (text: string, caller = ALICE, admin = false) => handle({ text, caller, isAdmin: async () => admin });
  return {
    store, catalog, swaps, logs, added, configFeeds, run,
    audits: () => logs.filter((l) => l.by !== undefined),
    async say(text, caller, admin) {
      return textOf(await run(text, caller, admin));
    },
    close: () => store.close(),
  };
}

export function textOf(reply: Reply): string {
  return reply.parts.filter((p) => p.type === 'text').map((p) => (p as { text: string }).text).join('\n');
}

/** One stored article in its own story, matched to `topic`; returns its ids. */
export async function matchedArticle(store: SqliteStore, feedId: number, key: string, topic: string, score: number, fetchedAt: Date, storyId?: number) {
  const { id } = await store.upsertArticle({ feedId, key, title: `Story ${key}`, lead: `Lead ${key}`, body: '', fetchedAt, contentHash: `h-${key}`, url: `https://news.example/${key}` });
  const story = storyId ?? (await store.createStory(id, `Story ${key}`, fetchedAt));
  if (storyId !== undefined) await store.attachToStory(id, storyId, fetchedAt);
  await store.saveMatches([{ articleId: id, topic, score, why: 'North Korea + Russia (title)', explanation: { hits: [] } }]);
  return { articleId: id, storyId: story };
}
