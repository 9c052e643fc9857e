import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, type Harness, harness, matchedArticle, NOW } from './harness.ts';

describe('story split', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('takes a wrongly folded article out of its story, for admins, and logs who did it', async () => {
    const feedId = (await h.store.addFeed({ url: 'https://news.example/rss', intervalS: 900 }, NOW)).id;
    const first = await matchedArticle(h.store, feedId, 'signing', 'dprk-russia-arms', 0.7, NOW);
    const folded = await matchedArticle(h.store, feedId, 'ratification', 'dprk-russia-arms', 0.7, NOW, first.storyId);

    expect((await h.run(`story split ${folded.articleId}`, ALICE, false)).ok).toBe(false);
    const answer = await h.say(`story split ${folded.articleId}`, ALICE, true);
    expect(answer).toMatch(new RegExp(`^Article ${folded.articleId} left story ${first.storyId}; it is now story \\d+\\. Later reports are compared with both\\.$`));
    expect((await h.store.getArticle(folded.articleId))!.storyId).not.toBe(first.storyId);
    expect(h.audits().map((a) => a.msg)).toContain(`story split: article ${folded.articleId}`);

    expect(await h.say(`story split ${first.articleId}`, ALICE, true)).toBe(`Article ${first.articleId} already starts story ${first.storyId}: nothing to split.`);
    expect((await h.run('story split 999', ALICE, true)).ok).toBe(false);
    expect(await h.say('story split abc', ALICE, true)).toMatch(/^give one article id, e\.g\. `story split 42`/);
  });
});
