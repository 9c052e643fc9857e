/**
 * HTML (or HTML-ish feed text) → clean plain text: entities decoded, scripts and styles dropped,
 * block elements turned into paragraph breaks ("\n\n"), whitespace normalized, and the debris
 * that syndicated copies carry removed (leaked attribute soup, double-escaped tags, "The post …
 * appeared first on …" footers).
 */
import { decodeHTML } from 'entities';
import { Parser } from 'htmlparser2';
import iconv from 'iconv-lite';
import { isTooDeep, MAX_MARKUP_DEPTH, tooDeep } from './html-depth.ts';

/** Elements whose content is never reader-visible text. */
const DROPPED = new Set(['script', 'style', 'noscript', 'template', 'svg', 'math', 'iframe', 'object', 'head', 'select', 'button', 'canvas']);

/** Elements that end a paragraph. */
const BLOCK = new Set([
  'p', 'div', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'li', 'ul', 'ol', 'dl', 'dt', 'dd', 'blockquote', 'section',
  'article', 'header', 'footer', 'aside', 'nav', 'main', 'table', 'thead', 'tbody', 'tr', 'pre', 'figure',
  'figcaption', 'hr', 'address', 'form', 'fieldset', 'details', 'summary', 'caption', 'center', 'body', 'html',
]);

const VOID_BLOCK = new Set(['br', 'hr']);

/** A `<br>` inside a paragraph; source newlines are only whitespace. */
const LINE_BREAK = '\u2028';

/**
 * Attribute soup leaked into text by a broken scraper: `" type="text" class="x" readability="8.42">`.
 * Two or more `name="value"` pairs closed by `>` never occur in prose. Text is untrusted: every
 * repetition is bounded and a match starts only where a run of whitespace does (the lookbehind),
 * because the unbounded pattern backtracked cubically over a long run of spaces.
 */
