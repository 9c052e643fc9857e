/**
 * The store interface: everything the pipeline, commands and digests read or write.
 *
 * Glossary
 * - feed: a URL we poll; `next_poll_at` says when, a lease (`lease_owner`, `lease_until`) says who is polling it.
 * - article: one item of a feed, identified by (feed, key); an edited item updates in place and never re-alerts.
 * - story: the same event across outlets; the first article anchors it.
 * - match: an article scored at or above a topic's threshold, with its explanation.
 * - channel: where alerts go (`console`, later a Slack or Discord channel); subscription: channel × topic.
 * - delivery: one outbox row per channel × article; `kind` alert (first of a story in that channel) or followup. A
 *   scheduled digest is an outbox row too (`kind` digest): one per schedule key × period, no article.
 * - digest schedule: a channel's standing order for a digest of its subscriptions (daily or weekly, local time).
 * - pace: when a channel may take its next post and when its recent top-level messages went out (src/alerts/pacing.ts),
 *   kept on its row so every process posting to it shares them.
 *
 * The interface is split into ports (FeedStore, ArticleStore, TopicStore, ChannelStore, OutboxStore,
 * DigestStore); `Store` is all of them. A module asks for the ports it uses, so a test double stays small.
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
  /** `config`, `opml`, `cli` or the chat user who added it. */
  addedBy: string | null;
  /** The OPML folder it was imported from, if any. */
  category: string | null;
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
  /** The folder of the subscription list it was imported from (OPML); `feeds export` nests it there again. */
  category?: string;
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
  /**
   * New and may alert: when inserted, the row stays pending until understood (markUnderstood), so a crash
   * between storing and understanding leaves it for the next run. Ignored when the item was already stored.
   */
  pending?: boolean;
}

/** A stored article not yet understood: what the pipeline needs to order and resume it. */
export interface PendingArticle {
  id: number;
  publishedAt: Date | null;
  storyId: number | null;
}

export interface ArticleRow extends Omit<ArticleInput, 'guid' | 'url' | 'publishedAt' | 'pending'> {
  id: number;
  guid: string | null;
  url: string | null;
  publishedAt: Date | null;
  language: string | null;
  storyId: number | null;
  feedTitle: string | null;
  feedUrl: string;
  /** Why the article joined its story; null for the first article of a story (and before migration 008). */
  storyFold?: StoryFold | null;
}

/** Why an article joined its story: the reason (url, title, near-duplicate, event, split) and its evidence in words. */
export interface StoryFold {
  reason: string;
  detail: string;
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

/** A channel's pace, as every process posting to it sees it. */
export interface ChannelPacing {
  /** When it may take its next post; null: at once. */
  nextPostAt: Date | null;
  /** When its recent top-level messages went out (those of the last minute at least), oldest first. */
  recentPosts: Date[];
}

/** A post slot to take at `now` (ChannelStore.takePostSlot). */
export interface PostSlot {
  now: Date;
  /**
   * Where the channel's next slot moves when this one is taken: `now` plus its interval. Absent (no interval) it stays
   * where it is, so that another process's post at its own, slightly different `now` does not find it taken.
   */
  until?: Date;
  /**
   * A top-level message: recorded at `now` among the recent posts (those not after `since` dropped); with `limit`,
   * the slot is taken only while fewer than `limit` are recorded after `since` (the burst guard's room).
   */
  topLevel?: { since: Date; limit?: number };
}

export interface Subscriber {
  channelId: number;
  platform: string;
  workspace: string;
  channel: string;
  minScore: number;
}

/** The kinds of row an article routes to. */
export type AlertKind = 'alert' | 'followup';
export type DeliveryKind = AlertKind | 'digest';
export const DELIVERY_KINDS: readonly DeliveryKind[] = ['alert', 'followup', 'digest'];
/**
 * pending → sending (leased) → sent | rejected | dead. `deferred`: waiting through no fault of its own (its story
 * alert is not out yet, no connection to its platform is configured) — due again later, no attempt spent.
 * `rejected`: the platform refused for good (channel gone, bot removed); `dead`: gave up after its attempts.
 */
export type DeliveryStatus = 'pending' | 'deferred' | 'sending' | 'sent' | 'rejected' | 'dead';
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'deferred', 'sending', 'sent', 'rejected', 'dead'];

