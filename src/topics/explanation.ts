/**
 * What a match says about itself: the concept hits, the rule's unmet parts and the score's features. match.ts
 * builds it and explain.ts renders it; the types live here so that neither of those imports the other's types.
 */
import type { Field, ScoreFeatures } from './score.ts';

export interface ConceptHit {
  concept: string;
  alias: string;
  /** The words of the article that matched, as written. */
  surface: string;
  field: Field;
  /** Index of the sentence within its field. */
  sentence: number;
}

export interface Explanation {
  hits: ConceptHit[];
  cooccurrence?: { field: Field; sentence: string; concepts: string[] };
  /** `must_not` concepts checked (and absent, for a match). */
  excluded: string[];
  /** `must_not` concepts that were present and vetoed the topic. */
  vetoedBy?: string[];
  /** Required groups with no hit, by concept ids. */
  missing?: string[][];
  /** Each part of the rule that failed, in rule order (only when the rule does not hold). */
  unmet?: UnmetRule[];
  features: ScoreFeatures;
  score: number;
  threshold: number;
}

/** One failed part of a topic's rule, named by concept ids; explain.ts renders it. */
export type UnmetRule =
  /** None of these concepts was found (a required group, or an OR). */
  | { kind: 'missing'; concepts: string[] }
  /** Fewer than `min` of these were found (`min_should`). */
  | { kind: 'too-few'; min: number; found: string[]; concepts: string[] }
  /** Every group was found, but not together: per group, the concepts that were found. */
  | { kind: 'apart'; words: number | 'sentence'; groups: string[][] }
  /** An excluded concept was found. */
  | { kind: 'excluded'; concepts: string[] };
