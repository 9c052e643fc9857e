import { describe, expect, it } from 'vitest';
import { formatDuration, parseDurationS } from '../src/duration.ts';
import { aliasWords } from '../src/topics/compile.ts';

describe('parseDurationS', () => {
  it.each([
    ['90s', 90], ['15m', 900], [' 24h ', 86_400], ['7D', 604_800], ['2w', 1_209_600], ['1.5h', 5400], ['300', 300], [45, 45],
  ] as const)('%s → %s s', (input, seconds) => {
    expect(parseDurationS(input)).toBe(seconds);
  });

  it.each(['', 'h', '15 minutes', '-5m', '1e3', Number.NaN, -1])('refuses %s', (input) => {
    expect(parseDurationS(input)).toBeUndefined();
  });

  it('refuses a long run of spaces in linear time (the old pattern backtracked over it)', () => {
    expect(parseDurationS(`1${' '.repeat(1_000_000)}x`)).toBeUndefined();
    expect(parseDurationS(`1${' '.repeat(1_000_000)}m`)).toBe(60);
  });

  it('formats whole units', () => {
    expect([86_400, 3600, 900, 90].map(formatDuration)).toEqual(['1d', '1h', '15m', '90s']);
  });
});

describe('aliasWords', () => {
  it('keeps a trailing * as a prefix wildcard, and reads a long run of them in linear time', () => {
    expect(aliasWords('Hwasong*  KN-23')).toEqual([{ text: 'hwasong', prefix: true }, { text: 'kn', prefix: false }, { text: '23', prefix: false }]);
    expect(aliasWords(`${'*'.repeat(1_000_000)}x`)).toEqual([{ text: 'x', prefix: false }]);
  });
});
