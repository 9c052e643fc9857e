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
  // Counted per (cluster, gold) cell so that large clusterings stay linear.
  const cell = new Map<string, number>();
  const cluster = new Map<number, number>();
  const gold = new Map<string, number>();
  const key = (item: { gold: string; predicted: number }) => `${item.predicted}\u0000${item.gold}`;
  for (const item of items) {
    cell.set(key(item), (cell.get(key(item)) ?? 0) + 1);
    cluster.set(item.predicted, (cluster.get(item.predicted) ?? 0) + 1);
    gold.set(item.gold, (gold.get(item.gold) ?? 0) + 1);
  }
  let precision = 0;
  let recall = 0;
  for (const item of items) {
    const both = cell.get(key(item))!;
    precision += both / cluster.get(item.predicted)!;
    recall += both / gold.get(item.gold)!;
  }
  precision /= items.length;
  recall /= items.length;
  return { precision, recall, f1: (2 * precision * recall) / (precision + recall) };
}
