import { describe, expect, it } from 'vitest';
import { parseMaxAge, parseRetryAfter } from '../../../src/feeds/http/headers.ts';

const now = new Date('2025-03-01T12:00:00Z');

describe('parseRetryAfter', () => {
  it.each([
    ['120', 120],
    [' 0 ', 0],
    ['Sat, 01 Mar 2025 12:05:00 GMT', 300],
    ['Sat, 01 Mar 2025 11:00:00 GMT', 0], // in the past: come back now
    ['Saturday, 01-Mar-25 12:01:00 GMT', 60], // RFC 850 form
    ['soon', undefined],
    ['-5', undefined],
    ['1.5', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%s → %s', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe('parseMaxAge', () => {
  it.each([
    ['max-age=600', 600],
    ['public, max-age=3600, must-revalidate', 3600],
    ['s-maxage=60, max-age=30', 30],
    ['max-age="90"', 90],
    ['no-cache', undefined],
    ['s-maxage=60', undefined],
    [undefined, undefined],
  ])('%s → %s', (value, expected) => {
    expect(parseMaxAge(value)).toBe(expected);
  });
});
