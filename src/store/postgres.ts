/**
 * The store for several replicas (PostgreSQL, pg).
 * Over 450 lines because it is one class with a short method per port method (about 50) and the migration runner: the statements it shares with SQLite are in sql.ts, the row mappers in rows.ts.
 */
import pg from 'pg';
import { AppError } from '../errors.ts';
import type {
  ArticleInput, ArticleRow, ArticleUpsert, ChannelPacing, ChannelRef, DeliveryInput, DeliveryJob, DeliveryKind, DeliveryStatus, DigestInput, FeedBurstRows, DeliverySummary, DigestRow, StoryAlert, FeedMove, FeedRow, FeedStatus,
  MatchInput, NewFeed, PendingArticle, PostSlot, Store, StoryArticle, StoryFold, Subscriber, ChannelSubscription, DigestSchedule, DigestScheduleInput, NewTopic, StoredTopic,
  TopicMatchRow, TopicSource,
} from './store.ts';
import {
  type ArticleRecord, type ChannelPacingRecord, type ChannelSubscriptionRecord, type ContentRecord, type DeliveryJobRecord, type DeliverySummaryRecord, type DigestRecord,
  type DigestScheduleRecord, type FeedMoveRecord, type FeedRecord, type IdRecord, type LeaseOwnerRecord, type PendingArticleRecord, type Readers,
  type StatusCountRecord, type StoryAlertRecord, type StorySplitRecord, type SubscriberRecord, type TopicMatchRecord, type TopicRecord,
  toArticle as articleRow, toChannelPacing, toChannelSubscription, toContent, toCounts, toAlertJob, toDeliveryJob, toDeliverySummary, toFeedBurstItems, type FeedBurstItemRecord, toDigestRow, toDigestSchedule, toFeed as feedRow,
  toFeedMove, toPendingArticle, toStoredTopic, toStoryArticle, toStorySplit, toSubscriber, toTopicMatch,
} from './rows.ts';
import { ARTICLE_COLUMNS, ARTICLE_SELECT, JOB_COLUMNS, JOB_JOINS, numberedAll } from './sql.ts';
import type { MigrationReport } from './store.ts';
import { migrationHistory, SCHEMA_MIGRATIONS_TABLE } from './migration-history.ts';
import { deliveriesChannel, NoticeListener } from './postgres-notices.ts';

/** Unquoted PostgreSQL identifier: safe to put in `-c search_path=…` and in SQL without escaping rules. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;


export interface PostgresStoreOptions {
  connectionString: string;
  /** Schema holding the tables; created when missing. Default: the server's search_path (usually `public`). */
  schema?: string;
  /** Pool size per replica (pg default 10). */
  max?: number;
  /** Errors of idle pooled connections (server restart, network drop); default: a process warning. */
  onError?: (error: Error) => void;
  /** The connection that hears queued deliveries failed and is opened again (a sentence); default: a process warning. */
  onWarning?: (message: string, error: Error) => void;
}

/**
 * ids are `bigint` identities; pg returns int8 as strings unless told otherwise. Parse them as numbers for this
 * pool only (the global `pg.types` stays untouched). Identities stay far below 2^53.
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/**
 * The store for several replicas. Claims (`claimDueFeeds`, `claimDeliveries`) lock candidate rows with
 * `FOR UPDATE SKIP LOCKED` and lease them in the same statement, so two replicas never take the same row and a
 * killed worker's rows come back once `lease_until` has passed. Every other method is one short statement.
 */
export class PostgresStore implements Store {
  /** What opening did to the schema: the migration files this process applied (none when another had) and the version now. */
  readonly migrations: MigrationReport;

