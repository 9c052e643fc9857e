import type { Logger as SlackLogger, LogLevel } from '@slack/web-api';
import type { Logger } from '../../log.ts';

/**
 * Our pino logger in the shape `@slack/logger` asks of WebClient, Bolt and the Socket Mode client, so
 * their lines land in the same stream (and through the same redaction) as ours. Their `setLevel` and
 * `setName` are ignored: the level is the operator's, set by `LOG_LEVEL`.
 */
export function slackLogger(log: Logger, component = 'slack'): SlackLogger {
  const child = log.child({ component });
  const line = (parts: unknown[]): string => parts.map((p) => (typeof p === 'string' ? p : p instanceof Error ? p.message : JSON.stringify(p))).join(' ');
  return {
    debug: (...parts: unknown[]) => child.debug(line(parts)),
    info: (...parts: unknown[]) => child.info(line(parts)),
    warn: (...parts: unknown[]) => child.warn(line(parts)),
    error: (...parts: unknown[]) => child.error(line(parts)),
    setLevel: () => {},
    getLevel: () => (['debug', 'info', 'warn', 'error'].includes(child.level) ? child.level : child.level === 'trace' ? 'debug' : 'error') as LogLevel,
    setName: () => {},
  };
}
