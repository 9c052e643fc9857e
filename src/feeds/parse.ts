/**
 * Text → ParsedFeed. RSS 0.9x/1.0/2.0 and Atom go through rss-parser's `parseString` (never
 * `parseURL`: we fetch ourselves); JSON Feed goes through json-feed.ts.
 *
 * rss-parser rejects a whole feed for one bad element, so the text is repaired first and the
 * parser is made lenient where it throws:
 *   - the DOCTYPE (and its internal subset) is removed: entity declarations are never expanded
 *     (billion laughs, XXE);
 *   - entities XML does not know (`&nbsp;`, `&eacute;`) become numeric references, unknown ones
 *     and bare `&` become literal text;
 *   - an Atom date it cannot read no longer throws a RangeError for every item: dates are ours
 *     (dates.ts), invalid → undefined;
 *   - namespaced roots (`<rss:channel>`, `<atom:feed>`) are renamed to the names it expects;
 *   - an `<rss>` without a version is read as RSS 2.0, and a feed with no channel is empty.
 * rss-parser reads its XML tree from xml-tree.ts (xml2js's tree, built several times faster;
 * xml2js itself for what that declines). Then its loose output is mapped into our own types here,
 * in one place, reading the raw XML nodes where its mapping drops things (Atom categories, RSS 1.0
 * rdf:about, dc:*, and the xml:base attributes that relative links are resolved against).
 */
import Parser from 'rss-parser';
import { AppError } from '../errors.ts';
import { parseFeedDate } from './dates.ts';
import { discoverFeeds, type DiscoveredFeed } from './discover.ts';
import { escapeHtml, parseJsonFeed } from './json-feed.ts';
import { rebuildWellFormed, repairXml, splitProlog } from './repair.ts';
import { buildXmlTree, type XmlTreeOptions } from './xml-tree.ts';

export interface ParsedFeed {
  format: 'rss' | 'atom' | 'rdf' | 'json';
  title?: string;
  link?: string;
  language?: string;
  ttlMinutes?: number;
  items: ParsedItem[];
  /** Set when the document was malformed and was read after repair: the parser's complaint, as a sentence. */
  recoveredFrom?: string;
}

export interface ParsedItem {
  guid?: string;
  link?: string;
  /** As the feed gives it: may hold markup or entities (RSS titles often do); normalize.ts cleans it. */
  title?: string;
  summaryHtml?: string;
  contentHtml?: string;
  published?: Date;
  updated?: Date;
  author?: string;
  categories: string[];
}

/** The input was a web page, not a feed; `feeds` are the alternates it announces (maybe none). */
export class HtmlPageError extends AppError {
  readonly feeds: DiscoveredFeed[];
  constructor(message: string, feeds: DiscoveredFeed[]) {
    super('html_page', message);
    this.feeds = feeds;
  }
}

export interface ParseOptions {
  contentType?: string;
  /** The document's URL: resolves the links an HTML page announces, and a relative xml:base. */
  url?: string;
}

export async function parseFeed(text: string, options: ParseOptions = {}): Promise<ParsedFeed> {
  const source = text.replace(/^\ufeff/, '');
  if (!source.trim()) throw new AppError('parse', 'not a feed: the document is empty');
  const first = source.trimStart()[0];
  if (first === '{' || first === '[' || (first !== '<' && /json/i.test(options.contentType ?? ''))) return parseJsonFeed(source);
  return parseXmlFeed(source, options);
}

