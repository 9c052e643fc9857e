import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { captureIO } from '../fakes/cli-io.ts';
import { type FakeDiscordApi, startFakeDiscordApi } from '../fakes/discord-api.ts';

let api: FakeDiscordApi;
beforeAll(async () => {
  api = await startFakeDiscordApi();
});
afterAll(async () => {
  await api.close();
});

const deploy = async (env: Record<string, string>, ...args: string[]) => {
  const io = captureIO(env);
  const code = await main(['discord', 'deploy', ...args], io);
  return { code, out: io.out(), err: io.err() };
};
const credentials = () => ({ DISCORD_TOKEN: api.token, DISCORD_APPLICATION_ID: api.applicationId, DISCORD_API_URL: api.api });

describe('watchfloor discord deploy', () => {
  it('registers /watch globally without --guild and says it can take a while', async () => {
    const { code, out } = await deploy(credentials());
    expect(code).toBe(0);
    expect(out).toMatch(/^registered \/watch with 14 subcommands for every server the bot is in \(it can take a while to appear\); command id \d+\n$/);
    expect(api.commands.get('global')!.map((c) => c.name)).toEqual(['watch']);
  });

  it('names every missing variable (exit 2) before calling Discord', async () => {
    const before = api.requests.length;
    const none = await deploy({});
    expect(none.code).toBe(2);
    expect(none.err).toContain('DISCORD_TOKEN and DISCORD_APPLICATION_ID are not set');
    const noToken = await deploy({ DISCORD_APPLICATION_ID: api.applicationId });
    expect(noToken.err).toMatch(/DISCORD_TOKEN is not set: copy the bot token \(Bot → Reset Token\)/);
    expect(api.requests.length).toBe(before);
  });

  it('refuses a malformed variable or --guild with exit 2', async () => {
    const badId = await deploy({ ...credentials(), DISCORD_APPLICATION_ID: 'my-app' });
    expect(badId.code).toBe(2);
    expect(badId.err).toContain('DISCORD_APPLICATION_ID: a Discord application id is a number of 15 to 21 digits');
    const badGuild = await deploy(credentials(), '--guild', 'Analysts');
    expect(badGuild.code).toBe(2);
    expect(badGuild.err).toContain('--guild takes a server id (15 to 21 digits), not "Analysts"');
    expect((await deploy(credentials(), '--guild')).code).toBe(2);
  });

  it("explains Discord's refusals with exit 1", async () => {
    const token = await deploy({ ...credentials(), DISCORD_TOKEN: 'wrong' });
    expect(token.code).toBe(1);
    expect(token.err).toContain('Discord refused DISCORD_TOKEN');
    expect(token.err).not.toContain('wrong');
    const app = await deploy({ ...credentials(), DISCORD_APPLICATION_ID: '1200000000000000009' });
    expect(app.code).toBe(1);
    expect(app.err).toContain('DISCORD_APPLICATION_ID 1200000000000000009 is not this bot\'s application');
  });

  it('prints its usage for --help and lists itself in the overview', async () => {
    const help = await deploy({}, '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('Usage: watchfloor discord deploy [--guild ID]');
    const io = captureIO();
    expect(await main(['discord'], io)).toBe(2);
    expect(io.err()).toContain('`discord` needs a subcommand: deploy.');
  });
});
