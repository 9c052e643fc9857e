import { describe, expect, it } from 'vitest';
import { cutMarkup, cutText } from '../../src/text/cut.ts';

describe('cutMarkup', () => {
  it('keeps markup within the limit whole', () => {
    expect(cutMarkup('<p>short</p>', 100)).toBe('<p>short</p>');
  });

  it.each([
    ['<p>one two</p><p class="lead">three', 20, '<p>one two</p>'],
    ['<p>Tom &amp; Jerry</p>', 9, '<p>Tom '],
    ['<p>a</p>&#x202E;', 12, '<p>a</p>'],
    [`${'x'.repeat(9)}😀`, 10, 'x'.repeat(9)],
  ])('%j cut at %i ends at %j (no half tag, reference or surrogate pair)', (html, max, expected) => {
    expect(cutMarkup(html, max)).toBe(expected);
  });

  it('cuts 9 MiB to the limit in one pass', () => {
    const html = '<p>North Korea shipped shells &amp; rockets.</p>\n'.repeat(200_000);
    const cut = cutMarkup(html, 512 * 1024);
    expect(cut.length).toBeLessThanOrEqual(512 * 1024);
    expect(cut.length).toBeGreaterThan(512 * 1024 - 256);
    expect(cut).not.toMatch(/<[^>]*$|&[a-z]*$/);
  });
});

describe('cutText', () => {
  const para = 'First paragraph is here.\n\nSecond one follows. It has two sentences.';
  it('keeps text within the limit whole', () => {
    expect(cutText(para, 1000)).toBe(para);
  });

  it('cuts after a paragraph, else a sentence, else a word', () => {
    const long = `${'Sentence number one is here. '.repeat(40)}\n\n${'More words follow here '.repeat(40)}`;
    expect(cutText(long, long.indexOf('\n\n') + 40)).toBe(long.slice(0, long.indexOf('\n\n')).trimEnd());
    const sentences = 'Sentence number one is here. '.repeat(40);
    expect(cutText(sentences, 300)).toMatch(/here\.$/);
    const words = 'word '.repeat(100);
    expect(cutText(words, 52)).toBe('word '.repeat(10).trimEnd());
  });

  it('marks a cut with an ellipsis within the limit when asked', () => {
    const cut = cutText('word '.repeat(1000), 2000, { ellipsis: true });
    expect(cut.length).toBeLessThanOrEqual(2000);
    expect(cut.endsWith('word…')).toBe(true);
  });

  it('cuts text without any break at the limit', () => {
    expect(cutText('x'.repeat(5000), 1000)).toBe('x'.repeat(1000));
  });
});
