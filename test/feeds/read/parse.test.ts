import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors.ts';
import { decodeFeed } from '../../../src/feeds/read/decode.ts';
import type { ParsedFeed } from '../../../src/feeds/read/feed-types.ts';
import { parseFeed } from '../../../src/feeds/read/parse.ts';
import { HtmlPageError } from '../../../src/feeds/read/html-page-error.ts';
import { readFeedBytes } from '../../../src/feeds/read/read.ts';
import { escapeStrayDeclarations } from '../../../src/feeds/read/repair.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures/parse');
const inputs = readdirSync(FIXTURES).filter((f) => !f.endsWith('.golden.json'));

/** Dates as ISO strings, undefined fields dropped: what the golden files hold. */
function plain(feed: ParsedFeed): unknown {
  return JSON.parse(JSON.stringify(feed));
}

describe('parseFeed golden files (UPDATE_GOLDEN=1 rewrites them)', () => {
  it.each(inputs)('%s', async (name) => {
    const { text } = decodeFeed(readFileSync(join(FIXTURES, name)));
    const actual = plain(await parseFeed(text));
    const golden = join(FIXTURES, `${name}.golden.json`);
    if (process.env.UPDATE_GOLDEN || !existsSync(golden)) writeFileSync(golden, `${JSON.stringify(actual, null, 2)}\n`);
    expect(actual).toEqual(JSON.parse(readFileSync(golden, 'utf8')));
  });
});

const rssWith = (title: string, encoding: string) =>
  `<?xml version="1.0" encoding="${encoding}"?>\n<rss version="2.0"><channel><title>${title}</title><item><title>${title}</title><guid>1</guid></item></channel></rss>`;

