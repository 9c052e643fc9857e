import { describe, expect, it } from 'vitest';
import { extractMainText } from '../../../src/feeds/read/fulltext.ts';

const paragraph = (n: number) => `<p>Paragraph ${n} of the article explains the shipment of artillery shells through the port of Rason, with details that a teaser would never carry and enough words to count as content.</p>`;

describe('extractMainText', () => {
  it('keeps the article and drops navigation, scripts and footers', () => {
    const html = `<!doctype html><html><head><title>Arms shipment | Example</title><script>track()</script></head><body>
      <nav><a href="/">Home</a> <a href="/world">World</a></nav>
      <article><h1>Arms shipment</h1>${[1, 2, 3, 4, 5].map(paragraph).join('')}</article>
      <footer>© Example News. All rights reserved.</footer></body></html>`;
    const result = extractMainText(html, 'https://news.example/a/1');
    expect(result?.text).toContain('Paragraph 1 of the article');
    expect(result?.text).toContain('Paragraph 5 of the article');
    expect(result?.text.split('\n\n').length).toBeGreaterThanOrEqual(5);
    expect(result?.text).not.toContain('track()');
    expect(result?.text).not.toContain('All rights reserved');
    expect(result?.title).toContain('Arms shipment');
  });

  it('refuses a page nested deeper than any article, and keeps a deep but plausible one', () => {
    const nested = (depth: number) => `<html><body>${'<div>'.repeat(depth)}${[1, 2, 3, 4, 5].map(paragraph).join('')}</body></html>`;
    expect(extractMainText(nested(60), 'https://news.example/a/2')?.text).toContain('Paragraph 5 of the article');
    // Readability took about 13 s for 1,000 levels; this many would take hours.
    expect(extractMainText(nested(100_000), 'https://news.example/a/3')).toBeUndefined();
  });

  it('refuses a page of more elements than any article page holds', () => {
    const links = `<html><body><p>${'<a href="/x">x</a> '.repeat(50_000)}</p>${[1, 2, 3].map(paragraph).join('')}</body></html>`;
    expect(extractMainText(links, 'https://news.example/a/4')).toBeUndefined();
  });

  it('returns undefined for a page with no article', () => {
    expect(extractMainText('<html><body></body></html>', 'https://news.example/')).toBeUndefined();
    expect(extractMainText('', 'https://news.example/')).toBeUndefined();
  });
});
