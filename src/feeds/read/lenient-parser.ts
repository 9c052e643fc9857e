/**
 * rss-parser, made lenient: its build steps cannot throw for one odd element, every item and the
 * channel keep their raw XML node for our own mapping (item-mapping.ts), and namespaced names are
 * renamed to the prefixes it recognizes.
 */
import Parser from 'rss-parser';
import type { ParsedFeed } from './feed-types.ts';
import { asElement, asElements, firstOf, type RawElement } from './raw-node.ts';
import { buildXmlTree, type XmlTreeOptions } from './xml-tree.ts';

export interface RawItem extends Record<string, unknown> {
  raw: RawElement;
}
export interface RawFeed extends Record<string, unknown> {
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
export function createParser(renames: Map<string, string> | undefined, lowerCase = false): Parser {
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

/** rss-parser's getLink reads `link.$.href` and throws on `<link>text</link>`: keep only href links. */
function hrefLinks(links: unknown): RawElement[] | undefined {
  if (!Array.isArray(links)) return undefined;
  const withHref = links.filter((l): l is RawElement => !!l && typeof l === 'object' && !!(l as RawElement).$?.href);
  return withHref.length ? withHref : undefined;
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
export function namespaceRenames(xml: string, root: string): Map<string, string> | undefined {
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
