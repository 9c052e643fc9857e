/**
 * Slack's two entries for the registry (src/chat/registry.ts):
 * - `slack`: the Slack app. Enabled by SLACK_BOT_TOKEN; posts with the bot token (SLACK_API_URL overrides the
 *   Web API base) and takes `/watch` commands — over Socket Mode when SLACK_APP_TOKEN is set, else over HTTP on
 *   the bot's server at POST /slack/events (verified with SLACK_SIGNING_SECRET). Admins: `slack.admins`, else
 *   workspace admins and owners.
 * - `slack-webhook`: incoming webhooks, always available; a `slack-webhook:ENV_NAME` target posts to the URL in
 *   that environment variable. Alerts and digests only.
 */
import { lazySink } from '../lazy-sink.ts';
import type { Platform } from '../platform.ts';

// Bolt and the Web API client load only when Slack is used (src/chat/platform.ts).
const adapter = () => import('./adapter.ts');

/** Slack allows about one message per second per channel (and per incoming webhook): the outbox paces to it. */
export const CHANNEL_INTERVAL_MS = 1000;

export const slackPlatform: Platform = {
  name: 'slack',
  enabled: (env) => Boolean(env.SLACK_BOT_TOKEN),
  createSink: async ({ env, log }) => lazySink('slack', async () => (await adapter()).createSlackSink({ token: env.SLACK_BOT_TOKEN!, apiUrl: env.SLACK_API_URL, log }), { minIntervalMs: CHANNEL_INTERVAL_MS }),
  createListener: async ({ env, config, log, handler, mount }) => {
    if (!env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) {
      log.warn('Slack commands are off: set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP) to receive /watch');
      return undefined;
    }
    const { createSlackApp } = await import('./app.ts');
    const slack = createSlackApp({
      botToken: env.SLACK_BOT_TOKEN!,
      signingSecret: env.SLACK_SIGNING_SECRET,
      appToken: env.SLACK_APP_TOKEN,
      apiUrl: env.SLACK_API_URL,
      admins: config.slack.admins,
      handler,
      log,
    });
    if (slack.requestListener) mount(slack.path, slack.requestListener);
    return { start: () => slack.start(), stop: () => slack.stop() };
  },
};

export const slackWebhookPlatform: Platform = {
  name: 'slack-webhook',
  enabled: () => true,
  createSink: async ({ env, log }) => lazySink('slack-webhook', async () => (await adapter()).createSlackWebhookSink({ url: (to) => env.all[to.channel], log }), { minIntervalMs: CHANNEL_INTERVAL_MS }),
};
