/**
 * `watchfloor score --topic SLUG [--config PATH]`: scores JSON Lines of articles (or `watchfloor parse`
 * output) from stdin against one topic and writes one JSON line per article (`id`, `score`, `matched`, `why`). How users try a topic on
 * their own sample, and how the engine is evaluated.
 */
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { errorMessage } from '../errors.ts';
import { loadTopicFile } from '../topics/define.ts';
import { compileTopics } from '../topics/compile.ts';
import { matchTopic } from '../topics/match.ts';
import type { CliCommand, CliIO } from './command.ts';
import { CONFIG_USAGE, configOption, loadCliConfig, usageError } from './context.ts';

/** The article shape `parse` prints (ArticleLine in parse-command.ts); unknown fields (a label, a url) are ignored. */
const article = z.object({
  id: z.union([z.string(), z.number()]),
  title: z.string().default(''),
  description: z.string().default(''),
  content: z.string().optional(),
  language: z.string().optional(),
  published: z.string().optional(),
});
type Article = z.infer<typeof article>;

/** A line of `watchfloor parse`: its items are articles. */
const parseReport = z.object({ input: z.string(), ok: z.boolean(), error: z.string().optional(), items: z.array(z.unknown()).optional() });

/** Names other tools give the lead or the body: read as nothing, they would score the title alone. */
const MISNAMED: Record<string, string> = { summary: 'description', lead: 'description', body: 'content', text: 'content' };

export const scoreCommand: CliCommand = {
  name: 'score',
  summary: 'score JSON Lines articles from stdin against one topic',
  usage: [
    'Usage: watchfloor score --topic SLUG [--config PATH] < articles.jsonl',
    '',
    'Reads one article per line, {"id", "title", "description", "content"?, "language"?, "published"?}',
    '(description: the lead; content: the full text; both plain text), and writes one line per article:',
    '{"id", "score", "matched", "why"}. The lines `watchfloor parse` prints are read too, each of their',
    'items being an article of this shape:',
    '  watchfloor parse feed.xml | watchfloor score --topic SLUG',
    'A line naming the lead or body otherwise (summary, lead, body, text) is refused rather than scored on',
    'its title alone. Exits 1 when a line could not be read.',
    '',
    'Options:',
    '  -t, --topic SLUG    the topic to score against (required)',
    CONFIG_USAGE,
    '  -h, --help          show this help',
  ].join('\n'),
  options: { ...configOption, topic: { type: 'string', short: 't' } },
  async run({ values }, io: CliIO): Promise<number> {
    const slug = typeof values.topic === 'string' ? values.topic : undefined;
    if (!slug) throw usageError('score needs --topic SLUG, e.g. `watchfloor score --topic dprk-russia-arms < articles.jsonl`.');
    const topics = loadCliConfig(values, io).topicFiles.map((file) => loadTopicFile(file));
    const topic = topics.find((t) => t.slug === slug);
    if (!topic) throw usageError(`no topic "${slug}"; known topics: ${topics.map((t) => t.slug).join(', ') || 'none'}.`);
    const index = compileTopics([topic]);

    let failures = 0;
    let lineNumber = 0;
    const fail = (message: string) => {
      failures++;
      io.stderr.write(`score: line ${lineNumber}: ${message}\n`);
    };
    const score = (item: Article) => {
      const match = matchTopic(index, { title: item.title, lead: item.description, body: item.content ?? '', language: item.language }, slug)!;
      io.stdout.write(`${JSON.stringify({ id: item.id, score: Math.round(match.score * 1000) / 1000, matched: match.matched, why: match.why })}\n`);
    };
    for await (const line of createInterface({ input: io.stdin, crlfDelay: Infinity })) {
      lineNumber++;
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (err) {
        fail(`not JSON: ${errorMessage(err)}`);
        continue;
      }
      const report = parseReport.safeParse(value);
      const items = report.success ? (report.data.ok ? report.data.items ?? [] : undefined) : [value];
      if (!items) {
        fail(`watchfloor parse could not read ${report.data!.input}: ${report.data!.error ?? 'no reason given'}`);
        continue;
      }
      items.forEach((raw, i) => {
        const where = report.success ? `item ${i}: ` : '';
        const misnamed = raw && typeof raw === 'object' ? Object.keys(MISNAMED).find((k) => k in raw && !(MISNAMED[k]! in raw)) : undefined;
        if (misnamed) return fail(`${where}"${misnamed}" is not read; name the lead "description" and the full text "content"`);
        const parsed = article.safeParse(raw);
        if (!parsed.success) return fail(`${where}expected an object with id, title and description (${parsed.error.issues.map((x) => `${x.path.join('.') || 'line'}: ${x.message}`).join('; ')})`);
        score(parsed.data);
      });
    }
    return failures > 0 ? 1 : 0;
  },
};
