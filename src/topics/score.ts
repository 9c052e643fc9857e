/**
 * The score of one topic for one article: four interpretable features in 0..1 mapped through a
 * logistic function. Weights live on the topic (defaults in define.ts, fitted as described in
 * docs/topics.md), so every number in an alert can be traced back to these lines.
 */
import type { FieldWeights, ScoreWeights } from './define.ts';

export const FIELDS = ['title', 'lead', 'body'] as const;
export type Field = (typeof FIELDS)[number];

export interface ScoreFeatures {
  /** Mean over required groups of saturated, field-weighted evidence: w/(w+1), BM25-like. */
  evidence: number;
  /** Saturated evidence summed over `should` concepts, capped at 1 (0 when none is hit or the topic has none). */
  should: number;
  /**
   * Share of the required groups found together in one sentence, or of the groups plus one for
   * "any should concept" when that is higher: a should concept can only raise it.
   */
  cooccurrence: number;
  /** Share of the same units found in the title, counted the same way. */
  title: number;
}

/** Evidence saturates: the first mention counts most, repetition adds little (BM25's k1 ≈ 1). */
export function saturate(weight: number): number {
  return weight / (weight + 1);
}

export function fieldWeight(weights: FieldWeights, field: Field): number {
  return weights[field];
}

export function logistic(weights: ScoreWeights, f: ScoreFeatures): number {
  const z = weights.bias + weights.evidence * f.evidence + weights.should * f.should + weights.cooccurrence * f.cooccurrence + weights.title * f.title;
  return 1 / (1 + Math.exp(-z));
}

export const FEATURE_NAMES = ['evidence', 'should', 'cooccurrence', 'title'] as const;
