import { renderDigestText } from '../alerts/digest.ts';
import type { Reply, ReplyPart } from '../commands/types.ts';
import { displayText } from '../text/bidi.ts';
import type { CliIO } from './command.ts';
import { formatTable } from './table.ts';

/** How the CLI's sentences name the command that lists the topics. */
export const TOPICS_LISTER = '`watchfloor topics list`';

/**
 * Control characters (escape sequences above all) never reach the terminal: feed titles and stored errors are
 * untrusted and could move the cursor or retitle the window. Newlines and tabs stay in text.
 */
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const printable = (text: string) => text.replace(CONTROLS, '');
const oneLine = (text: string) => printable(text.replace(/[\t\n\r]+/g, ' '));

/**
 * A command reply as terminal text: sentences as written, tables aligned, links one per line, digests as
 * `watchfloor digest` prints them. Bidirectional controls go too, as at every format's entry (text/bidi.ts).
 */
export function renderReplyText(reply: Reply): string {
  const text = displayText(reply).parts.map(renderPart).join('\n');
  return text.endsWith('\n') ? text : `${text}\n`;
}

function renderPart(part: ReplyPart): string {
  switch (part.type) {
    case 'text':
      return `${printable(part.text)}\n`;
    case 'table':
      return formatTable(part.columns.map(oneLine), part.rows.map((row) => row.map(oneLine)));
    case 'links':
      return part.items.map((item) => `${[`• ${oneLine(item.title)}`, item.url ? `  ${oneLine(item.url)}` : undefined, item.detail ? `  ${oneLine(item.detail)}` : undefined]
        .filter((line) => line !== undefined).join('\n')}\n`).join('');
    case 'digest':
      return printable(renderDigestText(part.digest));
  }
}

/** A refused reply on stderr, as every `watchfloor` error is written; returns the command's exit code for it. */
export function refused(reply: Reply, io: Pick<CliIO, 'stderr'>, code: number): number {
  io.stderr.write(`watchfloor: ${renderReplyText(reply)}`);
  return code;
}
