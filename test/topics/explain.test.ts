import { describe, expect, it } from 'vitest';
import { compileTopics } from '../../src/topics/compile.ts';
import { loadTopicFile, topicFromYaml, type TopicYaml } from '../../src/topics/define.ts';
import { matchTopic, type ArticleText } from '../../src/topics/match.ts';
import { parseTopicQuery } from '../../src/topics/query.ts';

const article = (title: string, lead = ''): ArticleText => ({ title, lead, body: '' });

const drones: TopicYaml = {
  title: 'Iran drones',
  concepts: {
    iran: { label: 'Iran', aliases: { en: ['Iran*', 'Tehran'] } },
    drones: { label: 'drones', aliases: { en: ['drone*', 'Shahed*'] } },
    russia: { label: 'Russia', aliases: { en: ['Russia*', 'Moscow'] } },
    evasion: { label: 'evasion', aliases: { en: ['evad*', 'evasion'] } },
    sanctions: { label: 'sanctions', aliases: { en: ['sanction*'] } },
    seizure: { label: 'seizures', aliases: { en: ['seiz*'] } },
    talks: { label: 'nuclear talks', aliases: { en: ['nuclear talks', 'JCPOA'] } },
  },
  must: ['iran', 'drones'],
};

function whyOf(doc: Partial<TopicYaml>, a: ArticleText): { why: string; matched: boolean } {
  const topic = topicFromYaml({ ...drones, ...doc }, 't.yaml', 't');
  const m = matchTopic(compileTopics([topic]), a, 't')!;
  return { why: m.why, matched: m.matched };
}

describe('why of a non-match names the rule that failed', () => {
  it.each([
    ['a missing required group', {}, article('Iran denies the report'), 'Iran (title) · missing: drones · rule not met · 0.00 < 0.50'],
    [
      'an unmet min_should group, none found',
      { should: ['russia', 'evasion', 'sanctions', 'seizure'], min_should: 1 },
      article('Iran shows new Shahed drones'),
      'Iran + Shahed (title) · none of: Russia, evasion, sanctions … · rule not met · 0.00 < 0.50',
    ],
    [
      'an unmet min_should group, too few found',
      { should: ['evasion', 'sanctions', 'seizure'], min_should: 2 },
      article('Iran drones face new sanctions'),
      'Iran + drones + sanctions (title) · only 1 of the 2 needed (sanctions); none of: evasion, seizures · rule not met · 0.00 < 0.50',
    ],
    [
      'a failed within: sentence',
      { within: 'sentence' },
      article('', 'Iran denies the report. Drones were seen over Kyiv.'),
      'Iran (lead) · Drones (lead) · Iran and drones not in one sentence · rule not met · 0.00 < 0.50',
    ],
    [
      'a failed within: n words',
      { within: 3 },
      article('Iran, a government spokesman said on Monday, has never sent drones'),
      'Iran + drones (title) · Iran and drones not within 3 words · rule not met · 0.00 < 0.50',
    ],
    [
      'an excluded concept present',
      { must_not: ['talks'] },
      article('Iran drones back on the table at nuclear talks'),
      'Iran + drones (title) · excluded: nuclear talks · rule not met · 0.00 < 0.50',
    ],
  ] as const)('%s', (_name, doc, a, expected) => {
    const { why, matched } = whyOf(doc as Partial<TopicYaml>, a);
    expect(matched).toBe(false);
    expect(why).toBe(expected);
  });

  it('names the min_should group of the shipped topic with its labels (the report: "rule not met" alone)', () => {
    const index = compileTopics([loadTopicFile('config/topics/dprk-russia-arms.yaml')]);
    const m = matchTopic(index, article('North Korea and Russia hold talks on trade'), 'dprk-russia-arms')!;
    expect(m.why).toBe('North Korea + Russia (title) · none of: munitions, missiles, weapons … · rule not met · 0.00 < 0.50');
    expect(m.explanation.unmet).toEqual([
      { kind: 'too-few', min: 1, found: [], concepts: ['munitions', 'missiles', 'weapons', 'troops', 'technology', 'in-return', 'logistics', 'treaty', 'enforcement', 'summit', 'dprk-weapons'] },
    ]);
  });

  it('names a failed NEAR/n of a one-line query', () => {
    const index = compileTopics([parseTopicQuery('q', 'Rason NEAR/3 ship*')]);
    const m = matchTopic(index, article('Rason port handled three container ships'), 'q')!;
    expect(m.why).toBe('Rason + ships (title) · Rason and ship* not within 3 words · rule not met · 0.00 < 0.50');
  });

  it('says nothing of rules when the rule holds', () => {
    const { why, matched } = whyOf({ within: 'sentence' }, article('Iran sends drones'));
    expect(matched).toBe(true);
    expect(why).not.toMatch(/rule not met|missing|none of|not in one sentence/);
  });
});
