/**
 * OPML 1.0/2.0 subscription lists: import (`watchfloor feeds import FILE.opml`) and export.
 * Read with htmlparser2 in XML mode, which forgives what real exports get wrong (undeclared
 * entities, bare `&`, mixed-case `xmlUrl`). Folders are outlines without a feed URL; a feed's
 * category is its nearest folder's name, or its own `category` attribute.
 */
import { Parser } from 'htmlparser2';
import { AppError } from '../errors.ts';
import { isTooDeep, MAX_MARKUP_DEPTH, tooDeep } from '../text/html-depth.ts';
import { repairEntities } from './repair.ts';

export interface OpmlFeed {
  url: string;
  title?: string;
  htmlUrl?: string;
  category?: string;
}

export function parseOpml(xml: string): OpmlFeed[] {
  const feeds: OpmlFeed[] = [];
  const seen = new Set<string>();
  // For each open outline, the nearest folder name in scope (a feed outline passes its parent's on).
  const folders: Array<string | undefined> = [];
  let depth = 0;
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (++depth > MAX_MARKUP_DEPTH) tooDeep();
        if (name !== 'outline') return;
        const url = (attrs.xmlurl ?? attrs.url ?? '').trim();
        const label = (attrs.title ?? attrs.text ?? '').trim() || undefined;
        const isFeed = /^https?:\/\//i.test(url) && (attrs.type ?? 'rss').toLowerCase() !== 'link';
        const folder = folders.at(-1);
        folders.push(isFeed ? folder : label ?? folder);
        if (!isFeed || seen.has(url)) return;
        seen.add(url);
        const category = folder ?? (attrs.category?.split(',')[0]?.replace(/^\//, '').trim() || undefined);
        const htmlUrl = attrs.htmlurl?.trim();
        feeds.push({ url, ...(label ? { title: label } : {}), ...(htmlUrl ? { htmlUrl } : {}), ...(category ? { category } : {}) });
      },
      onclosetag(name) {
        depth--;
        if (name === 'outline') folders.pop();
      },
    },
    { xmlMode: true, decodeEntities: true, lowerCaseAttributeNames: true, lowerCaseTags: true },
  );
  try {
    // XML mode knows only XML's five entities; exports from HTML-minded tools use &nbsp; and friends.
    parser.write(repairEntities(xml));
    parser.end();
  } catch (err) {
    if (!isTooDeep(err)) throw err;
    throw new AppError('opml', `this OPML file nests elements more than ${MAX_MARKUP_DEPTH} levels deep, which no subscription list needs; it was not imported`);
  }
  return feeds;
}

export function toOpml(feeds: Array<{ url: string; title?: string; htmlUrl?: string }>, title = 'Watchfloor feeds'): string {
  const outlines = feeds.map((f) => {
    const text = f.title ?? f.url;
    const html = f.htmlUrl ? ` htmlUrl="${escapeAttr(f.htmlUrl)}"` : '';
    return `    <outline type="rss" text="${escapeAttr(text)}" title="${escapeAttr(text)}" xmlUrl="${escapeAttr(f.url)}"${html}/>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<opml version="2.0">',
    `  <head><title>${escapeAttr(title)}</title></head>`,
    '  <body>',
    ...outlines,
    '  </body>',
    '</opml>',
    '',
  ].join('\n');
}

function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
