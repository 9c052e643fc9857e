/**
 * Text repairs applied before XML parsing, so that one bad construct does not reject a whole feed
 * (rss-parser, through sax in strict mode, rejects the document for any of them):
 *   - splitProlog: drops the DOCTYPE with its internal subset, so entity declarations are never
 *     expanded (billion laughs, XXE), and finds the root element's name;
 *   - repairEntities: HTML named entities → numeric references; unknown names and bare `&` → text;
 *   - stripControlCharacters: C0 controls XML forbids;
 *   - escapeStrayDeclarations: `<!` that opens no comment or CDATA section becomes text (sax reads
 *     such a declaration in quadratic time, so a long unclosed one would stall a parser thread);
 *   - repairXml: the three above, in the order parse.ts needs them;
 *   - rebuildWellFormed: the fallback for malformed XML (truncated documents, mismatched close
 *     tags): a forgiving tokenizer re-emits the same elements as well-formed XML;
 *   - undoDoubleEncodedUtf8 (called by decode.ts): UTF-8 that was once read as windows-1252 and
 *     encoded again (`Ã©` for é, `Ð¡` for С, `â€™` for ’) back to what it was.
 */
import { decodeHTMLStrict } from 'entities';
import { Parser } from 'htmlparser2';
import iconv from 'iconv-lite';

/**
 * Skips the prolog (XML declaration, comments, processing instructions, DOCTYPE) and returns the
 * document from its root element on, without the DOCTYPE. Only the prolog is scanned, so a
 * `<!DOCTYPE` quoted inside an item's text is left alone.
 */
export function splitProlog(text: string): { rootName?: string; body: string } {
  // Removed parts are replaced by their newlines so that sax's line numbers still match the input.
  const lines = (from: number, to: number) => '\n'.repeat(text.slice(from, to).split('\n').length - 1);
  let i = 0;
  let kept = '';
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      kept += c;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r' || c === '\ufeff') {
      i++;
    } else if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i);
      if (end < 0) break;
      kept += lines(i, end);
      i = end + 2;
    } else if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i);
      if (end < 0) break;
      kept += lines(i, end);
      i = end + 3;
    } else if (/^<!doctype/i.test(text.slice(i, i + 9))) {
      const end = endOfDoctype(text, i);
      kept += lines(i, end);
      i = end;
    } else if (c === '<') {
      const name = /^<([A-Za-z_][-\w.:]*)/.exec(text.slice(i, i + 200))?.[1];
      return { rootName: name, body: kept + text.slice(i) };
    } else {
      break;
    }
  }
  return { body: text };
}

/** The end of `<!DOCTYPE name [ internal subset ]>`: quoted strings and the bracketed subset may hold `>`. */
function endOfDoctype(text: string, start: number): number {
  let depth = 0;
  let quote = '';
  for (let i = start + 2; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    else if (c === '>' && depth === 0) return i + 1;
  }
  return text.length;
}

/**
 * Every `&` but those starting one of XML's five entities, which escaped HTML is full of
 * (`&lt;p&gt;`): skipping them in the pattern spares a callback each.
 */
