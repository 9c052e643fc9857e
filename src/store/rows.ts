import type {
  AlertJob, ArticleRow, ChannelPacing, ChannelSubscription, DeliveryJob, DeliveryKind, DigestCoverage, FeedBurstRows, DeliveryStatus, DeliverySummary, DigestRow, DigestSchedule, FeedMove, FeedRow,
  FeedStatus, PendingArticle, StoredTopic, StoryArticle, Subscriber, TopicMatchRow, TopicSource, Weekday,
} from './store.ts';

/**
 * The rows the stores' statements select, as the drivers return them, and the mappers to the store's types.
 * Column names are the same in both migrations, so one record type and one mapper serve both stores; where the
 * drivers differ (times, booleans, JSON) the column's type says so and the store passes its `Readers`.
 */

/** A time column: epoch milliseconds in SQLite, a Date from pg (timestamptz). */
export type DbTime = number | Date;
/** A boolean column: 0 or 1 in SQLite, a boolean in PostgreSQL. */
export type DbBool = number | boolean;
/** A JSON column: text in SQLite, already parsed in PostgreSQL (jsonb). */
export type DbJson = unknown;

/** How a store reads the columns whose driver values differ. */
export interface Readers {
  time(value: DbTime | null): Date | null;
  json(value: DbJson): unknown;
}

/** `SELECT * FROM feeds`. */
export interface FeedRecord {
  id: number;
  url: string;
  title: string | null;
  etag: string | null;
  last_modified: string | null;
  interval_s: number;
  full_text: DbBool;
  next_poll_at: DbTime;
  failures: number;
  last_error: string | null;
  last_success_at: DbTime | null;
  status: FeedStatus;
  added_by: string | null;
  category: string | null;
}

export interface FeedMoveRecord {
  url: string;
  feed_id: number;
  moved_at: DbTime;
}

/** ARTICLE_COLUMNS (sql.ts): an article with its feed's title and URL. */
export interface ArticleRecord {
  id: number;
  feed_id: number;
  item_key: string;
  guid: string | null;
  canonical_url: string | null;
  title: string;
  lead: string;
  body_text: string;
  published_at: DbTime | null;
  fetched_at: DbTime;
  language: string | null;
  concepts: DbJson;
  content_hash: string;
  story_id: number | null;
  story_reason: string | null;
  story_detail: string | null;
  feed_title: string | null;
  feed_url: string;
}

export interface PendingArticleRecord {
  id: number;
  published_at: DbTime | null;
  story_id: number | null;
}

export interface StorySplitRecord {
  id: number;
  story_id: number;
}

export interface ContentRecord {
  id: number;
  content_hash: string;
}

export interface TopicRecord {
  slug: string;
  title: string;
  definition: DbJson;
  source: TopicSource;
  created_by: string | null;
}

export interface TopicMatchRecord {
  article_id: number;
  story_id: number;
  score: number;
  fetched_at: DbTime;
}

/** `recent_posts`: a JSON array of epoch ms in SQLite, timestamptz[] (Dates) from pg. */
export interface ChannelPacingRecord {
  next_post_at: DbTime | null;
  recent_posts: DbJson;
}

export interface ChannelSubscriptionRecord {
  topic: string;
  topic_title: string | null;
  min_score: number;
  source: TopicSource;
  created_by: string | null;
  paused_reason: string | null;
}

export interface SubscriberRecord {
  channel_id: number;
  platform: string;
  workspace: string;
  channel: string;
  min_score: number;
}

/** `SELECT d.*` from deliveries. A digest row has no story or article, and a topic only when it covers one. */
export interface DeliveryRecord {
  id: number;
  channel_id: number;
  story_id: number | null;
  topic: string | null;
  article_id: number | null;
  kind: DeliveryKind;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: DbTime;
  message_ref: string | null;
  last_error: string | null;
  created_at: DbTime;
  sent_at: DbTime | null;
  period_key: string | null;
  digest_of: DigestCoverage | null;
  feed_id: number | null;
}

/** An outbox row joined with its channel and its article's title (null for a digest), and a feed burst's feed. */
export interface DeliverySummaryRecord extends DeliveryRecord {
  platform: string;
  workspace: string;
  channel: string;
  channel_name: string | null;
  title: string | null;
  burst_feed: string | null;
}

/** The digest columns of a delivery row (JOB_COLUMNS): null unless its kind is `digest`. */
export interface DigestFieldsRecord {
  schedule_key: string | null;
  period_key: string | null;
  period_since: DbTime | null;
  period_until: DbTime | null;
  digest_of: DigestCoverage | null;
  burst_feed_id: number | null;
}

/**
 * JOB_COLUMNS (sql.ts): a delivery with what a sink needs to render it. The article's columns come from a left
 * join: a digest row has none (they are null, whatever ArticleRecord says).
 */
