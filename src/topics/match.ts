/**
 * Matches one article against a compiled index: one automaton pass per field, then only the
 * topics posted under the concepts found are evaluated, scored and explained.
 */
import { normalizeForMatch, type NormalizedText } from '../text/normalize.ts';
import { splitSentences, type Sentence } from '../text/sentences.ts';
import { isKoreanParticleRun } from '../text/tokens.ts';
import { detectLanguage } from '../text/language.ts';
import type { CompiledAlias, CompiledNode, CompiledTopic, TopicIndex } from './compile.ts';
import { FIELDS, logistic, saturate, type ScoreFeatures } from './score.ts';
import { renderWhy } from './explain.ts';
import type { ConceptHit, Explanation, UnmetRule } from './explanation.ts';

// The explanation's types live in explanation.ts, which both this module and explain.ts import: no cycle.
export type { ConceptHit, Explanation, UnmetRule } from './explanation.ts';

export interface ArticleText {
  title: string;
  lead: string;
  body: string;
  language?: string;
}

export interface TopicMatch {
  topic: string;
  title: string;
  score: number;
  threshold: number;
  matched: boolean;
  why: string;
  explanation: Explanation;
  /** Concept ids of this topic that the article hit. */
  concepts: string[];
}

export interface ArticleMatches {
  language: string;
  concepts: string[];
  matches: TopicMatch[];
}

interface Hit {
  concept: number;
  alias: number;
  field: number;
  /** Normalized offsets. */
  start: number;
  end: number;
}

/** Everything learned about one article, shared by every topic evaluated against it. */
export interface ArticleScan {
  index: TopicIndex;
  fields: string[];
  normalized: NormalizedText[];
  hits: Hit[];
  byConcept: Map<number, Hit[]>;
  sentences: (Sentence[] | undefined)[];
  wordStarts: (Int32Array | undefined)[];
}

/** `searchWindow`: see searchText; Infinity searches each field in one pass (what tests compare against). */
export function scanArticle(index: TopicIndex, article: ArticleText, searchWindow = SEARCH_WINDOW): ArticleScan {
  const fields = [article.title ?? '', article.lead ?? '', article.body ?? ''];
  const normalized = fields.map((text) => normalizeForMatch(text, index.foldCache));
  const hits: Hit[] = [];
  const byConcept = new Map<number, Hit[]>();
  const seen = new Set<number>();
  if (index.automaton) {
    normalized.forEach((norm, field) => {
      const text = norm.text;
      if (text === '') return;
      for (const m of searchText(index, text, searchWindow)) {
        for (const a of index.keyAliases[m.data!]!) {
          const alias = index.aliases[a]!;
          const end = verify(text, m.start, alias);
          if (end < 0) continue;
          // One mention counts once per concept even when several aliases cover it.
          // Exact for any field length (a start past a fixed stride would collide with another concept's).
          const key = (m.start * 3 + field) * index.concepts.length + alias.concept;
          if (seen.has(key)) continue;
          seen.add(key);
          const hit = { concept: alias.concept, alias: a, field, start: m.start, end };
          hits.push(hit);
          const list = byConcept.get(alias.concept);
          if (list) list.push(hit);
          else byConcept.set(alias.concept, [hit]);
        }
      }
    });
  }
  return { index, fields, normalized, hits, byConcept, sentences: [undefined, undefined, undefined], wordStarts: [undefined, undefined, undefined] };
}

/** Texts longer than this are searched in windows of about this size: see searchText. */
const SEARCH_WINDOW = 2048;

/**
 * The automaton's matches in a normalized text. modern-ahocorasick walks non-ASCII text
 * with Intl.Segmenter, whose iteration takes time quadratic in the string's length on Node 20 (an
 * 80,000-character article with one "é" took 2 s to match, in Korean 15 s), so a long text is
 * searched in windows that begin at a space. Each reaches past its end by the longest key, to the
 * next space, and keeps only the matches that start inside it: every match is found once, and they
 * come in the automaton's own order (by end).
 */
function searchText(index: TopicIndex, text: string, window: number): Array<{ start: number; end: number; data?: number }> {
  const automaton = index.automaton!;
  if (text.length <= window) return automaton.search(text);
  const matches: Array<{ start: number; end: number; data?: number }> = [];
  for (let start = 0; start < text.length; ) {
    const end = windowEnd(text, start + window, window);
    const reach = windowEnd(text, end + index.longestKey, window);
    for (const m of automaton.search(text.slice(start, reach))) {
      if (start + m.start < end) matches.push({ start: start + m.start, end: start + m.end, data: m.data });
    }
    start = end;
  }
  // A long match kept by one window may end after short ones found by the next.
  return matches.sort((a, b) => a.end - b.end);
}

