/**
 * Topic definitions: the AST both surfaces compile to, and the YAML loader.
 *
 * Glossary
 * - concept: a named group of aliases that mean one thing across languages (`dprk`: North Korea,
 *   북한, КНДР). A concept belongs to its topic: the same id in two topics names two concepts
 *   (shared only when their aliases are the same), though clustering sees the id of both.
 * - alias: a phrase; a trailing `*` on a word is a prefix wildcard (`Пхеньян*`); Korean aliases
 *   also match with particles attached (북한의, 북한에서는).
 * - rule: the boolean query over concepts (`must` all, `should` at least `min_should`, `must_not`
 *   none), optionally with a proximity constraint (`within: sentence` or `NEAR/n` words).
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AppError, errorMessage } from '../errors.ts';
import { formatPath } from '../key-path.ts';

export type QueryNode =
  | { kind: 'concept'; concept: string }
  | { kind: 'and'; children: QueryNode[] }
  | { kind: 'or'; children: QueryNode[] }
  | { kind: 'atLeast'; min: number; children: QueryNode[] }
  | { kind: 'not'; child: QueryNode }
  /** Every child hit within `words` words of each other in one field, or in one sentence. */
  | { kind: 'near'; words: number | 'sentence'; children: QueryNode[] };

export interface AliasDefinition {
  text: string;
  /** ISO 639-1 code the alias was listed under, or `any`. */
  language: string;
}

export interface ConceptDefinition {
  id: string;
  /** How explanations name the concept when no surface text is at hand. */
  label: string;
  aliases: AliasDefinition[];
}

export interface FieldWeights {
  title: number;
  lead: number;
  body: number;
}

/** Weights of the logistic score; see docs/topics.md for how the defaults were fitted. */
export interface ScoreWeights {
  bias: number;
  evidence: number;
  should: number;
  cooccurrence: number;
  title: number;
}

export interface TopicDefinition {
  slug: string;
  title: string;
  threshold: number;
  concepts: ConceptDefinition[];
  /** The rule an article must satisfy before it is scored at all. */
  rule: QueryNode;
  /** Required concept groups, each satisfied by any one of its concepts (scoring features). */
  must: string[][];
  should: string[];
  mustNot: string[];
  fieldWeights: FieldWeights;
  weights: ScoreWeights;
  source: 'yaml' | 'query';
}

export const DEFAULT_FIELD_WEIGHTS: FieldWeights = { title: 3, lead: 2, body: 1 };

/**
 * Fitted on the development set (bench/eval-topic.ts --fit, L2-regularised logistic regression
 * over the shipped topic and the keyword baseline, one with `should` concepts and one without);
 * recorded in docs/topics.md.
 */
export const DEFAULT_SCORE_WEIGHTS: ScoreWeights = { bias: -0.1, evidence: 0.39, should: 0.27, cooccurrence: 0.48, title: 0.12 };

export const DEFAULT_THRESHOLD = 0.5;

const SLUG = /^[a-z0-9][a-z0-9-]*$/;

const featureWeight = z.number().min(0, 'a feature weight cannot be negative: evidence never lowers a score');

const aliasList = z.array(z.string().min(1, 'an alias cannot be empty'));

const topicSchema = z.strictObject({
  slug: z.string().regex(SLUG, 'use lowercase letters, digits and hyphens').optional(),
  title: z.string().min(1),
  threshold: z.number().min(0).max(1).default(DEFAULT_THRESHOLD),
  fields: z.strictObject({ title: z.number().min(0), lead: z.number().min(0), body: z.number().min(0) }).partial().optional(),
  // Feature weights ≥ 0: evidence, a should hit, co-occurrence or a title mention never lowers a score.
  weights: z.strictObject({ bias: z.number(), evidence: featureWeight, should: featureWeight, cooccurrence: featureWeight, title: featureWeight }).partial().optional(),
  concepts: z.record(
    z.string().regex(SLUG, 'concept names use lowercase letters, digits and hyphens'),
    z.strictObject({
      label: z.string().min(1).optional(),
      aliases: z.record(z.string(), aliasList),
    }),
  ),
  must: z.array(z.union([z.string(), z.array(z.string()).min(1)])).min(1),
  should: z.array(z.string()).default([]),
  min_should: z.number().int().min(0).default(0),
  must_not: z.array(z.string()).default([]),
  within: z.union([z.literal('sentence'), z.number().int().min(1)]).optional(),
});

