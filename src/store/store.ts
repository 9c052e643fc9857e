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
  close(): void;

  // feeds
  addFeed(feed: NewFeed, now: Date): { id: number; created: boolean };
  listFeeds(): FeedRow[];
  getFeedByUrl(url: string): FeedRow | undefined;
  removeFeed(url: string): boolean;
  /** Leases the feeds due by `dueBy` to `owner` until `leaseUntil`; feeds whose lease is still valid at `now` are skipped. */
  claimDueFeeds(dueBy: Date, owner: string, leaseUntil: Date, limit: number, now: Date): FeedRow[];
  recordFeedSuccess(id: number, update: { etag?: string | null; lastModified?: string | null; title?: string; url?: string; nextPollAt: Date; now: Date }): void;
  recordFeedFailure(id: number, update: { error: string; nextPollAt: Date }): void;

  // articles and stories
  upsertArticle(article: ArticleInput): ArticleUpsert;
  /** True when another article of this feed with the same content hash was stored since `since` (republished item). */
  hasRecentContent(feedId: number, contentHash: string, exceptId: number, since: Date): boolean;
  setArticleAnalysis(id: number, analysis: { language: string; concepts: string[] }): void;
  createStory(articleId: number, title: string, at: Date): number;
  attachToStory(articleId: number, storyId: number, at: Date): void;
  /** Articles of stories seen since `since`, oldest first: rebuilds the clustering window after a restart. */
  recentStoryArticles(since: Date): StoryArticle[];
  getArticle(id: number): ArticleRow | undefined;
  articlesSince(since: Date): ArticleRow[];

  // topics and matches
  syncTopics(topics: Array<{ slug: string; title: string; definition: unknown; source: 'config' | 'chat' }>): void;
  saveMatch(match: MatchInput): void;

  // channels, subscriptions
  ensureChannel(ref: ChannelRef): number;
  subscribe(channelId: number, topic: string, minScore: number, createdBy: string): void;
  unsubscribe(channelId: number, topic: string): boolean;
  /** Replaces the config-made subscriptions with this set, leaving chat-made ones alone. */
  syncConfigSubscriptions(routes: Array<{ channelId: number; topic: string; minScore: number }>): void;
  subscribersOf(topic: string): Subscriber[];

  // deliveries (outbox)
  /** Inserts unless (channel, article) exists or, for an alert, (channel, story) already has one. Returns the id or null. */
  enqueueDelivery(delivery: DeliveryInput, now: Date): number | null;
  hasAlert(channelId: number, storyId: number): boolean;
  /** The posted alert's message ref for (channel, story): null when posted without one, undefined when not posted yet. */
  alertMessageRef(channelId: number, storyId: number): string | null | undefined;
  claimDeliveries(now: Date, owner: string, leaseUntil: Date, limit: number): DeliveryJob[];
  markDelivered(id: number, messageRef: string | null, now: Date): void;
  markDeliveryFailed(id: number, update: { error: string; retryAt: Date | null }): void;

  // digests
  digestRows(query: { topic?: string; channelId?: number; since: Date; until: Date }): DigestRow[];
  /** Claims (schedule, period) once across restarts and replicas; false when it was already claimed. */
  claimDigestRun(scheduleKey: string, periodKey: string, now: Date): boolean;
}
