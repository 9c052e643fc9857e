/**
 * Slack's two entries for the registry (src/chat/registry.ts):
 * - `slack`: the Slack app. Enabled by SLACK_BOT_TOKEN; posts with the bot token (SLACK_API_URL overrides the
 *   Web API base) and takes `/watch` commands — over Socket Mode when SLACK_APP_TOKEN is set, else over HTTP on
 *   the bot's server at POST /slack/events (verified with SLACK_SIGNING_SECRET). Admins: `slack.admins`, else
 *   workspace admins and owners.
 * - `slack-webhook`: incoming webhooks, always available; a `slack-webhook:ENV_NAME` target posts to the URL in
 *   that environment variable. Alerts and digests only.
 */
import type { Platform } from '../platform.ts';
import { createSlackSink, createSlackWebhookSink } from './adapter.ts';
import { createSlackApp } from './app.ts';

export const slackPlatform: Platform = {
  name: 'slack',
  enabled: (env) => Boolean(env.SLACK_BOT_TOKEN),
  createSink: ({ env, log }) => createSlackSink({ token: env.SLACK_BOT_TOKEN!, apiUrl: env.SLACK_API_URL, log }),
  createListener: ({ env, config, log, handler, mount }) => {
    if (!env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) {
      log.warn('Slack commands are off: set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP) to receive /watch');
      return undefined;
    }
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
  createSink: ({ env, log }) => createSlackWebhookSink({ url: (to) => env.all[to.channel], log }),
};