export interface DeliveryJobRecord extends ArticleRecord, DigestFieldsRecord {
  delivery_id: number;
  kind: DeliveryKind;
  attempts: number;
  /** Present where the claim computed it. */
  cut_off?: DbBool;
  channel_id: number;
  delivery_story_id: number;
  topic: string;
  platform: string;
  workspace: string;
  channel: string;
  channel_name: string | null;
  topic_title: string | null;
  score: number | null;
  why: string | null;
  explanation: DbJson | null;
}

/** A story's alert: the job plus its status and message ref. */
export interface StoryAlertRecord extends DeliveryJobRecord {
  alert_status: DeliveryStatus;
  alert_ref: string | null;
}

export interface DigestScheduleRecord {
  channel_id: number;
  every: 'daily' | 'weekly';
  day: number | null;
  local_time: string;
  timezone: string;
  created_by: string | null;
  updated_at: DbTime;
  platform: string;
  workspace: string;
  channel: string;
  name: string | null;
}

/** digestRows: a story's best article for a topic, with the topic's title and the story's outlet count. */
export interface DigestRecord extends ArticleRecord {
  digest_story_id: number;
  topic: string;
  topic_title: string;
  score: number;
  why: string;
  explanation: DbJson;
  first_seen_at: DbTime;
  outlets: number;
}

/** feedBurstItems: an article of the poll with one topic it matched for the channel. */
export interface FeedBurstItemRecord extends ArticleRecord {
  topic: string;
  topic_title: string;
  score: number;
  why: string;
  explanation: DbJson;
}

export interface IdRecord {
  id: number;
}

export interface StatusCountRecord {
  status: string;
  n: number;
}

export interface LeaseOwnerRecord {
  lease_owner: string | null;
}

export function toFeed(r: FeedRecord, read: Readers): FeedRow {
  return {
    id: r.id,
    url: r.url,
    title: r.title,
    etag: r.etag,
    lastModified: r.last_modified,
    intervalS: r.interval_s,
    nextPollAt: read.time(r.next_poll_at)!,
    failures: r.failures,
    lastError: r.last_error,
    lastSuccessAt: read.time(r.last_success_at),
    status: r.status,
    fullText: Boolean(r.full_text),
    addedBy: r.added_by ?? null,
    category: r.category ?? null,
    firstPoll: r.last_success_at == null,
  };
}

export function toFeedMove(r: FeedMoveRecord, read: Readers): FeedMove {
  return { url: r.url, feedId: r.feed_id, movedAt: read.time(r.moved_at)! };
}

export function toArticle(r: ArticleRecord, read: Readers): ArticleRow {
  return {
    id: r.id,
    feedId: r.feed_id,
    key: r.item_key,
    guid: r.guid,
    url: r.canonical_url,
    title: r.title,
    lead: r.lead,
    body: r.body_text,
    publishedAt: read.time(r.published_at),
    fetchedAt: read.time(r.fetched_at)!,
    language: r.language,
    contentHash: r.content_hash,
    storyId: r.story_id,
    feedTitle: r.feed_title,
    feedUrl: r.feed_url,
    storyFold: r.story_reason ? { reason: r.story_reason, detail: r.story_detail ?? '' } : null,
  };
}

/** An article of a story in the window, with the concept ids it was analysed to. */
export function toStoryArticle(r: ArticleRecord, read: Readers): StoryArticle {
  return { storyId: r.story_id!, article: toArticle(r, read), concepts: read.json(r.concepts) as string[] };
}

export function toPendingArticle(r: PendingArticleRecord, read: Readers): PendingArticle {
  return { id: r.id, publishedAt: read.time(r.published_at), storyId: r.story_id };
}

export function toStorySplit(r: StorySplitRecord): { articleId: number; storyId: number } {
  return { articleId: r.id, storyId: r.story_id };
}

export function toContent(r: ContentRecord): { id: number; contentHash: string } {
  return { id: r.id, contentHash: r.content_hash };
}

export function toStoredTopic(r: TopicRecord, read: Readers): StoredTopic {
  return { slug: r.slug, title: r.title, definition: read.json(r.definition), source: r.source, createdBy: r.created_by ?? null };
}

export function toTopicMatch(r: TopicMatchRecord, read: Readers): TopicMatchRow {
  return { articleId: r.article_id, storyId: r.story_id, score: r.score, fetchedAt: read.time(r.fetched_at)! };
}

export function toChannelPacing(r: ChannelPacingRecord | undefined, read: Readers): ChannelPacing {
  if (!r) return { nextPostAt: null, recentPosts: [] };
  const posts = (read.json(r.recent_posts) as DbTime[]).map((t) => read.time(t)!);
  return { nextPostAt: read.time(r.next_post_at), recentPosts: posts.sort((a, b) => a.getTime() - b.getTime()) };
}

