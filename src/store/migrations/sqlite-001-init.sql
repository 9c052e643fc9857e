-- Times are integer milliseconds since the epoch (UTC).
CREATE TABLE feeds (
  id INTEGER PRIMARY KEY,
  url TEXT NOT NULL UNIQUE,
  title TEXT,
  etag TEXT,
  last_modified TEXT,
  interval_s INTEGER NOT NULL,
  full_text INTEGER NOT NULL DEFAULT 0,
  next_poll_at INTEGER NOT NULL,
  lease_owner TEXT,
  lease_until INTEGER,
  failures INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  last_success_at INTEGER,
  status TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'failing', 'paused')),
  added_by TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX feeds_due ON feeds (next_poll_at);

CREATE TABLE stories (
  id INTEGER PRIMARY KEY,
  first_article_id INTEGER NOT NULL,
  title TEXT NOT NULL,
  first_seen_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL
);
CREATE INDEX stories_last_seen ON stories (last_seen_at);

CREATE TABLE articles (
  id INTEGER PRIMARY KEY,
  feed_id INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
  item_key TEXT NOT NULL,
  guid TEXT,
  canonical_url TEXT,
  title TEXT NOT NULL,
  lead TEXT NOT NULL,
  body_text TEXT NOT NULL,
  published_at INTEGER,
  fetched_at INTEGER NOT NULL,
  language TEXT,
  concepts TEXT NOT NULL DEFAULT '[]',
  content_hash TEXT NOT NULL,
  story_id INTEGER REFERENCES stories (id),
  UNIQUE (feed_id, item_key)
);
CREATE INDEX articles_content ON articles (feed_id, content_hash);
CREATE INDEX articles_fetched ON articles (fetched_at);
CREATE INDEX articles_story ON articles (story_id);

CREATE TABLE topics (
  slug TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  definition TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('config', 'chat')),
  created_by TEXT
);

CREATE TABLE matches (
  article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  topic TEXT NOT NULL,
  score REAL NOT NULL,
  why TEXT NOT NULL,
  explanation TEXT NOT NULL,
  PRIMARY KEY (article_id, topic)
);
CREATE INDEX matches_topic ON matches (topic);

CREATE TABLE channels (
  id INTEGER PRIMARY KEY,
  platform TEXT NOT NULL,
  workspace TEXT NOT NULL,
  channel TEXT NOT NULL,
  name TEXT,
  timezone TEXT,
  UNIQUE (platform, workspace, channel)
);

CREATE TABLE subscriptions (
  channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  topic TEXT NOT NULL,
  min_score REAL NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('config', 'chat')),
  created_by TEXT,
  paused_reason TEXT,
  PRIMARY KEY (channel_id, topic)
);

CREATE TABLE deliveries (
  id INTEGER PRIMARY KEY,
  channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  story_id INTEGER NOT NULL REFERENCES stories (id),
  topic TEXT NOT NULL,
  article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('alert', 'followup')),
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'dead')),
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
-- One alert per story per channel; later articles of the story are follow-ups.
CREATE UNIQUE INDEX deliveries_one_alert ON deliveries (channel_id, story_id) WHERE kind = 'alert';
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);

CREATE TABLE digest_runs (
  schedule_key TEXT NOT NULL,
  period_key TEXT NOT NULL,
  claimed_at INTEGER NOT NULL,
  PRIMARY KEY (schedule_key, period_key)
);
