import { describe, expect, it } from 'vitest';
import { isKoreanParticleRun, takesKoreanParticles, tokenize } from '../../src/text/tokens.ts';

describe('tokenize', () => {
  it('gives normalized words with spans in the original', () => {
    const input = 'North-Korean KN23!';
    expect(tokenize(input).map((t) => [t.text, input.slice(t.start, t.end)])).toEqual([
      ['north', 'North'],
      ['korean', 'Korean'],
      ['kn', 'KN'],
      ['23', '23'],
    ]);
  });
});

describe('Korean particles', () => {
  it.each([
    ['', true],
    ['의', true],
    ['은', true],
    ['에서는', true],
    ['으로부터', true],
    ['과의', true],
    ['이탈주민', false],
    ['군', false],
    ['산', false],
  ])('%j is a particle run: %s', (rest, expected) => {
    expect(isKoreanParticleRun(rest)).toBe(expected);
  });

  it('applies to words ending in Hangul', () => {
    expect(takesKoreanParticles('북한')).toBe(true);
    expect(takesKoreanParticles('kn')).toBe(false);
  });
});
