/**
 * Bytes → text for feeds. rss-parser decodes a Buffer as UTF-8 whatever the document says, so we
 * pick the encoding ourselves, in feedparser's order of precedence:
 *   1. a byte-order mark (or the XML spec's UTF-16/32 autodetection of `<?xm` without one),
 *   2. the HTTP `Content-Type` charset,
 *   3. the XML prolog's `encoding` (or an HTML `<meta charset>` when we were handed a web page),
 *   4. UTF-8.
 * Repairs on top, the first two from Miniflux's CharsetReader: bytes that are valid UTF-8 stay UTF-8
 * even under a legacy label (servers and CMSs often lie); bytes that are not valid UTF-8 under a
 * UTF-8 label are read as windows-1252 rather than turned into U+FFFD; with no label at all, a
 * charset detector (chardet, ICU's) names the encoding of non-Latin text (windows-1251, KOI8-R,
 * EUC-KR, Shift_JIS, GB18030 …), windows-1252 otherwise; and UTF-8 that was double-encoded
 * (`Ã©` for é) is undone (repair.ts).
 */
import { isUtf8 } from 'node:buffer';
import { analyse, type Match } from 'chardet';
import iconv from 'iconv-lite';
import { undoDoubleEncodedUtf8 } from './repair.ts';

export interface DecodedFeed {
  text: string;
  /** The encoding actually used, lower case (`utf-8`, `windows-1251`, `utf-16le` …). */
  encoding: string;
  /** Set when the text was repaired after decoding: UTF-8 that had been read as windows-1252 and re-encoded. */
  repaired?: 'double-encoded-utf8';
}

/**
 * Labels whose real-world content is a superset: browsers (WHATWG Encoding) read ISO-8859-1 and
 * US-ASCII as windows-1252, GB2312 as GB18030, EUC-KR as CP949, Shift_JIS as Windows-31J.
 */
const DECODE_AS: Record<string, string> = {
  'iso-8859-1': 'windows-1252',
  'us-ascii': 'windows-1252',
  'windows-1252': 'windows-1252',
  gb2312: 'gb18030',
  gbk: 'gb18030',
  gb18030: 'gb18030',
  'euc-kr': 'cp949',
  shift_jis: 'cp932',
  'windows-31j': 'cp932',
};

/** Spellings seen in the wild → one canonical name. */
const ALIASES: Record<string, string> = {
  utf8: 'utf-8',
  'utf-8': 'utf-8',
  latin1: 'iso-8859-1',
  'latin-1': 'iso-8859-1',
  'iso8859-1': 'iso-8859-1',
  'iso_8859-1': 'iso-8859-1',
  l1: 'iso-8859-1',
  ascii: 'us-ascii',
  'us-ascii': 'us-ascii',
  'ansi_x3.4-1968': 'us-ascii',
  cp1252: 'windows-1252',
  cp1251: 'windows-1251',
  'win-1251': 'windows-1251',
  'x-sjis': 'shift_jis',
  sjis: 'shift_jis',
  'shift-jis': 'shift_jis',
  ms_kanji: 'shift_jis',
  cp932: 'windows-31j',
  'ks_c_5601-1987': 'euc-kr',
  cp949: 'euc-kr',
  'x-gbk': 'gbk',
  'big5-hkscs': 'big5',
  'x-euc-jp': 'euc-jp',
  koi8r: 'koi8-r',
  'utf-16': 'utf-16',
  utf16: 'utf-16',
  'utf-32': 'utf-32',
  utf32: 'utf-32',
};

