/**
 * The story fixture set (test/fixtures/stories/articles.json) and the B-cubed measure used to
 * score a clustering of it. Shared by the clustering test and bench/stories.ts.
 */
import { readFileSync } from 'node:fs';
import { StoryIndex, type StoryAssignment, type StoryCandidate } from '../../src/stories/cluster.ts';

export interface FixtureArticle extends StoryCandidate {
  /** The gold story label. */
  story: string;
}

export function loadStoryFixture(): FixtureArticle[] {
  const raw = JSON.parse(
    readFileSync(new URL('../fixtures/stories/articles.json', import.meta.url), 'utf8'),
  ) as Array<Omit<FixtureArticle, 'articleId' | 'publishedAt'> & { id: number; publishedAt: string }>;
  return raw
    .map(({ id, publishedAt, ...rest }) => ({ ...rest, articleId: id, publishedAt: new Date(publishedAt) }))
    .sort((a, b) => a.publishedAt.getTime() - b.publishedAt.getTime() || a.articleId - b.articleId);
}

export interface ClusteredArticle {
  article: FixtureArticle;
  storyId: number;
  assignment: StoryAssignment;
}

/** Feeds the articles through a fresh index in publication order, as the pipeline would. */
export function clusterFixture(articles: FixtureArticle[], windowHours = 72): ClusteredArticle[] {
  const index = new StoryIndex({ windowHours });
  let nextStory = 1;
  return articles.map((article) => {
    index.prune(article.publishedAt);
    const placed = index.place(article, () => nextStory++);
    return { article, storyId: placed.storyId, assignment: placed };
  });
}

export interface BCubed {
  precision: number;
  recall: number;
  f1: number;
}

/**
 * B-cubed (Bagga & Baldwin 1998): for each item, the share of its predicted cluster that has its
 * gold label (precision) and the share of its gold cluster that it was clustered with (recall),
 * averaged over items.
 */
export function bcubed(items: Array<{ gold: string; predicted: number }>): BCubed {
  let precision = 0;
  let recall = 0;
  for (const item of items) {
    const sameCluster = items.filter((other) => other.predicted === item.predicted);
    const sameGold = items.filter((other) => other.gold === item.gold);
    const both = sameCluster.filter((other) => other.gold === item.gold).length;
    precision += both / sameCluster.length;
    recall += both / sameGold.length;
  }
  precision /= items.length;
  recall /= items.length;
  return { precision, recall, f1: (2 * precision * recall) / (precision + recall) };
}
