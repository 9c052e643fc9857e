import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileTopics } from '../../src/topics/compile.ts';
import { loadTopicFile, topicFromYaml } from '../../src/topics/define.ts';
import { matchArticle, matchTopic, scanArticle, type ArticleText } from '../../src/topics/match.ts';
import { parseTopicQuery } from '../../src/topics/query.ts';
import { confusion } from '../../bench/lib/calibrate.ts';
import { EVAL_FILE } from '../../bench/shared-dir.ts';

const article = (title: string, lead = '', body = ''): ArticleText => ({ title, lead, body });

function hitsFor(query: string, text: string): string[] {
  const index = compileTopics([parseTopicQuery('t', query)]);
  return matchArticle(index, article(text)).concepts;
}

describe('aliases', () => {
  it.each([
    // Korean particles attach without a space; a compound noun is another word.
    ['북한', '북한의 미사일', true],
    ['북한', '북한은 부인했다', true],
    ['북한', '북한에서는 반발', true],
    ['북한', '러시아로 간 북한군과', false],
    ['북한', '북한이탈주민 지원', false],
    ['러시아', '러시아로부터 기술 이전', true],
    // Russian inflections through a trailing wildcard; without it only the exact form.
    ['Пхеньян*', 'визит в Пхеньяне', true],
    ['Пхеньян*', 'из Пхеньяна', true],
    ['Пхеньян', 'из Пхеньяна', false],
    ['"Северн* Коре*"', 'ракеты из Северной Кореи', true],
    ['"Северн* Коре*"', 'Северный флот', false],
    // Hyphen and space variants, full-width forms, ё.
    ['KN-23', 'fired KN23 missiles', true],
    ['KN-23', 'a KN 23 missile', true],
    ['KN-23', 'ＫＮ－２３', true],
    ['KN-23', 'KN-230', false],
    ['КН-23', 'ракеты КН-23', true],
    ['Ёлкин', 'Елкин сказал', true],
    // Word boundaries.
    ['arms', 'farms and harms', false],
    ['missile*', 'Missiles fired', true],
    ['"artillery shells"', 'artillery-shells shipped', true],
    // Han script has no spaces between words.
    ['朝鲜', '朝鲜向俄罗斯提供炮弹', true],
  ])('%s in %j: %s', (query, text, expected) => {
    expect(hitsFor(query, text).length > 0).toBe(expected);
  });

  it('finds one concept across scripts in one article', () => {
    const index = compileTopics([loadTopicFile('config/topics/dprk-russia-arms.yaml')]);
    const result = matchArticle(index, article('КНДР и Russia: 북한의 포탄 для армии России'));
    expect(result.concepts).toEqual(expect.arrayContaining(['dprk', 'russia', 'munitions']));
    const surfaces = result.matches[0]!.explanation.hits.filter((h) => h.concept === 'dprk').map((h) => h.surface);
    expect(surfaces).toEqual(['КНДР', '북한']);
  });
});

describe('rules', () => {
  it('NEAR/n counts words within one field', () => {
    const topic = parseTopicQuery('near', 'Rason NEAR/3 ship*');
    const index = compileTopics([topic]);
    const verdict = (title: string, lead = '') => matchTopic(index, article(title, lead), 'near')!.matched;
    expect(verdict('ships left Rason port')).toBe(true);
    expect(verdict('Rason port handled three container ships')).toBe(false);
    expect(verdict('Rason port', 'ships arrived')).toBe(false);
  });

  it('within: sentence needs the groups in one sentence', () => {
    const topic = topicFromYaml(
      { title: 'T', concepts: { a: { aliases: { en: ['Rason'] } }, b: { aliases: { en: ['ship*'] } } }, must: ['a', 'b'], within: 'sentence' },
      'x.yaml',
      'near-sentence',
    );
    const index = compileTopics([topic]);
    expect(matchTopic(index, article('', 'Rason port handled many large container ships.'), topic.slug)!.matched).toBe(true);
    expect(matchTopic(index, article('', 'Rason port is busy. Ships wait.'), topic.slug)!.matched).toBe(false);
  });

  it('an excluded concept vetoes the topic and says so', () => {
    const index = compileTopics([loadTopicFile('config/topics/dprk-russia-arms.yaml')]);
    const m = matchTopic(index, article('North Korea builds ski resort for Russian tourists near arms depot'), 'dprk-russia-arms')!;
    expect(m.matched).toBe(false);
    expect(m.score).toBe(0);
    expect(m.explanation.vetoedBy).toEqual(['tourism']);
    expect(m.why).toContain('excluded: tourism');
  });

  it('only scores candidate topics', () => {
    const index = compileTopics([
      parseTopicQuery('a', 'Rason AND ship*'),
      parseTopicQuery('b', 'Vostochny AND port'),
      loadTopicFile('config/topics/dprk-russia-arms.yaml'),
      loadTopicFile('config/topics/dprk-missile-tests.yaml'),
    ]);
    const result = matchArticle(index, article('Ships leave Rason', 'North Korea fired a ballistic missile into the East Sea, the Joint Chiefs of Staff said.'));
    expect(result.matches.map((m) => m.topic).sort()).toEqual(['a', 'dprk-missile-tests']);
  });
});

