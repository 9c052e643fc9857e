import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import cron from 'node-cron';
import { z } from 'zod';
import { parseDurationS } from './duration.ts';
import { parseTarget } from './chat/targets.ts';
import { DEFAULT_BURST_LIMIT } from './alerts/pacing.ts';
import { DEFAULT_FEED_BURST } from './alerts/route.ts';
import { AppError } from './errors.ts';
import { formatPath } from './key-path.ts';

export { formatPath };

/** A duration written as `15m`, `24h`, `7d` or a number of seconds; held as seconds. */
const duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const seconds = parseDurationS(value);
  if (seconds === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a duration such as 90s, 15m, 24h or 7d, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return seconds;
});

const feedSchema = z.strictObject({
  url: z.string().url(),
  title: z.string().optional(),
  interval: duration.optional(),
  full_text: z.boolean().default(false),
});

/** `console`, `slack:C…`, `slack-webhook:ENV`, `discord:…`, `discord-webhook:ENV` (src/chat/targets.ts), parsed. */
const routeTarget = z.string().transform((text, ctx) => {
  const target = parseTarget(text);
  if ('error' in target) {
    ctx.addIssue({ code: 'custom', message: target.error });
    return z.NEVER;
  }
  return target;
});

const routeSchema = z.strictObject({
  topic: z.string().min(1),
  to: routeTarget,
  min_score: z.number().min(0).max(1).optional(),
});

const cronExpression = z.string().refine((expr) => cron.validate(expr), {
  message: 'expected a cron expression such as "0 8 * * *" (minute hour day month weekday)',
});

/** node-cron accepts any zone and crashes later on an unknown one, so zones are checked here. */
const timeZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, { message: 'expected an IANA time zone such as "Europe/Berlin" or "UTC"' });

const digestSchema = z.strictObject({
  /** Names the digest for good: its once-per-period key, kept through edits (src/scheduler.ts, configDigestKey). */
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'expected a short name of lower-case letters, digits, ".", "_" or "-", such as "morning-brief"').optional(),
  to: routeTarget,
  topic: z.string().min(1).optional(),
  cron: cronExpression,
  timezone: timeZone.default('UTC'),
  since: duration.default(86_400),
});

export const configSchema = z.strictObject({
  storage: z
    .strictObject({
      /** sqlite (embedded, the default) or postgres (several replicas; connection string from WATCHFLOOR_DATABASE_URL). */
      driver: z.enum(['sqlite', 'postgres']).default('sqlite'),
      path: z.string().default('./data/watchfloor.db'),
      schema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case PostgreSQL schema name').default('public'),
    })
    .prefault({}),
  fetch: z
    .strictObject({
      allow_private_networks: z.boolean().default(false),
      timeout: duration.default(30),
      max_bytes: z.number().int().positive().default(10 * 1024 * 1024),
      max_redirects: z.number().int().min(0).max(20).default(5),
      concurrency: z.number().int().positive().default(8),
      per_host: z.number().int().positive().default(2),
      user_agent: z.string().optional(),
    })
    .prefault({}),
  poll: z
    .strictObject({
      /** node-cron expression of the scheduler tick; each tick polls only the feeds that are due. */
      schedule: cronExpression.default('* * * * *'),
      interval: duration.default(900),
      min_interval: duration.default(120),
      max_interval: duration.default(86_400),
      /** On a feed's first poll, items older than this are stored but not alerted. */
      first_poll_max_age: duration.default(86_400),
      /** Worker threads that decode, parse and normalize fetched feeds; 0 does it on the main thread. */
      parse_threads: z.number().int().min(0).max(32).default(defaultParseThreads),
    })
    .prefault({}),
  stories: z.strictObject({ window: duration.default(72 * 3600) }).prefault({}),
  feeds: z.array(feedSchema).default([]),
  topics: z.array(z.string().min(1)).default([]),
  routes: z.array(routeSchema).default([]),
  digests: z.array(digestSchema).default([]).superRefine((digests, ctx) => {
    // The name is the digest's once-per-period key: two digests with one name would share their periods.
    const seen = new Set<string>();
    digests.forEach((digest, i) => {
      if (digest.name === undefined) return;
      if (seen.has(digest.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `another digest is named "${digest.name}"; give each digest its own name` });
      seen.add(digest.name);
    });
  }),
  console: z.strictObject({ format: z.enum(['pretty', 'json']).default('pretty') }).default({ format: 'pretty' }),
  http: z.strictObject({ port: z.number().int().min(0).max(65_535).default(8080) }).default({ port: 8080 }),
  /** How long `run` waits for the work in progress after SIGTERM before abandoning it; with the 2 s closing may take after, within the 10 s Docker waits before SIGKILL. */
  shutdown: z.strictObject({ grace: duration.default(7) }).prefault({}),
  /**
   * Outbox pacing (src/alerts/pacing.ts): each platform's per-channel interval, and the burst guard's messages per
   * channel per minute (0: off). `feed_burst`: matching items one poll of one feed may bring a channel before they go
   * as one burst message instead (src/alerts/route.ts; 0: off).
   */
  delivery: z.strictObject({
    pacing: z.boolean().default(true),
    burst: z.number().int().min(0).default(DEFAULT_BURST_LIMIT),
    feed_burst: z.number().int().min(0).default(DEFAULT_FEED_BURST),
  }).prefault({}),
  /** Slack user ids allowed the admin commands, beside the workspace's admins and owners. */
  slack: z.strictObject({ admins: z.array(z.string().regex(/^[UW][A-Z0-9]+$/, 'expected a Slack user id such as U0123ABC')).default([]) }).prefault({}),
});

