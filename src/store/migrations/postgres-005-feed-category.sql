-- The folder of the OPML list a feed was imported from: `feeds export` nests it there again.
ALTER TABLE feeds ADD COLUMN category TEXT;
