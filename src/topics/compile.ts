/**
 * Compiles every topic into one index, after the design of Lucene Monitor's presearcher: one
 * Aho–Corasick automaton over all aliases of all concepts finds the concepts an article mentions in
 * a single pass, and postings from concept to topics pick the few topics worth evaluating. A topic
 * is posted under the concepts that can make its rule true: for AND the branch with the fewest
 * aliases (likely the rarest), for OR every branch. Excluded concepts never trigger a topic.
 *
 * Concepts are scoped to their topic: `russia` in one topic and `russia` in another are two
 * compiled concepts unless their aliases are the same, so a topic scores the same whether it is
 * compiled alone or with others. Identical definitions share one compiled concept (nothing can tell
 * them apart), and different concepts still share the automaton's literal keys: one pass per field.
 */
import AhoCorasick from 'modern-ahocorasick';
import { AppError } from '../errors.ts';
import { normalize } from '../text/normalize.ts';
import { takesKoreanParticles } from '../text/tokens.ts';
import type { FieldWeights, QueryNode, ScoreWeights, TopicDefinition } from './define.ts';

export interface AliasWord {
  text: string;
  /** A trailing `*`: any continuation of the word matches. */
  prefix: boolean;
}

export interface CompiledAlias {
  concept: number;
  /** As written in the topic. */
  text: string;
  words: AliasWord[];
  /** The last word may carry Korean particles (북한의, 북한에서는). */
  korean: boolean;
  /** Han or kana script: no spaces between words, so no word boundaries are checked. */
  unspaced: boolean;
}

export type CompiledNode =
  | { kind: 'concept'; concept: number }
  | { kind: 'and' | 'or'; children: CompiledNode[] }
  | { kind: 'atLeast'; min: number; children: CompiledNode[] }
  | { kind: 'not'; child: CompiledNode }
  | { kind: 'near'; words: number | 'sentence'; groups: number[][] };

export interface CompiledTopic {
  slug: string;
  title: string;
  threshold: number;
  rule: CompiledNode;
  must: number[][];
  should: number[];
  mustNot: number[];
  /** Concept id → how explanations name it, as this topic defines it. */
  labels: Map<string, string>;
  fieldWeights: FieldWeights;
  weights: ScoreWeights;
  definition: TopicDefinition;
}

export interface TopicIndex {
  /**
   * Concept ids by compiled concept, as the topics name them: one id may appear more than once
   * when topics define it differently (labels live on each CompiledTopic).
   */
  concepts: string[];
  aliases: CompiledAlias[];
  /** Automaton pattern index → the aliases that share that literal key. */
  keyAliases: number[][];
  automaton: AhoCorasick<number> | undefined;
  /** The longest automaton key, in UTF-16 code units. */
  longestKey: number;
  /** Concept index → topics it can trigger. */
  postings: number[][];
  topics: CompiledTopic[];
  bySlug: Map<string, number>;
  /**
   * Per-character normalization results, filled as articles arrive; bounded by the number of
   * distinct characters, and owned by this index so nothing lives at module level.
   */
  foldCache: Map<string, string>;
}

const UNSPACED = /[\u3040-\u30ff\u4e00-\u9fff]$/;

/** Splits an alias into normalized words, keeping `*` wildcards. */
export function aliasWords(alias: string): AliasWord[] {
  const words: AliasWord[] = [];
  for (const piece of alias.trim().split(/\s+/)) {
    // Trailing `*`s counted off by hand: `/\*+$/` rescans a run of them from each position in it.
    let end = piece.length;
    while (end > 0 && piece.charCodeAt(end - 1) === 42) end--;
    const prefix = end < piece.length;
    const parts = normalize(piece.slice(0, end)).split(' ').filter(Boolean);
    parts.forEach((text, i) => words.push({ text, prefix: prefix && i === parts.length - 1 }));
  }
  return words;
}