export type TopicYaml = z.input<typeof topicSchema>;

/** Reads and validates one topic file. Errors name the file and the key path. */
export function loadTopicFile(path: string): TopicDefinition {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new AppError('config', `${path}: ${errorMessage(err)}`, { cause: err });
  }
  const fallbackSlug = path.replace(/^.*[\\/]/, '').replace(/\.ya?ml$/, '');
  return topicFromYaml(raw, path, fallbackSlug);
}

/** Validates an already-parsed YAML document; `origin` prefixes error messages. */
export function topicFromYaml(raw: unknown, origin: string, fallbackSlug: string): TopicDefinition {
  const parsed = topicSchema.safeParse(raw);
  // Every problem of the file at once, each under its key path, as config errors are reported.
  const fail = (problems: string[]) => new AppError('config', problems.map((p) => `${origin}: ${p}`).join('\n'));
  if (!parsed.success) throw fail(parsed.error.issues.map((issue) => `${issuePath(issue.path)}${issueText(issue)}`));
  const doc = parsed.data;
  const problems: string[] = [];
  const slug = doc.slug ?? fallbackSlug;
  if (!SLUG.test(slug)) problems.push('slug: use lowercase letters, digits and hyphens');

  const concepts: ConceptDefinition[] = Object.entries(doc.concepts).map(([id, concept]) => {
    const aliases = Object.entries(concept.aliases).flatMap(([language, list]) => list.map((text) => ({ text, language })));
    if (aliases.length === 0) problems.push(`${formatPath(['concepts', id, 'aliases'])}: list at least one alias`);
    return { id, label: concept.label ?? aliases[0]?.text ?? id, aliases };
  });
  const known = new Set(concepts.map((c) => c.id));
  const check = (path: PropertyKey[], id: string) => {
    if (!known.has(id)) problems.push(`${formatPath(path)}: unknown concept "${id}"`);
  };

  const must = doc.must.map((entry) => (Array.isArray(entry) ? entry : [entry]));
  doc.must.forEach((entry, i) => (Array.isArray(entry) ? entry.forEach((id, j) => check(['must', i, j], id)) : check(['must', i], entry)));
  doc.should.forEach((id, i) => check(['should', i], id));
  doc.must_not.forEach((id, i) => check(['must_not', i], id));
  if (doc.min_should > doc.should.length) problems.push(`min_should: ${doc.min_should} is more than the ${doc.should.length} should concepts`);
  if (problems.length > 0) throw fail(problems);

  const group = (ids: string[]): QueryNode =>
    ids.length === 1 ? { kind: 'concept', concept: ids[0]! } : { kind: 'or', children: ids.map((concept) => ({ kind: 'concept', concept })) };
  const positives: QueryNode[] = must.map(group);
  if (doc.min_should > 0) {
    positives.push({ kind: 'atLeast', min: doc.min_should, children: doc.should.map((concept) => ({ kind: 'concept', concept })) });
  }
  const children: QueryNode[] = [...positives];
  if (doc.within !== undefined) {
    children.push({ kind: 'near', words: doc.within, children: positives.map((p) => (p.kind === 'atLeast' ? { kind: 'or', children: p.children } : p)) });
  }
  if (doc.must_not.length > 0) children.push({ kind: 'not', child: group(doc.must_not) });

  return {
    slug,
    title: doc.title,
    threshold: doc.threshold,
    concepts,
    rule: children.length === 1 ? children[0]! : { kind: 'and', children },
    must,
    should: doc.should,
    mustNot: doc.must_not,
    fieldWeights: { ...DEFAULT_FIELD_WEIGHTS, ...doc.fields },
    weights: { ...DEFAULT_SCORE_WEIGHTS, ...doc.weights },
    source: 'yaml',
  };
}

/** The same `must[0].aliases` paths as config errors (config.ts), so one report reads alike. */
function issuePath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '' : `${formatPath(path)}: `;
}

function issueText(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    const expected = issue.expected === 'record' || issue.expected === 'object' ? 'map' : issue.expected;
    return `expected ${/^[aeiou]/.test(expected) ? 'an' : 'a'} ${expected}`;
  }
  if (issue.code === 'unrecognized_keys') return `unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return issue.message;
}
