/**
 * The one-line query form, as people know it from Google Alerts and Lucene:
 *   ("North Korea" OR DPRK) AND (Russia OR Kremlin) AND (missile* OR "artillery shells") -tourism
 * Juxtaposition means AND. As in Google search, OR binds tighter than AND, so `a b OR c` reads
 * `a AND (b OR c)`; NEAR binds tighter still. `-term` and `NOT term` exclude; `a NEAR/5 b` wants
 * both within five words of each other in one field; `word*` is a prefix wildcard.
 * Every term becomes a concept of its own (`term:north korea`), so a query compiles to the same
 * AST as a YAML topic.
 */
import { AppError } from '../errors.ts';
import { normalize } from '../text/normalize.ts';
import {
  DEFAULT_FIELD_WEIGHTS,
  DEFAULT_SCORE_WEIGHTS,
  DEFAULT_THRESHOLD,
  type ConceptDefinition,
  type QueryNode,
  type TopicDefinition,
} from './define.ts';

type Token =
  | { type: 'lparen' | 'rparen' | 'and' | 'or' | 'not' | 'minus'; at: number }
  | { type: 'near'; at: number; words: number }
  | { type: 'term'; at: number; text: string };

const fail = (message: string, at: number): never => {
  throw new AppError('query', `${message} at ${at + 1}`);
};

