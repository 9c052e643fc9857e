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
 * xml2js itself for what that declines). This module is the dispatch; the parts are its neighbours:
 * lenient-parser.ts (the patched rss-parser), item-mapping.ts (its output → ParsedFeed, with
 * xml-base.ts and atom-text.ts), parse-errors.ts (the sentences), feed-types.ts (what comes out).
 */
import type Parser from 'rss-parser';
import { AppError } from '../../errors.ts';
import type { ParsedFeed, ParseOptions } from './feed-types.ts';
import { toParsedFeed } from './item-mapping.ts';
import { parseJsonFeed } from './json-feed.ts';
import { createParser, namespaceRenames, type RawFeed } from './lenient-parser.ts';
import { htmlPage, isXmlSyntaxError, notAFeed, xmlErrorSentence } from './parse-errors.ts';
import { localName } from './raw-node.ts';
import { rebuildWellFormed, repairXml, splitProlog } from './repair.ts';

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
