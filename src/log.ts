import pino, { type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import { AppError } from './errors.ts';

export type { Logger };

const LEVELS = [...Object.keys(pino.levels.values), 'silent'];

/**
 * The root logger writes to stderr so stdout stays machine-readable (JSON alerts, `parse`, `score`).
 * Secrets are redacted wherever a careless caller might log them.
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
    redact: { paths: ['token', '*.token', 'secret', '*.secret', 'authorization', '*.authorization', 'headers.authorization'], censor: '[redacted]' },
  };
  if (pretty) {
    // pino-pretty synchronously on the same stream: a CLI needs no worker thread for a few lines.
    // One line per entry: the fields are not dumped below the message; those it does not already say follow it.
    const prettyStream = pinoPretty({ destination, colorize: true, translateTime: 'SYS:HH:MM:ss', hideObject: true, messageFormat: prettyLine });
    return pino(options, prettyStream);
  }
  return pino(options, destination as pino.DestinationStream);
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
