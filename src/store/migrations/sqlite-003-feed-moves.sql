-- The URLs a feed had before a permanent redirect moved it: the config file, an OPML import or
-- `feeds add` may still name them, and must find the moved feed instead of adding it again.
CREATE TABLE feed_moves (
  url TEXT PRIMARY KEY,
  feed_id INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
  moved_at INTEGER NOT NULL
);
CREATE INDEX feed_moves_feed ON feed_moves (feed_id);
