-- What chat commands need: a channel's scheduled digest (one per channel), and when a chat topic was made.
CREATE TABLE digest_schedules (
  channel_id INTEGER PRIMARY KEY REFERENCES channels (id) ON DELETE CASCADE,
  every TEXT NOT NULL CHECK (every IN ('daily', 'weekly')),
  day INTEGER CHECK (day BETWEEN 0 AND 6),
  local_time TEXT NOT NULL,
  timezone TEXT NOT NULL,
  created_by TEXT,
  updated_at INTEGER NOT NULL,
  CHECK ((every = 'weekly') = (day IS NOT NULL))
);
ALTER TABLE topics ADD COLUMN created_at INTEGER;
-- subscribersOf reads by topic for every match; postgres-001 has had this index from the start.
CREATE INDEX subscriptions_topic ON subscriptions (topic);