function lex(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const ch = query[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '(' || ch === ')') {
      tokens.push({ type: ch === '(' ? 'lparen' : 'rparen', at: i });
      i++;
    } else if (ch === '"' || ch === '“' || ch === '”') {
      const close = query.slice(i + 1).search(/["“”]/);
      if (close < 0) fail('unterminated quote', i);
      const text = query.slice(i + 1, i + 1 + close).trim();
      if (text === '') fail('empty phrase', i);
      tokens.push({ type: 'term', at: i, text });
      i += close + 2;
    } else if (ch === '-' && (i === 0 || /[\s(]/.test(query[i - 1]!))) {
      tokens.push({ type: 'minus', at: i });
      i++;
    } else {
      let j = i;
      while (j < query.length && !/[\s()"“”]/.test(query[j]!)) j++;
      const word = query.slice(i, j);
      // Anything spelled NEAR/… is the operator: `NEAR/-1` or `NEAR/x` is a mistake, not the term "near 1".
      const near = /^NEAR\/(.*)$/.exec(word);
      if (word === 'AND' || word === '&&') tokens.push({ type: 'and', at: i });
      else if (word === 'OR' || word === '||' || word === '|') tokens.push({ type: 'or', at: i });
      else if (word === 'NOT') tokens.push({ type: 'not', at: i });
      else if (near) {
        const words = Number(near[1]);
        if (!/^\d{1,9}$/.test(near[1]!) || words < 1) fail('NEAR needs a distance such as NEAR/5', i);
        tokens.push({ type: 'near', at: i, words });
      } else if (word === 'NEAR') fail('NEAR needs a distance such as NEAR/5', i);
      else tokens.push({ type: 'term', at: i, text: word });
      i = j;
    }
  }
  return tokens;
}

/** Parentheses deeper than this are refused (no real query nests beyond a handful). */
const MAX_NESTING = 32;

/** Parses a query into an AST whose concept ids are `term:<normalized text>`. */
export function parseQuery(query: string): { rule: QueryNode; concepts: ConceptDefinition[] } {
  const tokens = lex(query);
  const concepts = new Map<string, ConceptDefinition>();
  let pos = 0;
  const peek = () => tokens[pos];
  const end = query.length;

  const term = (token: { text: string; at: number }): QueryNode => {
    const key = normalize(token.text.replace(/\*/g, ' ')) + (token.text.endsWith('*') ? '*' : '');
    if (key.replace('*', '').trim() === '') fail(`"${token.text}" has no letters or digits`, token.at);
    const id = `term:${key}`;
    if (!concepts.has(id)) concepts.set(id, { id, label: token.text, aliases: [{ text: token.text, language: 'any' }] });
    return { kind: 'concept', concept: id };
  };

  let depth = 0;
  const primary = (): QueryNode => {
    const token = peek();
    if (!token) return fail('expected a term', end);
    if (token.type === 'lparen') {
      // The parser and the compiler recurse per level: a bound keeps a hostile query from the stack limit.
      if (++depth > MAX_NESTING) fail(`parentheses nest more than ${MAX_NESTING} deep`, token.at);
      pos++;
      const inner = andExpr();
      const close = peek();
      if (close?.type !== 'rparen') fail('unbalanced parenthesis', token.at);
      pos++;
      depth--;
      return inner;
    }
    if (token.type === 'term') {
      pos++;
      return term(token);
    }
    if (token.type === 'rparen') return fail('expected a term', token.at);
    return fail(`expected a term, found ${token.type.toUpperCase()}`, token.at);
  };

  // One negation per term: `NOT NOT a` means nothing a query needs, and a chain of them (10,000 NOTs)
  // would nest as deep as it is long in the parser, the compiler and every walk over the AST.
  const unary = (): QueryNode => {
    const token = peek();
    if (token && (token.type === 'minus' || token.type === 'not')) {
      pos++;
      const next = peek();
      if (next && (next.type === 'minus' || next.type === 'not')) fail('a term is excluded once: remove the repeated NOT or -', next.at);
      return { kind: 'not', child: primary() };
    }
    return primary();
  };

  const nearExpr = (): QueryNode => {
    const first = unary();
    const children = [first];
    let words: number | undefined;
    let at = 0;
    while (peek()?.type === 'near') {
      const token = peek() as { type: 'near'; at: number; words: number };
      words = words === undefined ? token.words : Math.min(words, token.words);
      at = token.at;
      pos++;
      children.push(unary());
    }
    if (words === undefined) return first;
    if (!children.every(isTermGroup)) fail('NEAR joins terms or OR-groups of terms', at);
    return { kind: 'near', words, children };
  };

  const orExpr = (): QueryNode => {
    const children = [nearExpr()];
    while (peek()?.type === 'or') {
      const token = peek()!;
      pos++;
      if (!peek()) fail('expected a term after OR', token.at);
      children.push(nearExpr());
    }
    return children.length === 1 ? children[0]! : { kind: 'or', children };
  };

  const andExpr = (): QueryNode => {
    const children = [orExpr()];
    for (;;) {
      const token = peek();
      if (!token || token.type === 'rparen') break;
      if (token.type === 'and') {
        pos++;
        if (!peek()) fail('expected a term after AND', token.at);
      }
      children.push(orExpr());
    }
    return children.length === 1 ? children[0]! : { kind: 'and', children };
  };

  if (tokens.length === 0) fail('the query is empty', 0);
  const rule = andExpr();
  const rest = peek();
  if (rest) fail(rest.type === 'rparen' ? 'unbalanced parenthesis' : 'unexpected input', rest.at);
  if (!hasPositive(rule)) fail('the query needs at least one term that is not excluded', 0);
  return { rule, concepts: [...concepts.values()] };
}

function isTermGroup(node: QueryNode): boolean {
  return node.kind === 'concept' || (node.kind === 'or' && node.children.every(isTermGroup));
}

function hasPositive(node: QueryNode): boolean {
  switch (node.kind) {
    case 'concept':
      return true;
    case 'not':
      return false;
    case 'and':
      return node.children.some(hasPositive);
    default:
      return node.children.every(hasPositive);
  }
}

/** Concept ids anywhere under `node` in first-seen order, excluded ones included only when `withNegated`. */
export function conceptsOf(node: QueryNode, withNegated = false): string[] {
  // One set for the whole walk: a set per level copied upwards is quadratic in the nesting.
  const found = new Set<string>();
  const visit = (n: QueryNode): void => {
    if (n.kind === 'concept') found.add(n.concept);
    else if (n.kind === 'not') {
      if (withNegated) visit(n.child);
    } else n.children.forEach(visit);
  };
  visit(node);
  return [...found];
}

/** A topic from a one-line query; `must` groups are the top-level conjuncts. */
export function parseTopicQuery(
  slug: string,
  query: string,
  options: { title?: string; threshold?: number } = {},
): TopicDefinition {
  const { rule, concepts } = parseQuery(query);
  const conjuncts = rule.kind === 'and' ? rule.children : [rule];
  const must = conjuncts.filter((c) => c.kind !== 'not').map((c) => conceptsOf(c)).filter((g) => g.length > 0);
  const mustNot = conjuncts.filter((c) => c.kind === 'not').flatMap((c) => conceptsOf(c, true));
  return {
    slug,
    title: options.title ?? query,
    threshold: options.threshold ?? DEFAULT_THRESHOLD,
    concepts,
    rule,
    must,
    should: [],
    mustNot,
    fieldWeights: { ...DEFAULT_FIELD_WEIGHTS },
    weights: { ...DEFAULT_SCORE_WEIGHTS },
    source: 'query',
  };
}
