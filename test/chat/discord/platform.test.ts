import { describe, expect, it } from 'vitest';
import { discordPlatform, discordWebhookPlatform } from '../../../src/chat/discord/platform.ts';
import type { Env } from '../../../src/env.ts';

describe('discord platforms', () => {
  it('the bot is enabled by DISCORD_TOKEN alone; webhooks always', () => {
    expect(discordPlatform.enabled({ all: {} } as Env)).toBe(false);
    expect(discordPlatform.enabled({ DISCORD_TOKEN: 't', all: {} } as unknown as Env)).toBe(true);
    expect(discordWebhookPlatform.enabled({ all: {} } as Env)).toBe(true);
    expect(discordPlatform.name).toBe('discord');
    expect(discordWebhookPlatform.name).toBe('discord-webhook');
    expect(typeof discordPlatform.createListener).toBe('function');
  });
});
