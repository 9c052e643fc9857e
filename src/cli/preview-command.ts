import { parseDurationS } from '../duration.ts';
import { errorMessage } from '../errors.ts';
import { createHttpClient } from '../feeds/http/fetch.ts';
import { readFetchedFeed } from '../feeds/read/read.ts';
import { StoryIndex } from '../stories/cluster.ts';
import { compileTopics, type TopicIndex } from '../topics/compile.ts';
import { loadTopicFile } from '../topics/define.ts';
import { type ArticleText, candidateTopics, matchArticle, scanArticle, scoreTopic, type TopicMatch } from '../topics/match.ts';
import { type CliCommand, clockOf } from './command.ts';
import { CONFIG_USAGE, configOption, loadCliConfig, usageError } from './context.ts';
import { progressBar } from './progress.ts';
import { formatTable, shorten } from './table.ts';

export const previewCommand: CliCommand = {
  name: 'preview',
  summary: 'fetch every feed and score recent articles without storing or posting anything',
  usage: `Usage: watchfloor preview [--topic SLUG] [--since 7d] [--all] [--config PATH]

Fetches the configured feeds now, scores their articles published in the window against the topics,
and prints a table (score, topic, published, story, title), best first. Nothing is stored or posted.
The story column clusters the matched articles as a run would: a number for a new story, and for a
report folded into one, why it joined ("2 ← same event: Rajin · 6,700 · NIS").

Options:
  -t, --topic SLUG    only this topic
  -s, --since DUR     only articles published within DUR (default 7d)
  -a, --all           also list the articles that mention a topic's concepts but do not match it (rule
                      not met, or below the threshold), in parentheses, with why not
${CONFIG_USAGE}
  -h, --help          show this help`,
  options: { ...configOption, topic: { type: 'string', short: 't' }, since: { type: 'string', short: 's' }, all: { type: 'boolean', short: 'a' } },
  async run({ values }, io) {
    const sinceS = parseDurationS((values.since as string | undefined) ?? '7d');
    if (sinceS === undefined) throw usageError(`--since expects a duration such as 24h or 7d, got "${values.since}".`);
    const config = loadCliConfig(values, io);
    const topics = config.topicFiles.map((f) => loadTopicFile(f));
    const only = values.topic as string | undefined;
    if (only && !topics.some((t) => t.slug === only)) throw usageError(`no topic "${only}"; known topics: ${topics.map((t) => t.slug).join(', ')}.`);
    const index = compileTopics(only ? topics.filter((t) => t.slug === only) : topics);
    const http = createHttpClient(config.fetch);
    const now = clockOf(io)();
    const cutoff = now.getTime() - sinceS * 1000;
    const rows: Array<{ score: number; cells: string[] }> = [];
    const found: Array<{ article: ArticleText & { title: string; url?: string; publishedAt?: Date }; feed: string; matches: TopicMatch[]; concepts: string[]; language: string }> = [];
    const bar = progressBar(io.stderr, 'fetching', config.feeds.length, io.stderr.isTTY === true);
    try {
      await Promise.all(config.feeds.map(async (feed) => {
        try {
          const response = await http.get(feed.url);
          if (response.status !== 'ok') return;
          const document = await readFetchedFeed(http, response);
          for (const article of document.articles) {
            if (article.publishedAt && article.publishedAt.getTime() < cutoff) continue;
            const analysis = matchArticle(index, article);
            const matches = previewMatches(index, article, analysis.matches, values.all === true);
            if (matches.length > 0) found.push({ article, feed: feed.url, matches, concepts: analysis.concepts, language: analysis.language });
          }
        } catch (err) {
          io.stderr.write(`\n${feed.url}: ${errorMessage(err)}\n`);
        } finally {
          bar.tick();
        }
      }));
    } finally {
      bar.finish();
      await http.close();
    }
    for (const { article, matches, story } of previewStories(found, now)) {
      for (const m of matches) {
        const cells = [m.score.toFixed(2), m.matched ? m.topic : `(${m.topic})`, article.publishedAt?.toISOString().slice(0, 16).replace('T', ' ') ?? '-', story, shorten(article.title, 100)];
        rows.push({ score: m.score, cells: values.all ? [...cells, m.matched ? '' : shorten(m.why, 120)] : cells });
      }
    }
    rows.sort((a, b) => b.score - a.score);
    const header = ['score', 'topic', 'published', 'story', 'title', ...(values.all ? ['why not'] : [])];
    io.stdout.write(rows.length ? formatTable(header, rows.map((r) => r.cells)) : `No article in the window ${values.all ? 'mentioned' : 'matched'} a topic.\n`);
    return 0;
  },
};

/**
 * The matches delivery would make; with `all`, also every topic whose concepts the article mentions
 * without matching, scored and explained the same way (matchArticle leaves out topics whose rule fails).
 */
function previewMatches(index: TopicIndex, article: ArticleText, matches: TopicMatch[], all: boolean): TopicMatch[] {
  if (!all) return matches.filter((m) => m.matched);
  const scan = scanArticle(index, article);
  const seen = new Set(matches.map((m) => m.topic));
  const others = candidateTopics(scan).map((t) => index.topics[t]!).filter((t) => !seen.has(t.slug)).map((t) => scoreTopic(t, scan));
  return [...matches, ...others];
}

/**
 * The stories a run would make of the matched articles, oldest first (as the pipeline places them): a
 * story number, and for a report that joins one, why ("2 ← same event: Rajin · 6,700 · NIS").
 */
function previewStories<T extends { article: ArticleText & { title: string; url?: string; publishedAt?: Date }; feed: string; concepts: string[]; language: string }>(
  found: T[],
  now: Date,
): Array<T & { story: string }> {
  const ordered = [...found].sort((a, b) => (a.article.publishedAt?.getTime() ?? now.getTime()) - (b.article.publishedAt?.getTime() ?? now.getTime()));
  // The window spans the whole preview: what is compared is what `--since` let in.
  const index = new StoryIndex({ windowHours: 24 * 365 });
  let next = 1;
  return ordered.map((item, i) => {
    const placed = index.place(
      {
        articleId: i + 1,
        url: item.article.url,
        title: item.article.title,
        lead: item.article.lead ?? '',
        publishedAt: item.article.publishedAt && item.article.publishedAt < now ? item.article.publishedAt : now,
        concepts: item.concepts,
        language: item.language,
        source: new URL(item.feed).host,
      },
      () => next++,
    );
    return { ...item, story: placed.reason === 'new' ? String(placed.storyId) : shorten(`${placed.storyId} ← ${placed.detail ?? placed.reason}`, 60) };
  });
}
