import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { charsetFromContentType, decodeFeed } from '../../src/feeds/decode.ts';

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
