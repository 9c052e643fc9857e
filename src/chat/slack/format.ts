/**
 * Neutral messages → Slack Block Kit, as pure functions (no client, no I/O).
 *
 * Safety rules, applied to every string that came from a feed, a topic file or a user:
 * - `&`, `<`, `>` are escaped (Slack's three control characters), in plain_text and mrkdwn alike, so
 *   `<!channel>` or `<@U123>` in a headline renders as text and pings nobody.
 * - mrkdwn objects carry `verbatim: true` (Slack then auto-links and auto-mentions nothing); messages never
 *   set `link_names` or `parse: full`.
 * - Links are rebuilt from `safeLink` (http/https only), with `|` percent-encoded so a URL cannot end its link
 *   early; the only Slack tokens we write are those links and `<!date^…>` times.
 * - Every text is cut to Slack's limits (header 150, section/context 3,000, 50 blocks a message), counting the
 *   escaped form, never splitting an entity.
 */
import { type Digest, type DigestStory, formatOutlets, paginateDigest } from '../../alerts/digest.ts';
import { type Alert, safeLink } from '../../alerts/message.ts';
import type { Reply, ReplyPart } from '../../commands/types.ts';
import { displayText } from '../../text/bidi.ts';

export interface SlackText {
  type: 'plain_text' | 'mrkdwn';
  text: string;
  verbatim?: boolean;
}

export type SlackBlock =
  | { type: 'header'; text: SlackText }
  | { type: 'section'; text: SlackText }
  | { type: 'context'; elements: SlackText[] }
  | { type: 'divider' };

/** What chat.postMessage, chat.update, respond() and webhooks take: fallback `text` for notifications, and blocks. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/** Slack's Block Kit limits (docs.slack.dev/reference/block-kit). */
export const SLACK_LIMITS = { blocks: 50, text: 3000, header: 150, contextElements: 10, fallback: 40_000 } as const;

/** Our notification text stays short; Slack would accept 40,000 characters. */
const FALLBACK_MAX = 300;
/** A digest part stays readable on a screen; Slack itself allows far more. */
const DIGEST_PART_CHARS = 12_000;
/** Blocks a digest part spends on its header and context line. */
const DIGEST_FRAME_BLOCKS = 2;
/** A table wider than this is listed row by row instead of as a monospace grid. */
const TABLE_MAX_WIDTH = 90;
const ELLIPSIS = '…';
const FENCE = '```';
const LINE_READ = 10_000;

/** Escapes Slack's control characters; the result renders as the literal input. */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Escapes `text` and cuts it to at most `max` characters of escaped output (an ellipsis included when
 * cut), never inside an entity or a surrogate pair. Linear in the input.
 */
export function escapeWithin(text: string, max: number): string {
  // Escaping never shortens text, so no more than max + 1 input characters can matter.
  const head = clip(text, max + 1);
  const escaped = escapeText(head);
  if (head.length === text.length && escaped.length <= max) return escaped;
  let out = '';
  for (const char of head) {
    const piece = char === '&' ? '&amp;' : char === '<' ? '&lt;' : char === '>' ? '&gt;' : char;
    if (out.length + piece.length + ELLIPSIS.length > max) break;
    out += piece;
  }
  return out + ELLIPSIS;
}

/** The first `max` UTF-16 units of `text`, never ending inside a surrogate pair. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/**
 * One line: runs of whitespace (newlines included) become one space. Only the first 10,000 characters
 * are read: no Slack text holds more than 3,000, and a hostile field may hold millions.
 */
function oneLine(text: string): string {
  return clip(text, LINE_READ).replace(/\s+/g, ' ').trim();
}

/**
 * `<url|label>` for an http(s) URL (rebuilt by `safeLink`), else the escaped label alone.
 * `label` is untrusted; `maxLabel` bounds its escaped length.
 */
