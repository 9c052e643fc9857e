/** Argument pieces several commands share; each returns the value or a sentence saying what was expected. */
import { z } from 'zod';
import { formatDuration, parseDurationS } from '../duration.ts';
import { TOPIC_SLUG } from '../topics/catalog.ts';
import type { Parsed } from './types.ts';

export const ok = <O>(options: O): Parsed<O> => ({ ok: true, options });
export const bad = (error: string): Parsed<never> => ({ ok: false, error });

const HOUR_S = 3600;

/** A window such as `24h` or `7d`, between one hour and `maxS`. */
export function parseWindow(word: string, maxS: number, what = 'a window'): number | string {
  const s = parseDurationS(word);
  if (s === undefined || s < HOUR_S || s > maxS) return `${what} is a duration from 1h to ${formatDuration(maxS)}, such as 24h or 7d; got "${word}".`;
  return s;
}

export function isWindow(word: string): boolean {
  return /^\d+(\.\d+)?[smhdw]$/i.test(word);
}

const minScore = z.coerce.number().min(0).max(1);

/** `min:0.7` → 0.7. */
export function parseMinScore(word: string): number | string {
  const parsed = minScore.safeParse(word.slice(word.indexOf(':') + 1));
  return parsed.success && word.slice(word.indexOf(':') + 1) !== '' ? parsed.data : `min: is a score from 0 to 1, such as min:0.7; got "${word}".`;
}

/** `lister` is the command that lists the topics where the caller types (the CLI: `watchfloor topics list`). */
export function checkSlug(word: string | undefined, command: string, lister = '`topics`'): string | undefined {
  if (word === undefined) return `${command} needs a topic; ${lister} lists them.`;
  if (!TOPIC_SLUG.test(word)) return `"${word}" is not a topic slug (lowercase letters, digits and hyphens); ${lister} lists them.`;
  return undefined;
}

const feedUrl = z.url({ protocol: /^https?$/ });

/** An http(s) URL. */
export function parseFeedUrl(url: string | undefined): string | { error: string } {
  if (!url) return { error: 'feed add needs the URL of a feed or of a page that announces one, e.g. `feed add https://example.org/rss.xml`.' };
  if (!feedUrl.safeParse(url).success) return { error: `"${url}" is not an http or https URL; give the feed's address, e.g. https://example.org/rss.xml.` };
  return url;
}

/** `24h`, `48h`, `3d`, `7d`: a window as people say it (formatDuration would say `1d` for 24h). */
export function windowLabel(seconds: number): string {
  if (seconds % 86_400 === 0 && seconds >= 3 * 86_400) return `${seconds / 86_400}d`;
  if (seconds % HOUR_S === 0) return `${seconds / HOUR_S}h`;
  return formatDuration(seconds);
}
