import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { AppError } from '../errors.ts';
import type {
  ArticleInput, ArticleRow, ArticleUpsert, ChannelRef, DeliveryInput, DeliveryJob, DeliveryStatus, DeliverySummary, DigestRow, StoryAlert, FeedMove, FeedRow, MatchInput,
  NewFeed, PendingArticle, Store, StoryArticle, StoryFold, Subscriber, ChannelSubscription, DigestSchedule, DigestScheduleInput, NewTopic, StoredTopic,
  TopicMatchRow, TopicSource,
} from './store.ts';
import {
  type Row, type TimeReader, toArticle as articleRow, toChannelSubscription, toDeliverySummary, toDigestSchedule, toFeed as feedRow, toStoredTopic,
  toTopicMatch,
} from './rows.ts';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
const MIGRATION_FILE = /^postgres-(\d{3})-.*\.sql$/;
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
  private constructor(private readonly pool: pg.Pool) {}

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
    try {
      await migrate(pool, schema);
    } catch (err) {
      await pool.end().catch(() => {});
      throw err;
    }
    return new PostgresStore(pool);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async rows(sql: string, params: unknown[] = []): Promise<Row[]> {
    return (await this.pool.query(sql, params)).rows;
  }

  private async one(sql: string, params: unknown[] = []): Promise<Row | undefined> {
    return (await this.pool.query(sql, params)).rows[0];
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
    const moved = await this.one('SELECT f.url FROM feed_moves m JOIN feeds f ON f.id = m.feed_id WHERE m.url = $1', [feed.url]);
    // Config edits (interval, full text) apply to an existing feed without resetting its poll state.
    // `xmax = 0` holds only for a freshly inserted row version: it tells insert from update in one statement.
    const row = await this.one(
      `INSERT INTO feeds (url, title, interval_s, full_text, next_poll_at, added_by, created_at, category)
       VALUES ($1, $2, $3, $4, $5, $6, $5, $7)
       ON CONFLICT (url) DO UPDATE SET interval_s = excluded.interval_s, full_text = excluded.full_text,
         title = COALESCE(feeds.title, excluded.title), category = COALESCE(feeds.category, excluded.category)
       RETURNING id, (xmax = 0) AS created`,
      [moved?.url ?? feed.url, feed.title ?? null, feed.intervalS, !!feed.fullText, now, feed.addedBy ?? null, feed.category ?? null],
    );
    return { id: row!.id, created: row!.created, ...(moved ? { movedTo: moved.url as string } : {}) };
  }

  async listFeeds(): Promise<FeedRow[]> {
    return (await this.rows('SELECT * FROM feeds ORDER BY id')).map(toFeed);
  }

  async listFeedMoves(): Promise<FeedMove[]> {
    return (await this.rows('SELECT url, feed_id, moved_at FROM feed_moves ORDER BY moved_at, url'))
      .map((r) => ({ url: r.url, feedId: r.feed_id, movedAt: r.moved_at }));
  }

  async getFeedByUrl(url: string): Promise<FeedRow | undefined> {
    const row = await this.one('SELECT * FROM feeds WHERE url = $1', [url]);
    return row && toFeed(row);
  }

  async getFeed(id: number): Promise<FeedRow | undefined> {
    const row = await this.one('SELECT * FROM feeds WHERE id = $1', [id]);
    return row && toFeed(row);
  }

  async removeFeed(url: string): Promise<boolean> {
    return (await this.changed('DELETE FROM feeds WHERE url = $1 OR id = (SELECT feed_id FROM feed_moves WHERE url = $1)', [url])) > 0;
  }

  async claimDueFeeds(dueBy: Date, owner: string, leaseUntil: Date, limit: number, now: Date): Promise<FeedRow[]> {
    // Rows another replica is claiming right now are skipped, not waited for; a lease still valid at `now`
    // excludes the feed, an expired one (a killed worker) makes it claimable again.
    const rows = await this.rows(
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
      client.query(
        `UPDATE feeds SET etag = COALESCE($1, etag), last_modified = COALESCE($2, last_modified), title = COALESCE($3, title),
           url = COALESCE($4, url), next_poll_at = $5, failures = 0, last_error = NULL, status = 'ok', last_success_at = $6,
           lease_owner = NULL, lease_until = NULL
         WHERE id = $7`,
        [u.etag ?? null, u.lastModified ?? null, u.title ?? null, u.url ?? null, u.nextPollAt, u.now, id],
      );
    if (!u.url) return void (await update(this.pool));
    // The feed's current URL becomes a former one, and the new URL is one no longer (a feed may move back).
    await this.transaction(async (client) => {
      await client.query(
        `INSERT INTO feed_moves (url, feed_id, moved_at) SELECT url, id, $3 FROM feeds WHERE id = $1 AND url <> $2
         ON CONFLICT (url) DO UPDATE SET feed_id = excluded.feed_id, moved_at = excluded.moved_at`,
        [id, u.url, u.now],
      );
      await client.query('DELETE FROM feed_moves WHERE url = $1', [u.url]);
      await update(client);
    });
  }

  async recordFeedFailure(id: number, u: { error: string; nextPollAt: Date }): Promise<void> {
    await this.pool.query(
      `UPDATE feeds SET failures = failures + 1, last_error = $1, status = 'failing', next_poll_at = $2,
         lease_owner = NULL, lease_until = NULL
       WHERE id = $3`,
      [u.error, u.nextPollAt, id],
    );
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
    const rows = await this.rows('SELECT id, content_hash FROM articles WHERE feed_id = $1 AND fetched_at >= $2 AND content_hash = ANY($3::text[])', [feedId, since, hashes]);
    return rows.map((r) => ({ id: Number(r.id), contentHash: r.content_hash as string }));
  }

  async setArticleAnalysis(id: number, analysis: { language: string; concepts: string[] }): Promise<void> {
    await this.pool.query('UPDATE articles SET language = $1, concepts = $2 WHERE id = $3', [analysis.language, json(analysis.concepts), id]);
  }

  async createStory(articleId: number, title: string, at: Date): Promise<number> {
    const row = await this.one(
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
      const row = found.rows[0];
      if (!row) {
        await client.query('ROLLBACK');
        return undefined;
      }
      const from = Number(row.story_id);
      if (Number(row.first_article_id) === articleId) {
        await client.query('ROLLBACK');
        return { from, storyId: from };
      }
      const created = await client.query(
        'INSERT INTO stories (first_article_id, title, first_seen_at, last_seen_at) VALUES ($1, $2, $3, $3) RETURNING id',
        [articleId, row.title, at],
      );
      const storyId = Number(created.rows[0].id);
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
    const result = await this.pool.query(
      `SELECT a.id, a.story_id FROM articles a JOIN stories s ON s.id = a.story_id
       WHERE a.story_reason = 'split' AND s.first_article_id = a.id AND s.first_seen_at >= $1 ORDER BY s.id`,
      [since],
    );
    return result.rows.map((r) => ({ articleId: Number(r.id), storyId: Number(r.story_id) }));
  }

  async recentStoryArticles(since: Date): Promise<StoryArticle[]> {
    const rows = await this.rows(
      `${ARTICLE_SELECT} JOIN stories s ON s.id = a.story_id WHERE s.last_seen_at >= $1 ORDER BY a.fetched_at, a.id`,
      [since],
    );
    return rows.map((r) => ({ storyId: r.story_id, article: toArticle(r), concepts: r.concepts }));
  }

  async storyArticles(storyId: number, limit: number): Promise<ArticleRow[]> {
    return (await this.rows(`${ARTICLE_SELECT} WHERE a.story_id = $1 ORDER BY a.fetched_at, a.id LIMIT $2`, [storyId, limit])).map(toArticle);
  }

  async getArticle(id: number): Promise<ArticleRow | undefined> {
    const row = await this.one(`${ARTICLE_SELECT} WHERE a.id = $1`, [id]);
    return row && toArticle(row);
  }

  async articlesSince(since: Date): Promise<ArticleRow[]> {
    return (await this.rows(`${ARTICLE_SELECT} WHERE a.fetched_at >= $1 ORDER BY a.fetched_at, a.id`, [since])).map(toArticle);
  }

  async pendingArticles(limit: number): Promise<PendingArticle[]> {
    return (await this.rows('SELECT id, published_at, story_id FROM articles WHERE understood_at IS NULL ORDER BY id LIMIT $1', [limit]))
      .map((r) => ({ id: r.id, publishedAt: r.published_at, storyId: r.story_id }));
  }

  async markUnderstood(id: number, at: Date): Promise<void> {
    await this.pool.query('UPDATE articles SET understood_at = $1 WHERE id = $2', [at, id]);
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

  async saveMatch(m: MatchInput): Promise<void> {
    await this.pool.query(
      `INSERT INTO matches (article_id, topic, score, why, explanation) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (article_id, topic) DO UPDATE SET score = excluded.score, why = excluded.why, explanation = excluded.explanation`,
      [m.articleId, m.topic, m.score, m.why, json(m.explanation)],
    );
  }

  async listTopics(source?: TopicSource): Promise<StoredTopic[]> {
    const rows = await this.rows(
      `SELECT slug, title, definition, source, created_by FROM topics WHERE ($1::text IS NULL OR source = $1) ORDER BY slug COLLATE "C"`,
      [source ?? null],
    );
    return rows.map((r) => toStoredTopic(r, (v) => v));
  }

  async addTopic(t: NewTopic, now: Date): Promise<boolean> {
    return (await this.changed(
      `INSERT INTO topics (slug, title, definition, source, created_by, created_at) VALUES ($1, $2, $3, 'chat', $4, $5)
       ON CONFLICT (slug) DO NOTHING`,
      [t.slug, t.title, json(t.definition), t.createdBy, now],
    )) > 0;
  }

  async removeTopic(slug: string): Promise<{ removed: boolean; subscriptions: number }> {
    return this.transaction(async (client) => {
      if (!(await client.query(`DELETE FROM topics WHERE slug = $1 AND source = 'chat'`, [slug])).rowCount) return { removed: false, subscriptions: 0 };
      return { removed: true, subscriptions: (await client.query('DELETE FROM subscriptions WHERE topic = $1', [slug])).rowCount ?? 0 };
    });
  }

  async topicMatchesSince(topic: string, since: Date): Promise<TopicMatchRow[]> {
    const rows = await this.rows(
      `SELECT m.article_id, a.story_id, m.score, a.fetched_at FROM matches m JOIN articles a ON a.id = m.article_id
       WHERE m.topic = $1 AND a.fetched_at >= $2 AND a.story_id IS NOT NULL ORDER BY a.fetched_at, a.id`,
      [topic, since],
    );
    return rows.map((r) => toTopicMatch(r, time));
  }

  // ── channels and subscriptions ─────────────────────────────────────────

  async ensureChannel(ref: ChannelRef): Promise<number> {
    // The update makes RETURNING yield the existing id too, even when another replica inserted it just now.
    const row = await this.one(
      `INSERT INTO channels (platform, workspace, channel, name) VALUES ($1, $2, $3, $4)
       ON CONFLICT (platform, workspace, channel) DO UPDATE SET name = COALESCE(excluded.name, channels.name)
       RETURNING id`,
      [ref.platform, ref.workspace, ref.channel, ref.name ?? null],
    );
    return row!.id;
  }

  async findChannel(ref: ChannelRef): Promise<number | undefined> {
    const row = await this.one('SELECT id FROM channels WHERE platform = $1 AND workspace = $2 AND channel = $3', [ref.platform, ref.workspace, ref.channel]);
    return row?.id;
  }

  async channelSubscriptions(channelId: number): Promise<ChannelSubscription[]> {
    const rows = await this.rows(
      `SELECT s.topic, t.title AS topic_title, s.min_score, s.source, s.created_by, s.paused_reason
       FROM subscriptions s LEFT JOIN topics t ON t.slug = s.topic WHERE s.channel_id = $1 ORDER BY s.topic COLLATE "C"`,
      [channelId],
    );
    return rows.map(toChannelSubscription);
  }

  async pauseSubscriptions(channelId: number, reason: string, topic?: string): Promise<number> {
    return this.changed('UPDATE subscriptions SET paused_reason = $1 WHERE channel_id = $2 AND ($3::text IS NULL OR topic = $3)', [reason, channelId, topic ?? null]);
  }

  async resumeSubscriptions(channelId: number, topic?: string): Promise<number> {
    return this.changed(
      'UPDATE subscriptions SET paused_reason = NULL WHERE channel_id = $1 AND ($2::text IS NULL OR topic = $2) AND paused_reason IS NOT NULL',
      [channelId, topic ?? null],
    );
  }

  async subscribe(channelId: number, topic: string, minScore: number, createdBy: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO subscriptions (channel_id, topic, min_score, source, created_by) VALUES ($1, $2, $3, 'chat', $4)
       ON CONFLICT (channel_id, topic) DO UPDATE SET min_score = excluded.min_score, paused_reason = NULL`,
      [channelId, topic, minScore, createdBy],
    );
  }

  async unsubscribe(channelId: number, topic: string): Promise<boolean> {
    return (await this.changed('DELETE FROM subscriptions WHERE channel_id = $1 AND topic = $2', [channelId, topic])) > 0;
  }

  async syncConfigSubscriptions(routes: Array<{ channelId: number; topic: string; minScore: number }>): Promise<void> {
    // A route given twice keeps its last min score, as a loop of upserts would.
    const byKey = new Map(routes.map((r) => [`${r.channelId}\u0000${r.topic}`, { channel_id: r.channelId, topic: r.topic, min_score: r.minScore }]));
    await this.transaction(async (client) => {
      await client.query(`DELETE FROM subscriptions WHERE source = 'config'`);
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
    const rows = await this.rows(
      `SELECT c.id AS channel_id, c.platform, c.workspace, c.channel, s.min_score FROM subscriptions s
       JOIN channels c ON c.id = s.channel_id WHERE s.topic = $1 AND s.paused_reason IS NULL ORDER BY c.id`,
      [topic],
    );
    return rows.map((r) => ({ channelId: r.channel_id, platform: r.platform, workspace: r.workspace, channel: r.channel, minScore: r.min_score }));
  }

  // ── deliveries ─────────────────────────────────────────────────────────

  async enqueueDelivery(d: DeliveryInput, now: Date): Promise<number | null> {
    // No conflict target: both unique (channel_id, article_id) and the partial deliveries_one_alert index apply.
    const row = await this.one(
      `INSERT INTO deliveries (channel_id, story_id, topic, article_id, kind, next_attempt_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT DO NOTHING RETURNING id`,
      [d.channelId, d.storyId, d.topic, d.articleId, d.kind, now],
    );
    return row ? row.id : null;
  }

  async hasAlert(channelId: number, storyId: number): Promise<boolean> {
    return !!(await this.one(`SELECT 1 FROM deliveries WHERE channel_id = $1 AND story_id = $2 AND kind = 'alert'`, [channelId, storyId]));
  }

  async storyAlert(channelId: number, storyId: number): Promise<StoryAlert | undefined> {
    const row = await this.one(
      `SELECT l.id AS delivery_id, l.kind, l.attempts, l.channel_id, l.story_id AS delivery_story_id, l.topic,
         l.status AS alert_status, l.message_ref AS alert_ref, ${JOB_COLUMNS}
       FROM deliveries l ${JOB_JOINS}
       WHERE l.channel_id = $1 AND l.story_id = $2 AND l.kind = 'alert'`,
      [channelId, storyId],
    );
    if (!row) return undefined;
    const feeds = await this.rows(
      `SELECT DISTINCT a.feed_id FROM deliveries d JOIN articles a ON a.id = d.article_id
       WHERE d.channel_id = $1 AND d.story_id = $2 AND d.status = 'sent' ORDER BY a.feed_id`,
      [channelId, storyId],
    );
    return { job: toJob(row), status: row.alert_status, messageRef: row.alert_ref, postedFeeds: feeds.map((f) => Number(f.feed_id)) };
  }

  async claimDeliveries(now: Date, owner: string, leaseUntil: Date, limit: number): Promise<DeliveryJob[]> {
    // A `sending` row whose lease expired belongs to a worker that died mid-send: retry it. Lock, lease and
    // the joined read of everything a sink needs happen in one statement.
    const rows = await this.rows(
      `WITH due AS (
         SELECT id, status = 'sending' AND attempt_started_at IS NOT NULL AS cut_off FROM deliveries
         WHERE (status IN ('pending', 'deferred') AND next_attempt_at <= $1) OR (status = 'sending' AND lease_until < $1)
         ORDER BY id LIMIT $2
         FOR UPDATE SKIP LOCKED
       ), leased AS (
         UPDATE deliveries d SET status = 'sending', attempts = d.attempts + 1, lease_owner = $3, lease_until = $4
         FROM due WHERE d.id = due.id
         RETURNING d.id, d.kind, d.attempts, d.channel_id, d.story_id, d.topic, d.article_id, due.cut_off
       )
       SELECT l.id AS delivery_id, l.kind, l.attempts, l.cut_off, l.channel_id, l.story_id AS delivery_story_id, l.topic, ${JOB_COLUMNS}
       FROM leased l ${JOB_JOINS}
       ORDER BY l.id`,
      [now, limit, owner, leaseUntil],
    );
    return rows.map(toJob);
  }

  async markAttemptStarted(id: number, at: Date): Promise<void> {
    await this.pool.query('UPDATE deliveries SET attempt_started_at = $1 WHERE id = $2', [at, id]);
  }

  async markDelivered(id: number, messageRef: string | null, now: Date): Promise<void> {
    // A posted alert wakes the follow-ups deferred until it was out, in the same statement.
    await this.pool.query(
      `WITH sent AS (
         UPDATE deliveries SET status = 'sent', message_ref = $1, sent_at = $2, last_error = NULL, lease_owner = NULL, lease_until = NULL,
           attempt_started_at = NULL
         WHERE id = $3 RETURNING channel_id, story_id, kind
       )
       UPDATE deliveries d SET next_attempt_at = $2 FROM sent
       WHERE sent.kind = 'alert' AND d.channel_id = sent.channel_id AND d.story_id = sent.story_id AND d.status = 'deferred' AND d.kind = 'followup'`,
      [messageRef, now, id],
    );
  }

  async releaseDelivery(id: number, now: Date, wait?: { reason: string; until?: Date }): Promise<void> {
    await this.pool.query(
      `UPDATE deliveries SET status = 'deferred', attempts = GREATEST(attempts - 1, 0), next_attempt_at = $1,
         last_error = COALESCE($2, last_error), lease_owner = NULL, lease_until = NULL, attempt_started_at = NULL
       WHERE id = $3 AND status = 'sending'`,
      [wait?.until ?? now, wait?.reason ?? null, id],
    );
  }

  async markDeliveryFailed(id: number, u: { error: string; retryAt: Date | null; rejected?: boolean }): Promise<void> {
    await this.pool.query(
      `UPDATE deliveries SET status = $1, last_error = $2, next_attempt_at = COALESCE($3, next_attempt_at),
         lease_owner = NULL, lease_until = NULL, attempt_started_at = NULL
       WHERE id = $4`,
      [u.retryAt ? 'pending' : u.rejected ? 'rejected' : 'dead', u.error, u.retryAt, id],
    );
  }

  async listDeliveries(q: { status?: DeliveryStatus; id?: number; limit: number }): Promise<DeliverySummary[]> {
    return (await this.rows(
      `SELECT d.*, c.platform, c.workspace, c.channel, c.name AS channel_name, a.title
       FROM deliveries d JOIN channels c ON c.id = d.channel_id JOIN articles a ON a.id = d.article_id
       WHERE ($1::text IS NULL OR d.status = $1) AND ($2::bigint IS NULL OR d.id = $2) ORDER BY d.id DESC LIMIT $3`,
      [q.status ?? null, q.id ?? null, q.limit],
    )).map((r) => toDeliverySummary(r, time));
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async feedCounts(): Promise<Partial<Record<FeedRow['status'], number>>> {
    return Object.fromEntries((await this.rows('SELECT status, COUNT(*)::int AS n FROM feeds GROUP BY status')).map((r) => [r.status, r.n]));
  }

  async deliveryCounts(): Promise<Partial<Record<DeliveryStatus, number>>> {
    return Object.fromEntries((await this.rows('SELECT status, COUNT(*)::int AS n FROM deliveries GROUP BY status')).map((r) => [r.status, r.n]));
  }

  async recentAlerts(limit: number): Promise<DeliverySummary[]> {
    return (await this.rows(
      `SELECT d.*, c.platform, c.workspace, c.channel, c.name AS channel_name, a.title
       FROM deliveries d JOIN channels c ON c.id = d.channel_id JOIN articles a ON a.id = d.article_id
       WHERE d.kind = 'alert' ORDER BY d.id DESC LIMIT $1`,
      [limit],
    )).map((r) => toDeliverySummary(r, time));
  }

  async retryDelivery(id: number, now: Date): Promise<boolean> {
    return (await this.changed(
      `UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = $1, lease_owner = NULL, lease_until = NULL
       WHERE id = $2 AND status IN ('pending', 'deferred', 'rejected', 'dead')`,
      [now, id],
    )) > 0;
  }

  async nextDeliveryDue(): Promise<Date | null> {
    const row = await this.one(
      `SELECT LEAST(
         (SELECT MIN(next_attempt_at) FROM deliveries WHERE status IN ('pending', 'deferred')),
         (SELECT MIN(lease_until) FROM deliveries WHERE status = 'sending')) AS t`,
    );
    return row?.t ?? null;
  }

  // ── leases ─────────────────────────────────────────────────────────────

  async leaseOwners(now: Date): Promise<string[]> {
    return (await this.rows(
      `SELECT lease_owner FROM feeds WHERE lease_until >= $1 UNION
       SELECT lease_owner FROM deliveries WHERE status = 'sending' AND lease_until >= $1 ORDER BY 1`,
      [now],
    )).map((r) => r.lease_owner as string).filter(Boolean);
  }

  async renewLeases(owner: string, until: Date): Promise<void> {
    await this.pool.query(
      `WITH feeds_renewed AS (UPDATE feeds SET lease_until = $2 WHERE lease_owner = $1)
       UPDATE deliveries SET lease_until = $2 WHERE lease_owner = $1 AND status = 'sending'`,
      [owner, until],
    );
  }

  async releaseLeases(owner: string): Promise<{ feeds: number; deliveries: number }> {
    const row = await this.one(
      `WITH f AS (UPDATE feeds SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1 RETURNING 1),
            d AS (UPDATE deliveries SET lease_until = 'epoch' WHERE lease_owner = $1 AND status = 'sending' RETURNING 1)
       SELECT (SELECT COUNT(*) FROM f) AS feeds, (SELECT COUNT(*) FROM d) AS deliveries`,
      [owner],
    );
    return { feeds: row!.feeds, deliveries: row!.deliveries };
  }

  // ── digests ────────────────────────────────────────────────────────────

  async digestRows(q: { topic?: string; channelId?: number; since: Date; until: Date }): Promise<DigestRow[]> {
    // One row per (story, topic): the story's best-scoring article for that topic, with the count of outlets.
    // Topics sort bytewise (COLLATE "C"), as SQLite's BINARY collation does.
    const rows = await this.rows(
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
    return rows.map((r) => ({
      storyId: r.digest_story_id,
      topic: r.topic,
      topicTitle: r.topic_title,
      score: r.score,
      firstSeenAt: r.first_seen_at,
      outlets: r.outlets,
      article: toArticle(r),
      why: r.why,
      explanation: r.explanation,
    }));
  }

  async claimDigestRun(scheduleKey: string, periodKey: string, now: Date): Promise<boolean> {
    return (await this.changed(
      'INSERT INTO digest_runs (schedule_key, period_key, claimed_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [scheduleKey, periodKey, now],
    )) > 0;
  }

  async setDigestSchedule(d: DigestScheduleInput, now: Date): Promise<void> {
    await this.pool.query(
      `INSERT INTO digest_schedules (channel_id, every, day, local_time, timezone, created_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (channel_id) DO UPDATE SET every = excluded.every, day = excluded.day, local_time = excluded.local_time,
         timezone = excluded.timezone, created_by = excluded.created_by, updated_at = excluded.updated_at`,
      [d.channelId, d.every, d.day, d.time, d.timezone, d.createdBy, now],
    );
  }

  async removeDigestSchedule(channelId: number): Promise<boolean> {
    return (await this.changed('DELETE FROM digest_schedules WHERE channel_id = $1', [channelId])) > 0;
  }

  async listDigestSchedules(): Promise<DigestSchedule[]> {
    const rows = await this.rows(
      `SELECT d.*, c.platform, c.workspace, c.channel, c.name FROM digest_schedules d
       JOIN channels c ON c.id = d.channel_id ORDER BY d.channel_id`,
    );
    return rows.map((r) => toDigestSchedule(r, time));
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
  )).rows[0];
  if (row) return { id: row.id, status: row.created ? 'new' : 'updated' };
  const existing = (await db.query('SELECT id FROM articles WHERE feed_id = $1 AND item_key = $2', [a.feedId, a.key])).rows[0];
  return { id: existing.id, status: 'unchanged' };
}

/**
 * Applies the postgres-NNN-*.sql files not yet recorded in `schema_migrations`, in order, in one transaction.
 * The transaction-scoped advisory lock (per schema) makes replicas that start together take turns: the second
 * one waits, then finds every migration applied.
 */
async function migrate(pool: pg.Pool, schema: string | undefined): Promise<void> {
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
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const applied = new Set((await client.query('SELECT version FROM schema_migrations')).rows.map((r) => r.version as number));
    const files = readdirSync(MIGRATIONS_DIR).filter((f) => MIGRATION_FILE.test(f)).sort();
    for (const file of files) {
      const version = Number(MIGRATION_FILE.exec(file)![1]);
      if (applied.has(version)) continue;
      try {
        await client.query(readFileSync(path.join(MIGRATIONS_DIR, file), 'utf8'));
      } catch (err) {
        throw new Error(`PostgreSQL migration ${file} failed: ${(err as Error).message}`, { cause: err });
      }
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [version, file]);
    }
    await client.query('COMMIT');
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

/** Article columns plus its feed's title and URL, under the names toArticle reads (no clash with joined tables). */
const ARTICLE_COLUMNS = `a.id, a.feed_id, a.item_key, a.guid, a.canonical_url, a.title, a.lead, a.body_text, a.published_at,
  a.fetched_at, a.language, a.concepts, a.content_hash, a.story_id, a.story_reason, a.story_detail, f.title AS feed_title, f.url AS feed_url`;
const ARTICLE_SELECT = `SELECT ${ARTICLE_COLUMNS} FROM articles a JOIN feeds f ON f.id = a.feed_id`;

const time: TimeReader = (v) => (v == null ? null : (v as Date));
const toFeed = (r: Row) => feedRow(r, time);
const toArticle = (r: Row) => articleRow(r, time);

/** What a sink needs beside the delivery row `l`: channel, topic, match and the article with its feed. */
const JOB_COLUMNS = `c.platform, c.workspace, c.channel, c.name AS channel_name, t.title AS topic_title,
         m.score, m.why, m.explanation, ${ARTICLE_COLUMNS}`;
const JOB_JOINS = `JOIN channels c ON c.id = l.channel_id
       JOIN articles a ON a.id = l.article_id JOIN feeds f ON f.id = a.feed_id
       LEFT JOIN topics t ON t.slug = l.topic
       LEFT JOIN matches m ON m.article_id = l.article_id AND m.topic = l.topic`;

function toJob(r: Row): DeliveryJob {
  return {
    id: r.delivery_id,
    kind: r.kind,
    attempts: r.attempts,
    cutOff: r.cut_off === true,
    channel: { id: r.channel_id, platform: r.platform, workspace: r.workspace, channel: r.channel, name: r.channel_name ?? undefined },
    storyId: r.delivery_story_id,
    topic: { slug: r.topic, title: r.topic_title ?? r.topic },
    article: toArticle(r),
    match: { score: r.score ?? 0, why: r.why ?? '', explanation: r.explanation ?? null },
  };
}
