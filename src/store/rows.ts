import type { ArticleRow, ChannelSubscription, DeliverySummary, DigestSchedule, FeedRow, StoredTopic, TopicMatchRow, Weekday } from './store.ts';

/** A database row as the driver returns it. */
export type Row = Record<string, any>;

/** The driver's time value → Date: SQLite stores epoch milliseconds, PostgreSQL returns Date already. */
export type TimeReader = (value: unknown) => Date | null;

/** Column names are the same in both migrations, so one mapping serves both stores. */
export function toFeed(r: Row, time: TimeReader): FeedRow {
  return {
    id: r.id,
    url: r.url,
    title: r.title,
    etag: r.etag,
    lastModified: r.last_modified,
    intervalS: r.interval_s,
    nextPollAt: time(r.next_poll_at)!,
    failures: r.failures,
    lastError: r.last_error,
    lastSuccessAt: time(r.last_success_at),
    status: r.status,
    fullText: Boolean(r.full_text),
    addedBy: r.added_by ?? null,
    category: r.category ?? null,
    firstPoll: r.last_success_at == null,
  };
}

export function toArticle(r: Row, time: TimeReader): ArticleRow {
  return {
    id: r.id,
    feedId: r.feed_id,
    key: r.item_key,
    guid: r.guid,
    url: r.canonical_url,
    title: r.title,
    lead: r.lead,
    body: r.body_text,
    publishedAt: time(r.published_at),
    fetchedAt: time(r.fetched_at)!,
    language: r.language,
    contentHash: r.content_hash,
    storyId: r.story_id,
    feedTitle: r.feed_title,
    feedUrl: r.feed_url,
    storyFold: r.story_reason ? { reason: r.story_reason, detail: r.story_detail ?? '' } : null,
  };
}

/** `definition` is JSON text in SQLite and jsonb (already parsed) in PostgreSQL. */
export type JsonReader = (value: unknown) => unknown;

export function toStoredTopic(r: Row, json: JsonReader): StoredTopic {
  return { slug: r.slug, title: r.title, definition: json(r.definition), source: r.source, createdBy: r.created_by ?? null };
}

export function toTopicMatch(r: Row, time: TimeReader): TopicMatchRow {
  return { articleId: r.article_id, storyId: r.story_id, score: r.score, fetchedAt: time(r.fetched_at)! };
}

export function toChannelSubscription(r: Row): ChannelSubscription {
  return {
    topic: r.topic,
    topicTitle: r.topic_title ?? null,
    minScore: r.min_score,
    source: r.source,
    createdBy: r.created_by ?? null,
    pausedReason: r.paused_reason ?? null,
  };
}

export function toDigestSchedule(r: Row, time: TimeReader): DigestSchedule {
  return {
    channelId: r.channel_id,
    channel: { platform: r.platform, workspace: r.workspace, channel: r.channel, ...(r.name == null ? {} : { name: r.name }) },
    every: r.every,
    day: r.day == null ? null : (r.day as Weekday),
    time: r.local_time,
    timezone: r.timezone,
    createdBy: r.created_by ?? '',
    updatedAt: time(r.updated_at)!,
  };
}

/** An outbox row joined with its channel and article title (`d.*`, `c.platform …`, `channel_name`, `title`). */
export function toDeliverySummary(r: Row, time: TimeReader): DeliverySummary {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: time(r.next_attempt_at)!,
    lastError: r.last_error,
    channel: { platform: r.platform, workspace: r.workspace, channel: r.channel, ...(r.channel_name ? { name: r.channel_name } : {}) },
    topic: r.topic,
    storyId: r.story_id,
    title: r.title,
    createdAt: time(r.created_at)!,
    sentAt: time(r.sent_at),
  };
}
