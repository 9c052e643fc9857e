import { describe, expect, it } from 'vitest';
import { argsAfter, tokenize } from '../../src/commands/tokenize.ts';
import { didYouMean, editDistance, nearest } from '../../src/commands/suggest.ts';

describe('tokenize', () => {
  it.each([
    ['subscribe  dprk-russia-arms   min:0.7', ['subscribe', 'dprk-russia-arms', 'min:0.7']],
    ['topic add x "a b" c', ['topic', 'add', 'x', 'a b', 'c']],
    ['topic add x "say \\"hi\\" now"', ['topic', 'add', 'x', 'say "hi" now']],
    ['topic add x “curly quotes”', ['topic', 'add', 'x', 'curly quotes']],
    ['a "unclosed quote runs on', ['a', 'unclosed quote runs on']],
    ['  \t ', []],
    ['back\\slash "stays\\ here"', ['back\\slash', 'stays\\ here']],
  ])('%j', (text, words) => {
    expect(tokenize(text).words).toEqual(words);
  });

  it('gives the raw rest of the line after a word, quotes included', () => {
    const args = argsAfter(tokenize('topic add dprk "North Korea"  AND sub*'), 2);
    expect(args.words).toEqual(['dprk', 'North Korea', 'AND', 'sub*']);
    expect(args.rest(1)).toBe('"North Korea"  AND sub*');
    expect(args.rest(9)).toBe('');
  });

  it('reads a long hostile line in linear time', () => {
    const text = `${'"'.repeat(200_000)} ${'a\\"'.repeat(200_000)}`;
    expect(tokenize(text).words.length).toBeGreaterThan(0);
  });
});

describe('nearest names', () => {
  it.each([
    ['rusia', 'russia', 1],
    ['suscribe', 'subscribe', 1],
    ['lsit', 'list', 1],
    ['dprk-rusia-arms', 'dprk-russia-arms', 1],
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
  ])('%s → %s is %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });

  it('suggests the closest known names, best first, and nothing for a word far from all', () => {
    const topics = ['dprk-russia-arms', 'iran-drones', 'dprk-missiles'];
    expect(didYouMean('dprk-rusia-arms', topics)).toBe(' — did you mean dprk-russia-arms?');
    expect(nearest('iran', topics)).toEqual(['iran-drones']);
    expect(didYouMean('weather', topics)).toBe('');
    expect(didYouMean('subscibe', ['subscribe', 'unsubscribe', 'list'])).toBe(' — did you mean subscribe?');
    expect(didYouMean('lst', ['topics', 'list', 'last'])).toBe(' — did you mean last or list?');
  });
});
