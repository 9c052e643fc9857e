import { describe, expect, it } from 'vitest';
import {
  DEFAULT_POLL_BOUNDS,
  backoffS,
  nextPollAfterFailure,
  nextPollAfterSuccess,
} from '../../../src/feeds/poll/schedule.ts';

const now = new Date('2025-03-01T12:00:00Z');
const noJitter = () => 0;
const fullJitter = () => 0.999999;
const secondsUntil = (d: Date) => (d.getTime() - now.getTime()) / 1000;

describe('nextPollAfterSuccess', () => {
  it.each([
    // [interval, maxAge, ttl minutes, expected seconds]
    [900, undefined, undefined, 900],
    [900, 3600, undefined, 3600], // Cache-Control lengthens
    [900, 60, undefined, 900], // ...but never shortens
    [900, undefined, 120, 7200], // RSS <ttl> in minutes
    [30, undefined, undefined, 120], // lower bound 2 min
    [900, 7 * 86400, undefined, 86400], // upper bound 24 h
    [900, undefined, 100000, 86400],
  ])('interval %s, max-age %s, ttl %s → %s s', (intervalS, maxAgeS, ttlMinutes, expected) => {
    expect(secondsUntil(nextPollAfterSuccess({ now, intervalS, maxAgeS, ttlMinutes }, DEFAULT_POLL_BOUNDS, noJitter))).toBe(expected);
  });

  it('adds at most 10% jitter and never goes below the hint', () => {
    expect(secondsUntil(nextPollAfterSuccess({ now, intervalS: 1000 }, DEFAULT_POLL_BOUNDS, fullJitter))).toBeCloseTo(1100, 0);
    expect(secondsUntil(nextPollAfterSuccess({ now, intervalS: 1000 }, DEFAULT_POLL_BOUNDS, () => 0.5))).toBe(1050);
  });

  it('keeps jitter inside the upper bound', () => {
    expect(secondsUntil(nextPollAfterSuccess({ now, intervalS: 86400 }, DEFAULT_POLL_BOUNDS, fullJitter))).toBe(86400);
  });
});

describe('backoff after failures', () => {
  it.each([
    [900, 1, 900],
    [900, 2, 1800],
    [900, 3, 3600],
    [900, 7, 57600],
    [900, 8, 86400], // capped at 24 h
    [900, 10_000, 86400], // never overflows, never disables
    [60, 1, 120], // starts from the lower bound
  ])('interval %s, failure #%s → %s s', (intervalS, failures, expected) => {
    expect(backoffS(intervalS, failures)).toBe(expected);
    expect(secondsUntil(nextPollAfterFailure({ now, intervalS, failures }, DEFAULT_POLL_BOUNDS, noJitter))).toBe(expected);
  });

  it('waits at least Retry-After, within the cap', () => {
    expect(secondsUntil(nextPollAfterFailure({ now, intervalS: 900, failures: 1, retryAfterS: 5400 }, DEFAULT_POLL_BOUNDS, noJitter))).toBe(5400);
    expect(secondsUntil(nextPollAfterFailure({ now, intervalS: 900, failures: 3, retryAfterS: 10 }, DEFAULT_POLL_BOUNDS, noJitter))).toBe(3600);
    expect(secondsUntil(nextPollAfterFailure({ now, intervalS: 900, failures: 1, retryAfterS: 9 * 86400 }, DEFAULT_POLL_BOUNDS, noJitter))).toBe(86400);
  });
});