export interface DeliveryInput {
  channelId: number;
  storyId: number;
  topic: string;
  articleId: number;
  kind: AlertKind;
}

/**
 * What a scheduled digest covers: `topics` (a config digest: `topic`, or every topic when null) or
 * `subscriptions` (a channel's digest: the topics the channel follows).
 */
export type DigestCoverage = 'topics' | 'subscriptions';

/** One period of a scheduled digest, queued once per (scheduleKey, period). */
export interface DigestInput {
  channelId: number;
  /** Names the schedule, whatever its place in the config file: `channel:<id>` or the config digest's key (alerts/digest-schedule.ts). */
  scheduleKey: string;
  period: string;
  /** The window it covers, stored so a retried digest still covers its own period. */
  since: Date;
  until: Date;
  of: DigestCoverage;
  topic: string | null;
  /**
   * A feed's burst (alerts/route.ts): the poll of this feed fetched at `since` brought more matching items than the
   * channel takes one by one; the row covers those the channel got no row of its own for.
   */
  feedId?: number;
  /** When it comes due; default now. A feed's burst waits until its poll is understood (`releaseFeedBursts`). */
  dueAt?: Date;
}

/** A feed's burst as sent: the poll's matching items beyond the channel's own rows, the first `limit` of them. */
export interface FeedBurstRows {
  /** Matching items of the poll the channel got no row of its own for. */
  total: number;
  /** Items of the poll the channel got a row of its own for (the alerts before the burst). */
  alerted: number;
  /** The first of `total` in the feed's order, each with its best match for the channel. */
  items: Array<{ article: ArticleRow; topic: string; topicTitle: string; score: number; why: string; explanation: unknown }>;
}

/** Everything a sink needs to render one delivery, joined in one read: a story's alert or follow-up, or a digest. */
export type DeliveryJob = AlertJob | DigestJob;

/** What every claimed row has, whatever its kind. */
interface ClaimedRow {
  id: number;
  attempts: number;
  /**
   * A previous attempt began and never ended in a known outcome — its sender died before recording it, or the
   * post failed in a way that may have reached the platform (a timeout, a dropped connection): the post may be out.
   */
  cutOff: boolean;
  channel: ChannelRef & { id: number };
}

/** An alert or follow-up: one article of a story, for one topic. */
export interface AlertJob extends ClaimedRow {
  kind: AlertKind;
  storyId: number;
  topic: { slug: string; title: string };
  article: ArticleRow;
  match: { score: number; why: string; explanation: unknown };
}

/** A digest's period: its stories are read from the store when it is sent. */
export interface DigestJob extends ClaimedRow {
  kind: 'digest';
  digest: Omit<DigestInput, 'channelId' | 'dueAt'>;
}

/** One outbox row as an operator sees it (`watchfloor deliveries list`). */
export interface DeliverySummary {
  id: number;
  kind: DeliveryKind;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  channel: ChannelRef;
  /** The topic; a digest of every topic says `(all topics)`, a channel's digest `(subscriptions)`. */
  topic: string;
  /** Null for a digest. */
  storyId: number | null;
  /** The article's headline; a digest's is `digest <period>`, a feed's burst `burst of <feed> <poll time>`. */
  title: string;
  createdAt: Date;
  sentAt: Date | null;
}

/** A story's alert as posted in one channel: what follow-ups thread under and refresh. */
export interface StoryAlert {
  job: AlertJob;
  status: DeliveryStatus;
  messageRef: string | null;
  /** Feeds whose articles of this story were posted in the channel (the alert's and its follow-ups'). */
  postedFeeds: number[];
}

