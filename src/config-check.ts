/**
 * Everything wrong with a config file in one report: its schema, its topic files (each named by its
 * `topics[i]` key) and the routes and digests that name a topic. A person fixes them all in one pass
 * instead of meeting one layer per run.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Config, readConfigYaml, validateConfig } from './config.ts';
import { AppError, errorMessage } from './errors.ts';
import { compileTopics } from './topics/compile.ts';
import { loadTopicFile, type TopicDefinition } from './topics/define.ts';

export interface ConfigCheck {
  /** Undefined when the schema check failed. */
  config?: Config;
  /** The topic files that loaded and compiled, in config order. */
  topics: TopicDefinition[];
  /** One line each: `key: sentence`. */
  problems: string[];
}

/** Reads and checks a config file without stopping at the first problem. Unreadable files and broken YAML still throw. */
export function checkConfigFile(file: string, env: NodeJS.ProcessEnv): ConfigCheck {
  const raw = readConfigYaml(file);
  const { config, problems } = validateConfig(raw, file, env);
  const doc = (raw ?? {}) as { topics?: unknown; routes?: unknown; digests?: unknown };
  const dir = path.dirname(path.resolve(file));
  // With a broken schema the topic files and references are still checked, from whatever the file says.
  const files = config?.topicFiles
    ?? (Array.isArray(doc.topics) ? doc.topics.map((t) => (typeof t === 'string' && t ? path.resolve(dir, t) : undefined)) : []);
  const loaded = loadTopicFiles(files);
  problems.push(...loaded.problems);
  problems.push(...referenceProblems(
    { routes: config?.routes ?? listOf(doc.routes), digests: config?.digests ?? listOf(doc.digests) },
    loaded.topics,
    loaded.failedSlugs,
  ));
  return { config, topics: loaded.topics, problems };
}

/** The config's topic files, or one config error naming each broken file by its `topics[i]` key. */
export function loadConfigTopics(config: Config): TopicDefinition[] {
  const { topics, problems } = loadTopicFiles(config.topicFiles);
  problems.push(...referenceProblems(config, topics, new Set()));
  if (problems.length > 0) throw new AppError('config', `${config.file} is invalid:\n  ${problems.join('\n  ')}`);
  return topics;
}

/**
 * Loads each topic file and compiles it alone, so a problem is pinned to its file; then checks that
 * no two files define the same slug. `failedSlugs` are the slugs broken files would have had, so a
 * route to one is not reported a second time as naming an unknown topic.
 */
function loadTopicFiles(files: Array<string | undefined>): { topics: TopicDefinition[]; problems: string[]; failedSlugs: Set<string> } {
  const topics: TopicDefinition[] = [];
  const problems: string[] = [];
  const failedSlugs = new Set<string>();
  const bySlug = new Map<string, number>();
  files.forEach((file, i) => {
    const key = `topics[${i}]`;
    if (file === undefined) return; // the schema check already named it
    if (!existsSync(file)) {
      problems.push(`${key}: no topic file at ${file} (a relative path is read from the config file's folder)`);
      failedSlugs.add(path.basename(file).replace(/\.ya?ml$/, ''));
      return;
    }
    let topic: TopicDefinition;
    try {
      topic = loadTopicFile(file);
      compileTopics([topic]);
    } catch (err) {
      // The loader's messages start with the file's path; the key says which entry that is.
      const message = errorMessage(err);
      problems.push(`${key} (${file}): ${message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message}`);
      failedSlugs.add(path.basename(file).replace(/\.ya?ml$/, ''));
      return;
    }
    const first = bySlug.get(topic.slug);
    if (first !== undefined) {
      problems.push(`${key} (${file}): topic "${topic.slug}" is already defined by topics[${first}]; give one of them another slug`);
      return;
    }
    bySlug.set(topic.slug, i);
    topics.push(topic);
  });
  if (problems.length === 0) {
    try {
      compileTopics(topics);
    } catch (err) {
      problems.push(`topics: ${errorMessage(err)}`);
    }
  }
  return { topics, problems, failedSlugs };
}

/** Routes and digests that name a topic no topic file defines. */
function referenceProblems(
  refs: { routes: ReadonlyArray<{ topic?: unknown }>; digests: ReadonlyArray<{ topic?: unknown }> },
  topics: TopicDefinition[],
  failedSlugs: Set<string>,
): string[] {
  const slugs = new Set(topics.map((t) => t.slug));
  const known = [...slugs].join(', ') || 'none';
  const problems: string[] = [];
  const check = (key: string, topic: unknown) => {
    if (typeof topic !== 'string' || slugs.has(topic) || failedSlugs.has(topic)) return;
    problems.push(`${key}.topic: no topic "${topic}" (topics loaded: ${known})`);
  };
  refs.routes.forEach((r, i) => check(`routes[${i}]`, r?.topic));
  refs.digests.forEach((d, i) => check(`digests[${i}]`, d?.topic));
  return problems;
}

function listOf(value: unknown): Array<{ topic?: unknown }> {
  return Array.isArray(value) ? value.map((v) => (v && typeof v === 'object' ? v : {})) : [];
}
