/**
 * Discord's two entries for the registry (src/chat/registry.ts):
 * - `discord`: the bot. Enabled by DISCORD_TOKEN; posts with it (DISCORD_API_URL overrides the REST base) and,
 *   in `run`, holds the gateway connection that answers `/watch` (DISCORD_APPLICATION_ID is checked against it).
 *   `watchfloor discord deploy` registers the command first (`deployCommands` in commands.ts).
 * - `discord-webhook`: webhooks, always available; a `discord-webhook:ENV_NAME` target posts to the URL in that
 *   environment variable. Alerts and digests only.
 */
import type { Platform } from '../platform.ts';
import { createDiscordSink, createDiscordWebhookSink } from './adapter.ts';
import { createDiscordBot } from './bot.ts';

export const discordPlatform: Platform = {
  name: 'discord',
  enabled: (env) => Boolean(env.DISCORD_TOKEN),
  createSink: ({ env, log }) => createDiscordSink({ token: env.DISCORD_TOKEN!, apiUrl: env.DISCORD_API_URL, log }),
  createListener: ({ env, log, handler, topicNames }) =>
    createDiscordBot({ token: env.DISCORD_TOKEN!, applicationId: env.DISCORD_APPLICATION_ID, apiUrl: env.DISCORD_API_URL, handler, topicNames, log }),
};

export const discordWebhookPlatform: Platform = {
  name: 'discord-webhook',
  enabled: () => true,
  createSink: ({ env, log }) => createDiscordWebhookSink({ webhook: (to) => env.all[to.channel], apiUrl: env.DISCORD_API_URL, log }),
};