type ParsedConfig = z.output<typeof configSchema>;

/** The validated config with every relative path resolved against the config file's folder. */
export interface Config extends ParsedConfig {
  file: string;
  /** PostgreSQL connection string, from the environment only (it may hold a password). */
  databaseUrl?: string;
  /** Absolute paths of the topic files. */
  topicFiles: string[];
}

export const DEFAULT_CONFIG_PATH = 'config/watchfloor.yaml';

/**
 * `poll.parse_threads` when the config says nothing: one per core but the one the main thread needs
 * for fetching and storing; at least 1, at most 4. On 2 cores one parser thread is as fast as two
 * over a 1,000-feed cycle and peaks ~30 MB lower (docs/benchmarks.md).
 */
export function defaultParseThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

/** `--config`, else WATCHFLOOR_CONFIG, else the bundled default. */
export function configPath(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  return path.resolve(cwd, flag ?? env.WATCHFLOOR_CONFIG ?? DEFAULT_CONFIG_PATH);
}

export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Config {
  return parseConfig(readConfigYaml(file), file, env);
}

/** The config file's YAML, parsed but not validated; an unreadable file or broken YAML throws a sentence. */
export function readConfigYaml(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new AppError('config', `cannot read the config file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}. Pass --config PATH or set WATCHFLOOR_CONFIG.`, { cause: err });
  }
  try {
    return parseYaml(text) ?? {};
  } catch (err) {
    throw new AppError('config', `${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
}

export function parseConfig(raw: unknown, file: string, env: NodeJS.ProcessEnv = process.env): Config {
  const result = validateConfig(raw, file, env);
  if (!result.config) throw configError(file, result.problems);
  return result.config;
}

/** One error listing every problem of a config file, one line each (`feeds[0].url: …`). */
export function configError(file: string, problems: string[]): AppError {
  return new AppError('config', `${file} is invalid:\n  ${problems.join('\n  ')}`);
}

/** The config, or every schema problem of `raw` (a key path and a sentence each) when it is invalid. */
export function validateConfig(raw: unknown, file: string, env: NodeJS.ProcessEnv = process.env): { config?: Config; problems: string[] } {
  const result = configSchema.safeParse(raw);
  const problems = result.success ? [] : result.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown key`)
      : [`${formatPath(issue.path)}: ${describeIssue(issue)}`],
  );
  const databaseUrl = env.WATCHFLOOR_DATABASE_URL;
  const driverOverride = env.WATCHFLOOR_STORAGE_DRIVER?.trim() || undefined;
  if (driverOverride && driverOverride !== 'sqlite' && driverOverride !== 'postgres') {
    problems.push(`WATCHFLOOR_STORAGE_DRIVER: expected sqlite or postgres, got ${JSON.stringify(driverOverride)}`);
  }
  const driver = driverOverride ?? (result.success ? result.data.storage.driver : (raw as { storage?: { driver?: unknown } } | null)?.storage?.driver);
  if (driver === 'postgres' && !databaseUrl) {
    problems.push('storage.driver: postgres needs the connection string in the WATCHFLOOR_DATABASE_URL environment variable (e.g. postgres://user@host:5432/db).');
  }
  if (!result.success || problems.length > 0) return { problems };
  const config = result.data;
  const dir = path.dirname(path.resolve(file));
  // Environment overrides for container deployments; secrets never live in this file.
  if (driverOverride) config.storage.driver = driverOverride as typeof config.storage.driver;
  if (env.WATCHFLOOR_DB) config.storage.path = env.WATCHFLOOR_DB;
  if (env.WATCHFLOOR_HTTP_PORT) config.http.port = Number(env.WATCHFLOOR_HTTP_PORT);
  config.storage.path = config.storage.path === ':memory:' ? ':memory:' : path.resolve(dir, config.storage.path);
  return { config: { ...config, databaseUrl, file: path.resolve(file), topicFiles: config.topics.map((t) => path.resolve(dir, t)) }, problems: [] };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') return `expected ${issue.expected === 'array' ? 'an array' : issue.expected}`;
  return issue.message;
}
