/**
 * The statements both stores run with the same text, written once with `?` placeholders (SQLite's); the
 * PostgreSQL store numbers them `$1…` once at load (`numbered`). A parameter used twice is passed twice.
 * What stays in each store is what the dialects really do differently: upserts that tell insert from update
 * (`xmax`), `FOR UPDATE SKIP LOCKED` claims, JSON set functions (`json_each`, `jsonb_to_recordset`, `ANY`),
 * `GREATEST`/`MAX`, bytewise ordering (`COLLATE "C"`, which SQLite does not know), and multi-statement writes
 * PostgreSQL does in one round trip. `CAST(? AS text) IS NULL` (not `? IS NULL`) lets PostgreSQL type an
 * optional parameter; SQLite reads it the same way.
 */

/** An article with its feed's title and URL, under the names `ArticleRecord` has (no clash with joined tables). */
export const ARTICLE_COLUMNS = `a.id, a.feed_id, a.item_key, a.guid, a.canonical_url, a.title, a.lead, a.body_text, a.published_at,
  a.fetched_at, a.language, a.concepts, a.content_hash, a.story_id, a.story_reason, a.story_detail, f.title AS feed_title, f.url AS feed_url`;
export const ARTICLE_SELECT = `SELECT ${ARTICLE_COLUMNS} FROM articles a JOIN feeds f ON f.id = a.feed_id`;

/**
 * What a sink needs beside the delivery row `l`: channel, topic, match and the article with its feed, or a digest's
 * schedule, period and window (`DeliveryJobRecord`). A digest row has no article: the joins are left joins.
 */
export const JOB_COLUMNS = `l.id AS delivery_id, l.kind, l.attempts, l.channel_id, l.story_id AS delivery_story_id, l.topic,
  l.schedule_key, l.period_key, l.period_since, l.period_until, l.digest_of, l.feed_id AS burst_feed_id,
  c.platform, c.workspace, c.channel, c.name AS channel_name, t.title AS topic_title, m.score, m.why, m.explanation, ${ARTICLE_COLUMNS}`;
export const JOB_JOINS = `JOIN channels c ON c.id = l.channel_id
  LEFT JOIN articles a ON a.id = l.article_id LEFT JOIN feeds f ON f.id = a.feed_id
  LEFT JOIN topics t ON t.slug = l.topic
  LEFT JOIN matches m ON m.article_id = l.article_id AND m.topic = l.topic`;

const DELIVERY_SUMMARY = `SELECT d.*, c.platform, c.workspace, c.channel, c.name AS channel_name, a.title, COALESCE(bf.title, bf.url) AS burst_feed
  FROM deliveries d JOIN channels c ON c.id = d.channel_id LEFT JOIN articles a ON a.id = d.article_id LEFT JOIN feeds bf ON bf.id = d.feed_id`;

/** The matching items of one feed poll (channel, feed, fetchedAt, channel) that the channel got no row of its own for. */
const FEED_BURST_ITEMS = `FROM articles a JOIN feeds f ON f.id = a.feed_id JOIN matches m ON m.article_id = a.id
  JOIN subscriptions s ON s.channel_id = ? AND s.topic = m.topic AND s.paused_reason IS NULL AND m.score >= s.min_score
  WHERE a.feed_id = ? AND a.fetched_at = ? AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.channel_id = ? AND d.article_id = a.id)`;

const MATCHED = 'AND EXISTS (SELECT 1 FROM matches m WHERE m.article_id = a.id)';