export function decodeFeed(bytes: Buffer, contentType?: string): DecodedFeed {
  const bom = detectBom(bytes);
  if (bom?.encoding === 'utf-8') return decodeUtf8(bytes.subarray(bom.length));
  if (bom) return { text: iconv.decode(bytes.subarray(bom.length), bom.encoding), encoding: bom.encoding };

  const sniffed = sniffWideEncoding(bytes);
  if (sniffed) return { text: iconv.decode(bytes, sniffed), encoding: sniffed };

  const label = usableLabel(charsetFromContentType(contentType)) ?? usableLabel(declaredEncoding(bytes));
  if (!label) return isUtf8(bytes) ? decodeUtf8(bytes) : decodeWith(bytes, detectNonLatin(bytes) ?? 'windows-1252');
  if (label === 'utf-8' || isWideUnicode(label)) return isUtf8(bytes) ? decodeUtf8(bytes) : decodeWith(bytes, 'windows-1252');

  // Valid multi-byte UTF-8 under a legacy label is far more likely a wrong label than a coincidence.
  if (hasNonAscii(bytes) && isUtf8(bytes)) return decodeUtf8(bytes);
  return decodeWith(bytes, label);
}

/** The `charset` parameter of a Content-Type header, quotes removed; undefined when absent or malformed. */
export function charsetFromContentType(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const match = /;\s*charset\s*=\s*["']?([^"';\s]+)/i.exec(contentType);
  return match?.[1];
}

/** A label we can decode, canonicalized; undefined for unknown or missing labels (`encoding="bogus"`). */
export function normalizeEncodingLabel(label: string | undefined): string | undefined {
  if (!label) return undefined;
  const lower = label.trim().toLowerCase();
  const canonical = ALIASES[lower] ?? lower;
  return iconv.encodingExists(DECODE_AS[canonical] ?? canonical) ? canonical : undefined;
}

function usableLabel(label: string | undefined): string | undefined {
  return normalizeEncodingLabel(label);
}

function decodeWith(bytes: Buffer, label: string): DecodedFeed {
  return { text: iconv.decode(bytes, DECODE_AS[label] ?? label), encoding: label };
}

function decodeUtf8(bytes: Buffer): DecodedFeed {
  const text = bytes.toString('utf8');
  const repaired = undoDoubleEncodedUtf8(bytes, text);
  return repaired === undefined ? { text, encoding: 'utf-8' } : { text: repaired, encoding: 'utf-8', repaired: 'double-encoded-utf8' };
}

/** The answers we take from chardet (its names, lower-cased): single-byte encodings of non-Latin scripts… */
const NON_LATIN_SINGLE_BYTE = new Set([
  'windows-1251', 'koi8-r', 'iso-8859-5', 'windows-1253', 'iso-8859-7', 'windows-1255', 'iso-8859-8',
  'windows-1256', 'iso-8859-6', 'windows-874',
]);
/** …and multi-byte ones, UTF-8 included (undeclared UTF-8 with a few bad bytes). */
const NON_LATIN_MULTI_BYTE = new Set(['utf-8', 'shift_jis', 'euc-jp', 'euc-kr', 'gb18030', 'big5']);
/** ICU gives 10 to any short run of valid multi-byte characters, whatever the encoding: no evidence. */
const MIN_CONFIDENCE = 10;
/** Single-byte guesses rest on letter statistics, guesswork below some 60 letters (Greek `Ειδήσεις` reads as Hebrew). */
const MIN_SINGLE_BYTE_LETTERS = 64;
/** Enough text for chardet's statistics; the rest of a large feed would only cost time. */
const SAMPLE_BYTES = 64 * 1024;

/**
 * The encoding of undeclared, non-UTF-8 bytes when their text is plainly not in a Latin script;
 * undefined leaves them to windows-1252. chardet alone confuses short Latin-1 text with ISO-8859-2
 * or windows-1251, so it is only asked about text in another script, and only for an answer in one.
 */
function detectNonLatin(bytes: Buffer): string | undefined {
  const sample = textBytes(bytes);
  const { nonAscii, inWords } = nonAsciiRuns(sample);
  // Latin-script text has isolated accented letters (café, Straße); Cyrillic, Greek, Hebrew,
  // Arabic, Thai and CJK words are runs of non-ASCII bytes.
  if (nonAscii === 0 || inWords * 2 < nonAscii) return undefined;
  const match = analyse(sample).find((m) => isTrustworthy(m, nonAscii));
  return match ? normalizeEncodingLabel(match.name) : undefined;
}

/** Multi-byte answers rest on byte structure and common characters, sound on a line of text; single-byte ones need more letters. */
function isTrustworthy(match: Match, nonAscii: number): boolean {
  const name = match.name.toLowerCase();
  if (match.confidence <= MIN_CONFIDENCE) return false;
  return NON_LATIN_MULTI_BYTE.has(name) || (NON_LATIN_SINGLE_BYTE.has(name) && nonAscii >= MIN_SINGLE_BYTE_LETTERS);
}

/** The bytes outside `<…>`: markup is ASCII and would dilute chardet's statistics (ICU's input filter does the same). */
function textBytes(bytes: Buffer): Buffer {
  const out = Buffer.allocUnsafe(Math.min(bytes.length, SAMPLE_BYTES));
  let length = 0;
  let inTag = false;
  for (let i = 0; i < bytes.length && length < out.length; i++) {
    const byte = bytes[i];
    if (byte === 0x3c) inTag = true;
    else if (byte === 0x3e) inTag = false;
    else if (!inTag) out[length++] = byte;
  }
  return out.subarray(0, length);
}

/** How many bytes are non-ASCII, and how many of those stand in runs of three or more (whole words of them). */
function nonAsciiRuns(sample: Buffer): { nonAscii: number; inWords: number } {
  let nonAscii = 0;
  let inWords = 0;
  let run = 0;
  for (const byte of sample) {
    if (byte >= 0x80) {
      nonAscii++;
      run++;
      continue;
    }
    if (run >= 3) inWords += run;
    run = 0;
  }
  if (run >= 3) inWords += run;
  return { nonAscii, inWords };
}

/** A UTF-16/32 label on bytes with no BOM and no zero bytes means the document was transcoded to ASCII-compatible bytes. */
function isWideUnicode(label: string): boolean {
  return label.startsWith('utf-16') || label.startsWith('utf-32') || label === 'ucs-2';
}

function detectBom(bytes: Buffer): { encoding: string; length: number } | undefined {
  const [a, b, c, d] = bytes;
  if (a === 0x00 && b === 0x00 && c === 0xfe && d === 0xff) return { encoding: 'utf-32be', length: 4 };
  if (a === 0xff && b === 0xfe && c === 0x00 && d === 0x00) return { encoding: 'utf-32le', length: 4 };
  if (a === 0xef && b === 0xbb && c === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (a === 0xfe && b === 0xff) return { encoding: 'utf-16be', length: 2 };
  if (a === 0xff && b === 0xfe) return { encoding: 'utf-16le', length: 2 };
  return undefined;
}

/** XML 1.0 appendix F: without a BOM, the zero-byte pattern of `<` or `<?` gives the width and order. */
function sniffWideEncoding(bytes: Buffer): string | undefined {
  if (bytes.length < 4) return undefined;
  const [a, b, c, d] = bytes;
  if (a === 0 && b === 0 && c === 0 && d === 0x3c) return 'utf-32be';
  if (a === 0x3c && b === 0 && c === 0 && d === 0) return 'utf-32le';
  if (a === 0 && b === 0x3c && c === 0 && d === 0x3f) return 'utf-16be';
  if (a === 0x3c && b === 0 && c === 0x3f && d === 0) return 'utf-16le';
  return undefined;
}

/** The encoding an ASCII-compatible document declares: XML prolog first, then an HTML meta charset. */
function declaredEncoding(bytes: Buffer): string | undefined {
  const head = bytes.subarray(0, 1024).toString('latin1');
  const prolog = /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([^"']+)["']/i.exec(head);
  if (prolog) return prolog[1];
  if (/^\s*<\?xml/i.test(head)) return undefined;
  const meta = /<meta[^>]+charset\s*=\s*["']?([\w-]+)/i.exec(head);
  return meta?.[1];
}

function hasNonAscii(bytes: Buffer): boolean {
  for (const byte of bytes) if (byte >= 0x80) return true;
  return false;
}
