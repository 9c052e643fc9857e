/**
 * The story fixture sets and the measures used to score a clustering of them. Shared by the
 * clustering tests and bench/stories.ts.
 * - articles.json: ten stories of early March 2025 that share few words (the set the clustering was
 *   first tuned on).
 * - dense-day.json: 22 events of one subject (DPRK–Russia, October 2023 to October 2024, twelve of
 *   them within the 48 hours of the June 2024 Putin–Kim summit), 2–4 outlets each in English, Korean
 *   and Russian, labeled by event by hand; concepts as the shipped topics (config/topics) find them.
 *   The near-misses are the point: signing vs treaty text vs bill submitted vs ratification, 6,700 vs
 *   13,000 containers, NIS's 12,000 vs HUR's 11,000 troops, a claim vs each side's denial, one ship at
 *   two ports, satellite vs submarine technology.
 */
import { readFileSync } from 'node:fs';
import { StoryIndex, type StoryAssignment, type StoryCandidate } from '../../src/stories/cluster.ts';

export interface FixtureArticle extends StoryCandidate {
  /** The gold story label. */
  story: string;
}

export type FixtureName = 'articles' | 'dense-day';

export function loadStoryFixture(name: FixtureName = 'articles'): FixtureArticle[] {
  const raw = JSON.parse(
    readFileSync(new URL(`../fixtures/stories/${name}.json`, import.meta.url), 'utf8'),
  ) as Array<Omit<FixtureArticle, 'articleId' | 'publishedAt'> & { id: number; publishedAt: string }>;
  return raw
    .map(({ id, publishedAt, ...rest }) => ({ ...rest, articleId: id, publishedAt: new Date(publishedAt) }))
    .sort((a, b) => a.publishedAt.getTime() - b.publishedAt.getTime() || a.articleId - b.articleId);
}

/**
 * The same articles, in the same order, arriving evenly spread over `hours` from the first one: a
 * summit day or a leaked report picked up everywhere at once, where time no longer tells events apart.
 */
export function compressed(articles: FixtureArticle[], hours: number): FixtureArticle[] {
  if (articles.length === 0) return [];
  const start = articles[0]!.publishedAt.getTime();
  const step = articles.length > 1 ? (hours * 3_600_000) / (articles.length - 1) : 0;
  return articles.map((article, i) => ({ ...article, publishedAt: new Date(start + Math.round(i * step)) }));
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

export interface Pairwise {
  precision: number;
  recall: number;
  /** Pairs of articles of one event clustered together, of all pairs clustered together, of all pairs of one event. */
  together: number;
  clustered: number;
  gold: number;
}

/**
 * Pairwise precision and recall: of the article pairs put in one story, the share that report one
 * event; of the pairs that report one event, the share put in one story. A wrong fold of a large
 * story costs many pairs, which is how a channel feels it (every report of it goes silent).
 */
export function pairwise(items: Array<{ gold: string; predicted: number }>): Pairwise {
  const pairs = (counts: Map<string | number, number>): number => {
    let sum = 0;
    for (const n of counts.values()) sum += (n * (n - 1)) / 2;
    return sum;
  };
  const cell = new Map<string, number>();
  const cluster = new Map<number, number>();
  const gold = new Map<string, number>();
  for (const item of items) {
    const key = `${item.predicted}\u0000${item.gold}`;
    cell.set(key, (cell.get(key) ?? 0) + 1);
    cluster.set(item.predicted, (cluster.get(item.predicted) ?? 0) + 1);
    gold.set(item.gold, (gold.get(item.gold) ?? 0) + 1);
  }
  const together = pairs(cell);
  const clustered = pairs(cluster);
  const goldPairs = pairs(gold);
  return {
    precision: clustered === 0 ? 1 : together / clustered,
    recall: goldPairs === 0 ? 1 : together / goldPairs,
    together,
    clustered,
    gold: goldPairs,
  };
}

/** The pairs of different events folded together and the pairs of one event left apart, for a failing test's message. */
export function mistakes(clustered: ClusteredArticle[]): { merged: string[]; split: string[] } {
  const merged: string[] = [];
  const split: string[] = [];
  for (let i = 0; i < clustered.length; i++) {
    for (let j = i + 1; j < clustered.length; j++) {
      const a = clustered[i]!;
      const b = clustered[j]!;
      const same = a.article.story === b.article.story;
      const together = a.storyId === b.storyId;
      const line = `${a.article.articleId} ${a.article.story} / ${b.article.articleId} ${b.article.story}`;
      if (together && !same) merged.push(line);
      if (same && !together) split.push(line);
    }
  }
  return { merged, split };
}
