/**
 * rss-parser's loose output → our ParsedFeed, in one place. Items are mapped from their raw XML nodes,
 * where rss-parser's own mapping drops things (Atom categories, RSS 1.0 rdf:about, dc:*), with
 * relative links resolved against the xml:base in scope.
 */
import { atomHtml, atomTitle } from './atom-text.ts';
import { parseFeedDate } from './dates.ts';
import type { ParsedFeed, ParsedItem } from './feed-types.ts';
import type { RawFeed, RawItem } from './lenient-parser.ts';
import { asElement, attrOf, child, children, nonEmpty, type RawElement, type RawNode, textOf } from './raw-node.ts';
import { type BaseScope, resolveLink, withXmlBase } from './xml-base.ts';

export function toParsedFeed(raw: RawFeed, documentUrl: string | undefined): ParsedFeed {
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
