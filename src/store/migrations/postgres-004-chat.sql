-- The PostgreSQL twin of sqlite-004-chat.sql: a channel's scheduled digest (one per channel), and when a chat topic was made.
CREATE TABLE digest_schedules (
  channel_id bigint PRIMARY KEY REFERENCES channels (id) ON DELETE CASCADE,
  every text NOT NULL CHECK (every IN ('daily', 'weekly')),
  day integer CHECK (day BETWEEN 0 AND 6),
  local_time text NOT NULL,
  timezone text NOT NULL,
  created_by text,
  updated_at timestamptz NOT NULL,
  CHECK ((every = 'weekly') = (day IS NOT NULL))
);
ALTER TABLE topics ADD COLUMN created_at timestamptz;
