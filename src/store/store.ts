/**
 * The store interface: everything the pipeline, commands and digests read or write.
 *
 * Glossary
 * - feed: a URL we poll; `next_poll_at` says when, a lease (`lease_owner`, `lease_until`) says who is polling it.
 * - article: one item of a feed, identified by (feed, key); an edited item updates in place and never re-alerts.
 * - story: the same event across outlets; the first article anchors it.
 * - match: an article scored at or above a topic's threshold, with its explanation.
 * - channel: where alerts go (`console`, later a Slack or Discord channel); subscription: channel × topic.
 * - delivery: one outbox row per channel × article; `kind` alert (first of a story in that channel) or followup.
 *
 * Every method is async so that a networked store (PostgreSQL, for several replicas) fits the same interface.
 */

export type FeedStatus = 'ok' | 'failing' | 'paused';

export interface FeedRow {
  id: number;
  url: string;
  title: string | null;
  etag: string | null;
  lastModified: string | null;
  intervalS: number;
  nextPollAt: Date;
  failures: number;
  lastError: string | null;
  lastSuccessAt: Date | null;
  status: FeedStatus;
  fullText: boolean;
  /** Never polled successfully yet: old items of the first poll are stored but not alerted. */
  firstPoll: boolean;
}

export interface FeedMove {
  /** The URL the feed had before. */
  url: string;
  feedId: number;
  movedAt: Date;
}

export interface NewFeed {
  url: string;
  title?: string;
  intervalS: number;
  fullText?: boolean;
  addedBy?: string;
}

export interface ArticleInput {
  feedId: number;
  key: string;
  guid?: string;
  url?: string;
  title: string;
  lead: string;
  body: string;
  publishedAt?: Date;
  fetchedAt: Date;
  contentHash: string;
}

export interface ArticleRow extends Omit<ArticleInput, 'guid' | 'url' | 'publishedAt'> {
  id: number;
  guid: string | null;
  url: string | null;
  publishedAt: Date | null;
  language: string | null;
  storyId: number | null;
  feedTitle: string | null;
  feedUrl: string;
}

export type ArticleUpsert = { id: number; status: 'new' | 'updated' | 'unchanged' };

export interface MatchInput {
  articleId: number;
  topic: string;
  score: number;
  explanation: unknown;
  why: string;
}

export interface ChannelRef {
  platform: string;
  workspace: string;
  channel: string;
  name?: string;
}

export interface Subscriber {
  channelId: number;
  platform: string;
  workspace: string;
  channel: string;
  minScore: number;
}

export type DeliveryKind = 'alert' | 'followup';

export interface DeliveryInput {
  channelId: number;
  storyId: number;
  topic: string;
  articleId: number;
  kind: DeliveryKind;
}

/** Everything a sink needs to render one delivery, joined in one read. */
export interface DeliveryJob {
  id: number;
  kind: DeliveryKind;
  attempts: number;
  channel: ChannelRef & { id: number };
  storyId: number;
  topic: { slug: string; title: string };
  article: ArticleRow;
  match: { score: number; why: string; explanation: unknown };
}

export interface StoryArticle {
  storyId: number;
  article: ArticleRow;
  concepts: string[];
}

export interface DigestRow {
  storyId: number;
  topic: string;
  topicTitle: string;
  score: number;
  firstSeenAt: Date;
  outlets: number;
  article: ArticleRow;
  why: string;
  explanation: unknown;
}

export interface Store {
  close(): Promise<void>;

