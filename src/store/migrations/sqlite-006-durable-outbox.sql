-- An article stored by a poll but not yet understood (scored, placed in a story, routed) is pending: a restart
-- resumes it instead of losing it. Rows stored before this migration were understood by the cycle that stored them.
ALTER TABLE articles ADD COLUMN understood_at INTEGER;
UPDATE articles SET understood_at = fetched_at;
CREATE INDEX articles_pending ON articles (id) WHERE understood_at IS NULL;

-- Delivery states of their own: `deferred` (waiting for its story alert or a connection; costs no attempt) and
-- `rejected` (the platform refused the channel for good), beside `dead` (gave up after its attempts).
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt with the same rows.
CREATE TABLE deliveries_new (
  id INTEGER PRIMARY KEY,
  channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  story_id INTEGER NOT NULL REFERENCES stories (id),
  topic TEXT NOT NULL,
  article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('alert', 'followup')),
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'deferred', 'sending', 'sent', 'rejected', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  lease_owner TEXT,
  lease_until INTEGER,
  message_ref TEXT,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  sent_at INTEGER,
  UNIQUE (channel_id, article_id)
);
INSERT INTO deliveries_new (id, channel_id, story_id, topic, article_id, kind, status, attempts, next_attempt_at, lease_owner, lease_until, message_ref, last_error, created_at, sent_at)
  SELECT id, channel_id, story_id, topic, article_id, kind, status, attempts, next_attempt_at, lease_owner, lease_until, message_ref, last_error, created_at, sent_at FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_new RENAME TO deliveries;
CREATE UNIQUE INDEX deliveries_one_alert ON deliveries (channel_id, story_id) WHERE kind = 'alert';
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_article ON deliveries (article_id);
