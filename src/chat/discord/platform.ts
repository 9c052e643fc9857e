/**
 * Discord's two entries for the registry (src/chat/registry.ts):
 * - `discord`: the bot. Enabled by DISCORD_TOKEN; posts with it (DISCORD_API_URL overrides the REST base) and,
 *   in `run`, holds the gateway connection that answers `/watch` (DISCORD_APPLICATION_ID is checked against it).
 *   `watchfloor discord deploy` registers the command first (`deployCommands` in commands.ts).
 * - `discord-webhook`: webhooks, always available; a `discord-webhook:ENV_NAME` target posts to the URL in that
 *   environment variable. Alerts and digests only.
 */
import { lazySink } from '../lazy-sink.ts';
import type { Platform } from '../platform.ts';

// discord.js loads only when Discord is used (src/chat/platform.ts).
const adapter = () => import('./adapter.ts');

export const discordPlatform: Platform = {
  name: 'discord',
  enabled: (env) => Boolean(env.DISCORD_TOKEN),
  createSink: async ({ env, log }) => lazySink('discord', async () => (await adapter()).createDiscordSink({ token: env.DISCORD_TOKEN!, apiUrl: env.DISCORD_API_URL, log })),
  createListener: async ({ env, log, handler, topicNames }) => {
    const { createDiscordBot } = await import('./bot.ts');
    return createDiscordBot({ token: env.DISCORD_TOKEN!, applicationId: env.DISCORD_APPLICATION_ID, apiUrl: env.DISCORD_API_URL, handler, topicNames, log });
  },
};

export const discordWebhookPlatform: Platform = {
  name: 'discord-webhook',
  enabled: () => true,
  createSink: async ({ env, log }) => lazySink('discord-webhook', async () => (await adapter()).createDiscordWebhookSink({ webhook: (to) => env.all[to.channel], apiUrl: env.DISCORD_API_URL, log })),
};