  // feeds
  /**
   * Adds a feed, or applies the config's settings (interval, full text) to the feed already stored
   * under that URL — or under the URL a permanent redirect moved it to, which comes back as `movedTo`.
   */
  addFeed(feed: NewFeed, now: Date): Promise<{ id: number; created: boolean; movedTo?: string }>;
  listFeeds(): Promise<FeedRow[]>;
  /** The URLs feeds moved from (permanent redirects), oldest move first. */
  listFeedMoves(): Promise<FeedMove[]>;
  getFeedByUrl(url: string): Promise<FeedRow | undefined>;
  /** Removes the feed with this URL, or the feed it moved to. */
  removeFeed(url: string): Promise<boolean>;
  /** Leases the feeds due by `dueBy` to `owner` until `leaseUntil`; feeds whose lease is still valid at `now` are skipped. */
  claimDueFeeds(dueBy: Date, owner: string, leaseUntil: Date, limit: number, now: Date): Promise<FeedRow[]>;
  /** A new `url` (a permanent redirect) replaces the feed's, and the old one is remembered for addFeed and removeFeed. */
  recordFeedSuccess(id: number, update: { etag?: string | null; lastModified?: string | null; title?: string; url?: string; nextPollAt: Date; now: Date }): Promise<void>;
  recordFeedFailure(id: number, update: { error: string; nextPollAt: Date }): Promise<void>;

  // articles and stories
  upsertArticle(article: ArticleInput): Promise<ArticleUpsert>;
  /** The same for one feed's items at once (one transaction where the store has them), results in input order. */
  upsertArticles(articles: ArticleInput[]): Promise<ArticleUpsert[]>;
  /** Articles of this feed fetched since `since` whose content hash is one of `hashes`: finds republished items, a feed's batch in one query. */
  recentContent(feedId: number, hashes: string[], since: Date): Promise<Array<{ id: number; contentHash: string }>>;
  setArticleAnalysis(id: number, analysis: { language: string; concepts: string[] }): Promise<void>;
  createStory(articleId: number, title: string, at: Date): Promise<number>;
  attachToStory(articleId: number, storyId: number, at: Date): Promise<void>;
  /** Articles of stories seen since `since`, oldest first: rebuilds the clustering window after a restart. */
  recentStoryArticles(since: Date): Promise<StoryArticle[]>;
  getArticle(id: number): Promise<ArticleRow | undefined>;
  /** The first `limit` articles of a story in arrival order: its first reports. */
  storyArticles(storyId: number, limit: number): Promise<ArticleRow[]>;
  articlesSince(since: Date): Promise<ArticleRow[]>;

  // topics and matches
  syncTopics(topics: Array<{ slug: string; title: string; definition: unknown; source: 'config' | 'chat' }>): Promise<void>;
  saveMatch(match: MatchInput): Promise<void>;

  // channels, subscriptions
  ensureChannel(ref: ChannelRef): Promise<number>;
  subscribe(channelId: number, topic: string, minScore: number, createdBy: string): Promise<void>;
  unsubscribe(channelId: number, topic: string): Promise<boolean>;
  /** Replaces the config-made subscriptions with this set, leaving chat-made ones alone. */
  syncConfigSubscriptions(routes: Array<{ channelId: number; topic: string; minScore: number }>): Promise<void>;
  subscribersOf(topic: string): Promise<Subscriber[]>;

  // deliveries (outbox)
  /** Inserts unless (channel, article) exists or, for an alert, (channel, story) already has one. Returns the id or null. */
  enqueueDelivery(delivery: DeliveryInput, now: Date): Promise<number | null>;
  hasAlert(channelId: number, storyId: number): Promise<boolean>;
  /** The posted alert's message ref for (channel, story): null when posted without one, undefined when not posted yet. */
  alertMessageRef(channelId: number, storyId: number): Promise<string | null | undefined>;
  claimDeliveries(now: Date, owner: string, leaseUntil: Date, limit: number): Promise<DeliveryJob[]>;
  markDelivered(id: number, messageRef: string | null, now: Date): Promise<void>;
  markDeliveryFailed(id: number, update: { error: string; retryAt: Date | null }): Promise<void>;

  // digests
  digestRows(query: { topic?: string; channelId?: number; since: Date; until: Date }): Promise<DigestRow[]>;
  /** Claims (schedule, period) once across restarts and replicas; false when it was already claimed. */
  claimDigestRun(scheduleKey: string, periodKey: string, now: Date): Promise<boolean>;
}
