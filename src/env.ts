/**
 * The environment, read once through one schema: where the config lives, overrides for containers, and
 * every secret (chat tokens, the database URL). Secrets never come from files in the repo and never reach
 * a log: `SECRET_ENV` is what the logger and `check-config` treat as secret.
 */
import { z } from 'zod';
import { AppError } from './errors.ts';

const optional = z.string().trim().min(1).optional();
const url = z.string().url('expected an http(s) URL').optional();

export const envSchema = z.object({
  WATCHFLOOR_CONFIG: optional,
  WATCHFLOOR_DB: optional,
  WATCHFLOOR_STORAGE_DRIVER: z.enum(['sqlite', 'postgres']).optional(),
  WATCHFLOOR_HTTP_PORT: optional,
  WATCHFLOOR_DATABASE_URL: optional,
  LOG_LEVEL: optional,
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  SLACK_BOT_TOKEN: z.string().regex(/^xoxb-/, 'a Slack bot token starts with xoxb-').optional(),
  SLACK_SIGNING_SECRET: optional,
  SLACK_APP_TOKEN: z.string().regex(/^xapp-/, 'a Slack app-level token starts with xapp-').optional(),
  SLACK_API_URL: url,
  DISCORD_TOKEN: optional,
  DISCORD_APPLICATION_ID: z.string().regex(/^\d{15,21}$/, 'a Discord application id is a number of 15 to 21 digits').optional(),
  DISCORD_API_URL: url,
});

export type Env = z.output<typeof envSchema> & {
  /** Every variable, for webhook routes that name their own (`slack-webhook:ENV_NAME`). */
  all: Readonly<Record<string, string | undefined>>;
};

/** Variables whose values are secrets: never logged, never printed. */
export const SECRET_ENV = ['WATCHFLOOR_DATABASE_URL', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'DISCORD_TOKEN'] as const;

/** Blank values count as unset (`SLACK_BOT_TOKEN=` in a compose file). */
export function readEnv(raw: NodeJS.ProcessEnv): Env {
  const present = Object.fromEntries(Object.keys(envSchema.shape).flatMap((key) => (raw[key]?.trim() ? [[key, raw[key]]] : [])));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new AppError('config', `the environment is invalid:\n  ${lines.join('\n  ')}`);
  }
  return { ...parsed.data, all: raw };
}