async function parseXmlFeed(source: string, options: ParseOptions): Promise<ParsedFeed> {
  const { rootName, body } = splitProlog(source);
  if (!rootName) throw notAFeed(source, options, 'not a feed: no XML element found');
  const root = localName(rootName).toLowerCase();
  if (root === 'html' || (root !== 'rss' && root !== 'feed' && root !== 'rdf' && /html/i.test(options.contentType ?? ''))) {
    throw htmlPage(source, options);
  }
  const cdf = root === 'channel';
  const atomEntry = root === 'entry';
  if (root !== 'rss' && root !== 'feed' && root !== 'rdf' && !cdf && !atomEntry) {
    throw new AppError('parse', `not a feed: the document is <${rootName}>, not RSS, Atom or RDF`);
  }
  const repaired = repairXml(body);
  // Microsoft's CDF (1997) is a channel of items with upper-case names: read it as an RSS channel.
  // An Atom Entry Document (RFC 4287 §4.1.2) is a feed of one.
  const xml = cdf ? `<rss version="2.0">${repaired}</rss>` : atomEntry ? `<feed>${repaired}</feed>` : repaired;
  const renames = namespaceRenames(xml, atomEntry ? 'feed' : root);
  try {
    return toParsedFeed(await parseWith(createParser(renames, cdf), xml), options.url);
  } catch (err) {
    if (!isXmlSyntaxError(err)) throw new AppError('parse', xmlErrorSentence(err), { cause: err });
    const sentence = xmlErrorSentence(err);
    let feed: ParsedFeed;
    try {
      feed = toParsedFeed(await parseWith(createParser(renames, cdf), rebuildWellFormed(xml)), options.url);
    } catch {
      throw new AppError('parse', sentence, { cause: err });
    }
    // A document that repairs into nothing (no item, title or link) is the error it was, not an empty feed.
    if (feed.items.length === 0 && !feed.title && !feed.link) throw new AppError('parse', sentence, { cause: err });
    return { ...feed, recoveredFrom: sentence.replace(/^not a feed: /, '') };
  }
}

async function parseWith(parser: Parser, xml: string): Promise<RawFeed> {
  return (await parser.parseString(xml)) as unknown as RawFeed;
}

/** sax reports syntax errors with a position ("…\nLine: 3\nColumn: 7"); anything else is not repairable by re-tokenizing. */
function isXmlSyntaxError(err: unknown): boolean {
  return err instanceof Error && /\nLine: \d+\nColumn: \d+/.test(err.message);
}

/** Namespace URIs whose elements rss-parser only recognizes under one fixed prefix (or none). */
const CANONICAL_PREFIX: Record<string, string> = {
  'http://purl.org/rss/1.0/': '',
  'http://my.netscape.com/rdf/simple/0.9/': '',
  'http://backend.userland.com/rss2': '',
  'http://blogs.law.harvard.edu/tech/rss': '',
  'http://backend.userland.com/rss': '',
  'http://www.w3.org/1999/02/22-rdf-syntax-ns#': 'rdf',
  'http://purl.org/dc/elements/1.1/': 'dc',
  'http://purl.org/dc/terms/': 'dcterms',
  'http://purl.org/rss/1.0/modules/content/': 'content',
  'http://www.itunes.com/dtds/podcast-1.0.dtd': 'itunes',
  'http://search.yahoo.com/mrss/': 'media',
};

/** Prefix renames for this document (`rss:item` → `item`), or undefined when every prefix is already canonical. */
function namespaceRenames(xml: string, root: string): Map<string, string> | undefined {
  let renames: Map<string, string> | undefined;
  for (const m of xml.matchAll(/xmlns:([\w.-]+)\s*=\s*["']([^"']+)["']/g)) {
    const [, prefix, uri] = m;
    const isAtom = uri === 'http://www.w3.org/2005/Atom' || uri === 'http://purl.org/atom/ns#';
    const wanted = isAtom ? (root === 'feed' ? '' : 'atom') : CANONICAL_PREFIX[uri];
    if (wanted === undefined || wanted === prefix) continue;
    renames ??= new Map();
    renames.set(prefix, wanted);
  }
  return renames;
}

// ---------- rss-parser, made lenient ----------