export function compileTopics(defs: TopicDefinition[]): TopicIndex {
  // A compiled concept per distinct definition: its id and its set of aliases.
  const conceptIndex = new Map<string, number>();
  const concepts: string[] = [];
  const aliases: CompiledAlias[] = [];
  const aliasCount: number[] = [];
  const keys = new Map<string, number>();
  const keyAliases: number[][] = [];

  const slugs = new Set<string>();
  const topics: CompiledTopic[] = [];
  for (const def of defs) {
    if (slugs.has(def.slug)) throw new AppError('config', `topic "${def.slug}" is defined twice`);
    slugs.add(def.slug);
    const local = new Map<string, number>();
    const labels = new Map<string, string>();
    for (const concept of def.concepts) {
      const forms = new Map<string, { text: string; words: AliasWord[] }>();
      for (const alias of concept.aliases) {
        const words = aliasWords(alias.text);
        if (words.length === 0) throw new AppError('config', `${def.slug}: concepts.${concept.id}: alias "${alias.text}" has no letters or digits`);
        const form = words.map((w) => w.text + (w.prefix ? '*' : '')).join(' ');
        if (!forms.has(form)) forms.set(form, { text: alias.text, words });
      }
      // The alias as written is part of it: explanations quote it, so shared means identical.
      const signature = `${concept.id}\u0000${[...forms].map(([form, { text }]) => `${form}\u0001${text}`).sort().join('\u0000')}`;
      labels.set(concept.id, concept.label);
      let c = conceptIndex.get(signature);
      if (c !== undefined) {
        local.set(concept.id, c);
        continue;
      }
      c = concepts.length;
      conceptIndex.set(signature, c);
      local.set(concept.id, c);
      concepts.push(concept.id);
      aliasCount.push(0);
      for (const { text, words } of forms.values()) {
        const wildcard = words.findIndex((w) => w.prefix);
        // The literal key ends at the first wildcard; the matcher checks the rest of the phrase.
        const key = (wildcard >= 0 ? words.slice(0, wildcard + 1) : words).map((w) => w.text).join(' ');
        // A short literal before `*` (`a*`) would hit most words of every article.
        if (wildcard >= 0 && key.length < (/^[a-z0-9]/.test(key) ? 3 : 2)) {
          throw new AppError('config', `${def.slug}: concepts.${concept.id}: alias "${text}": put at least 3 letters before *`);
        }
        const last = words[words.length - 1]!;
        let k = keys.get(key);
        if (k === undefined) {
          k = keyAliases.length;
          keys.set(key, k);
          keyAliases.push([]);
        }
        keyAliases[k]!.push(aliases.length);
        aliases.push({
          concept: c,
          text,
          words,
          korean: !last.prefix && takesKoreanParticles(last.text),
          unspaced: UNSPACED.test(last.text),
        });
        aliasCount[c]!++;
      }
    }

    const conceptOf = (id: string): number => {
      const c = local.get(id);
      if (c === undefined) throw new AppError('config', `${def.slug}: concept "${id}" is used but has no aliases`);
      return c;
    };
    topics.push({
      slug: def.slug,
      title: def.title,
      threshold: def.threshold,
      rule: compileNode(def.rule, conceptOf),
      must: def.must.map((group) => group.map(conceptOf)),
      should: def.should.map(conceptOf),
      mustNot: def.mustNot.map(conceptOf),
      labels,
      fieldWeights: def.fieldWeights,
      weights: def.weights,
      definition: def,
    });
  }

  const postings: number[][] = concepts.map(() => []);
  topics.forEach((topic, t) => {
    const triggers = triggerConcepts(topic.rule, aliasCount);
    if (triggers.length === 0) throw new AppError('config', `${topic.slug}: the rule needs at least one concept that is not excluded`);
    for (const c of triggers) postings[c]!.push(t);
  });

  const patterns = [...keys.keys()].map((pattern, data) => ({ pattern, data }));
  return {
    concepts,
    aliases,
    keyAliases,
    automaton: patterns.length > 0 ? new AhoCorasick(patterns) : undefined,
    longestKey: patterns.reduce((longest, p) => Math.max(longest, p.pattern.length), 0),
    postings,
    topics,
    bySlug: new Map(topics.map((topic, t) => [topic.slug, t])),
    foldCache: new Map(),
  };
}

function compileNode(node: QueryNode, conceptOf: (id: string) => number): CompiledNode {
  switch (node.kind) {
    case 'concept':
      return { kind: 'concept', concept: conceptOf(node.concept) };
    case 'not':
      return { kind: 'not', child: compileNode(node.child, conceptOf) };
    case 'near':
      return { kind: 'near', words: node.words, groups: node.children.map((child) => positiveConcepts(child).map(conceptOf)) };
    case 'atLeast':
      return { kind: 'atLeast', min: node.min, children: node.children.map((c) => compileNode(c, conceptOf)) };
    default:
      return { kind: node.kind, children: node.children.map((c) => compileNode(c, conceptOf)) };
  }
}

function positiveConcepts(node: QueryNode): string[] {
  switch (node.kind) {
    case 'concept':
      return [node.concept];
    case 'not':
      return [];
    default:
      return node.children.flatMap(positiveConcepts);
  }
}

/**
 * Concepts of which at least one must be hit for `node` to be true; empty when no positive
 * concept is required (a bare NOT).
 */
function triggerConcepts(node: CompiledNode, aliasCount: number[]): number[] {
  switch (node.kind) {
    case 'concept':
      return [node.concept];
    case 'not':
      return [];
    case 'near':
      return cheapest(node.groups, aliasCount);
    case 'and': {
      const options = node.children.map((child) => triggerConcepts(child, aliasCount)).filter((t) => t.length > 0);
      return cheapest(options, aliasCount);
    }
    case 'atLeast':
      if (node.min === 0) return [];
      return unionAll(node.children.map((child) => triggerConcepts(child, aliasCount)));
    case 'or': {
      const options = node.children.map((child) => triggerConcepts(child, aliasCount));
      // A branch that needs nothing positive (e.g. `-x OR y`) could be true for any article.
      return options.some((t) => t.length === 0) ? [] : unionAll(options);
    }
  }
}

function cheapest(options: number[][], aliasCount: number[]): number[] {
  let best: number[] = [];
  let bestCost = Infinity;
  for (const option of options) {
    if (option.length === 0) continue;
    const cost = option.reduce((sum, c) => sum + aliasCount[c]!, 0);
    if (cost < bestCost) {
      best = option;
      bestCost = cost;
    }
  }
  return best;
}

function unionAll(lists: number[][]): number[] {
  return [...new Set(lists.flat())];
}
