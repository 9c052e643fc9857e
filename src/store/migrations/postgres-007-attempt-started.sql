-- The PostgreSQL twin of sqlite-007-attempt-started.sql: a `sending` row with an attempt start was cut off mid-post.
ALTER TABLE deliveries ADD COLUMN attempt_started_at timestamptz;