/** The first space at or after `from`; a text without one nearby (a run of letters) is cut where no surrogate pair is split. */
function windowEnd(text: string, from: number, window: number): number {
  if (from >= text.length) return text.length;
  const space = text.indexOf(' ', from);
  if (space >= 0 && space - from <= window) return space;
  const low = text.charCodeAt(from);
  return low >= 0xdc00 && low <= 0xdfff ? from + 1 : from;
}

/** The normalized end of the alias matched at `start`, or -1 when the words around do not fit. */
function verify(text: string, start: number, alias: CompiledAlias): number {
  if (!alias.unspaced && start > 0 && text.charCodeAt(start - 1) !== 32) return -1;
  let pos = start;
  const last = alias.words.length - 1;
  for (let k = 0; k <= last; k++) {
    const word = alias.words[k]!;
    if (!text.startsWith(word.text, pos)) return -1;
    let end = pos + word.text.length;
    let wordEnd = text.indexOf(' ', end);
    if (wordEnd < 0) wordEnd = text.length;
    if (word.prefix) end = wordEnd;
    else if (end !== wordEnd && !alias.unspaced) {
      if (!(k === last && alias.korean && isKoreanParticleRun(text.slice(end, wordEnd)))) return -1;
    }
    if (k === last) return end;
    if (end !== wordEnd || wordEnd >= text.length) return -1;
    pos = wordEnd + 1;
  }
  return -1;
}

function sentencesOf(scan: ArticleScan, field: number): Sentence[] {
  let list = scan.sentences[field];
  if (!list) {
    list = splitSentences(scan.fields[field]!);
    scan.sentences[field] = list;
  }
  return list;
}

function originalStart(scan: ArticleScan, hit: Hit): number {
  return scan.normalized[hit.field]!.offsets[hit.start]!;
}

function originalEnd(scan: ArticleScan, hit: Hit): number {
  return scan.normalized[hit.field]!.offsets[hit.end - 1]! + 1;
}

