/**
 * Fits the logistic score weights on labeled articles: plain L2-regularised logistic regression by
 * gradient descent on the four features of score.ts plus one more, whether the topic's rule holds.
 * A score is only ever computed when the rule holds, so that fifth weight folds into the bias.
 * Few features and a ridge penalty, because a development set has tens of lines, not thousands;
 * see docs/topics.md for the fitted values. Feature weights are kept ≥ 0 (projected after each
 * step): more evidence, a `should` hit, co-occurrence or a title mention never lowers a score.
 */
import type { ScoreWeights } from '../../src/topics/define.ts';
import { FEATURE_NAMES, type ScoreFeatures } from '../../src/topics/score.ts';

export interface LabeledFeatures {
  features: ScoreFeatures;
  ruleHolds: boolean;
  label: 0 | 1;
}

export function fitScoreWeights(rows: LabeledFeatures[], options: { l2?: number; iterations?: number; rate?: number } = {}): ScoreWeights {
  const l2 = options.l2 ?? 0.05;
  const iterations = options.iterations ?? 20_000;
  const rate = options.rate ?? 0.5;
  const x = rows.map((row) => [...FEATURE_NAMES.map((name) => row.features[name]), row.ruleHolds ? 1 : 0]);
  const y = rows.map((row) => row.label);
  const w = new Array<number>(FEATURE_NAMES.length + 1).fill(0);
  let bias = 0;
  for (let step = 0; step < iterations; step++) {
    const grad = new Array<number>(w.length).fill(0);
    let gradBias = 0;
    for (let i = 0; i < x.length; i++) {
      const z = bias + w.reduce((sum, wj, j) => sum + wj * x[i]![j]!, 0);
      const error = 1 / (1 + Math.exp(-z)) - y[i]!;
      gradBias += error;
      for (let j = 0; j < w.length; j++) grad[j]! += error * x[i]![j]!;
    }
    bias -= (rate * gradBias) / x.length;
    for (let j = 0; j < w.length; j++) {
      w[j]! -= rate * (grad[j]! / x.length + l2 * w[j]!);
      if (j < FEATURE_NAMES.length && w[j]! < 0) w[j] = 0;
    }
  }
  const round = (v: number) => Math.round(v * 100) / 100;
  return { bias: round(bias + w[4]!), evidence: round(w[0]!), should: round(w[1]!), cooccurrence: round(w[2]!), title: round(w[3]!) };
}

export interface Confusion {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  precision: number;
  recall: number;
  f1: number;
}

export function confusion(results: Array<{ predicted: boolean; label: 0 | 1 }>): Confusion {
  const count = (predicted: boolean, label: 0 | 1) => results.filter((r) => r.predicted === predicted && r.label === label).length;
  const tp = count(true, 1);
  const fp = count(true, 0);
  const fn = count(false, 1);
  const tn = count(false, 0);
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { tp, fp, fn, tn, precision, recall, f1 };
}