type RawNode = string | { _?: string; $?: Record<string, string>; [child: string]: unknown };
type RawElement = Record<string, unknown> & { $?: Record<string, string> };
interface RawItem extends Record<string, unknown> {
  raw: RawElement;
}
interface RawFeed extends Record<string, unknown> {
  format: ParsedFeed['format'];
  raw: RawElement;
  items: RawItem[];
  /** The elements whose xml:base applies, outermost first: to the channel's own links, and to every item. */
  scopes: { channel: RawElement[]; items: RawElement[] };
}

interface ParserInternals {
  buildAtomFeed(xmlObj: Record<string, unknown>): RawFeed;
  buildRSS0_9(xmlObj: Record<string, unknown>): RawFeed;
  buildRSS1(xmlObj: Record<string, unknown>): RawFeed;
  buildRSS2(xmlObj: Record<string, unknown>): RawFeed;
  buildRSS(channel: RawElement, items: RawElement[]): RawFeed;
}

const base = Parser.prototype as unknown as ParserInternals;

type XmlCallback = (err: Error | null, result?: unknown) => void;
interface XmlParser {
  parseString(xml: string, callback: XmlCallback): void;
}

/**
 * A rss-parser whose build steps cannot throw for one odd element: each item and the channel keep
 * their raw xml2js node (`raw`) for our own mapping. The XML tree comes from xml-tree.ts, and from
 * rss-parser's own xml2js for the documents that reader declines (malformed ones: sax's error then
 * names the place, and parseXmlFeed repairs from there).
 */
class LenientParser extends Parser {
  constructor(tree: XmlTreeOptions) {
    const processor = (f: ((name: string) => string) | undefined) => (f ? [f] : undefined);
    super({ defaultRSS: 2, xml2js: { tagNameProcessors: processor(tree.tagName), attrNameProcessors: processor(tree.attrName) } });
    const self = this as unknown as { xmlParser: XmlParser };
    const xml2js = self.xmlParser;
    self.xmlParser = {
      parseString(xml, callback) {
        const result = buildXmlTree(xml, tree);
        if (result) callback(null, result);
        else xml2js.parseString(xml, callback);
      },
    };
  }

  buildAtomFeed(xmlObj: Record<string, unknown>): RawFeed {
    const feedNode = asElement(xmlObj.feed);
    const feed = base.buildAtomFeed.call(this, { feed: { ...feedNode, link: hrefLinks(feedNode.link) } });
    return { ...feed, format: 'atom', raw: feedNode, scopes: { channel: [feedNode], items: [feedNode] } };
  }
  parseItemAtom(entry: RawElement): RawItem {
    // atomItem maps entries from the raw node alone, as rssItem does items: rss-parser's own mapping
    // (content rebuilt through an XML builder, a snippet, and dates that throw when unreadable) would be thrown away.
    return { raw: entry };
  }
  buildRSS0_9(xmlObj: Record<string, unknown>): RawFeed {
    return this.buildRSS2(xmlObj);
  }
  buildRSS2(xmlObj: Record<string, unknown>): RawFeed {
    const rss = asElement(xmlObj.rss);
    const channel = asElement(firstOf(rss.channel));
    const feed = base.buildRSS.call(this, channel, asElements(channel.item ?? rss.item));
    const scopes = { channel: [rss, channel], items: channel.item ? [rss, channel] : [rss] };
    return { ...feed, format: 'rss', raw: channel, scopes };
  }
  buildRSS1(xmlObj: Record<string, unknown>): RawFeed {
    const rdf = asElement(xmlObj['rdf:RDF']);
    const channel = asElement(firstOf(rdf.channel));
    const feed = base.buildRSS.call(this, channel, asElements(rdf.item ?? channel.item));
    // RSS 1.0 items are siblings of the channel, not its children.
    const scopes = { channel: [rdf, channel], items: rdf.item ? [rdf] : [rdf, channel] };
    return { ...feed, format: 'rdf', raw: channel, scopes };
  }
  parseItemRss(xmlItem: RawElement): RawItem {
    // rssItem maps RSS items from the raw node alone: rss-parser's own mapping (content rebuilt
    // through an XML builder, a snippet, ISO dates) would be thrown away, at a third of its cost.
    return { raw: xmlItem };
  }
}