function sentenceOf(scan: ArticleScan, hit: Hit): number {
  const sentences = sentencesOf(scan, hit.field);
  const at = originalStart(scan, hit);
  let lo = 0;
  let hi = sentences.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (sentences[mid]!.start <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function wordOf(scan: ArticleScan, hit: Hit): number {
  let starts = scan.wordStarts[hit.field];
  if (!starts) {
    const text = scan.normalized[hit.field]!.text;
    const list = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 32) list.push(i + 1);
    starts = Int32Array.from(list);
    scan.wordStarts[hit.field] = starts;
  }
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= hit.start) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function hitsOf(scan: ArticleScan, concepts: number[]): Hit[] {
  const out: Hit[] = [];
  for (const c of concepts) {
    const list = scan.byConcept.get(c);
    if (list) out.push(...list);
  }
  return out;
}

/** Whether the topic's boolean rule holds for the scanned article. */
export function ruleHolds(topic: CompiledTopic, scan: ArticleScan): boolean {
  return evaluate(topic.rule, scan);
}

function evaluate(node: CompiledNode, scan: ArticleScan): boolean {
  switch (node.kind) {
    case 'concept':
      return scan.byConcept.has(node.concept);
    case 'and':
      return node.children.every((child) => evaluate(child, scan));
    case 'or':
      return node.children.some((child) => evaluate(child, scan));
    case 'atLeast':
      return node.children.filter((child) => evaluate(child, scan)).length >= node.min;
    case 'not':
      return !evaluate(node.child, scan);
    case 'near':
      return near(node.words, node.groups, scan);
  }
}

function near(words: number | 'sentence', groups: number[][], scan: ArticleScan): boolean {
  const perGroup = groups.map((group) => hitsOf(scan, group));
  if (perGroup.some((list) => list.length === 0)) return false;
  if (words === 'sentence') {
    const keysOf = (list: Hit[]) => new Set(list.map((hit) => hit.field * 100_000 + sentenceOf(scan, hit)));
    const [first, ...rest] = perGroup.map(keysOf);
    return [...first!].some((key) => rest.every((set) => set.has(key)));
  }
  const [anchors, ...others] = perGroup;
  return anchors!.some((anchor) => {
    const at = wordOf(scan, anchor);
    return others.every((list) => list.some((hit) => hit.field === anchor.field && Math.abs(wordOf(scan, hit) - at) <= words));
  });
}

/** The parts of `node` that make it false, as reasons a reader can check; empty when it holds. */
function unmetRules(node: CompiledNode, scan: ArticleScan, ids: string[]): UnmetRule[] {
  if (evaluate(node, scan)) return [];
  const found = (c: number) => scan.byConcept.has(c);
  switch (node.kind) {
    case 'concept':
      return [{ kind: 'missing', concepts: [ids[node.concept]!] }];
    case 'and':
      return node.children.flatMap((child) => unmetRules(child, scan, ids));
    case 'or':
      return [{ kind: 'missing', concepts: unique(positiveConcepts(node).map((c) => ids[c]!)) }];
    case 'atLeast': {
      const concepts = unique(node.children.flatMap(positiveConcepts));
      return [{ kind: 'too-few', min: node.min, found: concepts.filter(found).map((c) => ids[c]!), concepts: concepts.map((c) => ids[c]!) }];
    }
    case 'not':
      return [{ kind: 'excluded', concepts: unique(ruleConcepts(node.child).filter(found).map((c) => ids[c]!)) }];
    case 'near': {
      const absent = node.groups.filter((group) => !group.some(found));
      if (absent.length > 0) return absent.map((group) => ({ kind: 'missing', concepts: unique(group.map((c) => ids[c]!)) }));
      return [{ kind: 'apart', words: node.words, groups: node.groups.map((group) => unique(group.filter(found).map((c) => ids[c]!))) }];
    }
  }
}

function positiveConcepts(node: CompiledNode): number[] {
  return node.kind === 'not' ? [] : node.kind === 'concept' ? [node.concept] : node.kind === 'near' ? node.groups.flat() : node.children.flatMap(positiveConcepts);
}

/** Drops a reason already given: a proximity group missing is also a required group, or the should group, missing. */
function distinctRules(rules: UnmetRule[]): UnmetRule[] {
  const seen = new Set<string>();
  return rules.filter((rule) => {
    const key = rule.kind === 'missing' || rule.kind === 'too-few' ? `group:${[...rule.concepts].sort().join(' ')}` : JSON.stringify(rule);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

/**
 * The score features of a topic for a scanned article; defined whether or not the rule holds.
 * `should` concepts only ever add: the should feature is 0 when none is hit (or the topic has
 * none), and "any should concept" counts as one more unit of co-occurrence and title only where
 * that raises the share over the required groups alone. So adding should concepts to a topic never
 * lowers an article's features, and should concepts that all miss score as having none.
 */
export function featuresOf(topic: CompiledTopic, scan: ArticleScan): { features: ScoreFeatures; cooccurrence?: { field: number; sentence: number; concepts: number[] } } {
  const weightOf = (hits: Hit[]) => hits.reduce((sum, hit) => sum + topic.fieldWeights[FIELDS[hit.field]!], 0);
  const must = topic.must.map((group) => hitsOf(scan, group));
  const evidence = must.length === 0 ? 0 : must.reduce((sum, hits) => sum + saturate(weightOf(hits)), 0) / must.length;
  const should = Math.min(1, topic.should.reduce((sum, c) => sum + saturate(weightOf(scan.byConcept.get(c) ?? [])), 0));

  // Units: each required group, then (index must.length) "any should concept".
  const shouldHits = hitsOf(scan, topic.should);
  const units: Hit[][] = shouldHits.length > 0 ? [...must, shouldHits] : [...must];
  const shouldUnit = must.length;
  const sentenceUnits = new Map<number, Set<number>>();
  units.forEach((hits, u) => {
    for (const hit of hits) {
      const key = hit.field * 100_000 + sentenceOf(scan, hit);
      let set = sentenceUnits.get(key);
      if (!set) sentenceUnits.set(key, (set = new Set()));
      set.add(u);
    }
  });
  let bestKey = -1;
  let bestCount = 0;
  let bestMust = 0;
  for (const [key, set] of sentenceUnits) {
    // On a tie, a sentence outside the title tells the reader more: the title is listed anyway.
    const betterTie = set.size === bestCount && bestKey < 100_000 && key >= 100_000;
    if (set.size > bestCount || betterTie) {
      bestKey = key;
      bestCount = set.size;
    }
    bestMust = Math.max(bestMust, set.size - (set.has(shouldUnit) ? 1 : 0));
  }
  const mustCount = Math.max(1, must.length);
  const withShould = must.length + 1;
  const mustInTitle = must.filter((hits) => hits.some((hit) => hit.field === 0)).length;
  const shouldInTitle = shouldHits.some((hit) => hit.field === 0);
  const features: ScoreFeatures = {
    evidence,
    should,
    cooccurrence: Math.max(
      bestMust >= Math.min(2, mustCount) ? bestMust / mustCount : 0,
      shouldHits.length > 0 && bestCount >= 2 ? bestCount / withShould : 0,
    ),
    title: Math.max(mustInTitle / mustCount, shouldInTitle ? (mustInTitle + 1) / withShould : 0),
  };
  if (bestKey < 0 || bestCount < 2) return { features };
  const field = Math.floor(bestKey / 100_000);
  const sentence = bestKey % 100_000;
  const concepts = [...new Set(units.flat().filter((hit) => hit.field === field && sentenceOf(scan, hit) === sentence).map((hit) => hit.concept))];
  return { features, cooccurrence: { field, sentence, concepts } };
}

/** Scores and explains one topic, whether or not its rule holds (score 0 when it does not). */
export function scoreTopic(topic: CompiledTopic, scan: ArticleScan): TopicMatch {
  const index = scan.index;
  const ruleHolds = evaluate(topic.rule, scan);
  const { features, cooccurrence } = featuresOf(topic, scan);
  const score = ruleHolds ? logistic(topic.weights, features) : 0;
  const own = new Set([...topic.must.flat(), ...topic.should, ...topic.mustNot, ...ruleConcepts(topic.rule)]);
  const hits: ConceptHit[] = scan.hits
    .filter((hit) => own.has(hit.concept) && !topic.mustNot.includes(hit.concept))
    .map((hit) => conceptHit(scan, hit));
  const vetoedBy = topic.mustNot.filter((c) => scan.byConcept.has(c)).map((c) => index.concepts[c]!);
  const missing = topic.must.filter((group) => !group.some((c) => scan.byConcept.has(c))).map((group) => group.map((c) => index.concepts[c]!));
  const explanation: Explanation = {
    hits,
    excluded: topic.mustNot.map((c) => index.concepts[c]!),
    features,
    score,
    threshold: topic.threshold,
  };
  if (cooccurrence) {
    explanation.cooccurrence = {
      field: FIELDS[cooccurrence.field]!,
      sentence: sentencesOf(scan, cooccurrence.field)[cooccurrence.sentence]!.text,
      concepts: cooccurrence.concepts.map((c) => index.concepts[c]!),
    };
  }
  if (vetoedBy.length > 0) explanation.vetoedBy = vetoedBy;
  if (missing.length > 0) explanation.missing = missing;
  if (!ruleHolds) explanation.unmet = distinctRules(unmetRules(topic.rule, scan, index.concepts));
  const matched = ruleHolds && score >= topic.threshold;
  return {
    topic: topic.slug,
    title: topic.title,
    score,
    threshold: topic.threshold,
    matched,
    why: renderWhy(explanation, ruleHolds, topic.labels),
    explanation,
    concepts: [...new Set(hits.map((hit) => hit.concept))],
  };
}

function ruleConcepts(node: CompiledNode): number[] {
  switch (node.kind) {
    case 'concept':
      return [node.concept];
    case 'not':
      return ruleConcepts(node.child);
    case 'near':
      return node.groups.flat();
    default:
      return node.children.flatMap(ruleConcepts);
  }
}

function conceptHit(scan: ArticleScan, hit: Hit): ConceptHit {
  return {
    concept: scan.index.concepts[hit.concept]!,
    alias: scan.index.aliases[hit.alias]!.text,
    surface: scan.fields[hit.field]!.slice(originalStart(scan, hit), originalEnd(scan, hit)),
    field: FIELDS[hit.field]!,
    sentence: sentenceOf(scan, hit),
  };
}

/** Topics whose triggering concepts the article hit (the presearcher's candidates). */
export function candidateTopics(scan: ArticleScan): number[] {
  const seen = new Set<number>();
  for (const c of scan.byConcept.keys()) for (const t of scan.index.postings[c]!) seen.add(t);
  return [...seen].sort((a, b) => a - b);
}

export function matchArticle(index: TopicIndex, article: ArticleText): ArticleMatches {
  const scan = scanArticle(index, article);
  const language = article.language || detectLanguage(`${article.title}\n${article.lead}\n${article.body.slice(0, 300)}`);
  const matches: TopicMatch[] = [];
  for (const t of candidateTopics(scan)) {
    const topic = index.topics[t]!;
    if (!evaluate(topic.rule, scan)) continue;
    matches.push(scoreTopic(topic, scan));
  }
  return { language, concepts: [...new Set(scan.hits.map((hit) => index.concepts[hit.concept]!))], matches };
}

/** One topic's verdict for an article, including why it did not match (for `watchfloor score`). */
export function matchTopic(index: TopicIndex, article: ArticleText, slug: string): TopicMatch | undefined {
  const t = index.bySlug.get(slug);
  if (t === undefined) return undefined;
  return scoreTopic(index.topics[t]!, scanArticle(index, article));
}
