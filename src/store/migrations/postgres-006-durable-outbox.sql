-- The PostgreSQL twin of sqlite-006-durable-outbox.sql: pending (stored, not yet understood) articles survive a
-- restart; deliveries gain `deferred` (waiting, no attempt spent) and `rejected` (refused for good) beside `dead`.
ALTER TABLE articles ADD COLUMN understood_at timestamptz;
UPDATE articles SET understood_at = fetched_at;
CREATE INDEX articles_pending ON articles (id) WHERE understood_at IS NULL;

ALTER TABLE deliveries DROP CONSTRAINT deliveries_status_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_status_check
  CHECK (status IN ('pending', 'deferred', 'sending', 'sent', 'rejected', 'dead'));
