-- Why an article joined its story (url, title, near-duplicate, event, split) and the evidence in words
-- ("same event: Rajin · 6,700 · NIS"): follow-ups and `watchfloor preview` show it; `stories split` sets `split`.
ALTER TABLE articles ADD COLUMN story_reason TEXT;
ALTER TABLE articles ADD COLUMN story_detail TEXT;
