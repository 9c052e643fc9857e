-- Scheduled digests become outbox rows (kind `digest`), sent by the outbox with the alerts' retries, deferrals and
-- outcomes. A digest row has no story, article or (for a digest of every topic or of a channel's subscriptions)
-- topic; it has its schedule key and period (one row per schedule and period: the unique index below replaces
-- digest_runs), the window it covers (read when it is sent, so a retried digest still covers its period), and
-- what it covers: `topics` (a config digest: its topic, or every topic) or `subscriptions` (a channel's digest).
-- SQLite cannot drop NOT NULL or change a CHECK constraint in place: the table is rebuilt with the same rows.
CREATE TABLE deliveries_new (
  id INTEGER PRIMARY KEY,
  channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  story_id INTEGER REFERENCES stories (id),
  topic TEXT,
  article_id INTEGER REFERENCES articles (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('alert', 'followup', 'digest')),
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'deferred', 'sending', 'sent', 'rejected', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  lease_owner TEXT,
  lease_until INTEGER,
  message_ref TEXT,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  sent_at INTEGER,
  attempt_started_at INTEGER,
  schedule_key TEXT,
  period_key TEXT,
  period_since INTEGER,
  period_until INTEGER,
  digest_of TEXT CHECK (digest_of IN ('topics', 'subscriptions')),
  UNIQUE (channel_id, article_id),
  CHECK (kind = 'digest' OR (story_id IS NOT NULL AND topic IS NOT NULL AND article_id IS NOT NULL)),
  CHECK (kind <> 'digest' OR (schedule_key IS NOT NULL AND period_key IS NOT NULL AND period_since IS NOT NULL
    AND period_until IS NOT NULL AND digest_of IS NOT NULL))
);
INSERT INTO deliveries_new (id, channel_id, story_id, topic, article_id, kind, status, attempts, next_attempt_at, lease_owner, lease_until,
    message_ref, last_error, created_at, sent_at, attempt_started_at)
  SELECT id, channel_id, story_id, topic, article_id, kind, status, attempts, next_attempt_at, lease_owner, lease_until,
    message_ref, last_error, created_at, sent_at, attempt_started_at FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_new RENAME TO deliveries;
CREATE UNIQUE INDEX deliveries_one_alert ON deliveries (channel_id, story_id) WHERE kind = 'alert';
CREATE UNIQUE INDEX deliveries_one_digest ON deliveries (schedule_key, period_key) WHERE kind = 'digest';
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_article ON deliveries (article_id);

-- A channel's digest claimed before this version keeps its period taken: the claim becomes a digest row. The old
-- scheduler claimed and then posted, so whether it went out is not known; the row says so. Claims of config
-- digests are not carried over: their keys named the digest's place in the file, which no key names now, and
-- cron never fires a past time again.
INSERT INTO deliveries (channel_id, kind, status, attempts, next_attempt_at, created_at, sent_at, last_error,
    schedule_key, period_key, period_since, period_until, digest_of)
  SELECT c.id, 'digest', 'sent', 1, r.claimed_at, r.claimed_at, r.claimed_at,
    'claimed before digests went through the outbox: whether it was posted was not recorded',
    r.schedule_key, r.period_key,
    r.claimed_at - CASE WHEN r.period_key LIKE 'weekly:%' THEN 7 * 86400000 ELSE 86400000 END, r.claimed_at, 'subscriptions'
  FROM digest_runs r JOIN channels c ON r.schedule_key = 'channel:' || c.id;
DROP TABLE digest_runs;
