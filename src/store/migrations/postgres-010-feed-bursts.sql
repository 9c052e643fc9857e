-- The PostgreSQL twin of sqlite-010-feed-bursts.sql: a feed's burst row (kind `digest`) names the feed whose poll flooded.
ALTER TABLE deliveries ADD COLUMN feed_id bigint REFERENCES feeds (id) ON DELETE CASCADE;
-- Removing a feed removes its burst rows: found by this index, not by scanning the outbox.
CREATE INDEX deliveries_feed ON deliveries (feed_id) WHERE feed_id IS NOT NULL;
