import { describe, expect, it } from 'vitest';
import { compileTopics } from '../../src/topics/compile.ts';
import { loadTopicFile, topicFromYaml } from '../../src/topics/define.ts';
import { matchArticle, matchTopic, type ArticleText } from '../../src/topics/match.ts';
import { parseTopicQuery } from '../../src/topics/query.ts';

// Two topics that both name a concept `russia`, with different aliases and labels: the analyst's
// own topic knows only "Russia" and "Moscow", the other also "Putin".
const drones = topicFromYaml(
  {
    title: 'Iran drones for Russia',
    concepts: {
      iran: { aliases: { en: ['Iran*'] } },
      russia: { label: 'Russia (the state)', aliases: { en: ['Russia', 'Moscow'] } },
      drones: { aliases: { en: ['drone*', 'Shahed*'] } },
    },
    must: ['iran', 'russia', 'drones'],
  },
  'drones.yaml',
  'iran-drones',
);
const kremlin = topicFromYaml(
  {
    title: 'Kremlin diplomacy',
    concepts: {
      russia: { label: 'the Kremlin', aliases: { en: ['Russia', 'Kremlin', 'Putin'] } },
      talks: { aliases: { en: ['talks', 'summit'] } },
    },
    must: ['russia', 'talks'],
  },
  'kremlin.yaml',
  'kremlin-diplomacy',
);

const articles: ArticleText[] = [
  { title: 'Iran sends more drones to Putin', lead: 'Tehran shipped another batch of Shahed drones.', body: '' },
  { title: 'Putin holds talks with Iran on drones', lead: 'The Kremlin summit ended late.', body: '' },
  { title: 'Iran and Russia sign drone deal in Moscow', lead: 'Putin attended the talks.', body: 'Shahed production moves to Russia.' },
  { title: 'Weather in Moscow', lead: 'Rain all week.', body: '' },
];

describe('concepts are scoped to their topic', () => {
  it.each(articles.map((a) => [a.title, a] as const))('%s scores the same in each topic compiled alone or together', (_title, article) => {
    const together = compileTopics([drones, kremlin]);
    const reversed = compileTopics([kremlin, drones, parseTopicQuery('q', 'Putin AND talks')]);
    for (const topic of [drones, kremlin]) {
      const alone = matchTopic(compileTopics([topic]), article, topic.slug)!;
      expect(matchTopic(together, article, topic.slug)).toEqual(alone);
      expect(matchTopic(reversed, article, topic.slug)).toEqual(alone);
      // matchArticle (delivery) scores the candidates it keeps exactly as matchTopic (the CLI tools).
      const delivered = matchArticle(together, article).matches.find((m) => m.topic === topic.slug);
      if (delivered) expect(delivered).toEqual(alone);
    }
  });

  it('does not let one topic\'s aliases into another\'s concept of the same name', () => {
    const index = compileTopics([drones, kremlin]);
    const m = matchTopic(index, articles[0]!, 'iran-drones')!;
    expect(m.matched).toBe(false);
    expect(m.score).toBe(0);
    // Named with this topic's own label, not the other topic's.
    expect(m.why).toContain('missing: Russia (the state)');
    expect(matchTopic(index, articles[1]!, 'kremlin-diplomacy')!.why).toMatch(/^Putin \+ talks \(title\)/);
  });

  it('lists an article\'s concepts by their plain ids, once each, for story clustering', () => {
    const index = compileTopics([drones, kremlin]);
    expect(index.concepts.filter((c) => c === 'russia')).toHaveLength(2);
    const result = matchArticle(index, articles[2]!);
    expect(result.concepts.sort()).toEqual(['drones', 'iran', 'russia', 'talks']);
    expect(result.matches.map((m) => [m.topic, m.concepts.sort()])).toEqual([
      ['iran-drones', ['drones', 'iran', 'russia']],
      ['kremlin-diplomacy', ['russia', 'talks']],
    ]);
  });

  it('shares one compiled concept between identical definitions, and the automaton\'s keys between all', () => {
    const index = compileTopics([
      parseTopicQuery('a', 'Rason AND ship*'),
      parseTopicQuery('b', 'Rason AND port'),
      loadTopicFile('config/topics/dprk-russia-arms.yaml'),
      loadTopicFile('config/topics/dprk-missile-tests.yaml'),
    ]);
    expect(index.concepts.filter((c) => c === 'term:rason')).toHaveLength(1);
    // The two `dprk` concepts differ, and are two compiled concepts.
    expect(index.concepts.filter((c) => c === 'dprk')).toHaveLength(2);
    // "North Korea" is one literal key of the automaton for both.
    const northKorea = index.aliases.flatMap((a, i) => (a.text === 'North Korea' ? [i] : []));
    expect(northKorea).toHaveLength(2);
    expect(index.keyAliases.filter((list) => northKorea.every((a) => list.includes(a)))).toHaveLength(1);
  });
});