/** One parser per document: the name renames depend on the document's prefixes. */
function createParser(renames: Map<string, string> | undefined, lowerCase = false): Parser {
  if (lowerCase) {
    const lower = (name: string) => name.toLowerCase();
    return new LenientParser({ tagName: lower, attrName: lower });
  }
  if (!renames) return new LenientParser({});
  return new LenientParser({
    tagName: (name) => {
      const colon = name.indexOf(':');
      if (colon < 0) return name;
      const to = renames.get(name.slice(0, colon));
      if (to === undefined) return name;
      return to ? `${to}:${name.slice(colon + 1)}` : name.slice(colon + 1);
    },
  });
}

function asElement(node: unknown): RawElement {
  if (Array.isArray(node)) return asElement(node[0]);
  if (node && typeof node === 'object') return node as RawElement;
  return {};
}

function asElements(node: unknown): RawElement[] {
  if (!Array.isArray(node)) return node === undefined ? [] : [asElement(node)];
  return node.map(asElement);
}

function firstOf(node: unknown): unknown {
  return Array.isArray(node) ? node[0] : node;
}

/** rss-parser's getLink reads `link.$.href` and throws on `<link>text</link>`: keep only href links. */
function hrefLinks(links: unknown): RawElement[] | undefined {
  if (!Array.isArray(links)) return undefined;
  const withHref = links.filter((l): l is RawElement => !!l && typeof l === 'object' && !!(l as RawElement).$?.href);
  return withHref.length ? withHref : undefined;
}

// ---------- mapping into our types ----------

function toParsedFeed(raw: RawFeed, documentUrl: string | undefined): ParsedFeed {
  const node = raw.raw;
  const documentScope: BaseScope = { uri: documentUrl, declared: false };
  const channelScope = raw.scopes.channel.reduce(withXmlBase, documentScope);
  const itemsScope = raw.scopes.items.reduce(withXmlBase, documentScope);
  const items = (raw.items ?? []).map((item) => {
    const scope = withXmlBase(itemsScope, item.raw);
    return raw.format === 'atom' ? atomItem(item, scope) : rssItem(item, scope);
  });
  const language = raw.format === 'atom' ? node.$?.['xml:lang'] ?? textOf(child(node, 'dc:language')) : textOf(child(node, 'language')) ?? textOf(child(node, 'dc:language'));
  const ttl = Number.parseInt(textOf(child(node, 'ttl')) ?? '', 10);
  return {
    format: raw.format,
    title: raw.format === 'atom' ? atomTitle(child(node, 'title')) : textOf(child(node, 'title')) ?? textOf(child(node, 'dc:title')),
    link: raw.format === 'atom' ? atomLink(node, channelScope) : rssLink(node, channelScope),
    language: language?.trim() || undefined,
    ttlMinutes: Number.isFinite(ttl) && ttl > 0 ? ttl : undefined,
    items,
  };
}

function atomItem(item: RawItem, scope: BaseScope): ParsedItem {
  const entry = item.raw;
  const summary = child(entry, 'summary');
  const content = child(entry, 'content');
  return {
    guid: nonEmpty(textOf(child(entry, 'id'))),
    link: atomLink(entry, scope),
    title: atomTitle(child(entry, 'title')),
    summaryHtml: summary !== undefined ? atomHtml(summary) : undefined,
    contentHtml: content !== undefined ? atomHtml(content) : undefined,
    published: firstDate(entry, ['published', 'issued', 'created', 'dc:date']),
    updated: firstDate(entry, ['updated', 'modified']),
    author: nonEmpty(textOf(child(asElement(child(entry, 'author')), 'name')) ?? textOf(child(entry, 'dc:creator'))),
    categories: unique([
      ...children(entry, 'category').map((c) => attrOf(c, 'term') ?? attrOf(c, 'label') ?? textOf(c)),
      ...children(entry, 'dc:subject').map(textOf),
    ]),
  };
}

