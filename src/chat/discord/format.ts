/**
 * Neutral messages → Discord message bodies (REST JSON: `content`, `embeds`, `allowed_mentions`). Pure.
 *
 * Discord's limits, enforced here because discord.js builders check single fields only:
 * content 2,000; 10 embeds a message and 6,000 characters across them (title, description, field names and
 * values, footer, author); title 256, description 4,096, 25 fields, field value 1,024, footer 2,048.
 * Every body carries `allowed_mentions: { parse: [] }`: text from feeds and users never pings.
 * Untrusted text is markdown-escaped in one linear pass (discord.js's `escapeMarkdown` uses patterns that
 * rescan long runs, which the linear-time rule of docs/architecture.md forbids for feed text).
 */
import { type APIEmbed, embedLength } from 'discord.js';
import { type Digest, type DigestStory, formatOutlets, paginateDigest } from '../../alerts/digest.ts';
import { type Alert, safeLink } from '../../alerts/message.ts';
import type { Reply, ReplyPart } from '../../commands/types.ts';
import { displayText } from '../../text/bidi.ts';

export interface DiscordMessage {
  content?: string;
  embeds?: APIEmbed[];
  allowed_mentions: { parse: [] };
}

export const LIMITS = {
  content: 2000,
  embedsPerMessage: 10,
  embedTotal: 6000,
  title: 256,
  description: 4096,
  fieldValue: 1024,
  footer: 2048,
  authorName: 256,
  threadName: 100,
} as const;

const NO_MENTIONS = { parse: [] as [] };
/** Story lines of a digest embed: short enough that three parts share one message. */
const DIGEST_PART_CHARS = 1_800;
const DIGEST_PART_ITEMS = 24;
const DIGEST_TITLE_CHARS = 200;
const DIGEST_GIST_CHARS = 280;
const TABLE_CELL_CHARS = 40;

const PALETTE = [0x5865f2, 0x57f287, 0xfee75c, 0xeb459e, 0xed4245, 0x3ba55c, 0xfaa61a, 0x00b0f4, 0x9b59b6, 0x1abc9c, 0xe67e22, 0x99aab5];

/** A stable colour per topic (FNV-1a of its slug into a palette), so one topic's alerts look alike. */
export function topicColour(slug: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < slug.length; i++) {
    hash ^= slug.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return PALETTE[hash % PALETTE.length]!;
}

/**
 * Escapes Discord markdown and mention syntax: a backslash before `\ * _ ~ | ` > < [ ] # @` and before a list
 * marker at a line start. Discord hides a backslash before any non-alphanumeric character, so the text reads
 * the same, but `<@123>` shows as text instead of a mention and `[x](url)` is no masked link. One pass each.
 */
export function escapeText(text: string): string {
  return text.replace(/[\\*_~|`<>[\]#@]/g, '\\$&').replace(/^([ \t]{0,8})([-+]|\d{1,9}\.)(?=[ \t])/gm, '$1\\$2');
}

/**
 * For embed titles, which render emphasis but not mentions, links or headings: only emphasis, spoiler and
 * code markers are escaped, so a headline does not show needless backslashes.
 */
export function escapeTitle(text: string): string {
  return text.replace(/[\\*_~|`]/g, '\\$&');
}

/** At most `max` UTF-16 units, ending in `…` when cut, never splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/** Escapes untrusted text and fits it in `max`; the raw text is cut first so a huge input costs little. */
function fit(text: string, max: number, escapeWith: (text: string) => string = escapeText): string {
  return truncate(escapeWith(truncate(text, max + 1)), max);
}

/** A URL safe inside `[text](<url>)`: http/https only, parentheses encoded. */
function linkTarget(url: string | undefined): string | undefined {
  const safe = safeLink(url);
  return safe?.replace(/\(/g, '%28').replace(/\)/g, '%29');
}

/** The embed of a story's alert: headline linking the article, summary, why, outlet and count, time. */
export function alertEmbed(raw: Alert): APIEmbed {
  // Every entry point starts from displayText: no bidirectional control reaches a reader (issue 17, text/bidi.ts).
  const alert = displayText(raw);
  const url = safeLink(alert.url);
  const footer = [truncate(alert.source, 200), formatOutlets(alert.outlets), alert.language].filter(Boolean).join(' · ');
  const embed: APIEmbed = {
    author: { name: truncate(`🛰 ${alert.topic.title} · ${alert.score.toFixed(2)}`, LIMITS.authorName) },
    title: fit(alert.title, LIMITS.title, escapeTitle),
    ...(url ? { url } : {}),
    color: topicColour(alert.topic.slug),
    ...(alert.why.trim() ? { fields: [{ name: 'Why', value: fit(alert.why.trim(), LIMITS.fieldValue) }] } : {}),
    footer: { text: footer },
    ...(alert.published ? { timestamp: alert.published.toISOString() } : {}),
  };
  // The summary takes what the 6,000-character total leaves (the other parts stay under 1,800).
  const description = alertDescription(alert, Math.min(LIMITS.description, LIMITS.embedTotal - embedLength(embed)));
  return description ? { ...embed, description } : embed;
}

