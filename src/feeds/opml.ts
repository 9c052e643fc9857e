/**
 * OPML 1.0/2.0 subscription lists: import (`watchfloor feeds import FILE.opml`) and export.
 * Read with htmlparser2 in XML mode, which forgives what real exports get wrong (undeclared
 * entities, bare `&`, mixed-case `xmlUrl`). Folders are outlines without a feed URL; a feed's
 * category is its nearest folder's name, or its own `category` attribute.
 */
import { Parser } from 'htmlparser2';
import { AppError } from '../errors.ts';
import { isTooDeep, MAX_MARKUP_DEPTH, tooDeep } from '../text/html-depth.ts';
import { repairEntities } from './read/repair.ts';

export interface OpmlFeed {
  url: string;
  title?: string;
  htmlUrl?: string;
  category?: string;
}

/**
 * The feeds of an OPML file. A document that is not OPML (a feed, a web page, no XML at all) or that
 * ends before `</opml>` (truncated) throws an AppError `opml` saying so: importing part of it, or
 * nothing, while reporting success would be worse.
 */
export function parseOpml(xml: string): OpmlFeed[] {
  const feeds: OpmlFeed[] = [];
  const seen = new Set<string>();
  let root: string | undefined;
  let truncated = false;
  // For each open outline, the nearest folder name in scope (a feed outline passes its parent's on).
  const folders: Array<string | undefined> = [];
  let depth = 0;
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (++depth > MAX_MARKUP_DEPTH) tooDeep();
        root ??= name;
        if (root !== 'opml' || name !== 'outline') return;
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
      onclosetag(name, isImplied) {
        depth--;
        if (name === 'outline') folders.pop();
        // htmlparser2 closes what is still open at the end of the input: an unclosed root means a cut-off file.
        if (name === 'opml' && isImplied && depth === 0) truncated = true;
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
  if (root !== 'opml') throw new AppError('opml', notOpml(root));
  if (truncated) throw new AppError('opml', 'the file ends before </opml>: it looks cut off (an interrupted download or copy); nothing was imported');
  return feeds;
}

function notOpml(root: string | undefined): string {
  if (root === undefined) return 'not an OPML file: it holds no XML element';
  if (root === 'rss' || root === 'feed' || root === 'rdf:rdf') {
    return `this is a feed (<${root}>), not an OPML subscription list; add it with \`watchfloor feeds add URL\``;
  }
  if (root === 'html') return 'this is a web page, not an OPML subscription list (export one from your feed reader)';
  return `not an OPML file: its root element is <${root}>, not <opml>`;
}

/**
 * An OPML 2.0 list. Feeds with a `category` are nested in a folder outline of that name (folders in
 * the order they first appear), so a folder read by parseOpml comes back as a folder.
 */
export function toOpml(feeds: Array<{ url: string; title?: string; htmlUrl?: string; category?: string }>, title = 'Watchfloor feeds'): string {
  const outline = (f: (typeof feeds)[number], indent: string) => {
    const text = f.title ?? f.url;
    const html = f.htmlUrl ? ` htmlUrl="${escapeAttr(f.htmlUrl)}"` : '';
    return `${indent}<outline type="rss" text="${escapeAttr(text)}" title="${escapeAttr(text)}" xmlUrl="${escapeAttr(f.url)}"${html}/>`;
  };
  const groups = new Map<string | undefined, typeof feeds>();
  for (const f of feeds) {
    const group = groups.get(f.category);
    if (group) group.push(f);
    else groups.set(f.category, [f]);
  }
  const body = [...groups].flatMap(([folder, members]) => folder === undefined
    ? members.map((f) => outline(f, '    '))
    : [`    <outline text="${escapeAttr(folder)}" title="${escapeAttr(folder)}">`, ...members.map((f) => outline(f, '      ')), '    </outline>']);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<opml version="2.0">',
    `  <head><title>${escapeAttr(title)}</title></head>`,
    '  <body>',
    ...body,
    '  </body>',
    '</opml>',
    '',
  ].join('\n');
}

function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
