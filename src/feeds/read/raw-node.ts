/**
 * The XML tree rss-parser is given (xml2js's shape, built by xml-tree.ts): an element is an object of
 * child arrays by name, its text in `_` and its attributes in `$`. Small readers for it, shared by the
 * lenient parser and the item mapping.
 */

export type RawNode = string | { _?: string; $?: Record<string, string>; [child: string]: unknown };
export type RawElement = Record<string, unknown> & { $?: Record<string, string> };

export function child(node: RawElement | undefined, name: string): RawNode | undefined {
  const value = node?.[name];
  return (Array.isArray(value) ? value[0] : undefined) as RawNode | undefined;
}

export function children(node: RawElement | undefined, name: string): RawNode[] {
  const value = node?.[name];
  return Array.isArray(value) ? (value as RawNode[]) : [];
}

export function attrOf(node: RawNode | undefined, name: string): string | undefined {
  return typeof node === 'object' ? node.$?.[name] : undefined;
}

/** The text of an element; for mixed content (xhtml) every descendant's text, in document order as far as xml2js keeps it. */
export function textOf(node: RawNode | undefined): string | undefined {
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

export function nonEmpty(value: string | undefined): string | undefined {
  return value?.trim() ? value : undefined;
}

export function asElement(node: unknown): RawElement {
  if (Array.isArray(node)) return asElement(node[0]);
  if (node && typeof node === 'object') return node as RawElement;
  return {};
}

export function asElements(node: unknown): RawElement[] {
  if (!Array.isArray(node)) return node === undefined ? [] : [asElement(node)];
  return node.map(asElement);
}

export function firstOf(node: unknown): unknown {
  return Array.isArray(node) ? node[0] : node;
}

export function localName(name: string): string {
  return name.slice(name.indexOf(':') + 1);
}
