import { describe, expect, it } from 'vitest';
import { formatTarget, parseTarget, requiredEnv } from '../../src/chat/targets.ts';
import { parseConfig } from '../../src/config.ts';

describe('route targets', () => {
  it.each([
    ['console', { platform: 'console', channel: 'stdout' }],
    ['slack:C0123ABC', { platform: 'slack', channel: 'C0123ABC' }],
    ['slack-webhook:SLACK_WEBHOOK_OPS', { platform: 'slack-webhook', channel: 'SLACK_WEBHOOK_OPS' }],
    ['discord:123456789012345678', { platform: 'discord', channel: '123456789012345678' }],
    ['discord-webhook:DISCORD_HOOK', { platform: 'discord-webhook', channel: 'DISCORD_HOOK' }],
  ])('reads %s', (text, target) => {
    expect(parseTarget(text)).toEqual(target);
    expect(formatTarget(target)).toBe(text);
  });

  it.each([
    ['teams:abc', /is not a destination; use one of console, slack:C0123ABC/],
    ['console:stdout', /console takes no channel/],
    ['slack:#general', /after "slack:" put a channel id, e.g\. slack:C0123ABC/],
    ['slack-webhook:https://hooks.slack.com/services/T/B/x', /the name of an environment variable that holds the webhook URL/],
    ['discord:general', /after "discord:" put a channel id/],
  ])('refuses %s with a sentence', (text, message) => {
    const result = parseTarget(text);
    expect('error' in result && result.error).toMatch(message);
  });

  it('names the environment each destination needs', () => {
    expect(requiredEnv({ platform: 'slack', channel: 'C1' })).toEqual(['SLACK_BOT_TOKEN']);
    expect(requiredEnv({ platform: 'discord-webhook', channel: 'HOOK' })).toEqual(['HOOK']);
    expect(requiredEnv({ platform: 'console', channel: 'stdout' })).toEqual([]);
  });
});

describe('targets in the config file', () => {
  it('are parsed into destinations, and a bad one is named by its key', () => {
    const config = parseConfig({ routes: [{ topic: 't', to: 'slack:C0123ABC' }], digests: [{ to: 'console', cron: '0 8 * * *' }] }, 'w.yaml', {});
    expect(config.routes[0]!.to).toEqual({ platform: 'slack', channel: 'C0123ABC' });
    expect(config.digests[0]!.to).toEqual({ platform: 'console', channel: 'stdout' });
    expect(() => parseConfig({ routes: [{ topic: 't', to: 'slack:#general' }] }, 'w.yaml', {})).toThrow(/routes\[0\]\.to: "slack:#general": after "slack:" put a channel id/);
  });
});