describe('explanation', () => {
  const index = compileTopics([loadTopicFile('config/topics/dprk-russia-arms.yaml')]);

  it('renders the one-line why', () => {
    const m = matchTopic(
      index,
      article('North Korea ships more arms', 'Officials said. The Kremlin received artillery shells by rail, Seoul says.'),
      'dprk-russia-arms',
    )!;
    expect(m.why).toBe('North Korea + arms (title) · Kremlin + artillery shells (same sentence) · 0.70 ≥ 0.50');
    expect(m.explanation.cooccurrence).toEqual({
      field: 'lead',
      sentence: 'The Kremlin received artillery shells by rail, Seoul says.',
      concepts: ['russia', 'munitions'],
    });
    expect(m.explanation.hits).toContainEqual({ concept: 'russia', alias: 'Kremlin', surface: 'Kremlin', field: 'lead', sentence: 1 });
    expect(m.explanation.excluded).toEqual(['tourism', 'sport', 'civil-ties']);
  });

  it('says what is missing when the rule does not hold', () => {
    const m = matchTopic(index, article('North Korea fires ballistic missile'), 'dprk-russia-arms')!;
    expect(m.why).toBe('North Korea + ballistic missile (title) · missing: Russia or the war in Ukraine · rule not met · 0.00 < 0.50');
  });
});

describe('development set', () => {
  it('meets the precision and recall targets for dprk-russia-arms', () => {
    const index = compileTopics([loadTopicFile('config/topics/dprk-russia-arms.yaml')]);
    const rows = readFileSync(EVAL_FILE, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const c = confusion(rows.map((row) => ({ predicted: matchTopic(index, article(row.title, row.description), 'dprk-russia-arms')!.matched, label: row.label })));
    expect(c.precision).toBeGreaterThanOrEqual(0.9);
    expect(c.recall).toBeGreaterThanOrEqual(0.85);
  });
});

describe('long texts', () => {
  const index = compileTopics(['dprk-russia-arms', 'sanctions-evasion-shipping'].map((slug) => loadTopicFile(`config/topics/${slug}.yaml`)));

  it.each([
    ['English with one accented word', `Café. ${'North Korean KN-23 missiles and shells went to Russia via Rajin; the Angara carried them. '.repeat(120)}`],
    ['Korean', '북한은 러시아에 포탄과 KN-23 미사일을 보냈고 나진항에서 선박이 출항했다. '.repeat(150)],
    ['Russian', 'КНДР передала России снаряды и ракеты KN-23 через порт Раджин. '.repeat(150)],
  ])('finds in a long %s text, searched in windows, the hits of one pass over it', (_name, body) => {
    const article = { title: 'North Korea', lead: body.slice(0, 3000), body };
    const windowed = scanArticle(index, article);
    expect(windowed.normalized[2]!.text.length).toBeGreaterThan(6000);
    expect(windowed.hits.length).toBeGreaterThan(100);
    expect(windowed.hits).toEqual(scanArticle(index, article, Infinity).hits);
    // Small windows put many boundaries inside aliases, and still change nothing.
    expect(scanArticle(index, article, 50).hits).toEqual(windowed.hits);
  });

  it('matches a 250,000-character Korean article in linear time (one pass took minutes)', () => {
    const body = '북한은 러시아에 포탄을 보냈다. '.repeat(15_000);
    const matches = matchArticle(index, { title: '북한 러시아 무기', lead: '', body });
    expect(matches.matches.find((m) => m.topic === 'dprk-russia-arms')?.matched).toBe(true);
  });
});