describe('parseFeed on inputs no corpus has', () => {
  it.each([
    ['Shift_JIS', '北朝鮮とロシアの武器取引', 'shift_jis'],
    ['EUC-KR', '북한 러시아 무기 거래', 'euc-kr'],
    ['windows-1251', 'Россия и КНДР подписали договор', 'windows-1251'],
  ])('a declared %s feed comes out right', async (label, title, codec) => {
    const bytes = iconv.encode(rssWith(title, label), codec);
    const feed = await parseFeed(decodeFeed(bytes).text);
    expect(feed.title).toBe(title);
    expect(feed.items[0].title).toBe(title);
  });

  it('does not expand a billion-laughs DOCTYPE, and parses the rest', async () => {
    const entities = ['<!ENTITY lol "lol">'];
    for (let i = 1; i <= 9; i++) entities.push(`<!ENTITY lol${i} "${`&lol${i - 1 || ''};`.repeat(10)}">`);
    const doc = `<?xml version="1.0"?>\n<!DOCTYPE rss [\n${entities.join('\n')}\n]>\n<rss version="2.0"><channel><title>&lol9;</title><item><title>safe</title></item></channel></rss>`;
    const feed = await parseFeed(doc);
    expect(feed.title).toBe('&lol9;');
    expect(feed.items.map((i) => i.title)).toEqual(['safe']);
  });

  it('does not resolve an external (XXE) entity', async () => {
    const doc = '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><rss version="2.0"><channel><title>&xxe;</title></channel></rss>';
    expect((await parseFeed(doc)).title).toBe('&xxe;');
  });

  it('keeps the other entries when one Atom date is unreadable', async () => {
    const doc = `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
      <entry><id>1</id><title>ok</title><updated>2024-01-02T03:04:05Z</updated></entry>
      <entry><id>2</id><title>bad</title><published>32/13/2024 25:61</published><updated>garbage</updated></entry></feed>`;
    const feed = await parseFeed(doc);
    expect(feed.items.map((i) => [i.guid, i.updated?.toISOString(), i.published])).toEqual([
      ['1', '2024-01-02T03:04:05.000Z', undefined],
      ['2', undefined, undefined],
    ]);
  });

  it('reads undeclared HTML entities instead of rejecting the feed', async () => {
    const feed = await parseFeed('<rss version="2.0"><channel><title>A&nbsp;B &eacute;t&eacute; &copy; &bogus; AT&T</title></channel></rss>');
    expect(feed.title).toBe('A\u00a0B été © &bogus; AT&T');
  });

  it('reads RSS categories that mix strings and {_: text}', async () => {
    const feed = await parseFeed('<rss version="2.0"><channel><item><category>plain</category><category domain="d">with attr</category><category>plain</category></item></channel></rss>');
    expect(feed.items[0].categories).toEqual(['plain', 'with attr']);
  });

  it('answers an HTML page with html_page and the feeds it announces', async () => {
    const html = '<!doctype html><html><head><link rel="alternate" type="application/rss+xml" title="News" href="/feed.xml"></head><body>x</body></html>';
    const err = await parseFeed(html, { url: 'https://site.example/news/' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HtmlPageError);
    expect((err as HtmlPageError).code).toBe('html_page');
    expect((err as HtmlPageError).feeds).toEqual([{ url: 'https://site.example/feed.xml', title: 'News', type: 'application/rss+xml' }]);
    expect((err as Error).message).toContain('https://site.example/feed.xml');
  });

  it.each([
    ['', 'not a feed: the document is empty'],
    ['<kml xmlns="http://www.opengis.net/kml/2.2"></kml>', 'not a feed: the document is <kml>, not RSS, Atom or RDF'],
    ['<rss version="2.0">\n<channel>\n</wrong>', /^not a feed: line 3, column \d+: unexpected close tag$/],
    ['{"title": "no version"}', 'not a feed: JSON without a JSON Feed "version" (https://jsonfeed.org/version/1.1)'],
    ['plain text', 'not a feed: no XML element found'],
  ])('rejects %j with a sentence', async (input, message) => {
    const err = await parseFeed(input).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('parse');
    expect((err as AppError).message).toMatch(message);
  });

  it('recovers a truncated document and says so', async () => {
    const feed = await parseFeed('<rss version="2.0"><channel><title>t</title><item><title>one</title></item><item><title>two');
    expect(feed.items.map((i) => i.title)).toEqual(['one', 'two']);
    expect(feed.recoveredFrom).toMatch(/^line \d+, column \d+: unclosed/);
  });

  it('reads declarations that open no comment or CDATA as text (sax took minutes over a long unclosed one)', async () => {
    expect(escapeStrayDeclarations('<a><!-- <!x --><![CDATA[<!y]]><!z></a>')).toBe('<a><!-- <!x --><![CDATA[<!y]]>&lt;!z></a>');
    expect(escapeStrayDeclarations('<a><!-- unclosed <!x')).toBe('<a><!-- unclosed <!x');
    const garbage = '<!'.repeat(100_000);
    const feed = await parseFeed(`<rss version="2.0"><channel><title>t</title><item><title>one</title><description>${garbage}</description></item></channel></rss>`);
    expect(feed.items.map((i) => [i.title, i.summaryHtml])).toEqual([['one', garbage]]);
  });

  it('keeps a truncated feed that has only its link, and rejects one that repairs into nothing', async () => {
    const linked = await parseFeed('<rss version="2.0"><channel><link>http://example/?a=1&b=2</link></channel></rss');
    expect(linked).toMatchObject({ link: 'http://example/?a=1&b=2', items: [], recoveredFrom: expect.stringMatching(/unclosed root tag/) });
    await expect(parseFeed('<rss version="2.0"><channel></channel></rss')).rejects.toThrow(/^not a feed: line 1, column \d+: unclosed root tag/);
  });
});

describe('parseFeed resolves relative links against xml:base', () => {
  const ATOM = 'xmlns="http://www.w3.org/2005/Atom"';

  it.each([
    [
      'an entry-level base',
      `<feed ${ATOM}><entry xml:base="http://example.com/blog/"><id>1</id><link href="2024/post.html"/></entry></feed>`,
      undefined,
      'http://example.com/blog/2024/post.html',
    ],
    [
      'a feed-level base and a relative entry base on top of it',
      `<feed ${ATOM} xml:base="http://example.com/"><entry xml:base="news/"><id>1</id><link href="a.html"/></entry></feed>`,
      undefined,
      'http://example.com/news/a.html',
    ],
    [
      'nested relative bases, the outermost resolved against the document URL',
      `<feed ${ATOM} xml:base="feed/"><entry xml:base="/entry/base/"><id>1</id><link xml:base="../" href="post"/></entry></feed>`,
      'https://site.example/atom.xml',
      'https://site.example/entry/post',
    ],
    [
      'a base on the link element itself',
      `<feed ${ATOM}><entry><id>1</id><link rel="alternate" xml:base="http://cdn.example/a/" href="b"/></entry></feed>`,
      undefined,
      'http://cdn.example/a/b',
    ],
    [
      'an already absolute link, which ignores the base',
      `<feed ${ATOM} xml:base="http://example.com/"><entry><id>1</id><link href="https://elsewhere.example/x?y=1"/></entry></feed>`,
      undefined,
      'https://elsewhere.example/x?y=1',
    ],
    [
      'an unsafe base, which is ignored',
      `<feed ${ATOM}><entry xml:base="javascript:alert(1)"><id>1</id><link href="post.html"/></entry></feed>`,
      undefined,
      'post.html',
    ],
    [
      'a relative base with no document URL, which is ignored',
      `<feed ${ATOM} xml:base="feed/"><entry><id>1</id><link href="post.html"/></entry></feed>`,
      undefined,
      'post.html',
    ],
    [
      'no base at all: the link stays as written for normalize.ts',
      '<rss version="2.0"><channel><item><link> /relative/post </link></item></channel></rss>',
      'https://site.example/rss.xml',
      '/relative/post',
    ],
    [
      'RSS 1.0, whose items are not inside the channel',
      '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xml:base="http://example.org/"><channel xml:base="http://wrong.example/"><title>t</title></channel><item><title>i</title><link>a</link></item></rdf:RDF>',
      undefined,
      'http://example.org/a',
    ],
  ])('%s', async (_name, doc, url, link) => {
    const feed = await parseFeed(doc, { url });
    expect(feed.items[0].link).toBe(link);
  });

  it('resolves the feed link and RSS item links against the rss, channel and item bases (gofeed rss_channel_item_xml_base)', async () => {
    const feed = await parseFeed(`<rss version="2.0" xml:base="http://example.org/feeds/"><channel><title>t</title><link>index.html</link>
      <item><title>i</title><link>post/1</link><guid isPermaLink="false">abc</guid></item>
      <item xml:base="http://other.example/news/"><title>j</title><link>post/2</link></item></channel></rss>`);
    expect(feed.link).toBe('http://example.org/feeds/index.html');
    expect(feed.items.map((i) => [i.link, i.guid])).toEqual([
      ['http://example.org/feeds/post/1', 'abc'],
      ['http://other.example/news/post/2', undefined],
    ]);
  });

  it('resolves the Atom feed link against the feed base', async () => {
    const feed = await parseFeed(`<feed ${ATOM} xml:base="http://example.com/test/"><link href="index.html"/></feed>`);
    expect(feed.link).toBe('http://example.com/test/index.html');
  });
});

describe('Atom text constructs and titles', () => {
  const atom = (entry: string, feedTitle = '<title>F</title>') =>
    `<feed xmlns="http://www.w3.org/2005/Atom">${feedTitle}<entry><id>1</id>${entry}</entry></feed>`;
  const read = (xml: string) => readFeedBytes(Buffer.from(xml), 'application/atom+xml', 'https://example.org/feed');

  it('keeps a declared text title literal: its brackets are not markup', async () => {
    const { articles } = await read(atom('<title type="text">Why &lt;blink&gt; died &amp; more</title>'));
    expect(articles[0]!.title).toBe('Why <blink> died & more');
  });

  it('reads an untyped title as markup, as feeds that leave the type out mean it', async () => {
    const { articles } = await read(atom('<title>&lt;b&gt;Bold&lt;/b&gt; news</title>'));
    expect(articles[0]!.title).toBe('Bold news');
  });

  it('reads XHTML titles and content as markup, so their scripts are dropped', async () => {
    const xhtml = '<div xmlns="http://www.w3.org/1999/xhtml">safe<script>location.href="x"</script> text</div>';
    const { articles } = await read(atom(`<title type="xhtml">${xhtml}</title><content type="xhtml">${xhtml}</content>`));
    expect(articles[0]!.title).toBe('safe text');
    expect(articles[0]!.body).toBe('safe text');
  });

  it('reads Atom 0.3 escaped XHTML, and an "xhtml" construct holding only escaped HTML, as HTML', async () => {
    // Read as HTML, the script goes; read as text, it would show.
    const escaped = '<summary type="application/xhtml+xml" mode="escaped">&lt;p&gt;One&lt;script&gt;bad()&lt;/script&gt;&lt;/p&gt;</summary>';
    const loose = '<content type="xhtml">&lt;p&gt;Three&lt;script&gt;bad()&lt;/script&gt;&lt;/p&gt;</content>';
    const { articles } = await read(atom(`<title>t</title>${escaped}${loose}`));
    expect(articles[0]!.lead).toBe('One');
    expect(articles[0]!.body).toBe('Three');
  });

  it('decodes base64 text constructs of other media types (RFC 4287 §4.1.3.3) and of Atom 0.3 mode="base64"', async () => {
    const b64 = Buffer.from('Kim &amp; <b>Putin</b>').toString('base64');
    const { articles } = await read(atom(`<title type="application/octet-stream">${b64}</title><summary type="text/html" mode="base64">${b64}</summary>`));
    expect(articles[0]!.title).toBe('Kim & Putin');
    expect(articles[0]!.lead).toBe('Kim & Putin');
  });

  it("gives the feed's own title as text", async () => {
    expect((await read(atom('<title>x</title>', '<title type="html">&lt;i&gt;Arms&lt;/i&gt; &amp;amp; trade</title>'))).feed.title).toBe('Arms & trade');
    const rss = '<rss version="2.0"><channel><title><![CDATA[Kim &amp; <b>Putin</b>]]></title></channel></rss>';
    expect((await readFeedBytes(Buffer.from(rss), 'application/rss+xml', 'https://example.org/rss')).feed.title).toBe('Kim & Putin');
  });

  it('takes an RSS item title from media:title when it has no title', async () => {
    const rss = '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><item><guid>1</guid><media:title>Launch video</media:title></item></channel></rss>';
    expect((await parseFeed(rss)).items[0]!.title).toBe('Launch video');
  });
});
