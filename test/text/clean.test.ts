import { describe, expect, it } from 'vitest';
import { htmlToLine, htmlToText } from '../../src/text/clean.ts';

describe('htmlToText', () => {
  it.each([
    ['entities decoded', '<p>Kim &amp; Putin&nbsp;met &eacute;t&#233; &#x2014; &quot;ok&quot;</p>', 'Kim & Putin met été — "ok"'],
    ['legacy references without ";" and references next to tags', '<p>AT&T &amp Co &copy 2024<b>&lt;</b>&gt;<i>x&amp</i></p>', 'AT&T & Co © 2024<>x&'],
    ['entities in a title element, and none from a dropped script', '<title>A &amp; B</title><script>var a = "&amp;";</script>', 'A & B'],
    ['windows-1252 bytes read as C1 controls become their characters', 'don\u0092t \u0093ok\u0094 \u0081', 'don\u2019t \u201cok\u201d'],
    ['UTF-8 bytes read as Latin-1, C1 controls among them, are decoded as UTF-8', 'wait\u00e2\u0080\u00a6 then caf\u00e9', 'wait\u2026 then caf\u00e9'],
    ['script and style dropped', '<p>One</p><script>alert(1)</script><style>p{}</style><p>Two</p>', 'One\n\nTwo'],
    ['blocks become paragraphs', '<div>First <b>bold</b></div><ul><li>a</li><li>b</li></ul><h2>Head</h2>', 'First bold\n\na\n\nb\n\nHead'],
    ['br is a line break', 'line one<br>line two<br/>', 'line one\nline two'],
    ['whitespace collapsed', '<p>  lots\n\n of \t space  </p>', 'lots of space'],
    ['leaked attribute soup removed', '<p>The talks ended without agreement." type="text" class="default__Floating-sc-1mncpzl-0 kcXmxI" readability="8.42"></p><p>Next.</p>', 'The talks ended without agreement.\n\nNext.'],
    ['single leaked readability attribute removed', '<p>Sanctions widened readability="33.5"></p>', 'Sanctions widened'],
    ['double-escaped tags removed', '&lt;p&gt;Seoul said &lt;a href="x"&gt;on Monday&lt;/a&gt;.&lt;/p&gt;', 'Seoul said on Monday .'],
    ['WordPress footer removed', '<p>Story.</p><p>The post <a href="x">Story</a> appeared first on Example News.</p>', 'Story.'],
    ['prose with < survives', '1 < 2 and 3 > 2', '1 < 2 and 3 > 2'],
    ['zero-width and soft hyphen removed', 'Py\u00adong\u200byang', 'Pyongyang'],
    ['empty input', '', ''],
  ])('%s', (_name, html, expected) => {
    expect(htmlToText(html)).toBe(expected);
  });

  it('reads hostile whitespace and attribute-like text in linear time (these patterns once backtracked for hours)', () => {
    expect(htmlToText(`<p>a${' '.repeat(20_000)}x=1</p>`)).toBe('a x=1');
    expect(htmlToText(`<p>a${' '.repeat(20_000)}" class="x" type="y">b</p>`)).toBe('ab');
    expect(htmlToText(`x${'a="'.repeat(20_000)}`).length).toBeGreaterThan(0);
  });

  it('reads markup nested deeper than any page as flat text, in linear time', () => {
    expect(htmlToText(`${'<span>'.repeat(600_000)}Kim &amp; Putin`)).toBe('Kim & Putin');
    expect(htmlToText(`<p>one</p>${'<b>'.repeat(100)}two`)).toBe('one\n\ntwo');
  });

  it('htmlToLine joins paragraphs into one line', () => {
    expect(htmlToLine('<p>a</p><p>b</p>')).toBe('a b');
  });
});