export function toChannelSubscription(r: ChannelSubscriptionRecord): ChannelSubscription {
  return {
    topic: r.topic,
    topicTitle: r.topic_title ?? null,
    minScore: r.min_score,
    source: r.source,
    createdBy: r.created_by ?? null,
    pausedReason: r.paused_reason ?? null,
  };
}

export function toSubscriber(r: SubscriberRecord): Subscriber {
  return { channelId: r.channel_id, platform: r.platform, workspace: r.workspace, channel: r.channel, minScore: r.min_score };
}

export function toDigestSchedule(r: DigestScheduleRecord, read: Readers): DigestSchedule {
  return {
    channelId: r.channel_id,
    channel: { platform: r.platform, workspace: r.workspace, channel: r.channel, ...(r.name == null ? {} : { name: r.name }) },
    every: r.every,
    day: r.day == null ? null : (r.day as Weekday),
    time: r.local_time,
    timezone: r.timezone,
    createdBy: r.created_by ?? '',
    updatedAt: read.time(r.updated_at)!,
  };
}

export function toDeliverySummary(r: DeliverySummaryRecord, read: Readers): DeliverySummary {
  const digest = r.kind === 'digest';
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: read.time(r.next_attempt_at)!,
    lastError: r.last_error,
    channel: { platform: r.platform, workspace: r.workspace, channel: r.channel, ...(r.channel_name ? { name: r.channel_name } : {}) },
    topic: r.topic ?? (r.digest_of === 'subscriptions' ? '(subscriptions)' : '(all topics)'),
    storyId: r.story_id,
    title: r.feed_id != null ? `burst of ${r.burst_feed} ${r.period_key}` : digest ? `digest ${r.period_key}` : (r.title ?? ''),
    createdAt: read.time(r.created_at)!,
    sentAt: read.time(r.sent_at),
  };
}

export function toDeliveryJob(r: DeliveryJobRecord, read: Readers): DeliveryJob {
  const claimed = {
    id: r.delivery_id,
    attempts: r.attempts,
    cutOff: Boolean(r.cut_off),
    channel: { id: r.channel_id, platform: r.platform, workspace: r.workspace, channel: r.channel, name: r.channel_name ?? undefined },
  };
  if (r.kind === 'digest') {
    return {
      ...claimed,
      kind: 'digest',
      digest: {
        scheduleKey: r.schedule_key!,
        period: r.period_key!,
        since: read.time(r.period_since)!,
        until: read.time(r.period_until)!,
        of: r.digest_of!,
        topic: r.topic ?? null,
        ...(r.burst_feed_id == null ? {} : { feedId: r.burst_feed_id }),
      },
    };
  }
  return toAlertJob(r, read);
}

/** A row known to be an alert or follow-up (storyAlert's). */
export function toAlertJob(r: DeliveryJobRecord, read: Readers): AlertJob {
  return {
    id: r.delivery_id,
    kind: r.kind as AlertJob['kind'],
    attempts: r.attempts,
    cutOff: Boolean(r.cut_off),
    channel: { id: r.channel_id, platform: r.platform, workspace: r.workspace, channel: r.channel, name: r.channel_name ?? undefined },
    storyId: r.delivery_story_id,
    topic: { slug: r.topic, title: r.topic_title ?? r.topic },
    article: toArticle(r, read),
    match: { score: r.score ?? 0, why: r.why ?? '', explanation: r.explanation == null ? null : read.json(r.explanation) },
  };
}

export function toDigestRow(r: DigestRecord, read: Readers): DigestRow {
  return {
    storyId: r.digest_story_id,
    topic: r.topic,
    topicTitle: r.topic_title,
    score: r.score,
    firstSeenAt: read.time(r.first_seen_at)!,
    outlets: r.outlets,
    article: toArticle(r, read),
    why: r.why,
    explanation: read.json(r.explanation),
  };
}

/** Each article once, with its best match (the rows come best first), the first `limit`. */
export function toFeedBurstItems(rows: FeedBurstItemRecord[], limit: number, read: Readers): FeedBurstRows['items'] {
  const seen = new Set<number>();
  const items: FeedBurstRows['items'] = [];
  for (const r of rows) {
    if (seen.has(r.id) || items.length >= limit) continue;
    seen.add(r.id);
    items.push({ article: toArticle(r, read), topic: r.topic, topicTitle: r.topic_title, score: r.score, why: r.why, explanation: read.json(r.explanation) });
  }
  return items;
}

/** `status, n` pairs → `{ status: n }`; a status no row has is absent. */
export function toCounts<S extends string>(rows: StatusCountRecord[]): Partial<Record<S, number>> {
  return Object.fromEntries(rows.map((r) => [r.status, r.n])) as Partial<Record<S, number>>;
}