const NEEDS_REPAIR = /&(?!(?:amp|lt|gt|quot|apos);)(#[xX][0-9a-fA-F]+;|#[0-9]+;|[A-Za-z][\w.-]*;)?/g;

/**
 * Makes every `&` a reference XML accepts, outside CDATA and comments: HTML named entities become
 * numeric references, unknown names and bare ampersands (`AT&T`) become literal text, and so do
 * numeric references to characters XML forbids.
 */
export function repairEntities(xml: string): string {
  if (!xml.includes('&')) return xml;
  let out = '';
  let last = 0;
  for (const [start, end] of protectedSections(xml)) {
    out += repairSegment(xml.slice(last, start)) + xml.slice(start, end);
    last = end;
  }
  return out + repairSegment(xml.slice(last));
}

/**
 * CDATA sections and comments, as [start, end) ranges. Found with indexOf, not a lazy pattern: an
 * unclosed `<!--` would have a pattern scan to the end of the document again from every later one.
 * An unclosed section runs to the end, as it does for the XML parser.
 */
function* protectedSections(xml: string): Generator<[number, number]> {
  let from = 0;
  // Each next start is searched again only once passed: a document of many CDATA sections and no
  // comment must not be scanned to its end for `<!--` once per section.
  let cdata = xml.indexOf('<![CDATA[');
  let comment = xml.indexOf('<!--');
  for (;;) {
    if (cdata >= 0 && cdata < from) cdata = xml.indexOf('<![CDATA[', from);
    if (comment >= 0 && comment < from) comment = xml.indexOf('<!--', from);
    if (cdata < 0 && comment < 0) return;
    const isCdata = cdata >= 0 && (comment < 0 || cdata < comment);
    const start = isCdata ? cdata : comment;
    const close = isCdata ? xml.indexOf(']]>', start + 9) : xml.indexOf('-->', start + 4);
    const end = close < 0 ? xml.length : close + 3;
    yield [start, end];
    from = end;
  }
}

function repairSegment(segment: string): string {
  if (!segment.includes('&')) return segment;
  return segment.replace(NEEDS_REPAIR, (whole, ref: string | undefined) => {
    if (!ref) return '&amp;';
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return isXmlChar(code) ? whole : `&amp;${ref}`;
    }
    const decoded = decodeHTMLStrict(whole);
    if (decoded === whole) return `&amp;${ref}`;
    return Array.from(decoded, (ch) => `&#${ch.codePointAt(0)};`).join('');
  });
}

/** A code point XML 1.0 allows in a document (its `Char` production). */
export function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

/** What parse.ts reads a feed's XML through: controls stripped, stray declarations escaped, entities repaired. */
export function repairXml(xml: string): string {
  return repairEntities(escapeStrayDeclarations(stripControlCharacters(xml)));
}

/**
 * `<!` that starts neither a comment nor a CDATA section (the DOCTYPE is gone with the prolog,
 * splitProlog) is escaped into text. Feeds have no other declarations, and sax reads one a
 * character at a time by re-testing all it has read so far: 80,000 characters without a `>` took
 * it 24 s.
 */
export function escapeStrayDeclarations(xml: string): string {
  let out = '';
  let last = 0;
  for (let at = xml.indexOf('<!'); at >= 0; at = xml.indexOf('<!', at)) {
    const close = xml.startsWith('<!--', at) ? '-->' : xml.startsWith('<![CDATA[', at) ? ']]>' : undefined;
    if (close) {
      // From past `<!--`: `<!-->` does not close the comment it opens.
      const end = xml.indexOf(close, at + 4);
      if (end < 0) break;
      at = end + close.length;
      continue;
    }
    out += `${xml.slice(last, at)}&lt;`;
    last = at + 1;
    at += 2;
  }
  return last === 0 ? xml : out + xml.slice(last);
}

/** XML 1.0 forbids C0 controls other than tab and newlines; real feeds contain them anyway. */
export function stripControlCharacters(xml: string): string {
  return xml.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '');
}

/**
 * Re-emits malformed XML as well-formed XML: htmlparser2 in XML mode closes what was left open at
 * the end (a truncated download), ignores close tags that match nothing and closes intermediate
 * elements on a mismatched one. Text and attributes are re-escaped; comments and PIs are dropped.
 */