function alertDescription(alert: Alert, max: number): string {
  const from = alert.summaryFrom;
  let credit = '';
  if (from) {
    const link = linkTarget(from.url);
    const fromLink = link && link.length <= 500 ? link : undefined;
    const name = fit(from.source, 200);
    credit = `\n\n*summary from ${fromLink ? `[${name}](<${fromLink}>)` : name}*`;
  }
  const summary = alert.summary.trim() ? fit(alert.summary.trim(), max - credit.length) : '';
  return summary ? `${summary}${credit}` : credit.trimStart();
}

/** A story's first alert in a channel. */
export function alertMessage(alert: Alert): DiscordMessage {
  return { embeds: [alertEmbed(alert)], allowed_mentions: NO_MENTIONS };
}

/**
 * A later report of the story. In its thread (or as a reply) it needs only the outlet and headline;
 * `standalone` (a webhook, which can neither thread nor reply) also names the story it follows up.
 */
export function followupMessage(raw: Alert, options: { standalone?: boolean } = {}): DiscordMessage {
  const alert = displayText(raw);
  const url = safeLink(alert.url);
  // Why it joined the story: a reader who sees a wrong fold knows what to split (`watchfloor stories split`).
  const joined = alert.joined ? `joined: ${truncate(alert.joined.detail.replace(/\s+/g, ' '), 300)}` : undefined;
  const footer = [alert.language, `score ${alert.score.toFixed(2)}`, joined].filter(Boolean).join(' · ');
  const embed: APIEmbed = {
    author: { name: truncate(`↳ also reported by ${alert.source}`, LIMITS.authorName) },
    title: fit(alert.title, LIMITS.title, escapeTitle),
    ...(url ? { url } : {}),
    ...(options.standalone ? { description: `Follow-up to **${fit(alert.storyTitle, 300)}** (${escapeText(alert.topic.title)})` } : {}),
    color: topicColour(alert.topic.slug),
    footer: { text: footer },
    ...(alert.published ? { timestamp: alert.published.toISOString() } : {}),
  };
  return { embeds: [embed], allowed_mentions: NO_MENTIONS };
}

/** The name of the thread started on an alert: the story's headline (Discord allows 1–100 characters). */
export function threadName(alert: Alert): string {
  const name = truncate(displayText(alert.storyTitle).replace(/\s+/g, ' ').trim(), LIMITS.threadName);
  return name || 'Follow-ups';
}

/** One story of a digest as a description line (the same function measures it for `paginateDigest`). */
export function digestLine(story: DigestStory): string {
  const title = fit(story.title, DIGEST_TITLE_CHARS);
  const link = linkTarget(story.url);
  const headline = link ? `[${title}](<${link}>)` : `**${title}**`;
  const outlets = formatOutlets(story.outlets);
  const origin = [escapeText(truncate(story.source, 80)), outlets].filter(Boolean).join(' ');
  const gist = story.gist.trim() ? `\n  ${fit(story.gist.trim(), DIGEST_GIST_CHARS)}` : '';
  return `• ${headline} — ${origin} · ${story.score.toFixed(2)}${gist}`;
}

/**
 * A digest as embeds: one embed per part of `paginateDigest`, packed into as few messages as Discord allows
 * (10 embeds, 6,000 characters each). Times are Discord timestamps, shown in each reader's own zone. `footerNote`
 * ends every embed's footer (the bot's posts: the deliveries it carries, which the outbox finds it by).
 */
export function digestMessages(raw: Digest, options: { footerNote?: string } = {}): DiscordMessage[] {
  const digest = displayText(raw);
  const window = `<t:${Math.floor(digest.since.getTime() / 1000)}:f> – <t:${Math.floor(digest.until.getTime() / 1000)}:f>`;
  const scope = digest.title ? ` · ${fit(digest.title, 200, escapeTitle)}` : '';
  if (digest.empty) {
    const embed: APIEmbed = {
      title: truncate(`Digest${scope}`, LIMITS.title), description: `No stories between ${window}.`, color: PALETTE[0],
      ...(options.footerNote ? { footer: { text: truncate(options.footerNote, LIMITS.footer) } } : {}),
    };
    return [{ embeds: [embed], allowed_mentions: NO_MENTIONS }];
  }
  const parts = paginateDigest(digest, { maxItemsPerPart: DIGEST_PART_ITEMS, maxCharsPerPart: DIGEST_PART_CHARS, renderLine: digestLine });
  const total = digest.storyCount;
  const more = digest.topics.reduce((sum, topic) => sum + topic.more, 0);
  const embeds = parts.map((part, i): APIEmbed => {
    const lines: string[] = i === 0 ? [window] : [];
    for (const topic of part.topics) {
      lines.push('', `**${fit(topic.title, 200)}**`);
      for (const story of topic.stories) lines.push(digestLine(story));
      if (topic.more > 0) lines.push(`… and ${topic.more} more`);
    }
    const count = part.part && part.part.count > 1 ? ` (${part.part.index}/${part.part.count})` : '';
    const footer = `${total} ${total === 1 ? 'story' : 'stories'} in ${digest.topics.length} ${digest.topics.length === 1 ? 'topic' : 'topics'}` +
      (more > 0 ? `, ${more} more not shown` : '') + (options.footerNote ? ` · ${options.footerNote}` : '');
    return {
      title: truncate(`Digest${scope}${count}`, LIMITS.title),
      description: truncate(lines.join('\n').replace(/^\n+/, ''), LIMITS.description),
      color: PALETTE[0],
      footer: { text: footer },
    };
  });
  return packEmbeds(embeds);
}

