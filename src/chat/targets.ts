/**
 * Where a route or digest posts, as written in the config file (`to:`), parsed into a typed destination.
 * This module is the grammar only: it loads no platform SDK, so config validation stays cheap.
 *
 *   console                   the terminal (stdout)
 *   slack:C0123ABC            a Slack channel by id (the Slack app: SLACK_BOT_TOKEN)
 *   slack-webhook:ENV_NAME    a Slack incoming webhook whose URL is in the environment variable ENV_NAME
 *   discord:123456789012345   a Discord channel by id (the Discord bot: DISCORD_TOKEN)
 *   discord-webhook:ENV_NAME  a Discord webhook whose URL is in the environment variable ENV_NAME
 */
import type { ChannelRef } from '../store/store.ts';

export interface Target {
  platform: string;
  /** The channel id, or the environment variable holding a webhook URL. */
  channel: string;
}

interface TargetSyntax {
  platform: string;
  /** What follows `platform:`; none for `console`. */
  channel?: RegExp;
  example: string;
}

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

export const TARGET_SYNTAX: readonly TargetSyntax[] = [
  { platform: 'console', example: 'console' },
  { platform: 'slack', channel: /^[CGD][A-Z0-9]{2,}$/, example: 'slack:C0123ABC' },
  { platform: 'slack-webhook', channel: ENV_NAME, example: 'slack-webhook:SLACK_WEBHOOK_ALERTS' },
  { platform: 'discord', channel: /^\d{15,21}$/, example: 'discord:123456789012345678' },
  { platform: 'discord-webhook', channel: ENV_NAME, example: 'discord-webhook:DISCORD_WEBHOOK_ALERTS' },
];

/** The destination a `to:` value names, or a sentence saying what is wrong with it. */
export function parseTarget(text: string): Target | { error: string } {
  const colon = text.indexOf(':');
  const platform = colon < 0 ? text : text.slice(0, colon);
  const channel = colon < 0 ? '' : text.slice(colon + 1);
  const syntax = TARGET_SYNTAX.find((s) => s.platform === platform);
  const examples = TARGET_SYNTAX.map((s) => s.example).join(', ');
  if (!syntax) return { error: `"${text}" is not a destination; use one of ${examples}` };
  if (!syntax.channel) return channel === '' ? { platform, channel: 'stdout' } : { error: `"${text}": ${platform} takes no channel; write ${syntax.example}` };
  if (!syntax.channel.test(channel)) {
    const what = syntax.channel === ENV_NAME ? 'the name of an environment variable that holds the webhook URL' : 'a channel id';
    return { error: `"${text}": after "${platform}:" put ${what}, e.g. ${syntax.example}` };
  }
  return { platform, channel };
}

/** The environment variables a destination needs before anything can be posted there. */
export function requiredEnv(target: Target): string[] {
  switch (target.platform) {
    case 'slack':
      return ['SLACK_BOT_TOKEN'];
    case 'discord':
      return ['DISCORD_TOKEN'];
    case 'slack-webhook':
    case 'discord-webhook':
      return [target.channel];
    default:
      return [];
  }
}

/** The `to:` text of a destination, as the config file writes it. */
export function formatTarget(target: Target): string {
  return target.platform === 'console' ? 'console' : `${target.platform}:${target.channel}`;
}

/**
 * The channel a config target names. The console is one local channel; a Slack or Discord channel id is
 * unique for its bot token, so its workspace is left for the first command from that channel to fill in.
 */
export function targetChannel(target: Target): ChannelRef {
  return target.platform === 'console'
    ? { platform: 'console', workspace: 'local', channel: 'stdout', name: 'console' }
    : { platform: target.platform, workspace: '', channel: target.channel };
}
