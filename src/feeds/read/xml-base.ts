/** XML Base (RFC 3986 §5.1): the base URI relative links in a feed are resolved against. */
import { attrOf, type RawNode } from './raw-node.ts';

/**
 * The base URI in scope for an element (RFC 3986 §5.1, XML Base): the document's URL until some
 * xml:base applies (`declared`), then that xml:base resolved against the base outside it.
 */
export interface BaseScope {
  uri?: string;
  declared: boolean;
}

/** The scope inside `node`. An xml:base that resolves to no http(s) URL (`javascript:`, a relative one under no base) is ignored. */
export function withXmlBase(scope: BaseScope, node: RawNode | undefined): BaseScope {
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
export function resolveLink(link: string | undefined, scope: BaseScope): string | undefined {
  const trimmed = link?.trim();
  if (!trimmed || !scope.declared || /^[a-z][a-z\d+.-]*:/i.test(trimmed)) return trimmed;
  try {
    return new URL(trimmed, scope.uri).href;
  } catch {
    return trimmed;
  }
}
