import { type Config, configPath, loadConfig } from '../config.ts';
import { AppError, errorMessage } from '../errors.ts';
import { createLogger, type Logger } from '../log.ts';
import { type App, createApp } from '../main.ts';
import type { CliIO, OptionValues } from './command.ts';

/** `--config PATH` is accepted by every command that reads the config. */
export const configOption = { config: { type: 'string', short: 'c' } } as const;
export const CONFIG_USAGE = '  -c, --config PATH   config file (default config/watchfloor.yaml, env WATCHFLOOR_CONFIG)';

export function loadCliConfig(values: OptionValues, io: CliIO): Config {
  return loadConfig(configPath(values.config as string | undefined, io.env, io.cwd), io.env);
}

export function cliLogger(io: CliIO): Logger {
  return createLogger(io.env, io.stderr);
}

/** Builds the app for one command and always closes it, so the database is never left open. */
export async function withApp<T>(values: OptionValues, io: CliIO, fn: (app: App, log: Logger) => Promise<T>): Promise<T> {
  const log = cliLogger(io);
  const app = await createApp(loadCliConfig(values, io), { stdout: io.stdout, log, env: io.env, now: io.now });
  try {
    return await fn(app, log);
  } finally {
    await app.close();
  }
}

/** Exit code for a failed command: 2 for bad input a user must fix (config, usage), 1 otherwise. */
export function reportError(err: unknown, io: CliIO): number {
  io.stderr.write(`watchfloor: ${err instanceof AppError ? err.message : errorMessage(err)}\n`);
  return err instanceof AppError && (err.code === 'config' || err.code === 'usage' || err.code === 'query') ? 2 : 1;
}

export function usageError(message: string): AppError {
  return new AppError('usage', message);
}

/** The one positive integer id a command takes (`deliveries retry 42`), or a usage error with `hint`. */
export function onlyId(positionals: string[], hint: string): number {
  const id = Number(positionals[0]);
  if (positionals.length !== 1 || !Number.isInteger(id) || id < 1) throw usageError(hint);
  return id;
}
