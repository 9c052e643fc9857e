import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { charsetFromContentType, decodeFeed } from '../../../src/feeds/read/decode.ts';

const rss = (title: string, encoding?: string) =>
  `<?xml version="1.0"${encoding ? ` encoding="${encoding}"` : ''}?><rss version="2.0"><channel><title>${title}</title></channel></rss>`;

describe('decodeFeed', () => {
  it.each([
    ['windows-1251 prolog', iconv.encode(rss('Новости', 'windows-1251'), 'windows-1251'), undefined, 'Новости', 'windows-1251'],
    ['KOI8-R prolog', iconv.encode(rss('Привет мир', 'KOI8-R'), 'koi8-r'), undefined, 'Привет мир', 'koi8-r'],
    ['EUC-KR prolog', iconv.encode(rss('북한 뉴스', 'EUC-KR'), 'euc-kr'), undefined, '북한 뉴스', 'euc-kr'],
    ['Shift_JIS prolog', iconv.encode(rss('日本語のニュース', 'Shift_JIS'), 'shift_jis'), undefined, '日本語のニュース', 'shift_jis'],
    ['GB2312 read as GB18030', iconv.encode(rss('中文新闻', 'gb2312'), 'gb18030'), undefined, '中文新闻', 'gb2312'],
    ['Big5 prolog', iconv.encode(rss('繁體中文', 'big5'), 'big5'), undefined, '繁體中文', 'big5'],
    ['ISO-8859-2 prolog', iconv.encode(rss('Zażółć', 'iso-8859-2'), 'iso-8859-2'), undefined, 'Zażółć', 'iso-8859-2'],
    ['HTTP charset beats prolog', iconv.encode(rss('Новости', 'iso-8859-1'), 'windows-1251'), 'application/rss+xml; charset="windows-1251"', 'Новости', 'windows-1251'],
    ['UTF-8 BOM beats HTTP charset', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(rss('Café'))]), 'text/xml; charset=koi8-r', 'Café', 'utf-8'],
    ['UTF-16LE BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(rss('Café', 'utf-16'), 'utf-16le')]), undefined, 'Café', 'utf-16le'],
    ['UTF-16BE without BOM', iconv.encode(rss('Café', 'utf-16'), 'utf-16be'), undefined, 'Café', 'utf-16be'],
    ['UTF-32LE without BOM', iconv.encode(rss('Café', 'utf-32'), 'utf-32le'), undefined, 'Café', 'utf-32le'],
    ['valid UTF-8 under a wrong Latin-1 label stays UTF-8', Buffer.from(rss('Café', 'iso-8859-1')), undefined, 'Café', 'utf-8'],
    ['invalid UTF-8 without a label falls back to windows-1252', iconv.encode(rss('Euro € café'), 'windows-1252'), undefined, 'Euro € café', 'windows-1252'],
    ['bogus label is ignored', Buffer.from(rss('Café', 'bogus')), undefined, 'Café', 'utf-8'],
  ])('%s', (_name, bytes, contentType, expected, encoding) => {
    const decoded = decodeFeed(bytes, contentType);
    expect(decoded.text).toContain(`<title>${expected}</title>`);
    expect(decoded.encoding).toBe(encoding);
    expect(decoded.text.charCodeAt(0)).not.toBe(0xfeff);
  });

  it.each([
    ['text/xml; charset=utf-8', 'utf-8'],
    ["application/atom+xml;charset='us-ascii'", 'us-ascii'],
    ['application/rss+xml;charset= "us-ascii"', 'us-ascii'],
    ['text/xml; charset:iso-8859-1', undefined],
    ['text/xml', undefined],
    [undefined, undefined],
  ])('reads the charset of %s', (header, expected) => {
    expect(charsetFromContentType(header)).toBe(expected);
  });
});

/** A feed with no encoding declared anywhere: only the bytes tell. */
const undeclared = (paragraph: string) =>
  `<?xml version="1.0"?>\n<rss version="2.0"><channel><title>${paragraph.slice(0, 20)}</title><link>https://news.example/</link>\n<item><title>${paragraph}</title><description><![CDATA[<p>${paragraph}</p>]]></description></item></channel></rss>`;

const RUSSIAN = 'Россия и КНДР подписали договор о всеобъемлющем стратегическом партнёрстве, сообщили государственные СМИ в среду.';
const KOREAN = '북한과 러시아가 포괄적 전략적 동반자 관계 조약에 서명했다고 국영 매체가 수요일 보도했다.';
const JAPANESE = '北朝鮮とロシアは包括的戦略パートナーシップ条約に署名したと、国営メディアが水曜日に報じた。';
const CHINESE_SIMPLIFIED = '朝鲜和俄罗斯签署了全面战略伙伴关系条约，官方媒体周三报道称，这是两国关系的重要一步。';
const CHINESE_TRADITIONAL = '朝鮮和俄羅斯簽署了全面戰略夥伴關係條約，官方媒體週三報導稱，這是兩國關係的重要一步。';
const FRENCH = 'Le café de la gare a fermé ses portes après trente ans : « Ça me brise le cœur », dit la propriétaire, âgée de 74 ans.';
const GERMAN = 'Die Bürgermeisterin äußerte sich am Dienstag zur Straßensanierung: „Größere Maßnahmen folgen im Frühjahr.“';
const PORTUGUESE = 'NÃO HÁ ACORDO: o ministério afirmou que a população está em ação e que a eleição será em março.';

