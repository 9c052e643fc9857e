/**
 * Full text for feeds that carry only a teaser (`full_text: true`): Mozilla Readability on a
 * linkedom document. The caller fetches the page through the guarded HTTP client and passes the
 * HTML; nothing here touches the network.
 */
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { htmlToText } from '../../text/clean.ts';
import { markupExceeds } from '../../text/html-depth.ts';

/** Pages larger than this are not articles worth a synchronous DOM build. */
const MAX_HTML = 3 * 1024 * 1024;
/**
 * Pages beyond these are refused before the DOM is built. Readability's cost grows with the cube of
 * the depth (1,000 nested `<div>`s, 5 KB of HTML, took 13 s on the main thread) and with the element
 * count (a paragraph of 150,000 links: 4.3 s). Real article pages nest about 20 deep (300 measured
 * topped out at 21) and hold a few thousand elements.
 */
const MAX_MARKUP = { depth: 100, elements: 40_000 };

export function extractMainText(html: string, url: string): { title?: string; text: string } | undefined {
  if (!html || html.length > MAX_HTML || markupExceeds(html, MAX_MARKUP)) return undefined;
  let article: { title?: string | null; content?: string | null } | null;
  try {
    const { document } = parseHTML(html);
    // Readability resolves relative links against the document's URI; linkedom has no URL, so give it a base.
    if (!document.querySelector('base') && document.head) {
      const baseEl = document.createElement('base');
      baseEl.setAttribute('href', url);
      document.head.appendChild(baseEl);
    }
    article = new Readability(document as unknown as ConstructorParameters<typeof Readability>[0], { charThreshold: 200 }).parse();
  } catch {
    return undefined;
  }
  const text = article?.content ? htmlToText(article.content) : '';
  if (!text) return undefined;
  const title = article?.title?.trim();
  return { ...(title ? { title } : {}), text };
}