export interface StoryArticle {
  storyId: number;
  article: ArticleRow;
  concepts: string[];
}

export type TopicSource = 'config' | 'chat';

export interface StoredTopic {
  slug: string;
  title: string;
  /** Config topics: the parsed definition; chat topics: `{ query }`, the one-line query they were made from. */
  definition: unknown;
  source: TopicSource;
  createdBy: string | null;
}

export interface NewTopic {
  slug: string;
  title: string;
  definition: unknown;
  createdBy: string;
}

export interface TopicMatchRow {
  articleId: number;
  storyId: number;
  score: number;
  fetchedAt: Date;
}

export interface ChannelSubscription {
  topic: string;
  /** Null when the topic is no longer defined. */
  topicTitle: string | null;
  minScore: number;
  source: TopicSource;
  createdBy: string | null;
  /** Why deliveries stopped (the bot was removed, the channel archived); null when active. */
  pausedReason: string | null;
}

export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

export interface DigestScheduleInput {
  channelId: number;
  every: 'daily' | 'weekly';
  /** Weekly only: 0 Sunday … 6 Saturday, as Date#getDay. */
  day: Weekday | null;
  /** Local time of day, `HH:MM`. */
  time: string;
  /** IANA zone, validated before it is stored. */
  timezone: string;
  createdBy: string;
}