  private constructor(
    private readonly pool: pg.Pool,
    migrations: MigrationReport,
    /** The schema's deliveries channel: every statement that makes rows due notifies it (`notifying`). */
    private readonly channel: string,
    private readonly notices: NoticeListener,
  ) {
    this.migrations = migrations;
  }

  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const { schema } = options;
    if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
      throw new Error(`PostgreSQL schema name "${schema}" is not allowed: use lowercase letters, digits and _ (at most 63, not starting with a digit).`);
    }
    const pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.max,
      types,
      connectionTimeoutMillis: 10_000,
      // Every pooled connection sees only this schema's tables.
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    pool.on('error', options.onError ?? ((err) => process.emitWarning(`PostgreSQL idle connection error: ${err.message}`)));
    let migrations: MigrationReport;
    let channel: string;
    try {
      migrations = await migrate(pool, schema);
      channel = deliveriesChannel(schema ?? (await pool.query<{ name: string }>('SELECT current_schema() AS name')).rows[0]!.name);
    } catch (err) {
      await pool.end().catch(() => {});
      throw err;
    }
    const notices = new NoticeListener(
      // TCP keepalive: an idle LISTEN connection would not notice a silent network drop otherwise.
      { connectionString: options.connectionString, connectionTimeoutMillis: 10_000, keepAlive: true },
      channel,
      options.onWarning ?? ((message) => process.emitWarning(message)),
    );
    return new PostgresStore(pool, migrations, channel, notices);
  }

  async close(): Promise<void> {
    await this.notices.close();
    await this.pool.end();
  }

  onDeliveriesDue(listener: () => void): () => void {
    return this.notices.listen(listener);
  }

  /** The rows as `R` (the record type of the statement's select list, rows.ts). */
  private async rows<R>(sql: string, params: unknown[] = []): Promise<R[]> {
    return (await this.pool.query(sql, params)).rows as R[];
  }

  private async one<R>(sql: string, params: unknown[] = []): Promise<R | undefined> {
    return (await this.pool.query(sql, params)).rows[0] as R | undefined;
  }

  private async changed(sql: string, params: unknown[] = []): Promise<number> {
    return (await this.pool.query(sql, params)).rowCount ?? 0;
  }

  /** Runs `fn` in one transaction on one pooled connection. */
  private async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  // ── feeds ──────────────────────────────────────────────────────────────

  async addFeed(feed: NewFeed, now: Date): Promise<{ id: number; created: boolean; movedTo?: string }> {
    const moved = await this.one<{ url: string }>(Q.feedMovedTo, [feed.url]);
    // Config edits (interval, full text) apply to an existing feed without resetting its poll state.
    // `xmax = 0` holds only for a freshly inserted row version: it tells insert from update in one statement.
    const row = await this.one<{ id: number; created: boolean }>(
      `INSERT INTO feeds (url, title, interval_s, full_text, next_poll_at, added_by, created_at, category)
       VALUES ($1, $2, $3, $4, $5, $6, $5, $7)
       ON CONFLICT (url) DO UPDATE SET interval_s = excluded.interval_s, full_text = excluded.full_text,
         title = COALESCE(feeds.title, excluded.title), category = COALESCE(feeds.category, excluded.category)
       RETURNING id, (xmax = 0) AS created`,
      [moved?.url ?? feed.url, feed.title ?? null, feed.intervalS, !!feed.fullText, now, feed.addedBy ?? null, feed.category ?? null],
    );
    return { id: row!.id, created: row!.created, ...(moved ? { movedTo: moved.url } : {}) };
  }

  async listFeeds(): Promise<FeedRow[]> {
    return (await this.rows<FeedRecord>(Q.listFeeds)).map(toFeed);
  }

  async listFeedMoves(): Promise<FeedMove[]> {
    return (await this.rows<FeedMoveRecord>(Q.listFeedMoves)).map((r) => toFeedMove(r, read));
  }

  async getFeedByUrl(url: string): Promise<FeedRow | undefined> {
    const row = await this.one<FeedRecord>(Q.feedByUrl, [url]);
    return row && toFeed(row);
  }

  async getFeed(id: number): Promise<FeedRow | undefined> {
    const row = await this.one<FeedRecord>(Q.feedById, [id]);
    return row && toFeed(row);
  }

  async removeFeed(url: string): Promise<boolean> {
    return (await this.changed(Q.removeFeed, [url, url])) > 0;
  }

  async claimDueFeeds(dueBy: Date, owner: string, leaseUntil: Date, limit: number, now: Date): Promise<FeedRow[]> {
    // Rows another replica is claiming right now are skipped, not waited for; a lease still valid at `now`
    // excludes the feed, an expired one (a killed worker) makes it claimable again.
    const rows = await this.rows<FeedRecord>(
      `WITH due AS (
         SELECT id FROM feeds
         WHERE status <> 'paused' AND next_poll_at <= $1 AND (lease_until IS NULL OR lease_until < $2)
         ORDER BY next_poll_at, id LIMIT $3
         FOR UPDATE SKIP LOCKED
       ), leased AS (
         UPDATE feeds f SET lease_owner = $4, lease_until = $5 FROM due WHERE f.id = due.id RETURNING f.*
       )
       SELECT * FROM leased ORDER BY next_poll_at, id`,
      [dueBy, now, limit, owner, leaseUntil],
    );
    return rows.map(toFeed);
  }

  async recordFeedSuccess(id: number, u: { etag?: string | null; lastModified?: string | null; title?: string; url?: string; nextPollAt: Date; now: Date }): Promise<void> {
    const update = (client: pg.Pool | pg.PoolClient) =>
      client.query(Q.recordFeedSuccess, [u.etag ?? null, u.lastModified ?? null, u.title ?? null, u.url ?? null, u.nextPollAt, u.now, id]);
    if (!u.url) return void (await update(this.pool));
    await this.transaction(async (client) => {
      await client.query(Q.rememberMove, [u.now, id, u.url]);
      await client.query(Q.forgetMove, [u.url]);
      await update(client);
    });
  }

  async recordFeedFailure(id: number, u: { error: string; nextPollAt: Date }): Promise<void> {
    await this.pool.query(Q.recordFeedFailure, [u.error, u.nextPollAt, id]);
  }

  // ── articles and stories ───────────────────────────────────────────────

  async upsertArticle(a: ArticleInput): Promise<ArticleUpsert> {
    return upsertArticleOn(this.pool, a);
  }

  async upsertArticles(articles: ArticleInput[]): Promise<ArticleUpsert[]> {
    // One transaction, as the interface promises: a feed's batch is stored whole or not at all.
    if (articles.length === 0) return [];
    return this.transaction(async (client) => {
      const results: ArticleUpsert[] = [];
      for (const a of articles) results.push(await upsertArticleOn(client, a));
      return results;
    });
  }

  async recentContent(feedId: number, hashes: string[], since: Date): Promise<Array<{ id: number; contentHash: string }>> {
    if (hashes.length === 0) return [];
    const rows = await this.rows<ContentRecord>('SELECT id, content_hash FROM articles WHERE feed_id = $1 AND fetched_at >= $2 AND content_hash = ANY($3::text[])', [feedId, since, hashes]);
    return rows.map(toContent);
  }

  async createStory(articleId: number, title: string, at: Date): Promise<number> {
    const row = await this.one<IdRecord>(
      `WITH story AS (
         INSERT INTO stories (first_article_id, title, first_seen_at, last_seen_at) VALUES ($1, $2, $3, $3) RETURNING id
       ), anchored AS (
         UPDATE articles SET story_id = (SELECT id FROM story) WHERE id = $1
       )
       SELECT id FROM story`,
      [articleId, title, at],
    );
    return row!.id;
  }

  async attachToStory(articleId: number, storyId: number, at: Date, fold?: StoryFold): Promise<void> {
    await this.pool.query(
      `WITH attached AS (UPDATE articles SET story_id = $2, story_reason = $4, story_detail = $5 WHERE id = $1)
       UPDATE stories SET last_seen_at = GREATEST(last_seen_at, $3) WHERE id = $2`,
      [articleId, storyId, at, fold?.reason ?? null, fold?.detail ?? null],
    );
  }

  async splitStory(articleId: number, at: Date): Promise<{ from: number; storyId: number } | undefined> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const found = await client.query(
        'SELECT a.story_id, a.title, s.first_article_id FROM articles a JOIN stories s ON s.id = a.story_id WHERE a.id = $1 FOR UPDATE OF a',
        [articleId],
      );
      const row = found.rows[0] as { story_id: number; title: string; first_article_id: number } | undefined;
      if (!row) {
        await client.query('ROLLBACK');
        return undefined;
      }
      const from = row.story_id;
      if (row.first_article_id === articleId) {
        await client.query('ROLLBACK');
        return { from, storyId: from };
      }
      const created = await client.query(
        'INSERT INTO stories (first_article_id, title, first_seen_at, last_seen_at) VALUES ($1, $2, $3, $3) RETURNING id',
        [articleId, row.title, at],
      );
      const storyId = (created.rows[0] as IdRecord).id;
      await client.query("UPDATE articles SET story_id = $1, story_reason = 'split', story_detail = $2 WHERE id = $3", [storyId, `split from story ${from}`, articleId]);
      await client.query('COMMIT');
      return { from, storyId };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async storySplitsSince(since: Date): Promise<Array<{ articleId: number; storyId: number }>> {
    return (await this.rows<StorySplitRecord>(Q.storySplitsSince, [since])).map(toStorySplit);
  }

  async storyWindow(since: Date): Promise<StoryArticle[]> {
    return (await this.rows<ArticleRecord>(Q.storyWindow, [since])).map((r) => toStoryArticle(r, read));
  }

  async storyWindowPlacedSince(since: Date): Promise<StoryArticle[]> {
    return (await this.rows<ArticleRecord>(Q.storyWindowPlacedSince, [since, since])).map((r) => toStoryArticle(r, read));
  }

  async storyArticles(storyId: number, limit: number): Promise<ArticleRow[]> {
    return (await this.rows<ArticleRecord>(Q.storyArticles, [storyId, limit])).map(toArticle);
  }

  async getArticle(id: number): Promise<ArticleRow | undefined> {
    const row = await this.one<ArticleRecord>(Q.articleById, [id]);
    return row && toArticle(row);
  }

  async getArticles(ids: number[]): Promise<ArticleRow[]> {
    return (await this.rows<ArticleRecord>(`${ARTICLE_SELECT} WHERE a.id = ANY($1::bigint[]) ORDER BY a.id`, [ids])).map(toArticle);
  }

  async articlesSince(since: Date): Promise<ArticleRow[]> {
    return (await this.rows<ArticleRecord>(Q.articlesSince, [since])).map(toArticle);
  }

  async pendingArticles(limit: number): Promise<PendingArticle[]> {
    return (await this.rows<PendingArticleRecord>(Q.pendingArticles, [limit])).map((r) => toPendingArticle(r, read));
  }

  async markUnderstood(id: number, at: Date, analysis?: { language: string; concepts: string[] }): Promise<void> {
    await this.pool.query(Q.markUnderstood, [at, analysis?.language ?? null, analysis ? json(analysis.concepts) : null, id]);
  }

  async withUnderstandLock<T>(fn: () => Promise<T>): Promise<T> {
    // A session advisory lock on a connection of its own, held while `fn` runs: replicas take turns placing
    // articles in stories. If this process dies, the server drops the session and the lock with it.
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query(`SELECT pg_advisory_lock(hashtext('watchfloor.understand'), hashtext(current_schema()))`);
      return await fn();
    } finally {
      // A connection that cannot unlock is discarded, never pooled with the lock still held.
      await client.query(`SELECT pg_advisory_unlock(hashtext('watchfloor.understand'), hashtext(current_schema()))`).catch((err: Error) => (broken = err));
      client.release(broken);
    }
  }

  // ── topics and matches ─────────────────────────────────────────────────

  async syncTopics(topics: Array<{ slug: string; title: string; definition: unknown; source: 'config' | 'chat' }>): Promise<void> {
    // One statement for the whole set; a slug given twice keeps its last definition, as a loop of upserts would.
    const bySlug = new Map(topics.map((t) => [t.slug, { slug: t.slug, title: t.title, definition: t.definition ?? null, source: t.source }]));
    if (bySlug.size === 0) return;
    await this.pool.query(
      `INSERT INTO topics (slug, title, definition, source)
       SELECT slug, title, definition, source FROM jsonb_to_recordset($1::jsonb) AS t(slug text, title text, definition jsonb, source text)
       ON CONFLICT (slug) DO UPDATE SET title = excluded.title, definition = excluded.definition, source = excluded.source`,
      [json([...bySlug.values()])],
    );
  }

  async saveMatches(matches: MatchInput[], analysis?: { articleId: number; language: string; concepts: string[] }): Promise<void> {
    if (matches.length === 0 && !analysis) return;
    // One statement for an article's matches (or a batch's) and its analysis: the understand step is bound by round trips.
    await this.pool.query(
      `WITH analysed AS (UPDATE articles SET language = $2, concepts = $3 WHERE $4::bigint IS NOT NULL AND id = $4)
       INSERT INTO matches (article_id, topic, score, why, explanation)
       SELECT m.article_id, m.topic, m.score, m.why, m.explanation FROM jsonb_to_recordset($1::jsonb)
         AS m(article_id bigint, topic text, score double precision, why text, explanation jsonb)
       ON CONFLICT (article_id, topic) DO UPDATE SET score = excluded.score, why = excluded.why, explanation = excluded.explanation`,
      [
        JSON.stringify(matches.map((m) => ({ article_id: m.articleId, topic: m.topic, score: m.score, why: m.why, explanation: m.explanation }))),
        analysis?.language ?? null, analysis ? json(analysis.concepts) : null, analysis?.articleId ?? null,
      ],
    );
  }

  async listTopics(source?: TopicSource): Promise<StoredTopic[]> {
    const rows = await this.rows<TopicRecord>(
      `SELECT slug, title, definition, source, created_by FROM topics WHERE ($1::text IS NULL OR source = $1) ORDER BY slug COLLATE "C"`,
      [source ?? null],
    );
    return rows.map((r) => toStoredTopic(r, read));
  }

  async addTopic(t: NewTopic, now: Date): Promise<boolean> {
    return (await this.changed(Q.addTopic, [t.slug, t.title, json(t.definition), t.createdBy, now])) > 0;
  }

  async removeTopic(slug: string): Promise<{ removed: boolean; subscriptions: number }> {
    return this.transaction(async (client) => {
      if (!(await client.query(Q.removeChatTopic, [slug])).rowCount) return { removed: false, subscriptions: 0 };
      return { removed: true, subscriptions: (await client.query(Q.removeTopicSubscriptions, [slug])).rowCount ?? 0 };
    });
  }

  async topicMatchesSince(topic: string, since: Date): Promise<TopicMatchRow[]> {
    return (await this.rows<TopicMatchRecord>(Q.topicMatchesSince, [topic, since])).map((r) => toTopicMatch(r, read));
  }

  // ── channels and subscriptions ─────────────────────────────────────────

  async ensureChannel(ref: ChannelRef): Promise<number> {
    return (await this.one<IdRecord>(Q.ensureChannel, [ref.platform, ref.workspace, ref.channel, ref.name ?? null]))!.id;
  }

  async findChannel(ref: ChannelRef): Promise<number | undefined> {
    return (await this.one<IdRecord>(Q.findChannel, [ref.platform, ref.workspace, ref.channel]))?.id;
  }

  async channelSubscriptions(channelId: number): Promise<ChannelSubscription[]> {
    const rows = await this.rows<ChannelSubscriptionRecord>(
      `SELECT s.topic, t.title AS topic_title, s.min_score, s.source, s.created_by, s.paused_reason
       FROM subscriptions s LEFT JOIN topics t ON t.slug = s.topic WHERE s.channel_id = $1 ORDER BY s.topic COLLATE "C"`,
      [channelId],
    );
    return rows.map(toChannelSubscription);
  }

  async pauseSubscriptions(channelId: number, reason: string, topic?: string): Promise<number> {
    return this.changed(Q.pauseSubscriptions, [reason, channelId, topic ?? null, topic ?? null]);
  }

  async resumeSubscriptions(channelId: number, topic?: string): Promise<number> {
    return this.changed(Q.resumeSubscriptions, [channelId, topic ?? null, topic ?? null]);
  }

  async channelPacing(channelId: number): Promise<ChannelPacing> {
    return toChannelPacing(await this.one<ChannelPacingRecord>(Q.channelPacing, [channelId]), read);
  }

  async takePostSlot(channelId: number, slot: PostSlot): Promise<boolean> {
    // The row lock makes replicas take turns: one waiting on another's update re-checks the conditions on the row it
    // wrote (READ COMMITTED re-evaluates WHERE on the newest version), its slot and its recent posts both.
    const top = slot.topLevel;
    return (await this.changed(
      `UPDATE channels SET next_post_at = COALESCE($1, next_post_at),
         recent_posts = CASE WHEN $2 THEN ARRAY(SELECT t FROM unnest(recent_posts) AS t WHERE t > $3) || $4::timestamptz ELSE recent_posts END
       WHERE id = $5 AND (next_post_at IS NULL OR next_post_at <= $4)
         AND ($6::integer IS NULL OR (SELECT COUNT(*) FROM unnest(recent_posts) AS t WHERE t > $3) < $6)`,
      [slot.until ?? null, top !== undefined, top?.since ?? null, slot.now, channelId, top?.limit ?? null],
    )) > 0;
  }

  async returnPostSlot(channelId: number, slot: { now: Date; until?: Date; topLevel: boolean }): Promise<void> {
    // One record of the post leaves (another replica may have posted at the same millisecond).
    await this.pool.query(
      `UPDATE channels SET next_post_at = CASE WHEN next_post_at = $1 THEN $2 ELSE next_post_at END,
         recent_posts = CASE WHEN $3 AND array_position(recent_posts, $2::timestamptz) IS NOT NULL
           THEN recent_posts[:array_position(recent_posts, $2::timestamptz) - 1] || recent_posts[array_position(recent_posts, $2::timestamptz) + 1:]
           ELSE recent_posts END
       WHERE id = $4`,
      [slot.until ?? null, slot.now, slot.topLevel, channelId],
    );
  }

  async holdChannel(channelId: number, until: Date): Promise<void> {
    await this.pool.query(
      `WITH held AS (UPDATE channels SET next_post_at = GREATEST(next_post_at, $1) WHERE id = $2)
       UPDATE deliveries SET next_attempt_at = $1 WHERE channel_id = $2 AND status IN ('pending', 'deferred') AND next_attempt_at < $1`,
      [until, channelId],
    );
  }

  async subscribe(channelId: number, topic: string, minScore: number, createdBy: string): Promise<void> {
    await this.pool.query(Q.subscribe, [channelId, topic, minScore, createdBy]);
  }

  async unsubscribe(channelId: number, topic: string): Promise<boolean> {
    return (await this.changed(Q.unsubscribe, [channelId, topic])) > 0;
  }

  async syncConfigSubscriptions(routes: Array<{ channelId: number; topic: string; minScore: number }>): Promise<void> {
    // A route given twice keeps its last min score, as a loop of upserts would.
    const byKey = new Map(routes.map((r) => [`${r.channelId}\u0000${r.topic}`, { channel_id: r.channelId, topic: r.topic, min_score: r.minScore }]));
    await this.transaction(async (client) => {
      await client.query(Q.deleteConfigSubscriptions);
      if (byKey.size === 0) return;
      await client.query(
        `INSERT INTO subscriptions (channel_id, topic, min_score, source, created_by)
         SELECT channel_id, topic, min_score, 'config', 'config'
         FROM jsonb_to_recordset($1::jsonb) AS r(channel_id bigint, topic text, min_score double precision)
         ON CONFLICT (channel_id, topic) DO UPDATE SET min_score = excluded.min_score`,
        [json([...byKey.values()])],
      );
    });
  }

  async subscribersOf(topic: string): Promise<Subscriber[]> {
    return (await this.rows<SubscriberRecord>(Q.subscribersOf, [topic])).map(toSubscriber);
  }

  // ── deliveries ─────────────────────────────────────────────────────────

  async enqueueDelivery(d: DeliveryInput, now: Date): Promise<number | null> {
    const row = await this.one<IdRecord>(notifying(Q.enqueueDelivery, '$8'), [d.channelId, d.storyId, d.topic, d.articleId, d.kind, now, now, this.channel]);
    return row ? row.id : null;
  }

  async enqueueDigest(d: DigestInput, now: Date): Promise<number | null> {
    // Asked every minute of a channel digest's grace period: a queued period is found without an insert, which
    // would spend an identity value each time. Two replicas racing past the look-up meet the unique index.
    if (await this.one(Q.digestQueued, [d.scheduleKey, d.period])) return null;
    const params = [d.channelId, d.topic, d.scheduleKey, d.period, d.since, d.until, d.of, d.feedId ?? null, d.dueAt ?? now, now];
    // A held burst (due later) wakes nobody: releaseFeedBursts notifies when it comes due.
    const dueNow = !d.dueAt || d.dueAt <= now;
    const row = await this.one<IdRecord>(dueNow ? notifying(Q.enqueueDigest, '$11') : Q.enqueueDigest, dueNow ? [...params, this.channel] : params);
    return row ? row.id : null;
  }

  async findDigest(scheduleKey: string, period: string): Promise<{ id: number; status: DeliveryStatus } | undefined> {
    return this.one<{ id: number; status: DeliveryStatus }>(Q.digestQueued, [scheduleKey, period]);
  }

  async releaseFeedBursts(at: Date): Promise<number> {
    return this.changed(notifying(`${Q.releaseFeedBursts} RETURNING id`, '$3'), [at, at, this.channel]);
  }

  async feedPollRows(channelId: number, feedId: number, fetchedAt: Date): Promise<number> {
    return (await this.one<{ n: number }>(Q.feedPollRows, [channelId, feedId, fetchedAt]))!.n;
  }

  async routeArticle(route: { articleId: number; storyId: number; to: Array<{ channelId: number; topic: string }> }, now: Date): Promise<number[]> {
    if (route.to.length === 0) return [];
    // Every channel in one statement, each row an alert unless its channel has the story's alert already.
    const rows = await this.rows<IdRecord>(
      notifying(`INSERT INTO deliveries (channel_id, story_id, topic, article_id, kind, next_attempt_at, created_at)
       SELECT r.channel_id, $2, r.topic, $3,
         CASE WHEN EXISTS (SELECT 1 FROM deliveries l WHERE l.channel_id = r.channel_id AND l.story_id = $2 AND l.kind = 'alert') THEN 'followup' ELSE 'alert' END,
         $4, $4
       FROM unnest($1::bigint[], $5::text[]) AS r(channel_id, topic)
       ON CONFLICT DO NOTHING RETURNING id`, '$6'),
      [route.to.map((t) => t.channelId), route.storyId, route.articleId, now, route.to.map((t) => t.topic), this.channel],
    );
    return rows.map((r) => r.id);
  }

  async storyAlert(channelId: number, storyId: number): Promise<StoryAlert | undefined> {
    const row = await this.one<StoryAlertRecord>(Q.storyAlert, [channelId, storyId]);
    if (!row) return undefined;
    const feeds = await this.rows<{ feed_id: number }>(Q.storyPostedFeeds, [channelId, storyId]);
    return { job: toAlertJob(row, read), status: row.alert_status, messageRef: row.alert_ref, postedFeeds: feeds.map((f) => f.feed_id) };
  }

  async claimDeliveries(now: Date, owner: string, leaseUntil: Date, limit: number): Promise<DeliveryJob[]> {
    // A `sending` row whose lease expired belongs to a worker that died mid-send: retry it. Lock, lease and
    // the joined read of everything a sink needs happen in one statement.
    const rows = await this.rows<DeliveryJobRecord>(
      `WITH due AS (
         SELECT id, attempt_started_at IS NOT NULL AS cut_off FROM deliveries
         WHERE (status IN ('pending', 'deferred') AND next_attempt_at <= $1) OR (status = 'sending' AND lease_until < $1)
         ORDER BY id LIMIT $2
         FOR UPDATE SKIP LOCKED
       ), leased AS (
         UPDATE deliveries d SET status = 'sending', attempts = d.attempts + 1, lease_owner = $3, lease_until = $4
         FROM due WHERE d.id = due.id
         RETURNING d.id, d.kind, d.attempts, d.channel_id, d.story_id, d.topic, d.article_id, d.schedule_key, d.period_key,
           d.period_since, d.period_until, d.digest_of, d.feed_id, due.cut_off
       )
       SELECT ${JOB_COLUMNS}, l.cut_off
       FROM leased l ${JOB_JOINS}
       ORDER BY l.id`,
      [now, limit, owner, leaseUntil],
    );
    return rows.map((r) => toDeliveryJob(r, read));
  }

  async markAttemptStarted(id: number, at: Date): Promise<void> {
    await this.pool.query(Q.markAttemptStarted, [at, id]);
  }

  async markDelivered(id: number, messageRef: string | null, now: Date): Promise<void> {
    // A posted alert wakes the follow-ups deferred until it was out, in the same statement, and tells every
    // replica when there were some (most sends have none: they notify nobody).
    await this.pool.query(
      `WITH sent AS (
         UPDATE deliveries SET status = 'sent', message_ref = $1, sent_at = $2, last_error = NULL, lease_owner = NULL, lease_until = NULL,
           attempt_started_at = NULL
         WHERE id = $3 RETURNING channel_id, story_id, kind
       ), woken AS (
         UPDATE deliveries d SET next_attempt_at = $2 FROM sent
         WHERE sent.kind = 'alert' AND d.channel_id = sent.channel_id AND d.story_id = sent.story_id AND d.status = 'deferred' AND d.kind = 'followup'
         RETURNING d.id
       ), ${noticeIf('woken', '$4')}
       SELECT COUNT(*) FROM notice`,
      [messageRef, now, id, this.channel],
    );
  }

  async releaseDelivery(id: number, now: Date, wait?: { reason: string; until?: Date; uncertain?: boolean }): Promise<void> {
    await this.pool.query(
      `UPDATE deliveries SET status = 'deferred', attempts = GREATEST(attempts - 1, 0), next_attempt_at = $1,
         last_error = COALESCE($2, last_error), lease_owner = NULL, lease_until = NULL,
         attempt_started_at = CASE WHEN $4 THEN attempt_started_at ELSE NULL END
       WHERE id = $3 AND status = 'sending'`,
      [wait?.until ?? now, wait?.reason ?? null, id, wait?.uncertain === true],
    );
  }

  async markDeliveryFailed(id: number, u: { error: string; retryAt: Date | null; rejected?: boolean; uncertain?: boolean }): Promise<void> {
    await this.pool.query(Q.markDeliveryFailed, [u.retryAt ? 'pending' : u.rejected ? 'rejected' : 'dead', u.error, u.retryAt, u.uncertain ? 1 : 0, id]);
  }

  async listDeliveries(q: { status?: DeliveryStatus; kind?: DeliveryKind; id?: number; limit: number }): Promise<DeliverySummary[]> {
    return (await this.rows<DeliverySummaryRecord>(Q.listDeliveries, [q.status ?? null, q.status ?? null, q.kind ?? null, q.kind ?? null, q.id ?? null, q.id ?? null, q.limit]))
      .map((r) => toDeliverySummary(r, read));
  }

  async ping(): Promise<void> {
    await this.pool.query(Q.ping);
  }

  async feedCounts(): Promise<Partial<Record<FeedStatus, number>>> {
    return toCounts(await this.rows<StatusCountRecord>(Q.feedCounts));
  }

  async deliveryCounts(): Promise<Partial<Record<DeliveryStatus, number>>> {
    return toCounts(await this.rows<StatusCountRecord>(Q.deliveryCounts));
  }

  async recentAlerts(limit: number): Promise<DeliverySummary[]> {
    return (await this.rows<DeliverySummaryRecord>(Q.recentAlerts, [limit])).map((r) => toDeliverySummary(r, read));
  }

  async retryDelivery(id: number, now: Date): Promise<boolean> {
    return (await this.changed(notifying(`${Q.retryDelivery} RETURNING id`, '$3'), [now, id, this.channel])) > 0;
  }

  async nextDeliveryDue(): Promise<Date | null> {
    const row = await this.one<{ t: Date | null }>(
      `SELECT LEAST(
         (SELECT MIN(next_attempt_at) FROM deliveries WHERE status IN ('pending', 'deferred')),
         (SELECT MIN(lease_until) FROM deliveries WHERE status = 'sending')) AS t`,
    );
    return row?.t ?? null;
  }

  // ── leases ─────────────────────────────────────────────────────────────

  async leaseOwners(now: Date): Promise<string[]> {
    return (await this.rows<LeaseOwnerRecord>(Q.leaseOwners, [now, now])).flatMap((r) => (r.lease_owner ? [r.lease_owner] : []));
  }

  async renewLeases(owner: string, until: Date): Promise<void> {
    await this.pool.query(
      `WITH feeds_renewed AS (UPDATE feeds SET lease_until = $2 WHERE lease_owner = $1)
       UPDATE deliveries SET lease_until = $2 WHERE lease_owner = $1 AND status = 'sending'`,
      [owner, until],
    );
  }

  async releaseLeases(owner: string): Promise<{ feeds: number; deliveries: number }> {
    const row = await this.one<{ feeds: number; deliveries: number }>(
      `WITH f AS (UPDATE feeds SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1 RETURNING 1),
            d AS (UPDATE deliveries SET lease_until = 'epoch' WHERE lease_owner = $1 AND status = 'sending' RETURNING 1),
            ${noticeIf('d', '$2')}
       SELECT (SELECT COUNT(*) FROM f) AS feeds, (SELECT COUNT(*) FROM d) AS deliveries, (SELECT COUNT(*) FROM notice) AS notified`,
      [owner, this.channel],
    );
    return { feeds: row!.feeds, deliveries: row!.deliveries };
  }

  // ── digests ────────────────────────────────────────────────────────────

  async digestRows(q: { topic?: string; channelId?: number; since: Date; until: Date }): Promise<DigestRow[]> {
    // One row per (story, topic): the story's best-scoring article for that topic, with the count of outlets.
    // Topics sort bytewise (COLLATE "C"), as SQLite's BINARY collation does.
    const rows = await this.rows<DigestRecord>(
      `WITH scored AS (
         SELECT a.story_id, m.topic, m.score, m.why, m.explanation, a.id AS article_id,
           ROW_NUMBER() OVER (PARTITION BY a.story_id, m.topic ORDER BY m.score DESC, a.id) AS rank
         FROM matches m JOIN articles a ON a.id = m.article_id JOIN stories s ON s.id = a.story_id
         WHERE s.first_seen_at >= $1 AND s.first_seen_at < $2
           AND ($3::text IS NULL OR m.topic = $3)
           AND ($4::bigint IS NULL OR m.topic IN (SELECT topic FROM subscriptions WHERE channel_id = $4)))
       SELECT sc.story_id AS digest_story_id, sc.topic, sc.score, sc.why, sc.explanation, s.first_seen_at,
         COALESCE(t.title, sc.topic) AS topic_title,
         (SELECT COUNT(DISTINCT a3.feed_id) FROM articles a3 WHERE a3.story_id = sc.story_id) AS outlets,
         ${ARTICLE_COLUMNS}
       FROM scored sc JOIN stories s ON s.id = sc.story_id LEFT JOIN topics t ON t.slug = sc.topic
       JOIN articles a ON a.id = sc.article_id JOIN feeds f ON f.id = a.feed_id
       WHERE sc.rank = 1 ORDER BY sc.topic COLLATE "C", sc.score DESC, sc.story_id`,
      [q.since, q.until, q.topic ?? null, q.channelId ?? null],
    );
    return rows.map((r) => toDigestRow(r, read));
  }

  async feedBurstRows(q: { channelId: number; feedId: number; fetchedAt: Date; limit: number }): Promise<FeedBurstRows> {
    const poll = [q.channelId, q.feedId, q.fetchedAt, q.channelId];
    const [count, alerted, rows] = await Promise.all([
      this.one<{ n: number }>(Q.feedBurstCount, poll),
      this.feedPollRows(q.channelId, q.feedId, q.fetchedAt),
      // An item matching several of the channel's topics comes once per topic: read enough to fill the limit.
      this.rows<FeedBurstItemRecord>(Q.feedBurstItems, [...poll, q.limit * 8]),
    ]);
    return { total: count!.n, alerted, items: toFeedBurstItems(rows, q.limit, read) };
  }

  async setDigestSchedule(d: DigestScheduleInput, now: Date): Promise<void> {
    await this.pool.query(Q.setDigestSchedule, [d.channelId, d.every, d.day, d.time, d.timezone, d.createdBy, now]);
  }

  async removeDigestSchedule(channelId: number): Promise<boolean> {
    return (await this.changed(Q.removeDigestSchedule, [channelId])) > 0;
  }

  async listDigestSchedules(): Promise<DigestSchedule[]> {
    return (await this.rows<DigestScheduleRecord>(Q.listDigestSchedules)).map((r) => toDigestSchedule(r, read));
  }
}