export function rebuildWellFormed(xml: string): string {
  const out: string[] = [];
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        let tag = `<${name}`;
        for (const [key, value] of Object.entries(attrs)) {
          if (/^[A-Za-z_:][-\w.:]*$/.test(key)) tag += ` ${key}="${escapeXml(value).replace(/"/g, '&quot;')}"`;
        }
        out.push(`${tag}>`);
      },
      ontext(text) {
        out.push(escapeXml(text));
      },
      onclosetag(name) {
        out.push(`</${name}>`);
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.write(xml);
  parser.end();
  return out.join('');
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// ---------- double-encoded UTF-8 ----------

/**
 * Byte strings that double-encoded text of each script is full of: the mojibake of its frequent
 * characters from the second byte on. Every mojibake sequence starts with C3 (a lead byte read as
 * Â…ô), but so does every é of a correct French feed: without it, `includes` rarely stops on one.
 */
const MOJIBAKE_MARKS = [
  [0x83, 0xc2], // Ã + ¡…¿: à…ÿ (`Ã©` é)
  [0x82, 0xc2], // Â + ¡…¿: no-break space, «, », ©, °
  [0x8e, 0xc2], // Î + ¡…¿: Greek
  [0x90, 0xc2], // Ð + ¡…¿: Cyrillic а…п (`Ð°` а)
  [0x97, 0xc2], // × + ¡…¿: Hebrew
  [0x98, 0xc2], // Ø + ¡…¿: Arabic
  [0xa2, 0xe2, 0x82, 0xac], // â€: ’ “ ” – — …
  [0xa3, 0xe2, 0x82, 0xac], // ã€: 、 。 「 」
  [0xaf, 0xc2, 0xbc], // ï¼: full-width ， ： （ ）
  [0xab, 0xc2], // ë + ¡…¿: Hangul 나…빟 (다, 는, 를)
  [0xac, 0xc2], // ì + ¡…¿: Hangul 사…칳 (이, 의, 에)
].map((bytes) => Buffer.from(bytes));

/** windows-1252's characters for 0x80–0x9F (€ ‚ ƒ … ’ “ ” – — ™ …) → their byte; U+0080–U+00FF stand for themselves (Latin-1). */
const CP1252_BYTES = new Map(
  [...iconv.decode(Buffer.from(Array.from({ length: 0x20 }, (_, i) => 0x80 + i)), 'windows-1252')]
    .map((char, i) => [char, 0x80 + i] as const)
    .filter(([char]) => char !== '\ufffd'),
);
/** A UTF-8 continuation byte as a windows-1252 (or Latin-1) character. */
const CONTINUATION = `[\u0080-\u00bf${[...CP1252_BYTES.keys()].filter((c) => c > '\u00ff').join('')}]`;
/** A UTF-8 lead byte and its continuation bytes, each read as one windows-1252 character. */
const MOJIBAKE = new RegExp(`[\u00c2-\u00df]${CONTINUATION}|[\u00e0-\u00ef]${CONTINUATION}{2}|[\u00f0-\u00f4]${CONTINUATION}{3}`, 'g');
/** Fewer sequences than this is more likely a coincidence (`groß“`, `déjà »`) than a double-encoded document. */
const MIN_MOJIBAKE = 3;

/**
 * The text with its double-encoded sequences decoded again, or undefined when it does not look
 * double-encoded. Conservative: there must be several such sequences, they must hold most of the
 * text's non-ASCII characters (correct French or German text has far more accented letters than
 * coincidental sequences), and the repair must leave fewer of them. `utf8` is the text's bytes,
 * for a cheap pre-test of native byte searches: a text without a C3 byte (English, Russian, CJK)
 * costs one memchr, others about 0.1–0.5 ms per MB, before the regular expressions run.
 */
export function undoDoubleEncodedUtf8(utf8: Buffer, text: string): string | undefined {
  if (utf8.indexOf(0xc3) < 0 || !MOJIBAKE_MARKS.some((mark) => utf8.includes(mark))) return undefined;
  const sequences = text.match(MOJIBAKE) ?? [];
  if (sequences.length < MIN_MOJIBAKE) return undefined;
  const inSequences = sequences.reduce((sum, s) => sum + s.length, 0);
  if (inSequences * 2 < countNonAscii(text)) return undefined;
  const repaired = text.replace(MOJIBAKE, (sequence) => decodeAsCp1252Bytes(sequence) ?? sequence);
  return (repaired.match(MOJIBAKE)?.length ?? 0) < sequences.length ? repaired : undefined;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The characters as the windows-1252 bytes they were read from, decoded as UTF-8; undefined when those bytes are not UTF-8 (overlong, surrogate). */
function decodeAsCp1252Bytes(sequence: string): string | undefined {
  const bytes = Uint8Array.from(sequence, (char) => CP1252_BYTES.get(char) ?? char.charCodeAt(0));
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function countNonAscii(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) count++;
  return count;
}
