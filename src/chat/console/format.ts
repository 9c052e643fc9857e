import type { Digest } from '../../alerts/digest.ts';
import type { Alert } from '../../alerts/message.ts';
import { displayText } from '../../text/bidi.ts';

// Every format starts from displayText: no bidirectional control reaches a reader (issue 17, text/bidi.ts).

/** One JSON object per line: the stable shape scripts read (`kind`, `story_id`, `topic`, …). */
export function alertJson(raw: Alert): string {
  const alert = displayText(raw);
  return JSON.stringify({
    kind: alert.kind,
    topic: alert.topic.slug,
    score: Math.round(alert.score * 100) / 100,
    title: alert.title,
    url: alert.url ?? null,
    source: alert.source,
    published: alert.published?.toISOString() ?? null,
    language: alert.language ?? null,
    summary: alert.summary,
    summary_from: alert.summaryFrom ? { source: alert.summaryFrom.source, url: alert.summaryFrom.url ?? null } : null,
    why: alert.why,
    story_id: alert.storyId,
    story_title: alert.storyTitle,
    outlets: alert.outlets,
  });
}

/** A readable multi-line block for a terminal. */
export function alertText(raw: Alert, color: boolean): string {
  const alert = displayText(raw);
  const bold = (s: string) => (color ? `\x1b[1m${s}\x1b[22m` : s);
  const dim = (s: string) => (color ? `\x1b[2m${s}\x1b[22m` : s);
  const when = alert.published ? `${alert.published.toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'undated';
  if (alert.kind === 'followup') {
    // A console stream interleaves stories: a follow-up names the alert it belongs to.
    const meta = [when, alert.language, `story ${alert.storyId}`].filter(Boolean).join(' · ');
    return [
      `  ↳ also reported by ${bold(alert.source)}: ${alert.title}`,
      `    ${dim(`re: "${shorten(alert.storyTitle, STORY_TITLE_CHARS)}" · ${alert.topic.title}`)}`,
      alert.url ? `    ${alert.url}` : undefined,
      `    ${dim(meta)}`,
      alert.joined ? `    ${dim(`joined: ${alert.joined.detail}`)}` : undefined,
      '',
    ].filter((line) => line !== undefined).join('\n');
  }
  const meta = [alert.source, when, alert.language].filter(Boolean).join(' · ');
  return `${[
    `🛰  ${bold(alert.topic.title)} · ${alert.score.toFixed(2)}`,
    `   ${bold(alert.title)}`,
    alert.url ? `   ${alert.url}` : undefined,
    alert.summary ? `   ${alert.summary}` : undefined,
    alert.summaryFrom ? `   ${dim(`summary from ${alert.summaryFrom.source}${alert.summaryFrom.url ? ` (${alert.summaryFrom.url})` : ''}: this report is a teaser`)}` : undefined,
    `   ${dim(`why: ${alert.why}`)}`,
    `   ${dim(`${meta} · story ${alert.storyId}`)}`,
    '',
  ].filter((line) => line !== undefined).join('\n')}\n`;
}

/** A digest as one JSON line (`kind: digest`), as `watchfloor digest --json` prints it. */
export function digestJson(digest: Digest): string {
  return JSON.stringify({ kind: 'digest', ...displayText(digest) });
}

/** A follow-up's reminder of its story fits one terminal line. */
const STORY_TITLE_CHARS = 70;

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}
