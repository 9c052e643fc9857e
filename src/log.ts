import pino, { type Logger } from 'pino';
import pinoPretty from 'pino-pretty';

export type { Logger };

/**
 * The root logger writes to stderr so stdout stays machine-readable (JSON alerts, `parse`, `score`).
 * Secrets are redacted wherever a careless caller might log them.
 */
export function createLogger(env: NodeJS.ProcessEnv = process.env, destination: NodeJS.WritableStream = process.stderr): Logger {
  const level = env.LOG_LEVEL ?? 'info';
  const pretty = env.LOG_FORMAT === 'pretty' || (env.LOG_FORMAT !== 'json' && (destination as { isTTY?: boolean }).isTTY === true);
  const options: pino.LoggerOptions = {
    level,
    base: undefined,
    redact: { paths: ['token', '*.token', 'secret', '*.secret', 'authorization', '*.authorization', 'headers.authorization'], censor: '[redacted]' },
  };
  if (pretty) {
    // pino-pretty synchronously on the same stream: a CLI needs no worker thread for a few lines.
    const prettyStream = pinoPretty({ destination, colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' });
    return pino(options, prettyStream);
  }
  return pino(options, destination as pino.DestinationStream);
}

/** A logger that drops everything, for tests that do not inspect logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
