-- The PostgreSQL twin of sqlite-009-digest-outbox.sql: scheduled digests become outbox rows (kind `digest`) with
-- their schedule key and period (unique: this replaces digest_runs), the window they cover, and what they cover
-- (`topics`: a config digest's topic or every topic; `subscriptions`: a channel's digest). A digest row has no
-- story or article, and a topic only when it covers one.
ALTER TABLE deliveries ALTER COLUMN story_id DROP NOT NULL;
ALTER TABLE deliveries ALTER COLUMN topic DROP NOT NULL;
ALTER TABLE deliveries ALTER COLUMN article_id DROP NOT NULL;
ALTER TABLE deliveries DROP CONSTRAINT deliveries_kind_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_kind_check CHECK (kind IN ('alert', 'followup', 'digest'));
ALTER TABLE deliveries ADD COLUMN schedule_key text;
ALTER TABLE deliveries ADD COLUMN period_key text;
ALTER TABLE deliveries ADD COLUMN period_since timestamptz;
ALTER TABLE deliveries ADD COLUMN period_until timestamptz;
ALTER TABLE deliveries ADD COLUMN digest_of text CHECK (digest_of IN ('topics', 'subscriptions'));
ALTER TABLE deliveries ADD CONSTRAINT deliveries_alert_fields
  CHECK (kind = 'digest' OR (story_id IS NOT NULL AND topic IS NOT NULL AND article_id IS NOT NULL));
ALTER TABLE deliveries ADD CONSTRAINT deliveries_digest_fields
  CHECK (kind <> 'digest' OR (schedule_key IS NOT NULL AND period_key IS NOT NULL AND period_since IS NOT NULL
    AND period_until IS NOT NULL AND digest_of IS NOT NULL));
CREATE UNIQUE INDEX deliveries_one_digest ON deliveries (schedule_key, period_key) WHERE kind = 'digest';

-- A channel's digest claimed before this version keeps its period taken (see the SQLite twin).
INSERT INTO deliveries (channel_id, kind, status, attempts, next_attempt_at, created_at, sent_at, last_error,
    schedule_key, period_key, period_since, period_until, digest_of)
  SELECT c.id, 'digest', 'sent', 1, r.claimed_at, r.claimed_at, r.claimed_at,
    'claimed before digests went through the outbox: whether it was posted was not recorded',
    r.schedule_key, r.period_key,
    r.claimed_at - CASE WHEN r.period_key LIKE 'weekly:%' THEN interval '7 days' ELSE interval '1 day' END, r.claimed_at, 'subscriptions'
  FROM digest_runs r JOIN channels c ON r.schedule_key = 'channel:' || c.id;
DROP TABLE digest_runs;