/** Whether a digest embed titled `title` is its digest's last part: `(n/n)`, or no part count (the only one). */
export function isLastDigestPart(title: string | undefined): boolean {
  const part = title?.match(/ \((\d+)\/(\d+)\)$/);
  return title !== undefined && (!part || part[1] === part[2]);
}

/** Greedy packing: each message holds at most 10 embeds and 6,000 characters of them. */
export function packEmbeds(embeds: APIEmbed[]): DiscordMessage[] {
  const messages: DiscordMessage[] = [];
  let current: APIEmbed[] = [];
  let size = 0;
  for (const embed of embeds) {
    const length = embedLength(embed);
    if (current.length > 0 && (current.length === LIMITS.embedsPerMessage || size + length > LIMITS.embedTotal)) {
      messages.push({ embeds: current, allowed_mentions: NO_MENTIONS });
      current = [];
      size = 0;
    }
    current.push(embed);
    size += length;
  }
  if (current.length > 0) messages.push({ embeds: current, allowed_mentions: NO_MENTIONS });
  return messages;
}

/** A command's reply as one or more messages: text, tables and links as content, digests as embeds. */
export function replyMessages(raw: Reply): DiscordMessage[] {
  const reply = displayText(raw);
  const pieces: string[] = [];
  const embedMessages: DiscordMessage[] = [];
  for (const part of reply.parts) {
    if (part.type === 'digest') embedMessages.push(...digestMessages(part.digest));
    else pieces.push(...renderPart(part));
  }
  const contents = packContent(pieces);
  if (contents.length === 0 && embedMessages.length === 0) return [{ content: reply.ok ? 'Done.' : 'Nothing to show.', allowed_mentions: NO_MENTIONS }];
  const messages: DiscordMessage[] = contents.map((content) => ({ content, allowed_mentions: NO_MENTIONS }));
  // The last text and the first embeds share a message: "Digest for …" and the digest arrive together.
  if (messages.length > 0 && embedMessages.length > 0) {
    const last = messages.pop()!;
    embedMessages[0] = { ...embedMessages[0]!, content: last.content };
  }
  return [...messages, ...embedMessages];
}

/** Pieces of content, each at most 2,000 characters (a table is split into several code blocks). */
function renderPart(part: Exclude<ReplyPart, { type: 'digest' }>): string[] {
  if (part.type === 'text') return splitLines(escapeText(part.text), LIMITS.content);
  if (part.type === 'links') {
    const lines = part.items.map((item) => {
      const link = linkTarget(item.url);
      const title = fit(item.title, 256);
      const detail = item.detail ? ` — ${fit(item.detail, 300)}` : '';
      return `• ${link ? `[${title}](<${link}>)` : title}${detail}`;
    });
    return splitLines(lines.join('\n'), LIMITS.content);
  }
  // A table in a code block, so its columns line up; backticks in cells could close the block.
  const cell = (value: string) => truncate(value.replace(/`/g, 'ˋ').replace(/\s+/g, ' '), TABLE_CELL_CHARS);
  const rows = [part.columns.map(cell), ...part.rows.map((row) => row.map(cell))];
  const widths = part.columns.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  const lines = rows.map((row) => row.map((value, i) => value.padEnd(widths[i] ?? 0)).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  const fence = 8; // "```\n" + "\n```"
  return splitLines(lines.join('\n'), LIMITS.content - fence).map((block) => `\`\`\`\n${block}\n\`\`\``);
}

/** Splits at line ends into chunks of at most `max`; a longer line is cut. */
function splitLines(text: string, max: number): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = truncate(raw, max);
    if (current && current.length + 1 + line.length > max) {
      chunks.push(current);
      current = line;
    } else {
      current = current ? `${current}\n${line}` : line;
    }
  }
  if (current) chunks.push(current);
  return chunks;
}

/** Joins pieces with blank lines into as few messages of at most 2,000 characters as it can. */
function packContent(pieces: string[]): string[] {
  const messages: string[] = [];
  let current = '';
  for (const piece of pieces) {
    if (!piece) continue;
    if (current && current.length + 2 + piece.length > LIMITS.content) {
      messages.push(current);
      current = piece;
    } else {
      current = current ? `${current}\n\n${piece}` : piece;
    }
  }
  if (current) messages.push(current);
  return messages;
}