function rssItem(item: RawItem, scope: BaseScope): ParsedItem {
  const node = item.raw;
  const guidNode = child(node, 'guid');
  const guid = nonEmpty(textOf(guidNode)) ?? nonEmpty(node.$?.['rdf:about']);
  const isPermaLink = attrOf(guidNode, 'isPermaLink')?.toLowerCase() !== 'false';
  const link = textLink(child(node, 'link'), scope) ?? atomLink(node, scope, 'atom:link') ?? resolveLink(node.$?.href, scope) ?? (guid && isPermaLink && /^https?:\/\//i.test(guid) ? guid : undefined);
  const encoded = nonEmpty(textOf(child(node, 'content:encoded')) ?? textOf(child(node, 'xhtml:body')));
  const description = textOf(child(node, 'description')) ?? textOf(child(node, 'dc:description')) ?? textOf(child(node, 'summary')) ?? textOf(child(node, 'abstract'));
  return {
    guid: guid?.trim(),
    link: link?.trim(),
    title: textOf(child(node, 'title')) ?? textOf(child(node, 'dc:title')) ?? textOf(child(node, 'media:title')),
    summaryHtml: description ?? textOf(child(node, 'itunes:summary')),
    contentHtml: encoded,
    published: firstDate(node, ['pubDate', 'dc:date', 'dcterms:issued', 'dcterms:created', 'atom:published']) ?? parseFeedDate(node.$?.lastmod),
    updated: firstDate(node, ['dcterms:modified', 'atom:updated']),
    author: nonEmpty(textOf(child(node, 'author')) ?? textOf(child(node, 'dc:creator')) ?? textOf(child(node, 'itunes:author'))),
    categories: unique([...children(node, 'category'), ...children(node, 'dc:subject')].map(textOf)),
  };
}

function child(node: RawElement | undefined, name: string): RawNode | undefined {
  const value = node?.[name];
  return (Array.isArray(value) ? value[0] : undefined) as RawNode | undefined;
}

function children(node: RawElement | undefined, name: string): RawNode[] {
  const value = node?.[name];
  return Array.isArray(value) ? (value as RawNode[]) : [];
}

function attrOf(node: RawNode | undefined, name: string): string | undefined {
  return typeof node === 'object' ? node.$?.[name] : undefined;
}

/** The text of an element; for mixed content (xhtml) every descendant's text, in document order as far as xml2js keeps it. */
function textOf(node: RawNode | undefined): string | undefined {
  if (node === undefined || node === null) return undefined;
  if (typeof node === 'string') return node;
  if (typeof node !== 'object') return String(node);
  if (typeof node._ === 'string' && Object.keys(node).every((k) => k === '_' || k === '$')) return node._;
  const parts: string[] = [];
  if (typeof node._ === 'string') parts.push(node._);
  for (const [key, value] of Object.entries(node)) {
    if (key === '_' || key === '$' || !Array.isArray(value)) continue;
    for (const v of value) parts.push(textOf(v as RawNode) ?? '');
  }
  return parts.length ? parts.join(' ') : typeof node.$ === 'object' ? undefined : '';
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() ? value : undefined;
}

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
function atomHtml(node: RawNode): string {
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
function atomTitle(node: RawNode | undefined): string | undefined {
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

/** Atom's alternate link (rel missing means alternate, RFC 4287 §4.2.7.2), else the first link with an href. */
function atomLink(node: RawElement, scope: BaseScope, name = 'link'): string | undefined {
  const links = children(node, name).filter((l): l is Exclude<RawNode, string> => typeof l === 'object' && !!l.$?.href);
  const alternate = links.find((l) => (l.$?.rel ?? 'alternate') === 'alternate' && /html|^$/.test(l.$?.type ?? '')) ?? links.find((l) => (l.$?.rel ?? 'alternate') === 'alternate');
  const chosen = alternate ?? links[0];
  if (chosen) return resolveLink(chosen.$?.href, withXmlBase(scope, chosen));
  return name === 'link' ? textLink(child(node, 'link'), scope) : undefined;
}

function rssLink(channel: RawElement, scope: BaseScope): string | undefined {
  for (const l of children(channel, 'link')) {
    const link = textLink(l, scope);
    if (link) return link;
  }
  return atomLink(channel, scope, 'atom:link') ?? resolveLink(channel.$?.href, scope);
}

/** A `<link>` element whose text is the URL, resolved against its own xml:base or the one in scope. */
function textLink(node: RawNode | undefined, scope: BaseScope): string | undefined {
  return resolveLink(nonEmpty(textOf(node)), withXmlBase(scope, node));
}

/**
 * The base URI in scope for an element (RFC 3986 §5.1, XML Base): the document's URL until some
 * xml:base applies (`declared`), then that xml:base resolved against the base outside it.
 */
interface BaseScope {
  uri?: string;
  declared: boolean;
}

/** The scope inside `node`. An xml:base that resolves to no http(s) URL (`javascript:`, a relative one under no base) is ignored. */
function withXmlBase(scope: BaseScope, node: RawNode | undefined): BaseScope {
  const xmlBase = attrOf(node, 'xml:base');
  if (xmlBase === undefined) return scope;
  try {
    const uri = new URL(xmlBase.trim(), scope.uri);
    return uri.protocol === 'http:' || uri.protocol === 'https:' ? { uri: uri.href, declared: true } : scope;
  } catch {
    return scope;
  }
}

/**
 * A link made absolute against the xml:base in scope. Without an xml:base the link is returned as
 * written (trimmed): normalize.ts resolves it against the feed's URL. An absolute link ignores the base.
 */
function resolveLink(link: string | undefined, scope: BaseScope): string | undefined {
  const trimmed = link?.trim();
  if (!trimmed || !scope.declared || /^[a-z][a-z\d+.-]*:/i.test(trimmed)) return trimmed;
  try {
    return new URL(trimmed, scope.uri).href;
  } catch {
    return trimmed;
  }
}

function firstDate(node: RawElement, names: string[]): Date | undefined {
  for (const name of names) {
    const date = parseFeedDate(textOf(child(node, name)));
    if (date) return date;
  }
  return undefined;
}

function unique(values: Array<string | undefined>): string[] {
  const out = new Set<string>();
  for (const v of values) {
    const t = v?.trim();
    if (t) out.add(t);
  }
  return [...out];
}

// ---------- errors ----------

function localName(name: string): string {
  return name.slice(name.indexOf(':') + 1);
}

function htmlPage(source: string, options: ParseOptions): HtmlPageError {
  const feeds = discoverFeeds(source, options.url ?? 'http://invalid/');
  const where = options.url ? `${options.url} is a web page` : 'this is a web page';
  const message = feeds.length === 0
    ? `not a feed: ${where} and announces no feed`
    : `not a feed: ${where}; it announces ${feeds.length === 1 ? 'the feed' : 'these feeds'} ${feeds.map((f) => f.url).join(', ')}`;
  return new HtmlPageError(message, feeds);
}

function notAFeed(source: string, options: ParseOptions, message: string): AppError {
  return /<html[\s>]/i.test(source.slice(0, 4096)) ? htmlPage(source, options) : new AppError('parse', message);
}

/** sax's "Unexpected close tag\nLine: 3\nColumn: 7\nChar: >" → "not a feed: line 4, column 7: unexpected close tag". */
function xmlErrorSentence(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const m = /^([^\n]+)\nLine: (\d+)\nColumn: (\d+)/.exec(message);
  if (m) {
    const what = m[1].charAt(0).toLowerCase() + m[1].slice(1).replace(/\.$/, '');
    return `not a feed: line ${Number(m[2]) + 1}, column ${m[3]}: ${what}`;
  }
  return `not a feed: ${message.split('\n')[0].replace(/\.$/, '')}`;
}
