-- Most articles never join a story (only matched ones do): indexing just those keeps every insert one index lighter.
DROP INDEX articles_story;
CREATE INDEX articles_story ON articles (story_id) WHERE story_id IS NOT NULL;
