/**
 * What a response's headers say about when to ask again: `Retry-After` after a 429 or 503, and
 * `Cache-Control: max-age`. Read here, where the response is; poll/schedule.ts turns them into the next poll.
 */

/**
 * `Retry-After` (RFC 9110 §10.2.3) as seconds from `now`: either delay-seconds or an HTTP-date.
 * A date in the past means "now" (0); anything unreadable is ignored (undefined).
 */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  // Only accept things that look like dates; Date.parse alone would take "5" as the year 2001.
  if (!/[a-z]/i.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

/**
 * `max-age` from a Cache-Control header, in seconds. `no-cache`/`no-store` give no hint (undefined):
 * they tell caches to revalidate, not pollers to come back sooner.
 */
export function parseMaxAge(cacheControl: string | undefined): number | undefined {
  if (!cacheControl) return undefined;
  const m = /(?:^|[,\s])max-age\s*=\s*"?(\d+)"?/i.exec(cacheControl);
  return m ? Number(m[1]) : undefined;
}
