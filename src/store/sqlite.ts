/**
 * The embedded store (SQLite, better-sqlite3).
 * Over 450 lines because it is one class with a short method per port method (about 50): the statements it shares with PostgreSQL are in sql.ts, the row mappers in rows.ts.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
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
import { ARTICLE_COLUMNS, ARTICLE_SELECT, SQL } from './sql.ts';
import type { MigrationReport } from './store.ts';
import { migrationHistory, SCHEMA_MIGRATIONS_TABLE } from './migration-history.ts';



const ms = (d: Date) => d.getTime();

/** The embedded store: one SQLite file in WAL mode, every statement synchronous and short. */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  /** What opening the file did to its schema: the migration files applied (none when it was current) and the version now. */
  readonly migrations: MigrationReport = { applied: [], version: 0 };

  constructor(file: string) {
    let db: Database.Database | undefined;
    try {
      if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
      db = new Database(file);
      this.db = db;
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
      this.db.pragma('busy_timeout = 5000');
      this.migrate();
    } catch (err) {
      db?.close();
      throw openError(file, err);
    }
  }

  private readonly statements = new Map<string, Database.Statement>();

  /** Each SQL text is prepared once: preparing costs more than running most of these statements. */
  private stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /**
   * Applies the migrations the file lacks (src/store/migration-history.ts), in order, in one IMMEDIATE transaction:
   * it takes the write lock before reading the history, so two processes opening one file at once take turns and
   * the second finds everything applied. Files migrated before `schema_migrations` existed have only `user_version`.
   */
  private migrate(): void {
    const history = migrationHistory('sqlite');
    this.db.transaction(() => {
      this.db.exec(SCHEMA_MIGRATIONS_TABLE);
      const legacy = this.db.pragma('user_version', { simple: true }) as number;
      const recorded = new Set((this.db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version));
      let version = legacy;
      for (const step of history) {
        if (step.version <= legacy && !recorded.has(step.version)) this.db.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)').run(step.version, step.name);
        if (step.version <= legacy || recorded.has(step.version)) continue;
        this.db.exec(step.sql());
        this.db.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)').run(step.version, step.name);
        this.db.pragma(`user_version = ${step.version}`);
        this.migrations.applied.push(step.file);
        version = step.version;
      }
      this.migrations.version = version;
    }).immediate();
  }

  async close(): Promise<void> {
    this.db.close();
  }

  /**
   * In-process only: a SQLite file serves one long-running process, which is told of its own writes (a `/watch`
   * backfill, a posted alert's follow-ups); a row `watchfloor deliveries retry` brings forward from another process
   * is found on the outbox loop's next look. Told once at the start too, as PostgreSQL's listeners are.
   */
  private readonly dueListeners = new Set<() => void>();

  onDeliveriesDue(listener: () => void): () => void {
    this.dueListeners.add(listener);
    queueMicrotask(() => {
      if (this.dueListeners.has(listener)) listener();
    });
    return () => void this.dueListeners.delete(listener);
  }

  /** Called after a write (and its transaction) that made a row due. */
  private deliveriesDue(): void {
    for (const listener of this.dueListeners) listener();
  }

  // ── feeds ──────────────────────────────────────────────────────────────

  async addFeed(feed: NewFeed, now: Date): Promise<{ id: number; created: boolean; movedTo?: string }> {
    return this.db.transaction(() => {
      const moved = this.stmt(SQL.feedMovedTo).get(feed.url) as { url: string } | undefined;
      const url = moved?.url ?? feed.url;
      const info = this.stmt(`INSERT INTO feeds (url, title, interval_s, full_text, next_poll_at, added_by, created_at, category)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO NOTHING`)
        .run(url, feed.title ?? null, feed.intervalS, feed.fullText ? 1 : 0, ms(now), feed.addedBy ?? null, ms(now), feed.category ?? null);
      if (info.changes > 0) return { id: Number(info.lastInsertRowid), created: true };
      // Config edits (interval, full text) apply to an existing feed without resetting its poll state.
      this.stmt('UPDATE feeds SET interval_s = ?, full_text = ?, title = COALESCE(title, ?), category = COALESCE(category, ?) WHERE url = ?')
        .run(feed.intervalS, feed.fullText ? 1 : 0, feed.title ?? null, feed.category ?? null, url);
      const { id } = this.stmt('SELECT id FROM feeds WHERE url = ?').get(url) as IdRecord;
      return moved ? { id, created: false, movedTo: url } : { id, created: false };
    })();
  }

  async listFeeds(): Promise<FeedRow[]> {
    return (this.stmt(SQL.listFeeds).all() as FeedRecord[]).map(toFeed);
  }

  async listFeedMoves(): Promise<FeedMove[]> {
    return (this.stmt(SQL.listFeedMoves).all() as FeedMoveRecord[]).map((r) => toFeedMove(r, read));
  }

  async getFeedByUrl(url: string): Promise<FeedRow | undefined> {
    const row = this.stmt(SQL.feedByUrl).get(url) as FeedRecord | undefined;
    return row && toFeed(row);
  }

  async getFeed(id: number): Promise<FeedRow | undefined> {
    const row = this.stmt(SQL.feedById).get(id) as FeedRecord | undefined;
    return row && toFeed(row);
  }

  async removeFeed(url: string): Promise<boolean> {
    return this.stmt(SQL.removeFeed).run(url, url).changes > 0;
  }

  async claimDueFeeds(dueBy: Date, owner: string, leaseUntil: Date, limit: number, now: Date): Promise<FeedRow[]> {
    return this.db.transaction(() => {
      const rows = this.stmt(`SELECT * FROM feeds WHERE status != 'paused' AND next_poll_at <= ?
                  AND (lease_until IS NULL OR lease_until < ?) ORDER BY next_poll_at LIMIT ?`)
        .all(ms(dueBy), ms(now), limit) as FeedRecord[];
      const lease = this.stmt('UPDATE feeds SET lease_owner = ?, lease_until = ? WHERE id = ?');
      for (const row of rows) lease.run(owner, ms(leaseUntil), row.id);
      return rows.map(toFeed);
    })();
  }

  async recordFeedSuccess(id: number, u: { etag?: string | null; lastModified?: string | null; title?: string; url?: string; nextPollAt: Date; now: Date }): Promise<void> {
    const update = () =>
      this.stmt(SQL.recordFeedSuccess)
        .run(u.etag ?? null, u.lastModified ?? null, u.title ?? null, u.url ?? null, ms(u.nextPollAt), ms(u.now), id);
    if (!u.url) return void update();
    this.db.transaction(() => {
      this.stmt(SQL.rememberMove).run(ms(u.now), id, u.url);
      this.stmt(SQL.forgetMove).run(u.url);
      update();
    })();
  }

  async recordFeedFailure(id: number, u: { error: string; nextPollAt: Date }): Promise<void> {
    this.stmt(SQL.recordFeedFailure).run(u.error, ms(u.nextPollAt), id);
  }

  // ── articles and stories ───────────────────────────────────────────────

  async upsertArticle(a: ArticleInput): Promise<ArticleUpsert> {
    return this.upsertOne(a);
  }

  async upsertArticles(articles: ArticleInput[]): Promise<ArticleUpsert[]> {
    // One transaction per feed: one fsync instead of fifty.
    return this.db.transaction(() => articles.map((a) => this.upsertOne(a)))();
  }

  /**
   * Insert first (`ON CONFLICT DO NOTHING RETURNING id`): in a cold cycle nearly every item is new, so
   * one statement does the work of a SELECT and an INSERT; only a conflict reads the stored row to
   * tell an edit from a repeat.
   */
  private upsertOne(a: ArticleInput): ArticleUpsert {
    const published = a.publishedAt ? ms(a.publishedAt) : null;
    const inserted = this.stmt(`INSERT INTO articles (feed_id, item_key, guid, canonical_url, title, lead, body_text, published_at, fetched_at, content_hash, understood_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (feed_id, item_key) DO NOTHING RETURNING id`)
      .get(a.feedId, a.key, a.guid ?? null, a.url ?? null, a.title, a.lead, a.body, published, ms(a.fetchedAt), a.contentHash, a.pending ? null : ms(a.fetchedAt)) as IdRecord | undefined;
    if (inserted) return { id: inserted.id, status: 'new' };
    const existing = this.stmt('SELECT id, title, lead, body_text, published_at, canonical_url FROM articles WHERE feed_id = ? AND item_key = ?')
      .get(a.feedId, a.key) as Pick<ArticleRecord, 'id' | 'title' | 'lead' | 'body_text' | 'published_at' | 'canonical_url'>;
    if (existing.title === a.title && existing.lead === a.lead && existing.body_text === a.body && existing.published_at === published && existing.canonical_url === (a.url ?? null)) {
      return { id: existing.id, status: 'unchanged' };
    }
    this.stmt('UPDATE articles SET title = ?, lead = ?, body_text = ?, published_at = ?, canonical_url = ?, content_hash = ? WHERE id = ?')
      .run(a.title, a.lead, a.body, published, a.url ?? null, a.contentHash, existing.id);
    return { id: existing.id, status: 'updated' };
  }

  async recentContent(feedId: number, hashes: string[], since: Date): Promise<Array<{ id: number; contentHash: string }>> {
    if (hashes.length === 0) return [];
    const rows = this.stmt('SELECT id, content_hash FROM articles WHERE feed_id = ? AND fetched_at >= ? AND content_hash IN (SELECT value FROM json_each(?))')
      .all(feedId, ms(since), JSON.stringify(hashes)) as ContentRecord[];
    return rows.map(toContent);
  }

  async createStory(articleId: number, title: string, at: Date): Promise<number> {
    const info = this.stmt('INSERT INTO stories (first_article_id, title, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?)')
      .run(articleId, title, ms(at), ms(at));
    const storyId = Number(info.lastInsertRowid);
    this.stmt('UPDATE articles SET story_id = ? WHERE id = ?').run(storyId, articleId);
    return storyId;
  }

  async attachToStory(articleId: number, storyId: number, at: Date, fold?: StoryFold): Promise<void> {
    this.stmt('UPDATE articles SET story_id = ?, story_reason = ?, story_detail = ? WHERE id = ?')
      .run(storyId, fold?.reason ?? null, fold?.detail ?? null, articleId);
    this.stmt('UPDATE stories SET last_seen_at = MAX(last_seen_at, ?) WHERE id = ?').run(ms(at), storyId);
  }

  async splitStory(articleId: number, at: Date): Promise<{ from: number; storyId: number } | undefined> {
    return this.db.transaction(() => {
      const row = this.stmt('SELECT a.story_id, a.title, s.first_article_id FROM articles a JOIN stories s ON s.id = a.story_id WHERE a.id = ?')
        .get(articleId) as { story_id: number; title: string; first_article_id: number } | undefined;
      if (!row) return undefined;
      if (row.first_article_id === articleId) return { from: row.story_id, storyId: row.story_id };
      const info = this.stmt('INSERT INTO stories (first_article_id, title, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?)')
        .run(articleId, row.title, ms(at), ms(at));
      const storyId = Number(info.lastInsertRowid);
      this.stmt("UPDATE articles SET story_id = ?, story_reason = 'split', story_detail = ? WHERE id = ?")
        .run(storyId, `split from story ${row.story_id}`, articleId);
      return { from: row.story_id, storyId };
    })();
  }

  async storySplitsSince(since: Date): Promise<Array<{ articleId: number; storyId: number }>> {
    return (this.stmt(SQL.storySplitsSince).all(ms(since)) as StorySplitRecord[]).map(toStorySplit);
  }

  async storyWindow(since: Date): Promise<StoryArticle[]> {
    return (this.stmt(SQL.storyWindow).all(ms(since)) as ArticleRecord[]).map((r) => toStoryArticle(r, read));
  }

  async storyWindowPlacedSince(since: Date): Promise<StoryArticle[]> {
    return (this.stmt(SQL.storyWindowPlacedSince).all(ms(since), ms(since)) as ArticleRecord[]).map((r) => toStoryArticle(r, read));
  }

  async getArticle(id: number): Promise<ArticleRow | undefined> {
    const row = this.stmt(SQL.articleById).get(id) as ArticleRecord | undefined;
    return row && toArticle(row);
  }

  async getArticles(ids: number[]): Promise<ArticleRow[]> {
    return (this.stmt(`${ARTICLE_SELECT} WHERE a.id IN (SELECT value FROM json_each(?)) ORDER BY a.id`).all(JSON.stringify(ids)) as ArticleRecord[]).map(toArticle);
  }

  async storyArticles(storyId: number, limit: number): Promise<ArticleRow[]> {
    return (this.stmt(SQL.storyArticles).all(storyId, limit) as ArticleRecord[]).map(toArticle);
  }

  async articlesSince(since: Date): Promise<ArticleRow[]> {
    return (this.stmt(SQL.articlesSince).all(ms(since)) as ArticleRecord[]).map(toArticle);
  }

  async pendingArticles(limit: number): Promise<PendingArticle[]> {
    return (this.stmt(SQL.pendingArticles).all(limit) as PendingArticleRecord[]).map((r) => toPendingArticle(r, read));
  }

  async markUnderstood(id: number, at: Date, analysis?: { language: string; concepts: string[] }): Promise<void> {
    this.stmt(SQL.markUnderstood).run(ms(at), analysis?.language ?? null, analysis ? JSON.stringify(analysis.concepts) : null, id);
  }

  private understanding: Promise<unknown> = Promise.resolve();

  async withUnderstandLock<T>(fn: () => Promise<T>): Promise<T> {
    // One embedded database serves one process: taking turns within it is the whole lock.
    const run = this.understanding.then(fn, fn);
    this.understanding = run.catch(() => {});
    return run;
  }

  // ── topics and matches ─────────────────────────────────────────────────

  async syncTopics(topics: Array<{ slug: string; title: string; definition: unknown; source: 'config' | 'chat' }>): Promise<void> {
    const upsert = this.stmt(`INSERT INTO topics (slug, title, definition, source) VALUES (?, ?, ?, ?)
      ON CONFLICT (slug) DO UPDATE SET title = excluded.title, definition = excluded.definition, source = excluded.source`);
    this.db.transaction(() => {
      for (const t of topics) upsert.run(t.slug, t.title, JSON.stringify(t.definition), t.source);
    })();
  }

  async saveMatches(matches: MatchInput[], analysis?: { articleId: number; language: string; concepts: string[] }): Promise<void> {
    this.db.transaction(() => {
      if (analysis) this.stmt(SQL.setArticleAnalysis).run(analysis.language, JSON.stringify(analysis.concepts), analysis.articleId);
      for (const m of matches) this.stmt(SQL.saveMatch).run(m.articleId, m.topic, m.score, m.why, JSON.stringify(m.explanation));
    })();
  }

  async listTopics(source?: TopicSource): Promise<StoredTopic[]> {
    // SQLite's default BINARY collation orders bytewise, as PostgreSQL's COLLATE "C" does.
    return (this.stmt('SELECT slug, title, definition, source, created_by FROM topics WHERE (? IS NULL OR source = ?) ORDER BY slug')
      .all(source ?? null, source ?? null) as TopicRecord[]).map((r) => toStoredTopic(r, read));
  }

  async addTopic(t: NewTopic, now: Date): Promise<boolean> {
    return this.stmt(SQL.addTopic).run(t.slug, t.title, JSON.stringify(t.definition), t.createdBy, ms(now)).changes > 0;
  }

  async removeTopic(slug: string): Promise<{ removed: boolean; subscriptions: number }> {
    return this.db.transaction(() => {
      if (this.stmt(SQL.removeChatTopic).run(slug).changes === 0) return { removed: false, subscriptions: 0 };
      return { removed: true, subscriptions: this.stmt(SQL.removeTopicSubscriptions).run(slug).changes };
    })();
  }

  async topicMatchesSince(topic: string, since: Date): Promise<TopicMatchRow[]> {
    return (this.stmt(SQL.topicMatchesSince).all(topic, ms(since)) as TopicMatchRecord[]).map((r) => toTopicMatch(r, read));
  }

  // ── channels and subscriptions ─────────────────────────────────────────

  async ensureChannel(ref: ChannelRef): Promise<number> {
    return (this.stmt(SQL.ensureChannel).get(ref.platform, ref.workspace, ref.channel, ref.name ?? null) as IdRecord).id;
  }

  async findChannel(ref: ChannelRef): Promise<number | undefined> {
    return (this.stmt(SQL.findChannel).get(ref.platform, ref.workspace, ref.channel) as IdRecord | undefined)?.id;
  }

  async channelSubscriptions(channelId: number): Promise<ChannelSubscription[]> {
    return (this.stmt(`SELECT s.topic, t.title AS topic_title, s.min_score, s.source, s.created_by, s.paused_reason
                FROM subscriptions s LEFT JOIN topics t ON t.slug = s.topic WHERE s.channel_id = ? ORDER BY s.topic`)
      .all(channelId) as ChannelSubscriptionRecord[]).map(toChannelSubscription);
  }

  async pauseSubscriptions(channelId: number, reason: string, topic?: string): Promise<number> {
    return this.stmt(SQL.pauseSubscriptions).run(reason, channelId, topic ?? null, topic ?? null).changes;
  }

  async resumeSubscriptions(channelId: number, topic?: string): Promise<number> {
    return this.stmt(SQL.resumeSubscriptions).run(channelId, topic ?? null, topic ?? null).changes;
  }

  async channelPacing(channelId: number): Promise<ChannelPacing> {
    return toChannelPacing(this.stmt(SQL.channelPacing).get(channelId) as ChannelPacingRecord | undefined, read);
  }

  async takePostSlot(channelId: number, slot: PostSlot): Promise<boolean> {
    // `recent_posts` keeps the last minute's top-level posts (a JSON array of ms): counted for the room, appended to.
    const top = slot.topLevel;
    return this.stmt(`UPDATE channels SET next_post_at = COALESCE(?, next_post_at),
                  recent_posts = CASE WHEN ? THEN (SELECT json_group_array(t) FROM (
                    SELECT value AS t FROM json_each(channels.recent_posts) WHERE value > ? UNION ALL SELECT ?)) ELSE recent_posts END
                WHERE id = ? AND COALESCE(next_post_at, 0) <= ?
                  AND (? IS NULL OR (SELECT COUNT(*) FROM json_each(channels.recent_posts) WHERE value > ?) < ?)`)
      .run(slot.until ? ms(slot.until) : null, top ? 1 : 0, top ? ms(top.since) : null, ms(slot.now), channelId, ms(slot.now),
        top?.limit ?? null, top ? ms(top.since) : null, top?.limit ?? null).changes > 0;
  }

  async returnPostSlot(channelId: number, slot: { now: Date; until?: Date; topLevel: boolean }): Promise<void> {
    // One record of the post leaves (another process may have posted at the same millisecond).
    this.stmt(`UPDATE channels SET next_post_at = CASE WHEN next_post_at = ? THEN ? ELSE next_post_at END,
                  recent_posts = CASE WHEN ? THEN COALESCE(json_remove(recent_posts,
                    (SELECT '$[' || key || ']' FROM json_each(channels.recent_posts) WHERE value = ? LIMIT 1)), recent_posts) ELSE recent_posts END
                WHERE id = ?`)
      .run(slot.until ? ms(slot.until) : null, ms(slot.now), slot.topLevel ? 1 : 0, ms(slot.now), channelId);
  }

  async holdChannel(channelId: number, until: Date): Promise<void> {
    this.db.transaction(() => {
      this.stmt('UPDATE channels SET next_post_at = MAX(COALESCE(next_post_at, 0), ?) WHERE id = ?').run(ms(until), channelId);
      this.stmt(`UPDATE deliveries SET next_attempt_at = ? WHERE channel_id = ? AND status IN ('pending', 'deferred') AND next_attempt_at < ?`)
        .run(ms(until), channelId, ms(until));
    })();
  }

  async subscribe(channelId: number, topic: string, minScore: number, createdBy: string): Promise<void> {
    this.stmt(SQL.subscribe).run(channelId, topic, minScore, createdBy);
  }

  async unsubscribe(channelId: number, topic: string): Promise<boolean> {
    return this.stmt(SQL.unsubscribe).run(channelId, topic).changes > 0;
  }

  async syncConfigSubscriptions(routes: Array<{ channelId: number; topic: string; minScore: number }>): Promise<void> {
    const upsert = this.stmt(`INSERT INTO subscriptions (channel_id, topic, min_score, source, created_by) VALUES (?, ?, ?, 'config', 'config')
      ON CONFLICT (channel_id, topic) DO UPDATE SET min_score = excluded.min_score`);
    this.db.transaction(() => {
      this.stmt(SQL.deleteConfigSubscriptions).run();
      for (const r of routes) upsert.run(r.channelId, r.topic, r.minScore);
    })();
  }

  async subscribersOf(topic: string): Promise<Subscriber[]> {
    return (this.stmt(SQL.subscribersOf).all(topic) as SubscriberRecord[]).map(toSubscriber);
  }

  // ── deliveries ─────────────────────────────────────────────────────────

  async enqueueDelivery(d: DeliveryInput, now: Date): Promise<number | null> {
    const row = this.stmt(SQL.enqueueDelivery).get(d.channelId, d.storyId, d.topic, d.articleId, d.kind, ms(now), ms(now)) as IdRecord | undefined;
    if (row) this.deliveriesDue();
    return row ? row.id : null;
  }

  async enqueueDigest(d: DigestInput, now: Date): Promise<number | null> {
    // Asked every minute of a channel digest's grace period: a queued period is found without writing.
    if (this.stmt(SQL.digestQueued).get(d.scheduleKey, d.period)) return null;
    const row = this.stmt(SQL.enqueueDigest).get(d.channelId, d.topic, d.scheduleKey, d.period, ms(d.since), ms(d.until), d.of, d.feedId ?? null, ms(d.dueAt ?? now), ms(now)) as IdRecord | undefined;
    // A held burst (due later) wakes nobody: releaseFeedBursts does when it comes due.
    if (row && (!d.dueAt || d.dueAt <= now)) this.deliveriesDue();
    return row ? row.id : null;
  }

  async findDigest(scheduleKey: string, period: string): Promise<{ id: number; status: DeliveryStatus } | undefined> {
    return this.stmt(SQL.digestQueued).get(scheduleKey, period) as { id: number; status: DeliveryStatus } | undefined;
  }

  async releaseFeedBursts(at: Date): Promise<number> {
    const released = this.stmt(SQL.releaseFeedBursts).run(ms(at), ms(at)).changes;
    if (released > 0) this.deliveriesDue();
    return released;
  }

  async feedPollRows(channelId: number, feedId: number, fetchedAt: Date): Promise<number> {
    return (this.stmt(SQL.feedPollRows).get(channelId, feedId, ms(fetchedAt)) as { n: number }).n;
  }

  async routeArticle(route: { articleId: number; storyId: number; to: Array<{ channelId: number; topic: string }> }, now: Date): Promise<number[]> {
    const ids = this.db.transaction(() => route.to.flatMap(({ channelId, topic }) => {
      const kind = this.stmt(SQL.hasAlert).get(channelId, route.storyId) ? 'followup' : 'alert';
      const row = this.stmt(SQL.enqueueDelivery).get(channelId, route.storyId, topic, route.articleId, kind, ms(now), ms(now)) as IdRecord | undefined;
      return row ? [row.id] : [];
    }))();
    if (ids.length > 0) this.deliveriesDue();
    return ids;
  }

  async storyAlert(channelId: number, storyId: number): Promise<StoryAlert | undefined> {
    const row = this.stmt(SQL.storyAlert).get(channelId, storyId) as StoryAlertRecord | undefined;
    if (!row) return undefined;
    const feeds = this.stmt(SQL.storyPostedFeeds).all(channelId, storyId) as Array<{ feed_id: number }>;
    return { job: toAlertJob(row, read), status: row.alert_status, messageRef: row.alert_ref, postedFeeds: feeds.map((f) => f.feed_id) };
  }

  async claimDeliveries(now: Date, owner: string, leaseUntil: Date, limit: number): Promise<DeliveryJob[]> {
    return this.db.transaction(() => {
      // A `sending` row whose lease expired belongs to a worker that died mid-send: retry it. A row whose attempt
      // began and never ended in a known outcome (that crash, or a timeout after the post) is `cutOff`.
      const rows = this.stmt(`SELECT d.id, d.attempt_started_at IS NOT NULL AS cut_off FROM deliveries d
                  WHERE (d.status IN ('pending', 'deferred') AND d.next_attempt_at <= ?)
                  OR (d.status = 'sending' AND d.lease_until < ?) ORDER BY d.id LIMIT ?`)
        .all(ms(now), ms(now), limit) as Array<{ id: number; cut_off: number }>;
      const lease = this.stmt(`UPDATE deliveries SET status = 'sending', attempts = attempts + 1, lease_owner = ?, lease_until = ? WHERE id = ?`);
      const job = this.stmt(SQL.deliveryJob);
      return rows.map((r) => {
        lease.run(owner, ms(leaseUntil), r.id);
        return toDeliveryJob({ ...(job.get(r.id) as DeliveryJobRecord), cut_off: r.cut_off }, read);
      });
    })();
  }

  async markAttemptStarted(id: number, at: Date): Promise<void> {
    this.stmt(SQL.markAttemptStarted).run(ms(at), id);
  }

  async markDelivered(id: number, messageRef: string | null, now: Date): Promise<void> {
    const woken = this.db.transaction(() => {
      this.stmt(`UPDATE deliveries SET status = 'sent', message_ref = ?, sent_at = ?, last_error = NULL, lease_owner = NULL, lease_until = NULL, attempt_started_at = NULL WHERE id = ?`)
        .run(messageRef, ms(now), id);
      // A posted alert wakes the follow-ups deferred until it was out.
      return this.stmt(`UPDATE deliveries SET next_attempt_at = ? WHERE status = 'deferred' AND kind = 'followup'
                  AND (channel_id, story_id) = (SELECT channel_id, story_id FROM deliveries WHERE id = ? AND kind = 'alert')`)
        .run(ms(now), id).changes;
    })();
    if (woken > 0) this.deliveriesDue();
  }

  async releaseDelivery(id: number, now: Date, wait?: { reason: string; until?: Date; uncertain?: boolean }): Promise<void> {
    this.stmt(`UPDATE deliveries SET status = 'deferred', attempts = MAX(attempts - 1, 0), next_attempt_at = ?, last_error = COALESCE(?, last_error),
                lease_owner = NULL, lease_until = NULL, attempt_started_at = CASE WHEN ? = 1 THEN attempt_started_at ELSE NULL END
                WHERE id = ? AND status = 'sending'`)
      .run(ms(wait?.until ?? now), wait?.reason ?? null, wait?.uncertain ? 1 : 0, id);
  }

  async markDeliveryFailed(id: number, u: { error: string; retryAt: Date | null; rejected?: boolean; uncertain?: boolean }): Promise<void> {
    this.stmt(SQL.markDeliveryFailed).run(u.retryAt ? 'pending' : u.rejected ? 'rejected' : 'dead', u.error, u.retryAt ? ms(u.retryAt) : null, u.uncertain ? 1 : 0, id);
  }

  async listDeliveries(q: { status?: DeliveryStatus; kind?: DeliveryKind; id?: number; limit: number }): Promise<DeliverySummary[]> {
    return (this.stmt(SQL.listDeliveries).all(q.status ?? null, q.status ?? null, q.kind ?? null, q.kind ?? null, q.id ?? null, q.id ?? null, q.limit) as DeliverySummaryRecord[])
      .map((r) => toDeliverySummary(r, read));
  }

  async retryDelivery(id: number, now: Date): Promise<boolean> {
    const retried = this.stmt(SQL.retryDelivery).run(ms(now), id).changes > 0;
    if (retried) this.deliveriesDue();
    return retried;
  }

  async nextDeliveryDue(): Promise<Date | null> {
    const row = this.stmt(`SELECT MIN(t) AS t FROM (
                  SELECT MIN(next_attempt_at) AS t FROM deliveries WHERE status IN ('pending', 'deferred')
                  UNION ALL SELECT MIN(lease_until) FROM deliveries WHERE status = 'sending')`).get() as { t: number | null };
    return read.time(row.t);
  }

  // ── status ─────────────────────────────────────────────────────────────

  async ping(): Promise<void> {
    this.stmt(SQL.ping).get();
  }

  async feedCounts(): Promise<Partial<Record<FeedStatus, number>>> {
    return toCounts(this.stmt(SQL.feedCounts).all() as StatusCountRecord[]);
  }

  async deliveryCounts(): Promise<Partial<Record<DeliveryStatus, number>>> {
    return toCounts(this.stmt(SQL.deliveryCounts).all() as StatusCountRecord[]);
  }

  async recentAlerts(limit: number): Promise<DeliverySummary[]> {
    return (this.stmt(SQL.recentAlerts).all(limit) as DeliverySummaryRecord[]).map((r) => toDeliverySummary(r, read));
  }

  // ── leases ─────────────────────────────────────────────────────────────

  async leaseOwners(now: Date): Promise<string[]> {
    return (this.stmt(SQL.leaseOwners).all(ms(now), ms(now)) as LeaseOwnerRecord[]).flatMap((r) => (r.lease_owner ? [r.lease_owner] : []));
  }

  async renewLeases(owner: string, until: Date): Promise<void> {
    this.db.transaction(() => {
      this.stmt('UPDATE feeds SET lease_until = ? WHERE lease_owner = ?').run(ms(until), owner);
      this.stmt(`UPDATE deliveries SET lease_until = ? WHERE lease_owner = ? AND status = 'sending'`).run(ms(until), owner);
    })();
  }

  async releaseLeases(owner: string): Promise<{ feeds: number; deliveries: number }> {
    const released = this.db.transaction(() => ({
      feeds: this.stmt('UPDATE feeds SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?').run(owner).changes,
      deliveries: this.stmt(`UPDATE deliveries SET lease_until = 0 WHERE lease_owner = ? AND status = 'sending'`).run(owner).changes,
    }))();
    if (released.deliveries > 0) this.deliveriesDue();
    return released;
  }

  // ── digests ────────────────────────────────────────────────────────────

  async digestRows(q: { topic?: string; channelId?: number; since: Date; until: Date }): Promise<DigestRow[]> {
    // One row per (story, topic): the story's best-scoring article for that topic, with the count of outlets.
    // The same statement as PostgreSQL's but for its casts and collation (BINARY is bytewise here).
    const rows = this.stmt(`WITH scored AS (
                  SELECT a.story_id, m.topic, m.score, m.why, m.explanation, a.id AS article_id,
                    ROW_NUMBER() OVER (PARTITION BY a.story_id, m.topic ORDER BY m.score DESC, a.id) AS rank
                  FROM matches m JOIN articles a ON a.id = m.article_id JOIN stories s ON s.id = a.story_id
                  WHERE s.first_seen_at >= ? AND s.first_seen_at < ?
                    AND (? IS NULL OR m.topic = ?)
                    AND (? IS NULL OR m.topic IN (SELECT topic FROM subscriptions WHERE channel_id = ?)))
                SELECT sc.story_id AS digest_story_id, sc.topic, sc.score, sc.why, sc.explanation, s.first_seen_at,
                  COALESCE(t.title, sc.topic) AS topic_title,
                  (SELECT COUNT(DISTINCT a3.feed_id) FROM articles a3 WHERE a3.story_id = sc.story_id) AS outlets,
                  ${ARTICLE_COLUMNS}
                FROM scored sc JOIN stories s ON s.id = sc.story_id LEFT JOIN topics t ON t.slug = sc.topic
                JOIN articles a ON a.id = sc.article_id JOIN feeds f ON f.id = a.feed_id
                WHERE sc.rank = 1 ORDER BY sc.topic, sc.score DESC, sc.story_id`)
      .all(ms(q.since), ms(q.until), q.topic ?? null, q.topic ?? null, q.channelId ?? null, q.channelId ?? null) as DigestRecord[];
    return rows.map((r) => toDigestRow(r, read));
  }

  async feedBurstRows(q: { channelId: number; feedId: number; fetchedAt: Date; limit: number }): Promise<FeedBurstRows> {
    const poll = [q.channelId, q.feedId, ms(q.fetchedAt), q.channelId];
    return {
      total: (this.stmt(SQL.feedBurstCount).get(...poll) as { n: number }).n,
      alerted: await this.feedPollRows(q.channelId, q.feedId, q.fetchedAt),
      // An item matching several of the channel's topics comes once per topic: read enough to fill the limit.
      items: toFeedBurstItems(this.stmt(SQL.feedBurstItems).all(...poll, q.limit * 8) as FeedBurstItemRecord[], q.limit, read),
    };
  }

  async setDigestSchedule(d: DigestScheduleInput, now: Date): Promise<void> {
    this.stmt(SQL.setDigestSchedule).run(d.channelId, d.every, d.day, d.time, d.timezone, d.createdBy, ms(now));
  }

  async removeDigestSchedule(channelId: number): Promise<boolean> {
    return this.stmt(SQL.removeDigestSchedule).run(channelId).changes > 0;
  }

  async listDigestSchedules(): Promise<DigestSchedule[]> {
    return (this.stmt(SQL.listDigestSchedules).all() as DigestScheduleRecord[]).map((r) => toDigestSchedule(r, read));
  }
}

