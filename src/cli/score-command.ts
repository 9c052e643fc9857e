/**
 * `watchfloor score --topic SLUG [--config PATH]`: scores JSON Lines from stdin against one topic
 * and writes one JSON line per input (`id`, `score`, `matched`, `why`). How users try a topic on
 * their own sample, and how the engine is evaluated.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AppError, errorMessage } from '../errors.ts';
import { loadTopicFile, type TopicDefinition } from '../topics/define.ts';
import { compileTopics } from '../topics/compile.ts';
import { matchTopic } from '../topics/match.ts';
import type { CliCommand, CliIO } from './command.ts';

const inputLine = z.object({
  id: z.union([z.string(), z.number()]),
  title: z.string().default(''),
  description: z.string().default(''),
  content: z.string().optional(),
  language: z.string().optional(),
  published: z.string().optional(),
});

/**
 * The topic files a config lists under `topics:` (paths relative to the config file), or every
 * config/topics/*.yaml when the config file does not exist. Stands in until config.ts offers
 * loadConfig(path).
 */
export function topicFilesFromConfig(configPath: string, cwd: string): string[] {
  const path = isAbsolute(configPath) ? configPath : resolve(cwd, configPath);
  if (!existsSync(path)) {
    const dir = resolve(cwd, 'config/topics');
    if (!existsSync(dir)) return [];
    return readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(dir, f));
  }
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new AppError('config', `${configPath}: ${errorMessage(err)}`, { cause: err });
  }
  const parsed = z.object({ topics: z.array(z.string()).default([]) }).passthrough().safeParse(doc ?? {});
  if (!parsed.success) throw new AppError('config', `${configPath}: topics: expected a list of topic file paths`);
  return parsed.data.topics.map((file) => resolve(dirname(path), file));
}

export const scoreCommand: CliCommand = {
  name: 'score',
  summary: 'Score JSON Lines articles from stdin against one topic',
  usage: [
    'Usage: watchfloor score --topic SLUG [--config PATH] < articles.jsonl',
    '',
    'Reads one JSON object per line (id, title, description, optional content, language, published)',
    'and writes one per line: {"id", "score", "matched", "why"}.',
    '',
    'Options:',
    '  --topic SLUG    the topic to score against (required)',
    '  --config PATH   config file listing topic files (default config/watchfloor.yaml or $WATCHFLOOR_CONFIG)',
  ].join('\n'),
  options: {
    topic: { type: 'string' },
    config: { type: 'string' },
  },
  async run({ values }, io: CliIO): Promise<number> {
    const slug = typeof values.topic === 'string' ? values.topic : undefined;
    if (!slug) {
      io.stderr.write('score: --topic SLUG is required\n');
      return 2;
    }
    const configPath = (typeof values.config === 'string' ? values.config : undefined) ?? io.env.WATCHFLOOR_CONFIG ?? 'config/watchfloor.yaml';
    let topics: TopicDefinition[];
    try {
      topics = topicFilesFromConfig(configPath, io.cwd).map((file) => loadTopicFile(file));
    } catch (err) {
      io.stderr.write(`score: ${errorMessage(err)}\n`);
      return 2;
    }
    const topic = topics.find((t) => t.slug === slug);
    if (!topic) {
      const known = topics.map((t) => t.slug).join(', ') || 'none';
      io.stderr.write(`score: no topic "${slug}" (known: ${known})\n`);
      return 2;
    }
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
