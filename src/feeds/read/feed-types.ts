/**
 * A feed as the readers give it, before normalization: what parse.ts (RSS, Atom, RDF) and
 * json-feed.ts (JSON Feed) both produce and normalize.ts consumes. Its own module so that the readers
 * do not import each other for it.
 */

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

export interface ParseOptions {
  contentType?: string;
  /** The document's URL: resolves the links an HTML page announces, and a relative xml:base. */
  url?: string;
}
