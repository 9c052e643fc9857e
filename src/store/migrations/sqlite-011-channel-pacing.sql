-- Pacing and the burst guard, shared by every process posting to a channel (they lived in each process's memory).
-- `next_post_at`: when the channel may take its next post (ms; NULL: now), moved on by whoever takes the slot and by a
-- platform's Retry-After. `recent_posts`: when its latest top-level messages went out (JSON array of ms, only those of
-- the last minute kept), which the burst guard counts. Both on the channel's row, so one conditional UPDATE checks
-- and takes a slot and the minute's room at once.
ALTER TABLE channels ADD COLUMN next_post_at INTEGER;
ALTER TABLE channels ADD COLUMN recent_posts TEXT NOT NULL DEFAULT '[]';
