/**
 * Everything wrong with a config file in one report: its schema, its topic files (each named by its
 * `topics[i]` key), the routes and digests that name a topic, and the environment variables they post
 * with. A person fixes them all in one pass instead of meeting one layer per run.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { formatTarget, parseTarget, requiredEnv, type Target } from './chat/targets.ts';
import { type Config, readConfigYaml, validateConfig } from './config.ts';
import { readEnv } from './env.ts';
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
  /** What would run but not as meant (no problem: exit 0), one sentence each. */
  warnings: string[];
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
  const environment = checkEnv(destinations(config, doc), env);
  problems.push(...environment.problems);
  return { config, topics: loaded.topics, problems, warnings: environment.warnings };
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

/** Each route's and digest's destination under its key; from the raw file when the schema check failed. */
function destinations(config: Config | undefined, doc: { routes?: unknown; digests?: unknown }): Array<{ key: string; to: Target }> {
  const list = (name: 'routes' | 'digests', entries: ReadonlyArray<{ to?: unknown }>) =>
    entries.flatMap((entry, i) => {
      const to = typeof entry.to === 'string' ? parseTarget(entry.to) : entry.to;
      return to && typeof to === 'object' && !('error' in to) ? [{ key: `${name}[${i}]`, to: to as Target }] : [];
    });
  return [...list('routes', config?.routes ?? listOf(doc.routes)), ...list('digests', config?.digests ?? listOf(doc.digests))];
}

/** What to put in a variable a destination needs, by variable; a webhook's variable holds its URL. */
const ENV_HINTS: Record<string, string> = {
  SLACK_BOT_TOKEN: "the Slack app's Bot User OAuth Token (xoxb-…, OAuth & Permissions; docs/slack.md)",
  DISCORD_TOKEN: "the Discord bot's token (Developer Portal → Bot → Reset Token; docs/discord.md)",
};

/**
 * The environment as `run` and `once` would read it (src/env.ts): every malformed variable, and each
 * variable that a destination posts with but is not set — one line per variable, naming every key that
 * needs it. Blank counts as unset, as in readEnv. Values are never printed: most are secrets.
 */
function checkEnv(targets: Array<{ key: string; to: Target }>, raw: NodeJS.ProcessEnv): { problems: string[]; warnings: string[] } {
  const problems: string[] = [];
  const warnings: string[] = [];
  let env: ReturnType<typeof readEnv> | undefined;
  try {
    env = readEnv(raw);
  } catch (err) {
    // readEnv names each bad variable on a line of its own, after a heading: `SLACK_BOT_TOKEN: a Slack bot token starts with xoxb-`.
    const lines = err instanceof AppError ? err.message.split('\n').slice(1).map((l) => l.trim()).filter(Boolean) : [];
    problems.push(...(lines.length > 0 ? lines : [`environment: ${errorMessage(err)}`]));
  }
  const isSet = (name: string) => Boolean(raw[name]?.trim());

  const needed = new Map<string, Array<{ key: string; to: Target }>>();
  for (const target of targets) {
    for (const name of requiredEnv(target.to)) needed.set(name, [...(needed.get(name) ?? []), target]);
  }
  for (const [name, users] of needed) {
    const who = users.map((u) => `${u.key} (${formatTarget(u.to)})`);
    const webhook = users.every((u) => u.to.platform.endsWith('-webhook'));
    const what = ENV_HINTS[name] ?? (webhook ? "the incoming webhook's URL" : 'its value');
    const posts = `${joinAnd(who)} ${who.length === 1 ? 'posts' : 'post'} with it`;
    if (!isSet(name)) {
      problems.push(`${name}: not set, but ${posts}. Set it in the environment to ${what}.`);
    } else if (webhook && !isWebUrl(raw[name]!.trim())) {
      problems.push(`${name}: not an http(s) URL, but ${posts}. Set it to ${what}, copied again from the app's webhook page.`);
    }
  }

  if (env?.SLACK_BOT_TOKEN && !env.SLACK_SIGNING_SECRET && !env.SLACK_APP_TOKEN) {
    warnings.push('SLACK_BOT_TOKEN is set without SLACK_APP_TOKEN or SLACK_SIGNING_SECRET: alerts post to Slack, but no /watch command can arrive. Set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP at /slack/events); docs/slack.md.');
  }
  return { problems, warnings };
}

function isWebUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function joinAnd(items: string[]): string {
  return items.length <= 2 ? items.join(' and ') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function listOf(value: unknown): Array<{ topic?: unknown; to?: unknown }> {
  return Array.isArray(value) ? value.map((v) => (v && typeof v === 'object' ? v : {})) : [];
}
