/**
 * XML text → the tree xml2js builds with rss-parser's options, for well-formed documents; undefined
 * for anything sax (under xml2js, strict mode) would complain of, which then goes to xml2js itself,
 * so that errors, their positions and the repair that follows (parse.ts) stay as they were.
 *
 * Why: sax reads a character at a time and xml2js allocates per event, together about 70 % of
 * reading a feed. Here text, CDATA and comments are skipped with `indexOf`, and tags are read with
 * sticky regular expressions. Nearly every feed is well-formed after repair.ts, so the fallback
 * seldom runs.
 *
 * The tree is xml2js's, key for key and in the same order: a node is an `Object.create(null)`
 * object whose text is `_` (dropped when only whitespace, unless some of it was CDATA), whose
 * attributes are `$`, and whose children are arrays under their names; a node with text only is
 * its text, an empty one is its whitespace (''). Only the root's first element is read: xml2js
 * answers when the root closes. Names are limited to ASCII here (others fall back).
 */
import { cutMarkup } from '../../text/cut.ts';
import { isXmlChar } from './repair.ts';

/**
 * Characters of one element's raw text read (issue 17): twice what normalize.ts reads of any field
 * (FIELD_LIMITS.markup), so a field is cut here only where entities are denser than one in two
 * characters, while a 9 MiB description is never decoded whole (its entity decoding alone held
 * ~30 MB per parser thread). The raw text is cut before decoding, never inside a reference.
 */
export const MAX_ELEMENT_TEXT = 1024 * 1024;

export interface XmlTreeOptions {
  /** Renames applied to element names, like xml2js's `tagNameProcessors`. */
  tagName?: (name: string) => string;
  /** Renames applied to attribute names, like xml2js's `attrNameProcessors`. */
  attrName?: (name: string) => string;
}

export type XmlNode = string | XmlElement;
export interface XmlElement {
  _?: string;
  $?: Record<string, string>;
  [child: string]: unknown;
}

interface Frame {
  /** The name as written: close tags must repeat it exactly. */
  raw: string;
  name: string;
  text: string;
  cdata: boolean;
  /** Created with the first attribute or child; a leaf without attributes stays its text. */
  node: XmlElement | undefined;
}

const NAME = /[A-Za-z_:][-\w.:]*/y;
/** An attribute with its leading whitespace; sax requires the quotes and the whitespace. */
const ATTRIBUTE = /[ \t\r\n]+([A-Za-z_:][-\w.:]*)[ \t\r\n]*=[ \t\r\n]*(?:"([^"]*)"|'([^']*)')/y;
const TAG_END = /[ \t\r\n]*(\/?)>/y;
const CLOSE_END = /[ \t\r\n]*>/y;
/** sax's whitespace outside the root; xml2js's test for a text it drops is JavaScript's `\s`. */
const XML_SPACE = /^[ \t\r\n]*$/;
const JS_SPACE = /^\s*$/;