export const SQL = {
  // ── feeds
  feedMovedTo: 'SELECT f.url FROM feed_moves m JOIN feeds f ON f.id = m.feed_id WHERE m.url = ?',
  listFeeds: 'SELECT * FROM feeds ORDER BY id',
  listFeedMoves: 'SELECT url, feed_id, moved_at FROM feed_moves ORDER BY moved_at, url',
  feedByUrl: 'SELECT * FROM feeds WHERE url = ?',
  feedById: 'SELECT * FROM feeds WHERE id = ?',
  /** url, url */
  removeFeed: 'DELETE FROM feeds WHERE url = ? OR id = (SELECT feed_id FROM feed_moves WHERE url = ?)',
  /** etag, lastModified, title, url, nextPollAt, now, id */
  recordFeedSuccess: `UPDATE feeds SET etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified), title = COALESCE(?, title),
    url = COALESCE(?, url), next_poll_at = ?, failures = 0, last_error = NULL, status = 'ok', last_success_at = ?,
    lease_owner = NULL, lease_until = NULL WHERE id = ?`,
  /** now, id, newUrl: the feed's current URL becomes a former one (before it takes newUrl). */
  rememberMove: `INSERT INTO feed_moves (url, feed_id, moved_at) SELECT url, id, ? FROM feeds WHERE id = ? AND url <> ?
    ON CONFLICT (url) DO UPDATE SET feed_id = excluded.feed_id, moved_at = excluded.moved_at`,
  /** newUrl: is a former URL no longer (a feed may move back). */
  forgetMove: 'DELETE FROM feed_moves WHERE url = ?',
  /** error, nextPollAt, id */
  recordFeedFailure: `UPDATE feeds SET failures = failures + 1, last_error = ?, status = 'failing', next_poll_at = ?,
    lease_owner = NULL, lease_until = NULL WHERE id = ?`,

  // ── articles and stories
  /** language, concepts (JSON), id */
  storySplitsSince: `SELECT a.id, a.story_id FROM articles a JOIN stories s ON s.id = a.story_id
    WHERE a.story_reason = 'split' AND s.first_article_id = a.id AND s.first_seen_at >= ? ORDER BY s.id`,
  /** The clustering window holds matched articles only: a report no topic wants never needs a story to join. */
  storyWindow: `${ARTICLE_SELECT} JOIN stories s ON s.id = a.story_id WHERE s.last_seen_at >= ? ${MATCHED} ORDER BY a.fetched_at, a.id`,
  /** storySeenSince, understoodSince: what any process placed lately (stories touched since, via stories_last_seen). */
  storyWindowPlacedSince: `${ARTICLE_SELECT} JOIN stories s ON s.id = a.story_id WHERE s.last_seen_at >= ? AND a.understood_at >= ? ${MATCHED}
    ORDER BY a.fetched_at, a.id`,
  /** storyId, limit */
  storyArticles: `${ARTICLE_SELECT} WHERE a.story_id = ? ORDER BY a.fetched_at, a.id LIMIT ?`,
  articleById: `${ARTICLE_SELECT} WHERE a.id = ?`,
  articlesSince: `${ARTICLE_SELECT} WHERE a.fetched_at >= ? ORDER BY a.fetched_at, a.id`,
  pendingArticles: 'SELECT id, published_at, story_id FROM articles WHERE understood_at IS NULL ORDER BY id LIMIT ?',
  /** language, concepts (JSON), id */
  setArticleAnalysis: 'UPDATE articles SET language = ?, concepts = ? WHERE id = ?',
  /** at, language|null, concepts (JSON)|null, id */
  markUnderstood: 'UPDATE articles SET understood_at = ?, language = COALESCE(?, language), concepts = COALESCE(?, concepts) WHERE id = ?',

  // ── topics and matches
  /** articleId, topic, score, why, explanation (JSON) */
  saveMatch: `INSERT INTO matches (article_id, topic, score, why, explanation) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (article_id, topic) DO UPDATE SET score = excluded.score, why = excluded.why, explanation = excluded.explanation`,
  /** slug, title, definition (JSON), createdBy, now */
  addTopic: `INSERT INTO topics (slug, title, definition, source, created_by, created_at) VALUES (?, ?, ?, 'chat', ?, ?)
    ON CONFLICT (slug) DO NOTHING`,
  removeChatTopic: `DELETE FROM topics WHERE slug = ? AND source = 'chat'`,
  removeTopicSubscriptions: 'DELETE FROM subscriptions WHERE topic = ?',
  /** topic, since */
  topicMatchesSince: `SELECT m.article_id, a.story_id, m.score, a.fetched_at FROM matches m JOIN articles a ON a.id = m.article_id
    WHERE m.topic = ? AND a.fetched_at >= ? AND a.story_id IS NOT NULL ORDER BY a.fetched_at, a.id`,

  // ── channels and subscriptions
  /** platform, workspace, channel, name. The update makes RETURNING yield an existing id too (another replica may have inserted it just now). */
  ensureChannel: `INSERT INTO channels (platform, workspace, channel, name) VALUES (?, ?, ?, ?)
    ON CONFLICT (platform, workspace, channel) DO UPDATE SET name = COALESCE(excluded.name, channels.name) RETURNING id`,
  findChannel: 'SELECT id FROM channels WHERE platform = ? AND workspace = ? AND channel = ?',
  channelPacing: 'SELECT next_post_at, recent_posts FROM channels WHERE id = ?',
  /** reason, channelId, topic|null, topic|null */
  pauseSubscriptions: 'UPDATE subscriptions SET paused_reason = ? WHERE channel_id = ? AND (CAST(? AS text) IS NULL OR topic = ?)',
  /** channelId, topic|null, topic|null */
  resumeSubscriptions: `UPDATE subscriptions SET paused_reason = NULL
    WHERE channel_id = ? AND (CAST(? AS text) IS NULL OR topic = ?) AND paused_reason IS NOT NULL`,
  /** channelId, topic, minScore, createdBy: subscribing again resumes a paused subscription. */
  subscribe: `INSERT INTO subscriptions (channel_id, topic, min_score, source, created_by) VALUES (?, ?, ?, 'chat', ?)
    ON CONFLICT (channel_id, topic) DO UPDATE SET min_score = excluded.min_score, paused_reason = NULL`,
  unsubscribe: 'DELETE FROM subscriptions WHERE channel_id = ? AND topic = ?',
  deleteConfigSubscriptions: `DELETE FROM subscriptions WHERE source = 'config'`,
  /** Paused subscriptions are skipped. */
  subscribersOf: `SELECT c.id AS channel_id, c.platform, c.workspace, c.channel, s.min_score FROM subscriptions s
    JOIN channels c ON c.id = s.channel_id WHERE s.topic = ? AND s.paused_reason IS NULL ORDER BY c.id`,

  // ── deliveries
  /**
   * channelId, storyId, topic, articleId, kind, now, now. No conflict target: both unique (channel_id, article_id)
   * and the partial deliveries_one_alert index apply.
   */
  enqueueDelivery: `INSERT INTO deliveries (channel_id, story_id, topic, article_id, kind, next_attempt_at, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
  /** scheduleKey, periodKey: looked up first, so a period queued already costs no insert (nor, in PostgreSQL, an identity value). */
  digestQueued: `SELECT id, status FROM deliveries WHERE kind = 'digest' AND schedule_key = ? AND period_key = ?`,
  /**
   * channelId, topic|null, scheduleKey, periodKey, since, until, of, feedId|null, dueAt, now. The partial
   * deliveries_one_digest index makes a second row for one (schedule, period) nothing.
   */
  enqueueDigest: `INSERT INTO deliveries (channel_id, kind, topic, schedule_key, period_key, period_since, period_until, digest_of, feed_id, next_attempt_at, created_at)
    VALUES (?, 'digest', ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
  /** at, at: held burst rows whose poll has no pending article left come due. */
  releaseFeedBursts: `UPDATE deliveries SET next_attempt_at = ? WHERE feed_id IS NOT NULL AND kind = 'digest' AND status = 'pending'
    AND attempts = 0 AND next_attempt_at > ? AND NOT EXISTS (SELECT 1 FROM articles a
      WHERE a.understood_at IS NULL AND a.feed_id = deliveries.feed_id AND a.fetched_at = deliveries.period_since)`,
  /** channelId, feedId, fetchedAt: a poll's items share the feed and the fetch time. */
  feedPollRows: `SELECT CAST(COUNT(*) AS integer) AS n FROM deliveries d JOIN articles a ON a.id = d.article_id
    WHERE d.channel_id = ? AND a.feed_id = ? AND a.fetched_at = ?`,
  /** channelId, feedId, fetchedAt, channelId */
  feedBurstCount: `SELECT CAST(COUNT(DISTINCT a.id) AS integer) AS n ${FEED_BURST_ITEMS}`,
  /** channelId, feedId, fetchedAt, channelId, limit: a row per article and topic it matched, the best first. */
  feedBurstItems: `SELECT ${ARTICLE_COLUMNS}, m.topic, COALESCE(t.title, m.topic) AS topic_title, m.score, m.why, m.explanation
    ${FEED_BURST_ITEMS.replace('WHERE a.feed_id', 'LEFT JOIN topics t ON t.slug = m.topic WHERE a.feed_id')}
    ORDER BY a.id, m.score DESC LIMIT ?`,
  hasAlert: `SELECT 1 AS found FROM deliveries WHERE channel_id = ? AND story_id = ? AND kind = 'alert'`,
  /** channelId, storyId */
  storyAlert: `SELECT ${JOB_COLUMNS}, l.status AS alert_status, l.message_ref AS alert_ref
    FROM deliveries l ${JOB_JOINS} WHERE l.channel_id = ? AND l.story_id = ? AND l.kind = 'alert'`,
  /** channelId, storyId: the feeds whose reports of the story were posted in the channel. */
  storyPostedFeeds: `SELECT DISTINCT a.feed_id FROM deliveries d JOIN articles a ON a.id = d.article_id
    WHERE d.channel_id = ? AND d.story_id = ? AND d.status = 'sent' ORDER BY a.feed_id`,
  deliveryJob: `SELECT ${JOB_COLUMNS} FROM deliveries l ${JOB_JOINS} WHERE l.id = ?`,
  /** at, id */
  markAttemptStarted: 'UPDATE deliveries SET attempt_started_at = ? WHERE id = ?',
  /** status, error, retryAt|null, uncertain 1|0 (keep attempt_started_at: the post may be out), id */
  markDeliveryFailed: `UPDATE deliveries SET status = ?, last_error = ?, next_attempt_at = COALESCE(?, next_attempt_at),
    lease_owner = NULL, lease_until = NULL, attempt_started_at = CASE WHEN ? = 1 THEN attempt_started_at ELSE NULL END WHERE id = ?`,
  /** status|null, status|null, kind|null, kind|null, id|null, id|null, limit */
  listDeliveries: `${DELIVERY_SUMMARY}
    WHERE (CAST(? AS text) IS NULL OR d.status = ?) AND (CAST(? AS text) IS NULL OR d.kind = ?) AND (CAST(? AS bigint) IS NULL OR d.id = ?)
    ORDER BY d.id DESC LIMIT ?`,
  /** now, id */
  retryDelivery: `UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, lease_owner = NULL, lease_until = NULL,
    attempt_started_at = NULL WHERE id = ? AND status IN ('pending', 'deferred', 'rejected', 'dead')`,

  // ── status
  ping: 'SELECT 1 AS ok',
  feedCounts: 'SELECT status, CAST(COUNT(*) AS integer) AS n FROM feeds GROUP BY status',
  deliveryCounts: 'SELECT status, CAST(COUNT(*) AS integer) AS n FROM deliveries GROUP BY status',
  recentAlerts: `${DELIVERY_SUMMARY} WHERE d.kind = 'alert' ORDER BY d.id DESC LIMIT ?`,

  // ── leases
  /** now, now */
  leaseOwners: `SELECT lease_owner FROM feeds WHERE lease_until >= ? UNION
    SELECT lease_owner FROM deliveries WHERE status = 'sending' AND lease_until >= ? ORDER BY 1`,

  // ── digests
  /** channelId, every, day, time, timezone, createdBy, now */
  setDigestSchedule: `INSERT INTO digest_schedules (channel_id, every, day, local_time, timezone, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (channel_id) DO UPDATE SET every = excluded.every, day = excluded.day, local_time = excluded.local_time,
      timezone = excluded.timezone, created_by = excluded.created_by, updated_at = excluded.updated_at`,
  removeDigestSchedule: 'DELETE FROM digest_schedules WHERE channel_id = ?',
  listDigestSchedules: `SELECT d.*, c.platform, c.workspace, c.channel, c.name FROM digest_schedules d
    JOIN channels c ON c.id = d.channel_id ORDER BY d.channel_id`,
} as const;

export type Statement = keyof typeof SQL;

/**
 * `?` → `$1`, `$2`, … in order, for PostgreSQL. Question marks inside quoted strings or identifiers are left alone
 * (none of our statements has one, but a future one may).
 */
export function numbered(sql: string): string {
  let out = '';
  let n = 0;
  let quote: string | null = null;
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if (ch === '?') {
      out += `$${++n}`;
      continue;
    }
    out += ch;
  }
  return out;
}

/** Every shared statement numbered for PostgreSQL, once. */
export function numberedAll(): Record<Statement, string> {
  return Object.fromEntries(Object.entries(SQL).map(([name, text]) => [name, numbered(text)])) as Record<Statement, string>;
}