export interface DigestSchedule extends DigestScheduleInput {
  channel: ChannelRef;
  updatedAt: Date;
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

/** Feeds to poll, their schedule, leases and health. */
export interface FeedStore {
  /**
   * Adds a feed, or applies the config's settings (interval, full text) to the feed already stored
   * under that URL — or under the URL a permanent redirect moved it to, which comes back as `movedTo`.
   */
  addFeed(feed: NewFeed, now: Date): Promise<{ id: number; created: boolean; movedTo?: string }>;
  listFeeds(): Promise<FeedRow[]>;
  /** The URLs feeds moved from (permanent redirects), oldest move first. */
  listFeedMoves(): Promise<FeedMove[]>;
  getFeedByUrl(url: string): Promise<FeedRow | undefined>;
  getFeed(id: number): Promise<FeedRow | undefined>;
  /** Removes the feed with this URL, or the feed it moved to. */
  removeFeed(url: string): Promise<boolean>;
  /** Leases the feeds due by `dueBy` to `owner` until `leaseUntil`; feeds whose lease is still valid at `now` are skipped. */
  claimDueFeeds(dueBy: Date, owner: string, leaseUntil: Date, limit: number, now: Date): Promise<FeedRow[]>;
  /** A new `url` (a permanent redirect) replaces the feed's, and the old one is remembered for addFeed and removeFeed. */
  recordFeedSuccess(id: number, update: { etag?: string | null; lastModified?: string | null; title?: string; url?: string; nextPollAt: Date; now: Date }): Promise<void>;
  recordFeedFailure(id: number, update: { error: string; nextPollAt: Date }): Promise<void>;
}

/** Articles and the stories they form. */
export interface ArticleStore {
  upsertArticle(article: ArticleInput): Promise<ArticleUpsert>;
  /** The same for one feed's items at once (one transaction where the store has them), results in input order. */
  upsertArticles(articles: ArticleInput[]): Promise<ArticleUpsert[]>;
  /** Articles of this feed fetched since `since` whose content hash is one of `hashes`: finds republished items, a feed's batch in one query. */
  recentContent(feedId: number, hashes: string[], since: Date): Promise<Array<{ id: number; contentHash: string }>>;
  createStory(articleId: number, title: string, at: Date): Promise<number>;
  /** `fold` records why it joined (shown in follow-ups and previews). */
  attachToStory(articleId: number, storyId: number, at: Date, fold?: StoryFold): Promise<void>;
  /**
   * Takes the article out of its story into a story of its own (a wrong fold, `watchfloor stories split`);
   * undefined when there is no such article or it has no story. Already the first of its story: `storyId` is unchanged.
   */
  splitStory(articleId: number, at: Date): Promise<{ from: number; storyId: number } | undefined>;
  /** Articles split into a story of their own since `since`: a running story window moves them too. */
  storySplitsSince(since: Date): Promise<Array<{ articleId: number; storyId: number }>>;
  /** Matched articles of stories seen since `since`, oldest first: rebuilds the clustering window after a restart. */
  storyWindow(since: Date): Promise<StoryArticle[]>;
  /** Matched articles placed in a story and understood since `since`, by any process: a replica's window catches up on them. */
  storyWindowPlacedSince(since: Date): Promise<StoryArticle[]>;
  getArticle(id: number): Promise<ArticleRow | undefined>;
  /** The articles of these ids that exist, by id: the understand step reads a batch in one query. */
  getArticles(ids: number[]): Promise<ArticleRow[]>;
  /** The first `limit` articles of a story in arrival order: its first reports. */
  storyArticles(storyId: number, limit: number): Promise<ArticleRow[]>;
  articlesSince(since: Date): Promise<ArticleRow[]>;
  /** Articles stored as pending and not yet understood, by id, at most `limit`. */
  pendingArticles(limit: number): Promise<PendingArticle[]>;
  /** The article was scored, placed in a story and routed: it is pending no longer. `analysis` is what scoring found. */
  markUnderstood(id: number, at: Date, analysis?: { language: string; concepts: string[] }): Promise<void>;
  /**
   * Runs `fn` holding the understand lock: one process at a time places articles in stories, so replicas
   * cannot open two stories for one event. PostgreSQL: a session advisory lock; SQLite: one at a time in this process.
   */
  withUnderstandLock<T>(fn: () => Promise<T>): Promise<T>;
}

/** Topics (from the config and made in chat) and the matches of articles against them. */
export interface TopicStore {
  syncTopics(topics: Array<{ slug: string; title: string; definition: unknown; source: 'config' | 'chat' }>): Promise<void>;
  /**
   * Records matches, replacing an article's earlier match of the same topic (a run resumed after a crash). With
   * `analysis`, the article's language and concepts are written by the same statement: an article about to be routed
   * has them before any of its deliveries is read.
   */
  saveMatches(matches: MatchInput[], analysis?: { articleId: number; language: string; concepts: string[] }): Promise<void>;
  /** Every stored topic, or those of one source, by slug. */
  listTopics(source?: TopicSource): Promise<StoredTopic[]>;
  /** Stores a chat topic; false (and nothing changed) when the slug is taken, whatever its source. */
  addTopic(topic: NewTopic, now: Date): Promise<boolean>;
  /** Removes a chat topic and the subscriptions to it, in one transaction; config topics are left alone. */
  removeTopic(slug: string): Promise<{ removed: boolean; subscriptions: number }>;
  /** The topic's matches of articles fetched since `since` that belong to a story, oldest first: a new subscription's backfill. */
  topicMatchesSince(topic: string, since: Date): Promise<TopicMatchRow[]>;
}

/** Where alerts go, which topics each channel follows, and its pace (how soon it may take a post). */
export interface ChannelStore {
  /** The channel's id, created when new; a given `name` replaces the stored one (channels get renamed). */
  ensureChannel(ref: ChannelRef): Promise<number>;
  /** The channel's id without creating it. */
  findChannel(ref: ChannelRef): Promise<number | undefined>;
  subscribe(channelId: number, topic: string, minScore: number, createdBy: string): Promise<void>;
  unsubscribe(channelId: number, topic: string): Promise<boolean>;
  /** Replaces the config-made subscriptions with this set, leaving chat-made ones alone. */
  syncConfigSubscriptions(routes: Array<{ channelId: number; topic: string; minScore: number }>): Promise<void>;
  /** Active subscribers of a topic; paused subscriptions are skipped. */
  subscribersOf(topic: string): Promise<Subscriber[]>;
  /** This channel's subscriptions, paused ones included, by topic. */
  channelSubscriptions(channelId: number): Promise<ChannelSubscription[]>;
  /** Pauses the channel's subscription to `topic`, or all of them (the channel is gone): returns how many. */
  pauseSubscriptions(channelId: number, reason: string, topic?: string): Promise<number>;
  resumeSubscriptions(channelId: number, topic?: string): Promise<number>;
  /** The channel's pace (a channel never paced has none: null and no posts). */
  channelPacing(channelId: number): Promise<ChannelPacing>;
  /**
   * Takes the channel's post slot in one conditional statement, so that processes posting to it take turns: only
   * when it is free at `slot.now` (and, for a top-level message with a limit, the minute has room). False: taken by
   * another post, held, or no room; nothing changed.
   */
  takePostSlot(channelId: number, slot: PostSlot): Promise<boolean>;
  /**
   * The post that took the slot at `now` went nowhere: the slot goes back to `now` while it is still at `until` (no
   * hold or other post moved it; no `until`: left alone), and with `topLevel` the post leaves the recent posts.
   */
  returnPostSlot(channelId: number, slot: { now: Date; until?: Date; topLevel: boolean }): Promise<void>;
  /**
   * Nothing goes to the channel before `until` (a platform's Retry-After; a later slot stays): its waiting rows due
   * sooner are moved there too, so that no process wakes them only to defer them again.
   */
  holdChannel(channelId: number, until: Date): Promise<void>;
}

/** The outbox: one row per channel × article and one per digest schedule × period, claimed with leases. */
export interface OutboxStore {
  /** Inserts unless (channel, article) exists or, for an alert, (channel, story) already has one. Returns the id or null. */
  enqueueDelivery(delivery: DeliveryInput, now: Date): Promise<number | null>;
  /**
   * Queues a digest's period, due now, unless (schedule, period) was queued before — by this process or another,
   * before a restart or not: a digest goes out once per period. Returns the id, or null when it was there.
   */
  enqueueDigest(digest: DigestInput, now: Date): Promise<number | null>;
  /** The row queued for (schedule, period), if any. */
  findDigest(scheduleKey: string, period: string): Promise<{ id: number; status: DeliveryStatus } | undefined>;
  /** Feeds' burst rows whose poll has no article left to understand come due at `at`; returns how many. */
  releaseFeedBursts(at: Date): Promise<number>;
  /** How many rows of its own (alerts, follow-ups) the channel got from the poll of `feedId` fetched at `fetchedAt`. */
  feedPollRows(channelId: number, feedId: number, fetchedAt: Date): Promise<number>;
  /**
   * Queues an article for each channel, in one statement: the story's alert where the channel has none yet, else a
   * follow-up. A (channel, article) already queued is skipped. Returns the ids of the rows queued.
   */
  routeArticle(route: { articleId: number; storyId: number; to: Array<{ channelId: number; topic: string }> }, now: Date): Promise<number[]>;
  /**
   * The story's alert in this channel — the delivery, its status, its message ref once posted (null when posted
   * without one) and the feeds whose reports of the story were posted there — or undefined when there is none.
   */
  storyAlert(channelId: number, storyId: number): Promise<StoryAlert | undefined>;
  /** Leases due pending and deferred rows, and `sending` rows whose lease expired (their sender died mid-send). */
  claimDeliveries(now: Date, owner: string, leaseUntil: Date, limit: number): Promise<DeliveryJob[]>;
  /** Recorded right before the post: a crash after it leaves the row `cutOff` for the next claim. */
  markAttemptStarted(id: number, at: Date): Promise<void>;
  markDelivered(id: number, messageRef: string | null, now: Date): Promise<void>;
  /**
   * `retryAt` set: pending until then; otherwise `rejected` when the platform refused for good, else `dead`.
   * `uncertain`: the attempt began and may have posted; the next claim is `cutOff` and asks the medium first.
   */
  markDeliveryFailed(id: number, update: { error: string; retryAt: Date | null; rejected?: boolean; uncertain?: boolean }): Promise<void>;
  /**
   * `deferred` until `wait.until` (default now), with its reason, and the claim's attempt not counted: the row
   * waits for something else (its story alert, a connection), the message is not at fault.
   */
  releaseDelivery(id: number, now: Date, wait?: { reason: string; until?: Date; uncertain?: boolean }): Promise<void>;
  /** Outbox rows, newest first, of one status and kind or all (or the one row `id`). */
  listDeliveries(query: { status?: DeliveryStatus; kind?: DeliveryKind; id?: number; limit: number }): Promise<DeliverySummary[]>;
  /** A row that is not sent or being sent goes back to pending, due now, with its attempts reset; false otherwise. */
  retryDelivery(id: number, now: Date): Promise<boolean>;
  /** When the next row becomes claimable (pending or deferred due, or a sending lease expiring); null when none will. */
  nextDeliveryDue(): Promise<Date | null>;
  /**
   * Calls `listener` when rows may have come due — queued, or brought forward: follow-ups woken by their posted
   * alert, a digest due now, a released burst, a retry, released leases — once per statement, not per row; and once
   * when listening begins, since what came due before was not heard. PostgreSQL hears every process on the schema
   * (NOTIFY), SQLite this store's own writes. Returns the function that stops listening.
   */
  onDeliveriesDue(listener: () => void): () => void;
}

/** Who holds feed and delivery leases: a process known to be gone has its leases taken back at once. */
export interface LeaseStore {
  /** Owners of feed or delivery leases still valid at `now`. */
  leaseOwners(now: Date): Promise<string[]>;
  /** Extends every lease `owner` holds (feeds being polled, rows being sent) to `until`. */
  renewLeases(owner: string, until: Date): Promise<void>;
  /**
   * Takes back `owner`'s leases: its feeds are free to poll, its `sending` rows claimable now (still `sending`,
   * so the re-send first looks for a post that may have gone out before the owner died).
   */
  releaseLeases(owner: string): Promise<{ feeds: number; deliveries: number }>;
}

/** Digests: the rows they are built from and per-channel schedules (a period is queued with OutboxStore.enqueueDigest). */
export interface DigestStore {
  digestRows(query: { topic?: string; channelId?: number; since: Date; until: Date }): Promise<DigestRow[]>;
  /** What a feed's burst says: the poll's matching items for the channel's active subscriptions, beyond its own rows. */
  feedBurstRows(query: { channelId: number; feedId: number; fetchedAt: Date; limit: number }): Promise<FeedBurstRows>;
  /** Sets the channel's scheduled digest (one per channel), replacing the one it had. */
  setDigestSchedule(schedule: DigestScheduleInput, now: Date): Promise<void>;
  removeDigestSchedule(channelId: number): Promise<boolean>;
  /** Every channel's scheduled digest, by channel id: what the scheduler posts. */
  listDigestSchedules(): Promise<DigestSchedule[]>;
}

/** What an operator reads: `/readyz`, `/metrics` gauges and `watchfloor status`. */
export interface StatusStore {
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  /** Feeds by status; a status no feed has is absent. */
  feedCounts(): Promise<Partial<Record<FeedStatus, number>>>;
  /** Outbox rows by status; a status no row has is absent. */
  deliveryCounts(): Promise<Partial<Record<DeliveryStatus, number>>>;
  /** The newest `limit` story alerts (kind `alert`), whatever their status, newest first. */
  recentAlerts(limit: number): Promise<DeliverySummary[]>;
}

/** What opening a store did to its schema (`watchfloor migrate` reports it; start-up logs it). */
export interface MigrationReport {
  /** Migration files applied by this open, in order; empty when the schema was already current. */
  applied: string[];
  /** The schema version now (the highest migration number applied). */
  version: number;
}

/** Everything at once: what the composition root builds. Modules ask for the ports they use. */
export interface Store extends FeedStore, ArticleStore, TopicStore, ChannelStore, OutboxStore, LeaseStore, DigestStore, StatusStore {
  close(): Promise<void>;
}
