/**
 * Precision, recall and F1 of the shipped topic and of a plain keyword-AND baseline on the labeled
 * development set. `--fit` also refits the score weights on that set and prints them: on the rows of
 * both topics, because the default weights serve YAML topics with `should` concepts and one-line
 * queries without them alike (a topic without should concepts scores as one whose should concepts
 * all miss, so only the baseline's rows can calibrate the bias for such topics).
 *   npx tsx bench/eval-topic.ts [--data ../shared/eval/dprk-russia-arms.dev.jsonl] [--fit] [--verbose]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadTopicFile } from '../src/topics/define.ts';
import { parseTopicQuery } from '../src/topics/query.ts';
import { compileTopics } from '../src/topics/compile.ts';
import { matchTopic, featuresOf, ruleHolds, scanArticle } from '../src/topics/match.ts';
import { confusion, fitScoreWeights, type Confusion } from './lib/calibrate.ts';
import { EVAL_FILE } from './shared-dir.ts';

// Both countries by name, in each language of the set, exact words: what a user types first.
export const BASELINE_QUERY =
  '("North Korea" OR DPRK OR 북한 OR КНДР OR "Северная Корея" OR Nordkorea OR "Corée du Nord") AND (Russia OR 러시아 OR Россия OR Russland OR Russie)';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: EVAL_FILE },
    topic: { type: 'string', default: 'config/topics/dprk-russia-arms.yaml' },
    fit: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});

interface Row { id: string; title: string; description: string; content?: string; label: 0 | 1 }
const rows: Row[] = readFileSync(values.data!, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
const article = (row: Row) => ({ title: row.title, lead: row.description ?? '', body: row.content ?? '' });

const shipped = loadTopicFile(values.topic!);
const baseline = parseTopicQuery('baseline', BASELINE_QUERY, { title: 'keyword AND baseline' });
const index = compileTopics([shipped, baseline]);

const evaluate = (slug: string): Confusion =>
  confusion(
    rows.map((row) => {
      const m = matchTopic(index, article(row), slug)!;
      if (values.verbose && m.matched !== (row.label === 1)) console.log(`  ${slug} ${m.matched ? 'FP' : 'FN'} ${row.id}: ${m.why}`);
      return { predicted: m.matched, label: row.label };
    }),
  );

const format = (name: string, c: Confusion) =>
  `${name.padEnd(28)} P ${c.precision.toFixed(3)}  R ${c.recall.toFixed(3)}  F1 ${c.f1.toFixed(3)}  (tp ${c.tp} fp ${c.fp} fn ${c.fn} tn ${c.tn})`;

console.log(`dev set: ${rows.length} items, ${rows.filter((r) => r.label === 1).length} relevant`);
console.log(format(`${shipped.slug} (shipped)`, evaluate(shipped.slug)));
console.log(format('keyword-AND baseline', evaluate('baseline')));

if (values.fit) {
  const labeled = [shipped.slug, baseline.slug].flatMap((slug) => {
    const topic = index.topics[index.bySlug.get(slug)!]!;
    return rows.map((row) => {
      const scan = scanArticle(index, article(row));
      return { features: featuresOf(topic, scan).features, ruleHolds: ruleHolds(topic, scan), label: row.label };
    });
  });
  console.log('fitted weights:', JSON.stringify(fitScoreWeights(labeled)));
}