const ATTRIBUTE_SOUP = /(?<!\s)\s*(?:"\s{0,8})?(?:[A-Za-z_:][-\w:.]{0,40}\s{0,8}=\s{0,8}(?:"[^"\n]{0,400}"|'[^'\n]{0,400}')\s{0,8}){2,24}\/?>/g;
/** A single leaked attribute needs the scraper's own tell-tale names to be removed safely. */
const LONE_ATTRIBUTE = /(?<!\s)\s*(?:"\s{0,8})?(?:readability|class|data-[-\w]{1,40}|style|type)\s{0,8}=\s{0,8}"[^"\n]{0,400}"\s{0,8}\/?>/g;
/** Tags that survived one round of decoding because the feed escaped its HTML twice. */
const ESCAPED_TAG = /<\/?(?:p|div|span|a|br|img|strong|em|b|i|u|h[1-6]|ul|ol|li|blockquote|figure|figcaption|font|center|table|tr|td|th|tbody|thead|iframe|source|picture|video)(?:\s[^<>]*)?\/?>/gi;
/** WordPress and feed-service footers that carry no content. */
const BOILERPLATE = [
  /^the post .{1,300} appeared first on .{1,200}\.?$/i,
  /^(?:continue reading|read more|read the full (?:story|article)|weiterlesen|читать далее|더보기)\b.{0,80}$/i,
  /^this (?:entry|article) was originally published (?:on|at) .{1,200}$/i,
];

export function htmlToText(html: string): string {
  if (!html) return '';
  // Text with no tag and no entity is what the tokenizer would hand back whole: skip it (most
  // titles, and the plain-text descriptions of summary-only feeds).
  const paragraphs = html.includes('<') || html.includes('&') ? collectParagraphs(html) : html.trim() ? [html] : [];
  let out = '';
  for (const paragraph of paragraphs) {
    const p = cleanParagraph(paragraph);
    if (!p || BOILERPLATE.some((re) => re.test(p))) continue;
    out = out ? `${out}\n\n${p}` : p;
  }
  return out;
}

/** Text on one line: for titles, authors and other short fields. */
export function htmlToLine(html: string): string {
  const text = htmlToText(html);
  // Most short fields are one clean line already; the regex pass is only needed when they are not.
  return /\s\s|[^ \S]|^\s|\s$/.test(text) ? text.replace(/\s+/g, ' ').trim() : text;
}

function collectParagraphs(html: string): string[] {
  const paragraphs: string[] = [];
  let current = '';
  let dropDepth = 0;
  let depth = 0;
  const flush = () => {
    if (current.trim()) paragraphs.push(current);
    current = '';
  };
  const parser = new Parser(
    {
      onopentag(name) {
        if (++depth > MAX_MARKUP_DEPTH) tooDeep();
        if (DROPPED.has(name)) dropDepth++;
        else if (dropDepth === 0 && name === 'br') current += LINE_BREAK;
        else if (dropDepth === 0 && (BLOCK.has(name) || VOID_BLOCK.has(name))) flush();
        else if (dropDepth === 0 && (name === 'td' || name === 'th' || name === 'img')) current += ' ';
      },
      onclosetag(name) {
        depth--;
        if (DROPPED.has(name)) dropDepth = Math.max(0, dropDepth - 1);
        else if (dropDepth === 0 && BLOCK.has(name)) flush();
      },
      ontext(text) {
        // Decoded here, not by the tokenizer: its entity state machine reads every character, which
        // made it 2.6× slower on feed HTML. Text is never split inside an entity, and `entities`
        // is the tokenizer's own decoder (HTML's references, legacy ones without `;` included).
        if (dropDepth === 0) current += text.includes('&') ? decodeHTML(text) : text;
      },
    },
    { decodeEntities: false, lowerCaseTags: true, recognizeSelfClosing: true },
  );
  try {
    parser.write(html);
    parser.end();
  } catch (err) {
    if (!isTooDeep(err)) throw err;
    return flatParagraphs(html);
  }
  flush();
  return paragraphs;
}

/** Markup nested deeper than any real page (hostile): its tags removed in one linear pass, the text kept as one paragraph. */
function flatParagraphs(html: string): string[] {
  const text = decodeHTML(html.replace(/<[^<>]*>/g, ' '));
  return text.trim() ? [text] : [];
}

/**
 * Soft hyphens, zero-width characters and C0/C1 controls are invisible and break matching; the
 * bidirectional controls (U+061C, U+200E/F, U+202A–E, U+2066–9) also reorder what a reader sees
 * (issue 17; why they are removed rather than isolated: bidi.ts).
 */
const INVISIBLE = /[\u00ad\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\u061c\ufeff\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/**
 * C1 controls (U+0080–U+009F) never belong in text: they are windows-1252 bytes read as Latin-1
 * ("don\u0092t", or `&#146;` in XML), sometimes the middle bytes of UTF-8 read that way
 * (`&#226;&#128;&#166;` for …). A run of such characters that is valid UTF-8 is decoded as UTF-8;
 * otherwise each control becomes its windows-1252 character, as HTML does for `&#146;`.
 */
const LATIN1_RUN = /[\u0080-\u00ff]+/g;
const C1 = /[\u0080-\u009f]/g;
const HAS_C1 = /[\u0080-\u009f]/;
// iconv-lite, not TextDecoder: Node 20's TextDecoder reads windows-1252 as Latin-1. The five bytes
// windows-1252 leaves undefined are dropped.
const CP1252_C1 = Array.from(iconv.decode(Buffer.from(Array.from({ length: 32 }, (_, i) => 0x80 + i)), 'windows-1252'), (c) => (c === '\ufffd' ? '' : c));
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function repairC1(text: string): string {
  // Runs are found whole, then tested: a pattern that must contain a C1 character would backtrack
  // over every long Latin-1 run without one.
  return text.replace(LATIN1_RUN, (run) => {
    if (!HAS_C1.test(run)) return run;
    try {
      return strictUtf8.decode(Buffer.from(run, 'latin1'));
    } catch {
      return run.replace(C1, (c) => CP1252_C1[c.charCodeAt(0) - 0x80]!);
    }
  });
}

function cleanParagraph(paragraph: string): string {
  let text = paragraph;
  if (HAS_C1.test(text)) text = repairC1(text);
  if (text.includes('<')) text = text.replace(ESCAPED_TAG, ' ');
  if (text.includes('=')) text = text.replace(ATTRIBUTE_SOUP, '').replace(LONE_ATTRIBUTE, '');
  text = text.replace(INVISIBLE, '');
  if (!text.includes(LINE_BREAK)) return collapseSpace(text);
  return text
    .split(LINE_BREAK)
    .map(collapseSpace)
    .filter(Boolean)
    .join('\n');
}

/**
 * Runs of whitespace other than a lone space: replacing those alone gives the same text as
 * replacing every run with a space, without rebuilding the string at every word gap.
 */
const SPACE_RUN = / [\s\u00a0]+|[^\S ][\s\u00a0]*/g;

function collapseSpace(line: string): string {
  return line.replace(SPACE_RUN, ' ').trim();
}
