import { describe, expect, it } from 'vitest';
import { bandKeys, minhash, minhashSimilarity, normalizeText, stripMarkup, terms, titleKey, urlKey } from '../../src/stories/fingerprint.ts';

describe('urlKey', () => {
  it.each([
    ['https://www.reuters.com/world/a-b/?utm_source=rss&utm_medium=feed#x', 'reuters.com/world/a-b'],
    ['http://reuters.com/world/a-b', 'reuters.com/world/a-b'],
    ['https://m.example.com/news/index.html', 'example.com/news'],
    ['https://example.com/view.php?ud=2&b=1&fbclid=zz', 'example.com/view.php?b=1&ud=2'],
    ['https://example.com/a/amp/', 'example.com/a'],
    ['ftp://example.com/a', undefined],
    ['not a url', undefined],
    [undefined, undefined],
  ])('%s → %s', (input, expected) => {
    expect(urlKey(input)).toBe(expected);
  });
});

describe('titleKey', () => {
  it.each([
    ['North Korea fires ballistic missile into East Sea: JCS', 'north korea fires ballistic missile into east sea jcs'],
    ['North Korea has shipped shells to Russia, Seoul says - Reuters', 'north korea has shipped shells to russia seoul says'],
    ['North Korea has shipped shells to Russia, Seoul says | The Guardian', 'north korea has shipped shells to russia seoul says'],
    ['Ёлки в ПХЕНЬЯНЕ зажгли раньше срока', 'елки в пхеньяне зажгли раньше срока'],
    ['Live updates', undefined],
  ])('%s', (input, expected) => {
    expect(titleKey(input)).toBe(expected);
  });
});

describe('stripMarkup', () => {
  it('drops tags, entities and links, and reads a text of many unclosed "<" in linear time', () => {
    expect(stripMarkup('<b>Kim</b> met&nbsp;Putin https://x.example/a')).toBe(' Kim  met Putin  ');
    const unclosed = `${'<'.repeat(1_000_000)}x`;
    expect(stripMarkup(unclosed)).toBe(unclosed);
    expect(titleKey(`Kim meets Putin again${' '.repeat(500_000)}- Reuters`)).toBe('kim meets putin again');
  });
});

describe('normalizeText', () => {
  it('folds width, case, ё and thousands separators', () => {
    expect(normalizeText('ＫＮＤＲ отправила 12 000 контейнеров, Ёж; 12,000 units')).toBe('kndr отправила 12000 контейнеров еж 12000 units');
  });
});

describe('terms', () => {
  it('folds English and Russian inflection to one stem and drops stopwords', () => {
    expect(terms('The missiles were fired')).toEqual(['missi', 'fired']);
    expect(terms('missile')).toEqual(['missi']);
    expect(terms('ракеты и ракету')).toEqual(['ракет', 'ракет']);
  });

  it('strips Korean particles so the noun matches', () => {
    expect(terms('북한이 미사일을 발사했다')).toEqual(['북한', '미사일', '발사']);
    expect(terms('북한은')).toEqual(['북한']);
  });

  it('keeps numbers whole', () => {
    expect(terms('about 12,000 containers')).toEqual(['12000', 'conta']);
  });
});

describe('minhash', () => {
  const a = 'North Korea has sent more than 12,000 containers of artillery shells and other munitions to Russia since August.';
  it('estimates high similarity for a lightly edited copy and low for another text', () => {
    const edited = `SEOUL (Reuters) - ${a}`;
    const other = 'A strong earthquake with a preliminary magnitude of 6.8 struck off Miyagi Prefecture on Wednesday.';
    expect(minhashSimilarity(minhash(a), minhash(edited))).toBeGreaterThan(0.7);
    expect(minhashSimilarity(minhash(a), minhash(other))).toBeLessThan(0.2);
  });

  it('is deterministic, and near-identical texts share an LSH band', () => {
    expect(minhash(a)).toEqual(minhash(a));
    const bandsA = new Set(bandKeys(minhash(a)));
    expect(bandKeys(minhash(`${a} Reuters`)).some((key) => bandsA.has(key))).toBe(true);
  });
});