/** Insert, or update when the visible content changed; an unchanged item leaves no row version behind. */
async function upsertArticleOn(db: pg.Pool | pg.PoolClient, a: ArticleInput): Promise<ArticleUpsert> {
  const params = [a.feedId, a.key, a.guid ?? null, a.url ?? null, a.title, a.lead, a.body, a.publishedAt ?? null, a.fetchedAt, a.contentHash, a.pending ? null : a.fetchedAt];
  const row = (await db.query(
    `INSERT INTO articles (feed_id, item_key, guid, canonical_url, title, lead, body_text, published_at, fetched_at, content_hash, understood_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (feed_id, item_key) DO UPDATE SET title = excluded.title, lead = excluded.lead, body_text = excluded.body_text,
       published_at = excluded.published_at, canonical_url = excluded.canonical_url, content_hash = excluded.content_hash
     WHERE (articles.title, articles.lead, articles.body_text, articles.published_at, articles.canonical_url)
       IS DISTINCT FROM (excluded.title, excluded.lead, excluded.body_text, excluded.published_at, excluded.canonical_url)
     RETURNING id, (xmax = 0) AS created`,
    params,
  )).rows[0] as { id: number; created: boolean } | undefined;
  if (row) return { id: row.id, status: row.created ? 'new' : 'updated' };
  const existing = (await db.query('SELECT id FROM articles WHERE feed_id = $1 AND item_key = $2', [a.feedId, a.key])).rows[0] as IdRecord;
  return { id: existing.id, status: 'unchanged' };
}

