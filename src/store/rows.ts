import type { ArticleRow, FeedRow } from './store.ts';

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
  };
}
