-- The PostgreSQL twin of sqlite-001-init.sql: same tables and column names, native types.
-- Times are timestamptz, ids bigint identities, JSON jsonb, scores double precision (SQLite REAL is 8 bytes too).
CREATE TABLE feeds (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  url text NOT NULL UNIQUE,
  title text,
  etag text,
  last_modified text,
  interval_s integer NOT NULL,
  full_text boolean NOT NULL DEFAULT false,
  next_poll_at timestamptz NOT NULL,
  lease_owner text,
  lease_until timestamptz,
  failures integer NOT NULL DEFAULT 0,
  last_error text,
  last_success_at timestamptz,
  status text NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'failing', 'paused')),
  added_by text,
  created_at timestamptz NOT NULL
);
CREATE INDEX feeds_due ON feeds (next_poll_at);

CREATE TABLE stories (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  first_article_id bigint NOT NULL,
  title text NOT NULL,
  first_seen_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL
);
CREATE INDEX stories_last_seen ON stories (last_seen_at);
CREATE INDEX stories_first_seen ON stories (first_seen_at);

CREATE TABLE articles (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  feed_id bigint NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
  item_key text NOT NULL,
  guid text,
  canonical_url text,
  title text NOT NULL,
  lead text NOT NULL,
  body_text text NOT NULL,
  published_at timestamptz,
  fetched_at timestamptz NOT NULL,
  language text,
  concepts jsonb NOT NULL DEFAULT '[]',
  content_hash text NOT NULL,
  story_id bigint REFERENCES stories (id),
  UNIQUE (feed_id, item_key)
);
CREATE INDEX articles_content ON articles (feed_id, content_hash);
CREATE INDEX articles_fetched ON articles (fetched_at);
CREATE INDEX articles_story ON articles (story_id);

CREATE TABLE topics (
  slug text PRIMARY KEY,
  title text NOT NULL,
  definition jsonb NOT NULL,
  source text NOT NULL CHECK (source IN ('config', 'chat')),
  created_by text
);

CREATE TABLE matches (
  article_id bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  topic text NOT NULL,
  score double precision NOT NULL,
  why text NOT NULL,
  explanation jsonb NOT NULL,
  PRIMARY KEY (article_id, topic)
);
CREATE INDEX matches_topic ON matches (topic);

CREATE TABLE channels (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  platform text NOT NULL,
  workspace text NOT NULL,
  channel text NOT NULL,
  name text,
  timezone text,
  UNIQUE (platform, workspace, channel)
);

CREATE TABLE subscriptions (
  channel_id bigint NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  topic text NOT NULL,
  min_score double precision NOT NULL,
  source text NOT NULL CHECK (source IN ('config', 'chat')),
  created_by text,
  paused_reason text,
  PRIMARY KEY (channel_id, topic)
);
CREATE INDEX subscriptions_topic ON subscriptions (topic);

CREATE TABLE deliveries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  channel_id bigint NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  story_id bigint NOT NULL REFERENCES stories (id),
  topic text NOT NULL,
  article_id bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('alert', 'followup')),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  lease_owner text,
  lease_until timestamptz,
  message_ref text,
  last_error text,
  created_at timestamptz NOT NULL,
  sent_at timestamptz,
  UNIQUE (channel_id, article_id)
);
-- One alert per story per channel; later articles of the story are follow-ups.
CREATE UNIQUE INDEX deliveries_one_alert ON deliveries (channel_id, story_id) WHERE kind = 'alert';
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_article ON deliveries (article_id);

CREATE TABLE digest_runs (
  schedule_key text NOT NULL,
  period_key text NOT NULL,
  claimed_at timestamptz NOT NULL,
  PRIMARY KEY (schedule_key, period_key)
);