/**
 * Applies the migrations not yet recorded in `schema_migrations` (src/store/migration-history.ts), in order, in one transaction.
 * The transaction-scoped advisory lock (per schema) makes replicas that start together take turns: the second
 * one waits, then finds every migration applied.
 */
async function migrate(pool: pg.Pool, schema: string | undefined): Promise<MigrationReport> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    // Node reports a refused connection to every address of a name as an AggregateError with no message, only a code.
    const reason = (err as Error).message || (err as { code?: string }).code || String(err);
    throw new AppError('storage', `cannot connect to PostgreSQL at ${describeTarget(pool)}: ${reason}. Check that the server is running and reachable, and that WATCHFLOOR_DATABASE_URL names the right host, port, database and user.`, { cause: err, retryable: true });
  }
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('watchfloor.migrate'), hashtext(COALESCE($1, current_schema(), '')))`, [schema ?? null]);
    if (schema && !(await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount) {
      await client.query(`CREATE SCHEMA ${schema}`);
    }
    await client.query(SCHEMA_MIGRATIONS_TABLE);
    // Schemas migrated before the shared history recorded file names (postgres-001-init.sql); the name is the change's.
    await client.query(`UPDATE schema_migrations SET name = substring(name from '^postgres-[0-9]{3}-(.*)[.]sql$') WHERE name LIKE 'postgres-%.sql'`);
    const applied = new Set((await client.query('SELECT version FROM schema_migrations')).rows.map((r) => r.version as number));
    const report: MigrationReport = { applied: [], version: Math.max(0, ...applied) };
    for (const step of migrationHistory('postgres')) {
      if (applied.has(step.version)) continue;
      report.applied.push(step.file);
      report.version = Math.max(report.version, step.version);
      try {
        await client.query(step.sql());
      } catch (err) {
        throw new Error(`PostgreSQL migration ${step.file} failed: ${(err as Error).message}`, { cause: err });
      }
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [step.version, step.name]);
    }
    await client.query('COMMIT');
    return report;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** host:port/database without the password, for error messages. */
function describeTarget(pool: pg.Pool): string {
  const o = pool.options as { connectionString?: string };
  try {
    const url = new URL(o.connectionString ?? '');
    return `${url.hostname}:${url.port || 5432}${url.pathname}`;
  } catch {
    return 'the configured server';
  }
}

const json = (value: unknown) => JSON.stringify(value ?? null);

/*
 * Rows queued or brought forward wake the outbox loop of every replica (LISTEN: postgres-notices.ts). Each statement
 * that does so notifies itself rather than a trigger on `deliveries`: a trigger needs a migration, would run on
 * every claim, lease renewal and outcome of the sending path (which wake nobody), and would judge "due" by the
 * database's clock instead of the caller's `now`. The notice is part of the statement — its transaction, so it is
 * heard after commit — and goes out once, whatever the number of rows, and only when there was a row.
 */

/** `statement` (INSERT or UPDATE … RETURNING) that also notifies `channel` (a parameter, `$n`) when it returned a row. */
function notifying(statement: string, channel: string): string {
  return `WITH changed AS (${statement}), ${noticeIf('changed', channel)} SELECT changed.* FROM changed LEFT JOIN notice ON true`;
}

/** The CTE `notice`, notifying when `rows` has a row. A SELECT in WITH runs only when read: the query must read it. */
const noticeIf = (rows: string, channel: string) => `notice AS (SELECT pg_notify(${channel}, '') WHERE EXISTS (SELECT 1 FROM ${rows}))`;

/** The shared statements (sql.ts), numbered `$1…` once. */
const Q = numberedAll();

/** pg returns timestamptz as Date and jsonb parsed. */
const read: Readers = {
  time: (v) => (v == null ? null : (v as Date)),
  json: (v) => v,
};
const toFeed = (r: FeedRecord) => feedRow(r, read);
const toArticle = (r: ArticleRecord) => articleRow(r, read);