export function slackLink(url: string | undefined, label: string, maxLabel = 300): string {
  const text = escapeWithin(oneLine(label) || 'link', maxLabel);
  const href = safeLink(url);
  if (!href) return text;
  // `|` would end the URL part of the token; `&`, `<`, `>` are control characters inside it too.
  return `<${escapeText(href).replace(/\|/g, '%7C')}|${text}>`;
}

/** A time Slack shows in each reader's own time zone, with a UTC fallback for old clients. */
export function slackDate(date: Date): string {
  const unix = Math.floor(date.getTime() / 1000);
  return `<!date^${unix}^{date_short_pretty} {time}|${utcMinute(date)}>`;
}

function utcMinute(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function mrkdwn(text: string): SlackText {
  return { type: 'mrkdwn', text, verbatim: true };
}

function header(text: string): SlackBlock {
  return { type: 'header', text: { type: 'plain_text', text: escapeWithin(oneLine(text) || 'Watchfloor', SLACK_LIMITS.header) } };
}

function section(escapedText: string): SlackBlock {
  return { type: 'section', text: mrkdwn(escapedText) };
}

function context(elements: string[]): SlackBlock {
  return { type: 'context', elements: elements.filter(Boolean).slice(0, SLACK_LIMITS.contextElements).map(mrkdwn) };
}

function score(value: number): string {
  return (Math.round(value * 100) / 100).toFixed(2);
}

/**
 * The alert: the headline as header, the summary (and whose it is, when borrowed), then one context
 * line each for topic + score, why, and outlet (linked to the article) + time + language + outlet count.
 */
export function alertMessage(raw: Alert): SlackMessage {
  const alert = displayText(raw);
  const blocks: SlackBlock[] = [header(alert.title)];
  const summary = alert.summary.trim();
  const from = alert.summaryFrom ? `_summary from ${slackLink(alert.summaryFrom.url, alert.summaryFrom.source, 200)}_` : '';
  if (summary || from) {
    const room = SLACK_LIMITS.text - (from ? from.length + 1 : 0);
    blocks.push(section([summary ? escapeWithin(summary, room) : '', from].filter(Boolean).join('\n')));
  }
  const origin = [
    slackLink(alert.url, alert.source, 500),
    alert.published ? slackDate(alert.published) : 'undated',
    alert.language ? escapeWithin(alert.language, 20) : '',
    alert.outlets > 1 ? `${alert.outlets} outlets` : '',
  ].filter(Boolean);
  blocks.push(
    context([
      `🛰 *${escapeWithin(oneLine(alert.topic.title), 1000)}* · ${score(alert.score)}`,
      alert.why ? `why: ${escapeWithin(alert.why, SLACK_LIMITS.text - 5)}` : '',
      origin.join(' · '),
    ]),
  );
  return { text: escapeWithin(oneLine(`${alert.topic.title} · ${score(alert.score)}: ${alert.title} (${alert.source})`), FALLBACK_MAX), blocks };
}

/** A follow-up in the alert's thread: which outlet also reported the story, its headline and link. */
export function followupMessage(raw: Alert): SlackMessage {
  const alert = displayText(raw);
  const meta = [alert.published ? slackDate(alert.published) : '', alert.language ? escapeWithin(alert.language, 20) : '', score(alert.score)].filter(Boolean);
  return {
    text: escapeWithin(oneLine(`Also reported by ${alert.source}: ${alert.title}`), FALLBACK_MAX),
    blocks: [
      section(`↳ Also reported by *${escapeWithin(oneLine(alert.source), 300)}*: ${slackLink(alert.url, alert.title, 1000)}`),
      context([meta.join(' · '), ...joinedLine(alert)]),
    ],
  };
}

/** Why the report joined the story ("joined: same event: Rajin · 6,700 · NIS"), when the alert says. */
function joinedLine(alert: Alert): string[] {
  return alert.joined ? [`joined: ${escapeWithin(oneLine(alert.joined.detail), 300)}`] : [];
}

/**
 * A follow-up where there is no thread to reply in (incoming webhooks): one short line that names the
 * story it follows up.
 */
export function standaloneFollowupMessage(raw: Alert): SlackMessage {
  const alert = displayText(raw);
  const line = `↳ Also reported by *${escapeWithin(oneLine(alert.source), 300)}*: ${slackLink(alert.url, alert.title, 1000)}`;
  return {
    text: escapeWithin(oneLine(`Also reported by ${alert.source}: ${alert.title}`), FALLBACK_MAX),
    blocks: [section(line), context([`re: ${escapeWithin(oneLine(alert.storyTitle), 500)} · ${escapeWithin(oneLine(alert.topic.title), 300)}`, ...joinedLine(alert)])],
  };
}

/** One story line of a digest, as mrkdwn; `paginateDigest` counts its length. */
export function digestLine(story: DigestStory): string {
  const outlets = formatOutlets(story.outlets);
  const origin = escapeWithin(oneLine(outlets ? `${story.source} ${outlets}` : story.source), 300);
  const gist = story.gist ? ` — ${escapeText(oneLine(story.gist))}` : '';
  return `• ${slackLink(story.url, story.title, 500)} (${origin})${gist}`;
}

/** A digest as Slack messages: one per part from `paginateDigest`, each within 50 blocks. */
export function digestMessages(raw: Digest): SlackMessage[] {
  const digest = displayText(raw);
  const parts = paginateDigest(digest, {
    maxItemsPerPart: SLACK_LIMITS.blocks - DIGEST_FRAME_BLOCKS,
    maxCharsPerPart: DIGEST_PART_CHARS,
    renderLine: digestLine,
  });
  return parts.map((part) => digestPart(part));
}

function digestPart(digest: Digest): SlackMessage {
  const scope = digest.title ? ` for ${digest.title}` : '';
  const partLabel = digest.part && digest.part.count > 1 ? ` (${digest.part.index}/${digest.part.count})` : '';
  const window = `${slackDate(digest.since)} – ${slackDate(digest.until)}`;
  if (digest.empty) {
    return {
      text: escapeWithin(oneLine(`No stories${scope}.`), FALLBACK_MAX),
      blocks: [header(`Digest${scope}`), section(`No stories${escapeWithin(scope, 500)} between ${window}.`)],
    };
  }
  const topicCount = digest.topics.length;
  const more = digest.topics.reduce((sum, topic) => sum + topic.more, 0);
  const counts =
    `${digest.storyCount} ${digest.storyCount === 1 ? 'story' : 'stories'} in ${topicCount} ${topicCount === 1 ? 'topic' : 'topics'}` +
    (more > 0 ? `, ${more} more not shown` : '');
  const blocks: SlackBlock[] = [header(`Digest${scope}${partLabel}`), context([`${window} · ${counts}`])];
  for (const topic of digest.topics) {
    blocks.push(section(`*${escapeWithin(oneLine(topic.title), 1000)}* (${escapeWithin(topic.slug, 200)})`));
    topic.stories.forEach((story, i) => {
      const tail = i === topic.stories.length - 1 && topic.more > 0 ? `\n_… and ${topic.more} more_` : '';
      blocks.push(section(cutEscaped(digestLine(story), SLACK_LIMITS.text - tail.length) + tail));
    });
  }
  return { text: escapeWithin(oneLine(`Digest${scope}${partLabel}: ${counts}`), FALLBACK_MAX), blocks };
}

/**
 * Cuts already-escaped mrkdwn to `max` characters. Only a digest line can need it (a gist of thousands
 * of characters); it is cut before any entity or link token it would split.
 */
function cutEscaped(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - ELLIPSIS.length;
  const amp = text.lastIndexOf('&', end);
  if (amp >= 0 && text.indexOf(';', amp) >= end) end = amp;
  const open = text.lastIndexOf('<', end);
  if (open >= 0 && text.indexOf('>', open) >= end) end = open;
  return text.slice(0, end) + ELLIPSIS;
}

/**
 * A command reply as Slack messages: text, tables and link lists as sections; a digest as its own
 * messages. Each message holds at most 50 blocks.
 */
export function replyMessages(raw: Reply): SlackMessage[] {
  // Every entry point starts from displayText: no bidirectional control reaches a reader (issue 17, text/bidi.ts).
  const reply = displayText(raw);
  const messages: SlackMessage[] = [];
  let blocks: SlackBlock[] = [];
  const fallback = replyFallback(reply);
  const flush = (): void => {
    for (let i = 0; i < blocks.length; i += SLACK_LIMITS.blocks) {
      messages.push({ text: fallback, blocks: blocks.slice(i, i + SLACK_LIMITS.blocks) });
    }
    blocks = [];
  };
  for (const part of reply.parts) {
    if (part.type === 'digest') {
      flush();
      messages.push(...digestMessages(part.digest));
    } else {
      blocks.push(...chunkLines(partLines(part)).map(section));
    }
  }
  flush();
  if (messages.length === 0) messages.push({ text: fallback, blocks: [section(fallback)] });
  return messages;
}

function replyFallback(reply: Reply): string {
  const first = reply.parts.find((p): p is Extract<ReplyPart, { type: 'text' }> => p.type === 'text' && p.text.trim() !== '');
  return first ? escapeWithin(oneLine(first.text), FALLBACK_MAX) : 'Watchfloor';
}

/** The escaped mrkdwn lines of one part; a table may come back as one fenced grid. */
function partLines(part: Exclude<ReplyPart, { type: 'digest' }>): string[] {
  switch (part.type) {
    case 'text':
      return part.text.split('\n').map((line) => escapeText(line));
    case 'links':
      return part.items.map((item) => `• ${slackLink(item.url, item.title, 500)}${item.detail ? ` — ${escapeText(oneLine(item.detail))}` : ''}`);
    case 'table':
      return tableLines(part.columns, part.rows);
  }
}

/**
 * A narrow table as a monospace grid (fenced; `chunkLines` keeps fences balanced); a wide one as one
 * line per row, `*first cell* · column: value …`, which wraps readably on a phone.
 */
function tableLines(columns: string[], rows: string[][]): string[] {
  const cell = (row: string[], i: number): string => oneLine(row[i] ?? '') || '—';
  if (rows.length === 0) return [`_${escapeText(columns.join(', '))}: none_`];
  const widths = columns.map((name, i) => Math.max(name.length, ...rows.map((row) => cell(row, i).length)));
  const width = widths.reduce((sum, w) => sum + w, 0) + 2 * (columns.length - 1);
  if (width <= TABLE_MAX_WIDTH) {
    const line = (cells: string[]): string => escapeText(cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
    return [FENCE, line(columns), line(widths.map((w) => '─'.repeat(w))), ...rows.map((row) => line(columns.map((_, i) => cell(row, i)))), FENCE];
  }
  return rows.map((row) => {
    const [first, ...rest] = columns.map((_, i) => cell(row, i));
    const details = rest.map((value, i) => `${escapeText(columns[i + 1]!)}: ${escapeText(value)}`);
    return [`• *${escapeText(first!)}*`, ...details].join(' · ');
  });
}

/**
 * Packs escaped lines into section texts of at most 3,000 characters. A fenced grid split across
 * sections is closed and reopened; a single overlong line is cut.
 */
function chunkLines(lines: string[]): string[] {
  const chunks: string[] = [];
  let current: string[] = [];
  let length = 0;
  let inFence = false;
  const room = SLACK_LIMITS.text - 8; // space to close and reopen a fence
  const emit = (): void => {
    if (current.some((line) => line !== FENCE && line.trim() !== '')) chunks.push(current.join('\n'));
  };
  for (const raw of lines) {
    const line = cutEscaped(raw, room);
    if (current.length > 0 && length + line.length + 1 > room) {
      if (inFence) current.push(FENCE);
      emit();
      current = inFence ? [FENCE] : [];
      length = inFence ? FENCE.length + 1 : 0;
    }
    current.push(line);
    length += line.length + 1;
    if (line === FENCE) inFence = !inFence;
  }
  emit();
  return chunks;
}
