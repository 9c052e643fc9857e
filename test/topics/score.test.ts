import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVAL_FILE } from '../../bench/shared-dir.ts';
import { readFeedBytes } from '../../src/feeds/read/read.ts';
import { compileTopics } from '../../src/topics/compile.ts';
import { loadTopicFile, topicFromYaml, type TopicDefinition } from '../../src/topics/define.ts';
import { matchTopic, scanArticle, type ArticleText } from '../../src/topics/match.ts';
import { expandDates } from '../fakes/feed-server.ts';
import { FEED_FIXTURES } from '../fakes/test-config.ts';

const devSet: ArticleText[] = readFileSync(EVAL_FILE, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line))
  .map((row) => ({ title: row.title, lead: row.description ?? '', body: row.content ?? '' }));

async function fixtureArticles(): Promise<ArticleText[]> {
  const out: ArticleText[] = [];
  for (const file of readdirSync(FEED_FIXTURES)) {
    const text = expandDates(readFileSync(path.join(FEED_FIXTURES, file), 'utf8'), new Date());
    const { articles } = await readFeedBytes(Buffer.from(text), undefined, `https://fixtures.example/${file}`);
    out.push(...articles.map((a) => ({ title: a.title, lead: a.lead, body: a.body })));
  }
  return out;
}

/** The same topic with its should concepts dropped from scoring; the rule (min_should included) is kept, so only the score can differ. */
const withoutShould = (topic: TopicDefinition): TopicDefinition => ({ ...topic, slug: `${topic.slug}-bare`, should: [] });

const shippedTopics = readdirSync('config/topics').map((file) => loadTopicFile(path.join('config/topics', file)));

describe('should concepts only ever add to a score', () => {
  it.each(shippedTopics.filter((t) => t.should.length > 0).map((t) => [t.slug, t] as const))(
    '%s: with its should concepts ≥ without, on the development set and the fixture feeds; equal when none is hit',
    async (_slug, topic) => {
      const articles = [...devSet, ...(await fixtureArticles())];
      expect(articles.length).toBeGreaterThan(45);
      const index = compileTopics([topic, withoutShould(topic)]);
      const compiled = index.topics[index.bySlug.get(topic.slug)!]!;
      let raised = 0;
      for (const article of articles) {
        const withIt = matchTopic(index, article, topic.slug)!;
        const without = matchTopic(index, article, `${topic.slug}-bare`)!;
        expect(withIt.score, article.title).toBeGreaterThanOrEqual(without.score);
        const anyShould = compiled.should.some((c) => scanArticle(index, article).byConcept.has(c));
        if (!anyShould) expect(withIt.score, article.title).toBe(without.score);
        if (withIt.score > without.score) raised++;
      }
      // The property is not vacuous: some articles hit a should concept and score higher for it.
      expect(raised).toBeGreaterThan(0);
    },
  );

  // The report: an Alabuga article scored 0.79 without `should: [production]` and 0.56 with it.
  const yaml = {
    title: 'Iran drones',
    concepts: {
      iran: { aliases: { en: ['Iran*'] } },
      russia: { aliases: { en: ['Russia', 'Alabuga'] } },
      drones: { aliases: { en: ['drone*', 'Shahed*'] } },
      production: { aliases: { en: ['factory', 'production', 'assembl*'] } },
      sanctions: { aliases: { en: ['sanction*'] } },
    },
    must: ['iran', 'russia', 'drones'],
  };
  const scoreOf = (doc: object, article: ArticleText) => {
    const topic = topicFromYaml(doc, 't.yaml', 't');
    return matchTopic(compileTopics([topic]), article, 't')!.score;
  };

  it.each([
    ['a should hit in the title', { title: 'Iran drones: Russia opens Alabuga factory', lead: '', body: '' }],
    ['a should hit in the sentence with the required groups', { title: 'Russia and Iran', lead: 'Shahed drones from Iran go into production at Alabuga.', body: '' }],
    ['a should hit in the body only', { title: 'Iran sends Shahed drones to Russia', lead: '', body: 'A factory is planned.' }],
    ['should concepts that all miss', { title: 'Iran sends Shahed drones to Russia', lead: 'Tehran denies it.', body: '' }],
  ])('%s: adding should concepts (min_should 0) never lowers the score', (_name, article) => {
    const without = scoreOf(yaml, article);
    const withIt = scoreOf({ ...yaml, should: ['production', 'sanctions'] }, article);
    expect(without).toBeGreaterThan(0);
    expect(withIt).toBeGreaterThanOrEqual(without);
    if (!/factory|production/i.test(`${article.title} ${article.lead} ${article.body}`)) expect(withIt).toBe(without);
  });

  it('refuses a negative feature weight, which would let evidence lower a score', () => {
    expect(() => topicFromYaml({ ...yaml, weights: { should: -1 } }, 't.yaml', 't')).toThrow(/weights\.should: a feature weight cannot be negative/);
  });
});