describe('decodeFeed without any declared encoding', () => {
  it.each([
    ['Russian, windows-1251', RUSSIAN, 'windows-1251', 'windows-1251'],
    ['Russian, KOI8-R', RUSSIAN, 'koi8-r', 'koi8-r'],
    ['Korean, EUC-KR', KOREAN, 'euc-kr', 'euc-kr'],
    ['Japanese, Shift_JIS', JAPANESE, 'shift_jis', 'shift_jis'],
    ['Japanese, EUC-JP', JAPANESE, 'euc-jp', 'euc-jp'],
    ['Chinese, GB18030', CHINESE_SIMPLIFIED, 'gb18030', 'gb18030'],
    ['Chinese, Big5', CHINESE_TRADITIONAL, 'big5', 'big5'],
    ['French, windows-1252', FRENCH, 'windows-1252', 'windows-1252'],
    ['German, windows-1252', GERMAN, 'windows-1252', 'windows-1252'],
    ['Portuguese, windows-1252', PORTUGUESE, 'windows-1252', 'windows-1252'],
  ])('detects %s', (_name, paragraph, codec, encoding) => {
    const doc = undeclared(paragraph);
    const decoded = decodeFeed(iconv.encode(doc, codec));
    expect(decoded.text).toBe(doc);
    expect(decoded.encoding).toBe(encoding);
  });

  it('reads mostly-UTF-8 non-Latin text with a stray byte as UTF-8, not windows-1252', () => {
    const bytes = Buffer.concat([Buffer.from(undeclared(RUSSIAN)), Buffer.from([0xff])]);
    const decoded = decodeFeed(bytes);
    expect(decoded.encoding).toBe('utf-8');
    expect(decoded.text).toContain(RUSSIAN);
  });

  it('falls back to windows-1252 when there is too little text to tell', () => {
    expect(decodeFeed(iconv.encode(undeclared('북한'), 'euc-kr')).encoding).toBe('windows-1252');
  });

  it('does not second-guess a declared UTF-8 label', () => {
    const bytes = iconv.encode(undeclared(RUSSIAN), 'windows-1251');
    expect(decodeFeed(bytes, 'application/rss+xml; charset=utf-8').encoding).toBe('windows-1252');
  });
});

/** UTF-8 read as windows-1252 (its five unassigned bytes as C1 controls, as MySQL's latin1 does) and written out as UTF-8 again. */
function doubleEncode(text: string): Buffer {
  const asCp1252 = Array.from(Buffer.from(text, 'utf8'), (byte) => {
    const char = iconv.decode(Buffer.from([byte]), 'windows-1252');
    return char === '\ufffd' ? String.fromCharCode(byte) : char;
  });
  return Buffer.from(asCp1252.join(''), 'utf8');
}

describe('decodeFeed repairs double-encoded UTF-8', () => {
  it.each([
    ['Russian (Ð¡ÐµÐ²ÐµÑ€Ð½Ð°Ñ ÐšÐ¾Ñ€ÐµÑ)', `Северная Корея. ${RUSSIAN}`],
    ['English with curly quotes (â€™)', 'Pyongyang’s “satellite” launch — analysts’ views… and what comes next: it’s “unclear”.'],
    ['Korean (í•œêµ­)', `한국 ${KOREAN}`],
    ['Japanese', JAPANESE],
    ['Chinese', CHINESE_SIMPLIFIED],
    ['French', FRENCH],
    ['German', GERMAN],
  ])('%s', (_name, paragraph) => {
    const doc = `<?xml version="1.0" encoding="utf-8"?>${undeclared(paragraph)}`;
    const decoded = decodeFeed(doubleEncode(doc));
    expect(decoded.text).toBe(doc);
    expect(decoded.encoding).toBe('utf-8');
    expect(decoded.repaired).toBe('double-encoded-utf8');
  });

  it('repairs hand-typed mojibake: â€™, Ã©, Ã¨, Ã , Ã§, â€œ…â€', () => {
    const decoded = decodeFeed(Buffer.from(undeclared('â€™ Ã© Ã¨ Ã\u00a0 Ã§ â€œquotedâ€\u009d')));
    expect(decoded.text).toContain('’ é è à ç “quoted”');
  });

  it.each([
    ['French', FRENCH],
    ['German', GERMAN],
    ['Russian', RUSSIAN],
    ['Korean', KOREAN],
    ['Portuguese with Ã in real words (NÃO, SÃO JOÃO)', `${PORTUGUESE} SÃO JOÃO, 24 de junho.`],
    ['text with a few coincidental sequences (déjà », groß“, É»)', `${FRENCH} Il est déjà\u00a0» parti. „Das ist groß“ sagte sie. «L’ÉTÉ» ${GERMAN}`],
    ['symbols', '© 2024 Société Générale — 5 °C, ±2 %, ½ €, “quotes” and ‘single’ ones…'],
  ])('leaves correct %s text alone', (_name, paragraph) => {
    const doc = undeclared(paragraph);
    const decoded = decodeFeed(Buffer.from(doc));
    expect(decoded.text).toBe(doc);
    expect(decoded.repaired).toBeUndefined();
  });

  it('does not repair a single coincidental sequence in otherwise plain text', () => {
    const doc = undeclared('The sign read “CAFÉ»” in Paris.');
    expect(decodeFeed(Buffer.from(doc)).text).toBe(doc);
  });
});
