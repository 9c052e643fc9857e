/**
 * The topics in force: the config's files plus the topics made in chat (`topic add`), compiled into one
 * index. Chat topics are stored with their one-line query and recompiled from it at start, so a change of
 * the query language reaches them too. Every change swaps the whole index and tells `onChange`, which
 * hands it to the pipeline: a topic added in chat is matched from the next cycle, without a restart.
 */
import { AppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { TopicStore } from '../store/store.ts';
import { compileTopics, type TopicIndex } from './compile.ts';
import type { TopicDefinition } from './define.ts';
import { parseTopicQuery } from './query.ts';

export interface CatalogTopic {
  definition: TopicDefinition;
  source: 'config' | 'chat';
  /** Chat topics: the one-line query they were made from. */
  query?: string;
  createdBy?: string;
}

export type CatalogStore = Pick<TopicStore, 'listTopics' | 'addTopic' | 'removeTopic'>;

export interface CatalogDeps {
  store: CatalogStore;
  /** The config's topic definitions (already checked against routes and digests). */
  config: TopicDefinition[];
  log: Logger;
  onChange?: (index: TopicIndex, topics: CatalogTopic[]) => void;
}

/** Slugs of chat topics: the same shape as a topic file's slug, short enough to type. */
export const TOPIC_SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

export class TopicCatalog {
  private config: CatalogTopic[];
  private chat: CatalogTopic[] = [];
  private current: TopicIndex;

  private constructor(private readonly deps: CatalogDeps) {
    this.config = deps.config.map((definition) => ({ definition, source: 'config' as const }));
    this.current = compileTopics(deps.config);
  }

  /** The config topics and the stored chat topics; a stored one that no longer parses or compiles is left out with a warning. */
  static async load(deps: CatalogDeps): Promise<TopicCatalog> {
    const catalog = new TopicCatalog(deps);
    await catalog.refresh();
    return catalog;
  }

  /** The compiled index over every topic in force. */
  get index(): TopicIndex {
    return this.current;
  }

  /** Every topic, by slug. */
  list(): CatalogTopic[] {
    return [...this.config, ...this.chat].sort((a, b) => (a.definition.slug < b.definition.slug ? -1 : a.definition.slug > b.definition.slug ? 1 : 0));
  }

  get(slug: string): CatalogTopic | undefined {
    return this.config.find((t) => t.definition.slug === slug) ?? this.chat.find((t) => t.definition.slug === slug);
  }

  /**
   * Re-reads the chat topics from the store (another replica may have added one) and recompiles when the
   * set changed. Returns whether it did.
   */
  async refresh(): Promise<boolean> {
    const stored = await this.deps.store.listTopics('chat');
    const chat: CatalogTopic[] = [];
    for (const row of stored) {
      if (this.config.some((t) => t.definition.slug === row.slug)) {
        this.deps.log.warn({ topic: row.slug }, `chat topic ${row.slug} is shadowed by the config topic of the same slug`);
        continue;
      }
      const query = (row.definition as { query?: unknown } | null)?.query;
      try {
        if (typeof query !== 'string') throw new Error('it has no stored query');
        const definition = parseTopicQuery(row.slug, query, { title: row.title });
        compileTopics([definition]);
        chat.push({ definition, source: 'chat', query, ...(row.createdBy ? { createdBy: row.createdBy } : {}) });
      } catch (err) {
        this.deps.log.warn({ topic: row.slug, err }, `chat topic ${row.slug} is left out: ${(err as Error).message}`);
      }
    }
    const key = (topics: CatalogTopic[]) => topics.map((t) => `${t.definition.slug}\u0000${t.query}\u0000${t.definition.title}`).join('\u0001');
    if (key(chat) === key(this.chat)) return false;
    this.swap(this.config, chat);
    return true;
  }

  /** The config's topics changed (SIGHUP): recompile with the chat topics kept. Throws, changing nothing, when they do not compile. */
  setConfigTopics(definitions: TopicDefinition[]): void {
    const config = definitions.map((definition) => ({ definition, source: 'config' as const }));
    const slugs = new Set(definitions.map((d) => d.slug));
    this.swap(config, this.chat.filter((t) => !slugs.has(t.definition.slug)));
  }

  /**
   * Adds a chat topic from a one-line query: parsed and compiled first, then stored, then swapped in, so
   * a bad query or a taken slug changes nothing.
   */
  async add(input: { slug: string; query: string; title?: string; by: string; now: Date }): Promise<CatalogTopic> {
    const { slug, query } = input;
    if (!TOPIC_SLUG.test(slug)) throw new AppError('usage', `"${slug}" is not a topic slug: use lowercase letters, digits and hyphens (at most 63), e.g. sanctions-shipping.`);
    if (this.get(slug)) throw new AppError('topic_exists', `a topic "${slug}" already exists; pick another slug, or remove it first with \`topic remove ${slug}\`.`);
    const definition = parseTopicQuery(slug, query, input.title ? { title: input.title } : {});
    const topic: CatalogTopic = { definition, source: 'chat', query, createdBy: input.by };
    const chat = [...this.chat, topic];
    const index = compileTopics([...this.config, ...chat].map((t) => t.definition));
    const stored = await this.deps.store.addTopic({ slug, title: definition.title, definition: { query }, createdBy: input.by }, input.now);
    if (!stored) throw new AppError('topic_exists', `a topic "${slug}" already exists (just added elsewhere); pick another slug.`);
    this.install(this.config, chat, index);
    return topic;
  }

  /** Removes a chat topic and the subscriptions to it. Config topics are refused: they live in the config's files. */
  async remove(slug: string): Promise<{ subscriptions: number }> {
    const topic = this.get(slug);
    if (!topic) throw new AppError('unknown_topic', `no topic "${slug}".`);
    if (topic.source === 'config') throw new AppError('topic_config', `${slug} is defined in the config's topic files, not in chat; remove it there.`);
    const chat = this.chat.filter((t) => t !== topic);
    const index = compileTopics([...this.config, ...chat].map((t) => t.definition));
    const { subscriptions } = await this.deps.store.removeTopic(slug);
    this.install(this.config, chat, index);
    return { subscriptions };
  }

  private swap(config: CatalogTopic[], chat: CatalogTopic[]): void {
    this.install(config, chat, compileTopics([...config, ...chat].map((t) => t.definition)));
  }

  private install(config: CatalogTopic[], chat: CatalogTopic[], index: TopicIndex): void {
    this.config = config;
    this.chat = chat;
    this.current = index;
    this.deps.onChange?.(index, this.list());
  }
}
