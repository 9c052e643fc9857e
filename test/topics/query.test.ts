import { describe, expect, it } from 'vitest';
import { parseQuery, parseTopicQuery } from '../../src/topics/query.ts';
import type { QueryNode } from '../../src/topics/define.ts';

function show(node: QueryNode): string {
  switch (node.kind) {
    case 'concept':
      return node.concept.replace(/^term:/, '');
    case 'not':
      return `-${show(node.child)}`;
    case 'near':
      return `(${node.children.map(show).join(` NEAR/${node.words} `)})`;
    case 'atLeast':
      return `(${node.min} of ${node.children.map(show).join(', ')})`;
    default:
      return `(${node.children.map(show).join(node.kind === 'and' ? ' & ' : ' | ')})`;
  }
}

describe('parseQuery', () => {
  it.each([
    ['("North Korea" OR DPRK) AND (Russia OR Kremlin) AND (missile* OR "artillery shells") -tourism', '((north korea | dprk) & (russia | kremlin) & (missile* | artillery shells) & -tourism)'],
    ['a b OR c', '(a & (b | c))'],
    ['Rason NEAR/5 ship*', '(rason NEAR/5 ship*)'],
    ['(Rason OR Vostochny) NEAR/3 (ship* OR vessel*) NOT tourism', '(((rason | vostochny) NEAR/3 (ship* | vessel*)) & -tourism)'],
    ['KN-23', 'kn 23'],
    ['Пхеньян*', 'пхеньян*'],
    ['"state-of-the-art" drone', '(state of the art & drone)'],
  ])('%s', (query, expected) => {
    expect(show(parseQuery(query).rule)).toBe(expected);
  });

  it.each([
    ['("North Korea" OR DPRK AND (Russia OR Kremlin)', 'unbalanced parenthesis at 1'],
    ['("North Korea" OR DPRK)) AND Russia', 'unbalanced parenthesis at 24'],
    ['"North Korea AND Russia', 'unterminated quote at 1'],
    ['Russia AND', 'expected a term after AND at 8'],
    ['Russia OR', 'expected a term after OR at 8'],
    ['a NEAR b', 'NEAR needs a distance such as NEAR/5 at 3'],
    ['(a b) NEAR/3 c', 'NEAR joins terms or OR-groups of terms at 7'],
    ['-tourism', 'the query needs at least one term that is not excluded at 1'],
    ['', 'the query is empty at 1'],
    ['()', 'expected a term at 2'],
    ['a OR AND b', 'expected a term, found AND at 6'],
    [`${'('.repeat(40)}a${')'.repeat(40)}`, 'parentheses nest more than 32 deep at 33'],
    [`${'('.repeat(5000)}a${')'.repeat(5000)}`, 'parentheses nest more than 32 deep at 33'],
    // Issue 17: a negative or non-numeric distance was read as the term "near 1".
    ['a NEAR/-1 b', 'NEAR needs a distance such as NEAR/5 at 3'],
    ['a NEAR/0 b', 'NEAR needs a distance such as NEAR/5 at 3'],
    ['a NEAR/x b', 'NEAR needs a distance such as NEAR/5 at 3'],
    ['a NEAR/ b', 'NEAR needs a distance such as NEAR/5 at 3'],
    ['a NEAR/99999999999 b', 'NEAR needs a distance such as NEAR/5 at 3'],
    // Issue 17: chained negations nested as deep as they were long, and 10,000 overflowed the stack.
    ['a NOT NOT b', 'a term is excluded once: remove the repeated NOT or - at 7'],
    ['a - -b', 'a term is excluded once: remove the repeated NOT or - at 5'],
    [`a ${'NOT '.repeat(10_000)}b`, 'a term is excluded once: remove the repeated NOT or - at 7'],
    [`a ${'- '.repeat(10_000)}b`, 'a term is excluded once: remove the repeated NOT or - at 5'],
    [`a ${'NOT -'.repeat(10_000)}b`, 'a term is excluded once: remove the repeated NOT or - at 7'],
  ])('%j fails with %j', (query, message) => {
    expect(() => parseQuery(query)).toThrow(expect.objectContaining({ code: 'query', message }));
  });

  it('still reads one negation per term, and a negated group', () => {
    expect(show(parseQuery('a NOT b -c NOT (d OR e)').rule)).toBe('(a & -b & -c & -(d | e))');
    expect(show(parseQuery('a NEAR/12 b').rule)).toBe('(a NEAR/12 b)');
  });

  it('builds a topic whose must groups are the conjuncts', () => {
    const topic = parseTopicQuery('ad-hoc', '("North Korea" OR DPRK) Russia -tourism', { threshold: 0.7 });
    expect(topic.must).toEqual([['term:north korea', 'term:dprk'], ['term:russia']]);
    expect(topic.mustNot).toEqual(['term:tourism']);
    expect(topic.threshold).toBe(0.7);
    expect(topic.title).toBe('("North Korea" OR DPRK) Russia -tourism');
  });
});
