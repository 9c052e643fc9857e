/**
 * When to poll a feed next (issue 3). After a success: the feed's configured interval, lengthened —
 * never shortened — by what the publisher asked for (`Cache-Control: max-age`, RSS `<ttl>`), within
 * the configured bounds. After a failure: exponential backoff from the interval, at least
 * `Retry-After` when the server sent one (429/503), capped at `maxBackoffS`; a feed is never
 * disabled, it is only tried less often. Jitter only ever adds time, so a hint is never undercut,
 * and it spreads feeds added together so they stop hitting hosts in lockstep.
 */

export interface PollBounds {
  /** Never poll a feed more often than this, whatever its interval (seconds). */
  minIntervalS: number;
  /** Never wait longer than this after a success, whatever the hints say (seconds). */
  maxIntervalS: number;
  /** Backoff after failures stops growing here (seconds). */
  maxBackoffS: number;
  /** Up to this fraction of the delay is added at random. */
  jitter: number;
}

export const DEFAULT_POLL_BOUNDS: PollBounds = {
  minIntervalS: 2 * 60,
  maxIntervalS: 24 * 3600,
  maxBackoffS: 24 * 3600,
  jitter: 0.1,
};

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function withJitter(delayS: number, bounds: PollBounds, random: () => number): number {
  return delayS * (1 + bounds.jitter * random());
}

/** Next poll after a successful fetch (200 or 304). */
export function nextPollAfterSuccess(
  args: { now: Date; intervalS: number; maxAgeS?: number; ttlMinutes?: number },
  bounds: PollBounds = DEFAULT_POLL_BOUNDS,
  random: () => number = Math.random,
): Date {
  const hinted = Math.max(args.intervalS, args.maxAgeS ?? 0, (args.ttlMinutes ?? 0) * 60);
  const delayS = clamp(withJitter(clamp(hinted, bounds.minIntervalS, bounds.maxIntervalS), bounds, random), bounds.minIntervalS, bounds.maxIntervalS);
  return new Date(args.now.getTime() + Math.round(delayS * 1000));
}

/** Backoff after `failures` consecutive failures (1 = the first): interval × 2^(failures−1), capped. */
export function backoffS(intervalS: number, failures: number, bounds: PollBounds = DEFAULT_POLL_BOUNDS): number {
  const base = Math.max(intervalS, bounds.minIntervalS);
  // 2^40 already exceeds any cap; bounding the exponent keeps the arithmetic finite.
  return Math.min(bounds.maxBackoffS, base * 2 ** Math.min(Math.max(failures - 1, 0), 40));
}

/** Next poll after a failed fetch; `failures` counts this one. */
export function nextPollAfterFailure(
  args: { now: Date; intervalS: number; failures: number; retryAfterS?: number },
  bounds: PollBounds = DEFAULT_POLL_BOUNDS,
  random: () => number = Math.random,
): Date {
  const delay = Math.max(backoffS(args.intervalS, args.failures, bounds), args.retryAfterS ?? 0);
  const delayS = clamp(withJitter(delay, bounds, random), bounds.minIntervalS, bounds.maxBackoffS);
  return new Date(args.now.getTime() + Math.round(delayS * 1000));
}
