/**
 * Feed autodiscovery: the `<link rel="alternate" type="application/rss+xml" href="…">` tags a web
 * page uses to announce its feeds (the RSS autodiscovery convention, also used for Atom and JSON Feed).
 */
import { Parser } from 'htmlparser2';
import { isTooDeep, MAX_MARKUP_DEPTH, tooDeep } from '../../text/html-depth.ts';

export interface DiscoveredFeed {
  url: string;
  title?: string;
  type: string;
}

const FEED_TYPES = new Set([
  'application/rss+xml',
  'application/atom+xml',
  'application/rdf+xml',
  'application/feed+json',
  'application/json',
  'application/xml',
  'text/xml',
  'application/x.atom+xml',
  'application/x-atom+xml',
]);

export function discoverFeeds(html: string, baseUrl: string): DiscoveredFeed[] {
  const found: DiscoveredFeed[] = [];
  const seen = new Set<string>();
  let base = baseUrl;
  let depth = 0;
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (++depth > MAX_MARKUP_DEPTH) tooDeep();
        if (name === 'base' && attrs.href) {
          base = resolve(attrs.href, baseUrl) ?? base;
          return;
        }
        if (name !== 'link' || !attrs.href) return;
        const rel = (attrs.rel ?? '').toLowerCase().split(/\s+/);
        const type = (attrs.type ?? '').toLowerCase().split(';')[0].trim();
        if (!rel.includes('alternate') || !FEED_TYPES.has(type)) return;
        const url = resolve(attrs.href, base);
        if (!url || seen.has(url)) return;
        seen.add(url);
        const title = attrs.title?.trim();
        found.push({ url, type, ...(title ? { title } : {}) });
      },
      onclosetag() {
        depth--;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  try {
    parser.write(html);
    parser.end();
  } catch (err) {
    // Feeds are announced in the head: what was found before absurd nesting is the answer.
    if (!isTooDeep(err)) throw err;
  }
  return found;
}

function resolve(href: string, base: string): string | undefined {
  try {
    const url = new URL(href.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
