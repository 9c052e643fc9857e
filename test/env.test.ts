import { describe, expect, it } from 'vitest';
import { readEnv } from '../src/env.ts';

describe('the environment', () => {
  it('reads the variables it knows, blank ones as unset, and keeps the rest for webhook routes', () => {
    const env = readEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: '  ', MY_HOOK: 'https://hooks.example/x' });
    expect(env.SLACK_BOT_TOKEN).toBe('xoxb-1');
    expect(env.SLACK_APP_TOKEN).toBeUndefined();
    expect(env.all.MY_HOOK).toBe('https://hooks.example/x');
  });

  it('names each bad variable without printing its value', () => {
    let message = '';
    try {
      readEnv({ SLACK_BOT_TOKEN: 'xoxp-secret-user-token', DISCORD_API_URL: 'not a url' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('SLACK_BOT_TOKEN: a Slack bot token starts with xoxb-');
    expect(message).toContain('DISCORD_API_URL: expected an http(s) URL');
    expect(message).not.toContain('xoxp-secret-user-token');
  });
});
