import pino, { type Logger } from 'pino';
import { createRequire } from 'node:module';
import { SECRET_ENV } from './env.ts';
import { AppError } from './errors.ts';

export type { Logger };

const LEVELS = [...Object.keys(pino.levels.values), 'silent'];

/** Fields that hold secrets or the whole environment, wherever a careless caller puts them. */
const REDACT_PATHS = [
  'token', '*.token', 'secret', '*.secret', 'signingSecret', '*.signingSecret', 'password', '*.password',
  'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization', '*.headers.Authorization',
  'databaseUrl', '*.databaseUrl', 'connectionString', '*.connectionString', 'env', '*.env',
];
/** Shorter values are not scrubbed from the text: they would blank ordinary words (a secret is longer). */
const MIN_SECRET_CHARS = 6;
/** A URL's path this long is taken to carry a token (webhooks: `/services/T…/B…/…`, `/api/webhooks/id/token`). */
const MIN_WEBHOOK_PATH_CHARS = 16;
/** URLs in the environment that are addresses, not credentials: kept in logs, where they help. */
const PUBLIC_URL_ENV = new Set(['SLACK_API_URL', 'DISCORD_API_URL']);

/**
 * The root logger writes to stderr so stdout stays machine-readable (JSON alerts, `parse`, `score`).
 * Secrets never reach it: fields named like secrets are censored, and every line is scrubbed of the secret
 * values this environment holds (secretValues), so a secret inside an error message is caught too.
 */
export function createLogger(env: NodeJS.ProcessEnv = process.env, destination: NodeJS.WritableStream = process.stderr): Logger {
  const level = (env.LOG_LEVEL ?? 'info').trim().toLowerCase();
  if (!LEVELS.includes(level)) {
    throw new AppError('config', `LOG_LEVEL=${env.LOG_LEVEL} is not a log level; use one of ${LEVELS.join(', ')} (default info).`);
  }
  const pretty = env.LOG_FORMAT === 'pretty' || (env.LOG_FORMAT !== 'json' && (destination as { isTTY?: boolean }).isTTY === true);
  const options: pino.LoggerOptions = {
    level,
    base: undefined,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  const scrub = scrubber(secretValues(env));
  if (scrub) options.hooks = { streamWrite: scrub };
  if (pretty) {
    // pino-pretty synchronously on the same stream: a CLI needs no worker thread for a few lines.
    // One line per entry: the fields are not dumped below the message; those it does not already say follow it.
    // Loaded only for a terminal (~11 MB): a service's JSON logs never need it.
    const pinoPretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
    const prettyStream = pinoPretty({ destination, colorize: true, translateTime: 'SYS:HH:MM:ss', hideObject: true, messageFormat: prettyLine });
    return pino(options, prettyStream);
  }
  return pino(options, destination as pino.DestinationStream);
}

/**
 * The secret values of an environment: the SECRET_ENV variables; every other http(s) URL with a path (an
 * incoming webhook carries its token in the path, and a route names its variable freely); and the password
 * inside any URL (a database, a proxy), as written and decoded. Longest first, so a URL goes before its password.
 */
export function secretValues(env: NodeJS.ProcessEnv): string[] {
  const found = new Set<string>();
  for (const [name, raw] of Object.entries(env)) {
    const value = raw?.trim();
    if (!value) continue;
    if ((SECRET_ENV as readonly string[]).includes(name)) found.add(value);
    else if (!PUBLIC_URL_ENV.has(name) && /^https?:\/\/[^/\s]+\/\S/i.test(value)) {
      found.add(value);
      // A server may echo the path alone (`no such hook /services/T…/B…/token`).
      if (URL.canParse(value)) {
        const { pathname, search } = new URL(value);
        if (pathname.length + search.length >= MIN_WEBHOOK_PATH_CHARS) found.add(pathname + search);
      }
    }
    const password = /^[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:([^@/\s]+)@/i.exec(value)?.[1];
    if (password) {
      found.add(password);
      try {
        found.add(decodeURIComponent(password));
      } catch {
        // not percent-encoded: the raw form is enough
      }
    }
  }
  return [...found].filter((s) => s.length >= MIN_SECRET_CHARS).sort((a, b) => b.length - a.length);
}

/** Replaces each secret, as written and as JSON escapes it, in a serialized log line. */
function scrubber(secrets: string[]): ((line: string) => string) | undefined {
  if (secrets.length === 0) return undefined;
  const forms = [...new Set(secrets.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]))].sort((a, b) => b.length - a.length);
  return (line) => {
    let out = line;
    for (const form of forms) if (out.includes(form)) out = out.split(form).join('[redacted]');
    return out;
  };
}

/** A logger that drops everything, for tests that do not inspect logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

const NOT_FIELDS = new Set(['level', 'time', 'pid', 'hostname']);

/**
 * The message, then ` · key=value` for each field whose value the message does not already contain
 * (`cycle: 16 feeds (16 failed …)` shows no `feeds=16 failedFeeds=16`). JSON logs keep every field.
 */
export function prettyLine(log: Record<string, unknown>, messageKey: string): string {
  const message = typeof log[messageKey] === 'string' ? (log[messageKey] as string) : '';
  const extra: string[] = [];
  for (const [key, value] of Object.entries(log)) {
    if (key === messageKey || NOT_FIELDS.has(key)) continue;
    for (const [name, text] of fieldTexts(key, value, 0)) {
      if (!says(message, text)) extra.push(`${name}=${/\s/.test(text) ? JSON.stringify(text) : text}`);
    }
  }
  return extra.length ? `${message} · ${extra.join(' ')}` : message;
}

function fieldTexts(key: string, value: unknown, depth: number): Array<[string, string]> {
  if (value === undefined) return [];
  if (value === null || typeof value !== 'object') return [[key, String(value)]];
  // pino's error serializer: the message says it; the stack is in the JSON logs.
  const { message, stack } = value as { message?: unknown; stack?: unknown };
  if (typeof message === 'string' && stack !== undefined) return [[key, message]];
  if (Array.isArray(value)) return [[key, value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(',')]];
  if (depth > 0) return [[key, JSON.stringify(value)]];
  return Object.entries(value).flatMap(([k, v]) => fieldTexts(`${key}.${k}`, v, depth + 1));
}

/** Whether `message` already carries `text`: numbers must stand alone (`16` is not in `160`). */
function says(message: string, text: string): boolean {
  if (text === '') return true;
  if (!/^-?\d+(\.\d+)?$/.test(text)) return message.includes(text);
  for (let i = message.indexOf(text); i >= 0; i = message.indexOf(text, i + 1)) {
    const before = message[i - 1] ?? ' ';
    const after = message[i + text.length] ?? ' ';
    if (!/[\d.]/.test(before) && !/\d/.test(after) && !(after === '.' && /\d/.test(message[i + text.length + 1] ?? ''))) return true;
  }
  return false;
}
