/**
 * `watchfloor score --topic SLUG [--config PATH]`: scores JSON Lines from stdin against one topic
 * and writes one JSON line per input (`id`, `score`, `matched`, `why`). How users try a topic on
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

const inputLine = z.object({
  id: z.union([z.string(), z.number()]),
  title: z.string().default(''),
  description: z.string().default(''),
  content: z.string().optional(),
  language: z.string().optional(),
  published: z.string().optional(),
});

export const scoreCommand: CliCommand = {
  name: 'score',
  summary: 'score JSON Lines articles from stdin against one topic',
  usage: [
    'Usage: watchfloor score --topic SLUG [--config PATH] < articles.jsonl',
    '',
    'Reads one JSON object per line (id, title, description, optional content, language, published)',
    'and writes one per line: {"id", "score", "matched", "why"}.',
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
    for await (const line of createInterface({ input: io.stdin, crlfDelay: Infinity })) {
      lineNumber++;
      if (line.trim() === '') continue;
      let item: z.infer<typeof inputLine>;
      try {
        item = inputLine.parse(JSON.parse(line));
      } catch (err) {
        failures++;
        io.stderr.write(`score: line ${lineNumber}: ${err instanceof z.ZodError ? 'expected an object with id, title and description' : errorMessage(err)}\n`);
        continue;
      }
      const match = matchTopic(index, { title: item.title, lead: item.description, body: item.content ?? '', language: item.language }, slug)!;
      io.stdout.write(`${JSON.stringify({ id: item.id, score: Math.round(match.score * 1000) / 1000, matched: match.matched, why: match.why })}\n`);
    }
    return failures > 0 ? 1 : 0;
  },
};
