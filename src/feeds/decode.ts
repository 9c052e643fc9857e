/**
 * Bytes → text for feeds. rss-parser decodes a Buffer as UTF-8 whatever the document says, so we
 * pick the encoding ourselves, in feedparser's order of precedence:
 *   1. a byte-order mark (or the XML spec's UTF-16/32 autodetection of `<?xm` without one),
 *   2. the HTTP `Content-Type` charset,
 *   3. the XML prolog's `encoding` (or an HTML `<meta charset>` when we were handed a web page),
 *   4. UTF-8.
 * Two repairs on top, both from Miniflux's CharsetReader: bytes that are valid UTF-8 stay UTF-8
 * even under a legacy label (servers and CMSs often lie), and bytes that are not valid UTF-8 under
 * a UTF-8 label (or none) are read as windows-1252 rather than turned into U+FFFD.
 */
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

export interface DecodedFeed {
  text: string;
  /** The encoding actually used, lower case (`utf-8`, `windows-1251`, `utf-16le` …). */
  encoding: string;
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
  if (bom) return { text: iconv.decode(bytes.subarray(bom.length), bom.encoding), encoding: bom.encoding };

  const sniffed = sniffWideEncoding(bytes);
  if (sniffed) return { text: iconv.decode(bytes, sniffed), encoding: sniffed };

  const label = usableLabel(charsetFromContentType(contentType)) ?? usableLabel(declaredEncoding(bytes));
  if (!label || label === 'utf-8' || isWideUnicode(label)) return decodeAsUtf8(bytes);

  // Valid multi-byte UTF-8 under a legacy label is far more likely a wrong label than a coincidence.
  if (hasNonAscii(bytes) && isUtf8(bytes)) return { text: bytes.toString('utf8'), encoding: 'utf-8' };
  return { text: iconv.decode(bytes, DECODE_AS[label] ?? label), encoding: label };
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

function decodeAsUtf8(bytes: Buffer): DecodedFeed {
  if (isUtf8(bytes)) return { text: bytes.toString('utf8'), encoding: 'utf-8' };
  return { text: iconv.decode(bytes, 'windows-1252'), encoding: 'windows-1252' };
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
