import { describe, expect, it } from 'vitest';
import { eventEvidence, quantities, skeleton } from '../../src/stories/evidence.ts';

const values = (text: string) => quantities(text).map((q) => q.value);

describe('quantities', () => {
  it.each([
    ['about 6,700 containers', [6700]],
    ['컨테이너 6천700여개', [6700]],
    ['около 6,7 тыс. контейнеров', [6700]],
    ['1만2천명 규모의 병력', [12000]],
    ['1천500명이 이동했다', [1500]],
    ['первые 1,5 тыс. человек', [1500]],
    ['около 12 тысяч военных', [12000]],
    ['more than 3 million rounds', [3_000_000]],
    ['포탄 300만발 이상', [3_000_000]],
    ['13 000 контейнеров', [13000]],
    ['magnitude 6.8', [6.8]],
    ['first visit in 24 years', [24]],
    ['24년 만이다', [24]],
  ])('reads %s', (text, expected) => {
    expect(values(text)).toEqual(expected);
  });

  it.each([
    'SEOUL, June 20 (Yonhap) --',
    'ПХЕНЬЯН, 19 июня. /ТАСС/.',
    'СЕУЛ, 20 июн — РИА Новости.',
    'on Oct. 18',
    '북한이 19일 새벽',
    '2000년 7월 이후',
    'signed in 2024',
    'МОСКВА, 24 окт — РИА Новости.',
  ])('leaves the date or year out of %s', (text) => {
    expect(values(text)).toEqual([]);
  });
});

describe('skeleton', () => {
  it.each([
    ['Putin', 'Путин', '푸틴'],
    ['Peskov', 'Песков', '페스코프'],
    ['Lavrov', 'Лавров', '라브로프'],
    ['Budanov', 'Буданов', '부다노프'],
    ['Vladivostok', 'Владивосток', '블라디보스토크'],
    ['Angara', 'Ангара', '앙가라'],
  ])('gives %s, %s and %s one key', (latin, cyrillic, hangul) => {
    expect(skeleton(cyrillic)).toBe(skeleton(latin));
    expect(skeleton(hangul)).toBe(skeleton(latin));
  });

  it('tells different names apart', () => {
    expect(skeleton('Putin')).not.toBe(skeleton('Peskov'));
    expect(skeleton('Rajin')).not.toBe(skeleton('Angara'));
  });
});

describe('eventEvidence', () => {
  it('finds the same figures and names in English, Korean and Russian reports of one event', () => {
    const en = eventEvidence('N. Korea sends 1,500 special forces to Russia, plans to dispatch 12,000 troops: NIS', 'They were moved to Vladivostok aboard Russian navy ships.');
    const ko = eventEvidence('국정원 "北, 특수부대 1만2천명 러 파병 결정…1천500명 1차 이동"', '러시아 해군 수송함으로 블라디보스토크에 이동했다.');
    const ru = eventEvidence('Разведка Южной Кореи: КНДР отправит в Россию 12 тысяч военных', 'По данным Национальной службы разведки, первые 1,5 тыс. человек доставлены во Владивосток на кораблях ВМФ.');
    for (const key of ['q:12000', 'q:1500', 'e:nis', 'e:special-forces', 'e:vladivostok', 'e:navy']) expect(en.features).toContain(key);
    for (const key of ['q:12000', 'q:1500', 'e:nis', 'e:vladivostok', 'e:navy']) {
      expect(ko.features).toContain(key);
      expect(ru.features).toContain(key);
    }
    expect(en.labels.get('q:12000')).toBe('12,000');
  });

  it.each([
    ['Putin submits North Korea defence pact to parliament for ratification', 'submit'],
    ['푸틴, 북러 조약 비준안 하원 제출', 'submit'],
    ['Путин внес в Госдуму договор на ратификацию', 'submit'],
    ['러 하원, 북러 포괄적 전략적 동반자 조약 비준', 'ratify'],
    ['Госдума ратифицировала договор с КНДР', 'ratify'],
    ['Putin and Kim sign mutual defence pact', 'sign'],
    ["Kremlin dismisses report of North Korean troops as 'fake'", 'deny'],
    ['크렘린 "北 파병설은 또 하나의 가짜뉴스"', 'deny'],
    ['North Korea has shipped 6,700 containers of munitions to Russia', undefined],
  ])('reads the action of "%s" as %s', (title, action) => {
    expect(eventEvidence(title, '').action).toBe(action);
  });

  it('takes the action from the headline only: a lead recalls earlier steps', () => {
    expect(eventEvidence('Seoul watching if Russia will help spy satellite program', 'after the treaty was signed').action).toBeUndefined();
  });

  it('does not read "agreed" (договорились) as the treaty (договор)', () => {
    expect(eventEvidence('Россия и КНДР договорились построить мост', '').objects).toEqual(['bridge']);
  });
});