export function buildXmlTree(xml: string, options: XmlTreeOptions = {}): Record<string, XmlNode> | undefined {
  const stack: Frame[] = [];
  let i = 0;
  for (;;) {
    const lt = xml.indexOf('<', i);
    const end = lt < 0 ? xml.length : lt;
    if (end > i) {
      const frame = stack[stack.length - 1];
      const text = xml.slice(i, end);
      if (!frame) {
        if (!XML_SPACE.test(text)) return undefined;
      } else {
        const room = MAX_ELEMENT_TEXT - frame.text.length;
        if (room > 0) {
          // Cut before decoding, never inside a character reference.
          const kept = text.length > room ? cutMarkup(text, room) : text;
          const decoded = kept.includes('&') ? decodeText(kept) : kept;
          if (decoded === undefined) return undefined;
          frame.text += decoded;
        }
      }
    }
    if (lt < 0) return undefined; // the root never closed
    const next = xml.charCodeAt(lt + 1);
    if (next === 0x2f /* / */) {
      const frame = stack.pop();
      NAME.lastIndex = lt + 2;
      const name = NAME.exec(xml)?.[0];
      if (!frame || name !== frame.raw) return undefined;
      CLOSE_END.lastIndex = NAME.lastIndex;
      if (!CLOSE_END.test(xml)) return undefined;
      i = CLOSE_END.lastIndex;
      const node = closeNode(frame);
      const parent = stack[stack.length - 1];
      if (!parent) return rootOf(frame.name, node);
      appendChild(parent, frame.name, node);
    } else if (next === 0x21 /* ! */) {
      if (xml.startsWith('<!--', lt)) {
        const close = xml.indexOf('-->', lt + 4);
        // sax rejects `--` inside a comment, and so a comment ending in `--->`.
        if (close < 0 || xml.slice(lt + 4, close).includes('--') || xml.charCodeAt(close - 1) === 0x2d) return undefined;
        i = close + 3;
      } else if (xml.startsWith('<![CDATA[', lt)) {
        const frame = stack[stack.length - 1];
        const close = xml.indexOf(']]>', lt + 9);
        if (!frame || close < 0) return undefined;
        const room = MAX_ELEMENT_TEXT - frame.text.length;
        if (room > 0) frame.text += xml.slice(lt + 9, Math.min(close, lt + 9 + room));
        frame.cdata = true;
        i = close + 3;
      } else {
        return undefined; // a DOCTYPE (repair.ts removes it) or another declaration
      }
    } else if (next === 0x3f /* ? */) {
      const close = xml.indexOf('?>', lt + 2);
      if (close < 0) return undefined;
      i = close + 2;
    } else {
      NAME.lastIndex = lt + 1;
      const raw = NAME.exec(xml)?.[0];
      if (!raw) return undefined;
      const name = options.tagName ? options.tagName(raw) : raw;
      if (name === '_' || name === '$') return undefined; // would collide with xml2js's own keys
      const frame: Frame = { raw, name, text: '', cdata: false, node: undefined };
      let at = NAME.lastIndex;
      let seen: Set<string> | undefined;
      for (;;) {
        ATTRIBUTE.lastIndex = at;
        const m = ATTRIBUTE.exec(xml);
        if (!m) break;
        at = ATTRIBUTE.lastIndex;
        const attrRaw = m[1]!;
        // sax keeps the first of two attributes with one name. (A Set: a hostile element may carry a million.)
        if (seen?.has(attrRaw)) continue;
        (seen ??= new Set()).add(attrRaw);
        const quoted = m[2] ?? m[3]!;
        const value = quoted.includes('&') ? decodeText(quoted) : quoted;
        if (value === undefined) return undefined;
        const node = (frame.node ??= newNode());
        (node.$ ??= Object.create(null) as Record<string, string>)[options.attrName ? options.attrName(attrRaw) : attrRaw] = value;
      }
      TAG_END.lastIndex = at;
      const tagEnd = TAG_END.exec(xml);
      if (!tagEnd) return undefined;
      i = TAG_END.lastIndex;
      if (tagEnd[1]) {
        const node = closeNode(frame);
        const parent = stack[stack.length - 1];
        if (!parent) return rootOf(name, node);
        appendChild(parent, name, node);
      } else {
        stack.push(frame);
      }
    }
  }
}

function newNode(): XmlElement {
  const node = Object.create(null) as XmlElement;
  // xml2js creates `_` first: it stays the first key when kept.
  node._ = '';
  return node;
}

function closeNode(frame: Frame): XmlNode {
  const keepText = frame.cdata || !JS_SPACE.test(frame.text);
  const node = frame.node;
  if (!node) return frame.text; // text only, or empty: its (whitespace) text
  if (keepText) node._ = frame.text;
  else delete node._;
  return node;
}

function appendChild(parent: Frame, name: string, child: XmlNode): void {
  const node = (parent.node ??= newNode());
  const siblings = node[name] as XmlNode[] | undefined;
  if (siblings) siblings.push(child);
  else node[name] = [child];
}

function rootOf(name: string, node: XmlNode): Record<string, XmlNode> {
  const root = Object.create(null) as Record<string, XmlNode>;
  root[name] = node;
  return root;
}

/** XML's five entities and character references, as sax reads them; undefined for anything else. */
function decodeText(text: string): string | undefined {
  let out = '';
  let from = 0;
  for (let amp = text.indexOf('&'); amp >= 0; amp = text.indexOf('&', from)) {
    const semi = text.indexOf(';', amp + 1);
    if (semi < 0) return undefined;
    const char = entityChar(text.slice(amp + 1, semi));
    if (char === undefined) return undefined;
    out += text.slice(from, amp) + char;
    from = semi + 1;
  }
  return out + text.slice(from);
}

function entityChar(name: string): string | undefined {
  switch (name) {
    case 'amp': return '&';
    case 'lt': return '<';
    case 'gt': return '>';
    case 'quot': return '"';
    case 'apos': return "'";
  }
  const m = /^#(?:[xX]([0-9a-fA-F]+)|(\d+))$/.exec(name);
  if (!m) return undefined;
  const digits = (m[1] ?? m[2]!).toLowerCase().replace(/^0+/, '');
  const code = m[1] ? Number.parseInt(m[1], 16) : Number.parseInt(m[2]!, 10);
  // sax's test: the number written without leading zeros, and a character XML allows.
  if (digits !== code.toString(m[1] ? 16 : 10) || !isXmlChar(code)) return undefined;
  return String.fromCodePoint(code);
}
