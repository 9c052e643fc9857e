import { describe, expect, it } from 'vitest';
import { normalize, normalizeForMatch } from '../../src/text/normalize.ts';

describe('normalize', () => {
  it.each([
    ['KN-23', 'kn 23'],
    ['KN23', 'kn 23'],
    ['kn 23', 'kn 23'],
    ['ＫＮ２３', 'kn 23'],
    ['КН-23', 'кн 23'],
    ['Hwasong-11A', 'hwasong 11 a'],
    ['Ёлка и ёж', 'елка и еж'],
    ['North Korea’s', 'north korea s'],
    ['Tumangang–Khasan', 'tumangang khasan'],
    ['  U.S.-led  ', 'u s led'],
    ['ﬁre', 'fire'],
    ['북한의 미사일', '북한의 미사일'],
    ['북·러', '북 러'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(normalize(input)).toBe(expected);
  });

  it('maps every normalized character back to the input', () => {
    const input = 'Gen. SHOIGU met KN23';
    const { text, offsets } = normalizeForMatch(input);
    expect(text).toBe('gen shoigu met kn 23');
    const start = text.indexOf('shoigu');
    expect(input.slice(offsets[start]!, offsets[start + 5]! + 1)).toBe('SHOIGU');
    expect(offsets[text.length]).toBe(input.length);
  });
});
