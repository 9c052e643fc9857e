/** Atom text constructs (RFC 4287 §3.1, and Atom 0.3's modes) read as markup or text. */
import { escapeHtml } from './html-escape.ts';
import { attrOf, localName, type RawNode, textOf } from './raw-node.ts';

/** An Atom text construct's text: base64 decoded where the construct says it is (Atom 0.3's mode, or RFC 4287 §4.1.3.3). */
function atomText(node: RawNode | undefined): string | undefined {
  const value = textOf(node);
  if (value === undefined) return undefined;
  return isBase64(node) ? Buffer.from(value, 'base64').toString('utf8') : value;
}

/** Atom 0.3 says `mode="base64"`; Atom 1.0 content of a media type other than text or XML is base64. */
function isBase64(node: RawNode | undefined): boolean {
  const mode = attrOf(node, 'mode');
  if (mode !== undefined) return mode === 'base64';
  const type = attrOf(node, 'type')?.toLowerCase();
  return !!type && type.includes('/') && !type.startsWith('text/') && !/[+/]xml\b/.test(type);
}

/** An Atom text construct as HTML: text is escaped so every consumer can treat the field as HTML. */
export function atomHtml(node: RawNode): string {
  const type = (attrOf(node, 'type') ?? 'text').toLowerCase();
  const mode = attrOf(node, 'mode');
  // Atom 0.3's escaped and base64 modes carry XHTML as text, read below like HTML.
  if ((type === 'xhtml' || type.includes('xhtml+xml')) && (mode === undefined || mode === 'xml')) return xhtmlMarkup(node);
  const value = atomText(node) ?? '';
  if (type === 'html' || type === 'text/html') return value;
  if (type === 'text' || type === 'text/plain') return escapeHtml(value);
  // Other media types (Atom 0.3 `mode="escaped"` markup, or XML) are best read as markup.
  return value;
}

/**
 * An Atom title, as markup like every title (normalize.ts makes it a line of text). A title that
 * declares no type is text by RFC 4287, but feeds that leave the type out often put escaped HTML
 * there: it is read as markup, as RSS titles are; a declared type is taken at its word.
 */
export function atomTitle(node: RawNode | undefined): string | undefined {
  if (node === undefined) return undefined;
  return attrOf(node, 'type') === undefined ? atomText(node) : atomHtml(node);
}

/**
 * Inline XHTML back to markup, so that its script and style are dropped like HTML's. A construct with
 * no element inside is not XHTML but escaped HTML under the wrong type, and is read as HTML (as
 * rss-parser did). xml2js keeps an element's text apart from its children, so text comes first here.
 */
function xhtmlMarkup(node: RawNode): string {
  const elements = typeof node === 'object' && node !== null ? Object.keys(node).filter((k) => k !== '_' && k !== '$') : [];
  if (elements.length === 0) return textOf(node) ?? '';
  return elementMarkup(node);
}

function elementMarkup(node: RawNode): string {
  if (typeof node !== 'object' || node === null) return escapeHtml(String(node ?? ''));
  let out = typeof node._ === 'string' ? escapeHtml(node._) : '';
  for (const [name, value] of Object.entries(node)) {
    if (name === '_' || name === '$' || !Array.isArray(value)) continue;
    const tag = localName(name);
    for (const v of value) out += `<${tag}>${elementMarkup(v as RawNode)}</${tag}>`;
  }
  return out;
}
