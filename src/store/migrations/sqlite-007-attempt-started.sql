-- When the attempt in progress began: a `sending` row that has one was being posted when its sender died (the post
-- may be out), one without was only claimed. Cleared when an attempt's outcome is recorded.
ALTER TABLE deliveries ADD COLUMN attempt_started_at INTEGER;
