-- A feed whose one poll brings more matching items than `delivery.feed_burst` posts the rest to each channel as one
-- message: an outbox row of kind `digest` (schedule `feed:<feed>:<channel>`, period the poll's fetch time) that names
-- the feed here; its items are the poll's matching articles the channel got no row of its own for, read when it is sent.
ALTER TABLE deliveries ADD COLUMN feed_id INTEGER REFERENCES feeds (id) ON DELETE CASCADE;
-- Removing a feed removes its burst rows: found by this index, not by scanning the outbox.
CREATE INDEX deliveries_feed ON deliveries (feed_id) WHERE feed_id IS NOT NULL;
