-- The PostgreSQL twin of sqlite-011-channel-pacing.sql: a channel's next post slot and its recent top-level posts,
-- on its row, so replicas take slots and the burst guard's room under the row's lock, in one UPDATE.
ALTER TABLE channels ADD COLUMN next_post_at timestamptz;
ALTER TABLE channels ADD COLUMN recent_posts timestamptz[] NOT NULL DEFAULT '{}';