/** Times are epoch milliseconds; JSON columns are text. */
const read: Readers = {
  time: (v) => (v == null ? null : new Date(v)),
  json: (v) => (typeof v === 'string' ? JSON.parse(v) : v),
};
const toFeed = (r: FeedRecord) => feedRow(r, read);
const toArticle = (r: ArticleRecord) => articleRow(r, read);

/**
 * Why the database file could not be opened, naming the file and what to do: SQLite alone says
 * `file is not a database`, which names neither.
 */
function openError(file: string, err: unknown): AppError {
  const code = (err as { code?: string }).code ?? '';
  const detail = (err as Error).message ?? String(err);
  const elsewhere = 'or point storage.path (or WATCHFLOOR_DB) at another file';
  let advice: string;
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    advice = `it is not a SQLite database or it is damaged. Restore it from a backup, or move it aside and Watchfloor starts a new, empty one (feeds from the config come back; stored articles, subscriptions and the outbox do not), ${elsewhere}`;
  } else if (code === 'SQLITE_READONLY' || code === 'EACCES' || code === 'EPERM' || code === 'SQLITE_CANTOPEN') {
    advice = `check that its folder exists and that this user may read and write both, ${elsewhere}`;
  } else if (code === 'SQLITE_BUSY') {
    advice = 'another process holds it locked; stop the other Watchfloor (or tool) using it and try again';
  } else {
    advice = `fix the file or its folder, ${elsewhere}`;
  }
  return new AppError('storage', `cannot open the SQLite database ${file} (${detail}): ${advice}.`, { cause: err });
}
