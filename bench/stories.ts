/**
 * Story clustering and summary cost with a full window: 50,000 synthetic articles in 72 h, then
 * the per-article cost of assigning (and adding) new articles and of summarizing them, and the
 * memory the window holds. Also prints B-cubed quality on the story fixture set.
 *
 * Run: npm run bench:stories   (target: ≤ 5 ms per article at p99 for assignment and summary)
 */
import { cpus, loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { StoryIndex, type StoryCandidate } from '../src/stories/cluster.ts';
import { summarize, summarySource } from '../src/summaries/summarize.ts';
import { bcubed, clusterFixture, compressed, loadStoryFixture, pairwise } from '../test/stories/fixture.ts';
import { rng } from './lib/random.ts';

const WINDOW_ARTICLES = Number(process.env.BENCH_WINDOW_ARTICLES ?? 50_000);
const MEASURED_ARTICLES = 2_000;
const WINDOW_HOURS = 72;
const HOUR_MS = 3_600_000;

const random = rng(42);

/** Zipf-like sampler over n ranks: news vocabulary has a few very common words and a long tail. */
function zipf(n: number, exponent = 1.05): () => number {
  const cumulative = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += 1 / (i + 1) ** exponent;
    cumulative[i] = sum;
  }
  return () => {
    const target = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const vocabulary = Array.from({ length: 40_000 }, () => {
  const length = 4 + Math.floor(random() * 7);
  let word = '';
  for (let i = 0; i < length; i++) word += LETTERS[Math.floor(random() * LETTERS.length)];
  return word;
});
const wordRank = zipf(vocabulary.length);
const conceptRank = zipf(400, 1.2);
const word = (): string => vocabulary[wordRank()]!;
const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;

interface SyntheticStory {
  core: string[];
  concepts: string[];
  /** When its first article appeared. */
  first: number;
}

function newStory(first: number): SyntheticStory {
  // Words specific to the event come from the tail of the vocabulary.
  const core = Array.from({ length: 10 }, () => vocabulary[1_000 + Math.floor(random() * 39_000)]!);
  const concepts = [...new Set(Array.from({ length: 2 + Math.floor(random() * 3) }, () => `concept-${conceptRank()}`))];
  return { core, concepts, first };
}

function words(count: number, story: SyntheticStory, coreShare: number): string {
  return Array.from({ length: count }, () => (random() < coreShare ? pick(story.core) : word())).join(' ');
}

let nextArticle = 1;
const goldStory = new Map<number, SyntheticStory>();
function article(story: SyntheticStory, publishedAt: Date): StoryCandidate {
  const id = nextArticle++;
  goldStory.set(id, story);
  const title = words(7 + Math.floor(random() * 5), story, 0.6);
  const lead = `${words(30 + Math.floor(random() * 15), story, 0.35)}.`;
  const language = random() < 0.85 ? 'en' : pick(['ko', 'ru']);
  return {
    articleId: id,
    url: `https://outlet${id % 300}.example/news/${id}`,
    title: title[0]!.toUpperCase() + title.slice(1),
    lead,
    publishedAt,
    concepts: story.concepts.filter(() => random() < 0.85),
    language,
    source: `outlet${id % 300}.example`,
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function summary(label: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = samples.reduce((s, v) => s + v, 0) / samples.length;
  return `${label.padEnd(34)} mean ${mean.toFixed(3)} ms  p50 ${percentile(sorted, 50).toFixed(3)}  p95 ${percentile(sorted, 95).toFixed(3)}  p99 ${percentile(sorted, 99).toFixed(3)}  max ${sorted[sorted.length - 1]!.toFixed(3)} ms`;
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const mib = (bytes: number): string => `${(bytes / 1_048_576).toFixed(1)} MiB`;

// Other work on the machine shows up in the tail latencies: say how busy it was.
console.log(
  `node ${process.version}, ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
);

// Quality on both fixture sets, at the reports' real times and with all of them arriving within three hours.
for (const name of ['articles', 'dense-day'] as const) {
  const fixture = loadStoryFixture(name);
  for (const [timing, articles] of [['real times', fixture], ['within 3 h', compressed(fixture, 3)]] as const) {
    const items = clusterFixture(articles).map((c) => ({ gold: c.article.story, predicted: c.storyId }));
    const b = bcubed(items);
    const p = pairwise(items);
    console.log(
      `${name} (${fixture.length} articles, ${new Set(fixture.map((a) => a.story)).size} events), ${timing}: ` +
        `pairwise P ${p.precision.toFixed(3)} R ${p.recall.toFixed(3)} · B-cubed P ${b.precision.toFixed(3)} R ${b.recall.toFixed(3)} F1 ${b.f1.toFixed(3)}`,
    );
  }
}

// Build the window: articles spread over 72 h, stories of 1–20 articles.
const start = Date.UTC(2025, 2, 1);
const end = start + WINDOW_HOURS * HOUR_MS;
const stories: SyntheticStory[] = [];
const window: StoryCandidate[] = [];
while (window.length < WINDOW_ARTICLES) {
  const first = start + random() * (WINDOW_HOURS - 6) * HOUR_MS;
  const story = newStory(first);
  stories.push(story);
  const size = Math.min(20, 1 + Math.floor(-Math.log(1 - random()) * 4));
  for (let i = 0; i < size && window.length < WINDOW_ARTICLES; i++) {
    window.push(article(story, new Date(first + random() * 6 * HOUR_MS)));
  }
}
window.sort((a, b) => a.publishedAt.getTime() - b.publishedAt.getTime());

gc();
gc();
const heapBefore = process.memoryUsage().heapUsed;
const index = new StoryIndex({ windowHours: WINDOW_HOURS });
let nextStory = 1;
const predicted = new Map<number, number>();
const buildStart = performance.now();
for (const candidate of window) predicted.set(candidate.articleId, index.place(candidate, () => nextStory++).storyId);
const buildMs = performance.now() - buildStart;
gc();
gc();
const memory = process.memoryUsage();
console.log(
  `window: ${index.size} articles, ${nextStory - 1} stories found (${stories.length} generated), ` +
    `filled in ${(buildMs / 1000).toFixed(1)} s (${(buildMs / index.size).toFixed(3)} ms/article)`,
);
const storyIds = new Map(stories.map((story, i) => [story, String(i)]));
const synthetic = bcubed(
  window.map((candidate) => ({ gold: storyIds.get(goldStory.get(candidate.articleId)!)!, predicted: predicted.get(candidate.articleId)! })),
);
console.log(
  `synthetic window: B-cubed precision ${synthetic.precision.toFixed(3)} recall ${synthetic.recall.toFixed(3)} F1 ${synthetic.f1.toFixed(3)}`,
);
console.log(
  `memory: index heap ${mib(memory.heapUsed - heapBefore)} (${((memory.heapUsed - heapBefore) / index.size / 1024).toFixed(2)} KiB/article), ` +
    `heap used ${mib(memory.heapUsed)}, RSS ${mib(memory.rss)}`,
);

// New articles at the end of the window: 70% follow-ups of stories of the last 12 hours, 30% new
// events.
const recent = stories.filter((story) => story.first > end - 12 * HOUR_MS);
const incoming = Array.from({ length: MEASURED_ARTICLES }, (_, i) =>
  article(random() < 0.7 ? pick(recent) : newStory(end), new Date(end + i * 1_000)),
);
const assignMs: number[] = [];
const addMs: number[] = [];
const reasons = new Map<string, number>();
for (const candidate of incoming) {
  let t = performance.now();
  const assignment = index.assign(candidate);
  assignMs.push(performance.now() - t);
  reasons.set(assignment.reason, (reasons.get(assignment.reason) ?? 0) + 1);
  t = performance.now();
  index.add(assignment.storyId ?? nextStory++, candidate);
  addMs.push(performance.now() - t);
}
console.log(summary('assign (50k window)', assignMs));
console.log(summary('add', addMs));
console.log(`  reasons: ${[...reasons].map(([r, n]) => `${r} ${n}`).join(', ')}`);

// The window slides: one hour of articles leaves.
const t = performance.now();
index.prune(new Date(start + (WINDOW_HOURS + 1) * HOUR_MS));
console.log(`prune one hour: ${(performance.now() - t).toFixed(1)} ms, window now ${index.size} articles`);

// Summaries on article-sized bodies (about 25 sentences, some markup).
const summaryMs: number[] = [];
const pickMs: number[] = [];
for (let i = 0; i < MEASURED_ARTICLES; i++) {
  const story = pick(recent);
  const sentences = Array.from({ length: 25 }, () => {
    const s = words(14 + Math.floor(random() * 12), story, 0.15);
    return `${s[0]!.toUpperCase()}${s.slice(1)}.`;
  });
  const body = sentences.map((s, j) => (j % 4 === 0 ? `<p>${s}` : s)).join(' ');
  const input = { title: words(8, story, 0.6), lead: sentences[0]!, body, language: 'en' };
  const focus = { terms: story.core.slice(0, 3), keySentence: sentences[10] };
  let s = performance.now();
  const teaser = { ...input, id: 1, body: sentences.slice(0, 1).join(' ') };
  summarySource(teaser, [teaser, { ...input, id: 2 }]);
  pickMs.push(performance.now() - s);
  s = performance.now();
  summarize(input, focus);
  summaryMs.push(performance.now() - s);
}
console.log(summary('summarize (25-sentence body)', summaryMs));
console.log(summary('summarySource (a teaser and a full report)', pickMs));
gc();
console.log(`memory at end: heap used ${mib(process.memoryUsage().heapUsed)}, RSS ${mib(process.memoryUsage().rss)}`);
