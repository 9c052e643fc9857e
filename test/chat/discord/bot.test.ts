import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Digest, DigestStory } from '../../../src/alerts/digest.ts';
import { createDiscordBot, type DiscordBot } from '../../../src/chat/discord/bot.ts';
import type { CommandRequest, Reply } from '../../../src/commands/types.ts';
import { silentLogger } from '../../../src/log.ts';
import { type FakeDiscordApi, startFakeDiscordApi } from '../../fakes/discord-api.ts';
import { type FakeDiscordGateway, MANAGE_GUILD_PERMISSIONS, startFakeDiscordGateway } from '../../fakes/discord-gateway.ts';

const GUILD = '800000000000000001';
const NEWS = '810000000000000001';
const EPHEMERAL = 64;

let api: FakeDiscordApi;
let gateway: FakeDiscordGateway;
let bot: DiscordBot;
const seen: Array<{ request: CommandRequest; admin: boolean }> = [];
let nextReply: (request: CommandRequest) => Reply;
const channelReply = (text: string): Reply => ({ visibility: 'channel', ok: true, parts: [{ type: 'text', text }] });

beforeAll(async () => {
  api = await startFakeDiscordApi();
  api.addGuild({ id: GUILD, name: 'Analysts', channels: [{ id: NEWS, name: 'news' }] });
  gateway = await startFakeDiscordGateway(api, { heartbeatIntervalMs: 100 });
  bot = createDiscordBot({
    token: api.token,
    applicationId: api.applicationId,
    apiUrl: api.api,
    handler: async (request) => {
      seen.push({ request, admin: await request.isAdmin() });
      return nextReply(request);
    },
    topicNames: () => ['dprk-russia-arms', 'sanctions-shipping', 'russia-energy'],
    log: silentLogger(),
  });
  await bot.start();
});

afterAll(async () => {
  await bot?.stop();
  await gateway?.close();
  await api?.close();
});

/** Dispatches `/watch …` and waits for the last request the bot makes for it. */
async function run(options: Parameters<FakeDiscordGateway['dispatchInteraction']>[0]['options'], extra: { permissions?: string; last?: (path: string, method: string) => boolean } = {}) {
  const { token } = gateway.dispatchInteraction({ guildId: GUILD, channelId: NEWS, options, permissions: extra.permissions, user: { id: '900000000000000042', username: 'kim' } });
  const last = extra.last ?? ((path, method) => method === 'PATCH' && path.endsWith('/messages/@original'));
  await api.waitForRequest((r) => r.path.includes(token) && last(r.path, r.method));
  const requests = api.requests.filter((r) => r.path.includes(token));
  return { token, requests, interaction: api.interactions.get(token)! };
}

describe('discord bot against the fake gateway', () => {
  it('identifies with the Guilds intent only and answers heartbeats', async () => {
    expect(await gateway.identified).toEqual({ token: api.token, intents: 1 });
    // The bot asked the REST base for the gateway: DISCORD_API_URL alone points it at the fake.
    expect(api.requests.some((r) => r.method === 'GET' && r.path === '/gateway/bot')).toBe(true);
    await vi.waitFor(() => expect(gateway.received.some((p) => p.op === 1)).toBe(true));
  });

  it('turns /watch subscribe into the handler text, with the caller, and edits the public deferral', async () => {
    nextReply = () => channelReply('Subscribed #news to dprk-russia-arms (min 0.7).');
    const { requests, interaction } = await run([{ name: 'subscribe', type: 1, options: [{ name: 'topic', type: 3, value: 'dprk-russia-arms' }, { name: 'min', type: 10, value: 0.7 }] }]);
    const { request, admin } = seen.at(-1)!;
    expect(request.text).toBe('subscribe dprk-russia-arms min:0.7');
    expect(request.caller).toEqual({ platform: 'discord', workspace: GUILD, channel: NEWS, channelName: 'news', user: '900000000000000042', userName: 'kim' });
    expect(admin).toBe(false);
    expect(interaction.callbacks).toEqual([{ type: 5, data: { flags: 0 } }]);
    const edit = requests.find((r) => r.method === 'PATCH')!;
    expect(edit.status).toBe(200);
    expect(edit.body.allowed_mentions).toEqual({ parse: [] });
    expect(edit.body.content).toBe('Subscribed \\#news to dprk-russia-arms (min 0.7).');
    expect(requests.map((r) => r.method)).toEqual(['POST', 'PATCH']);
  });

  it('defers ephemeral for test and help, and for digest private:true', async () => {
    nextReply = () => ({ visibility: 'private', ok: true, parts: [{ type: 'text', text: 'would have matched 3 stories' }] });
    const testRun = await run([{ name: 'test', type: 1, options: [{ name: 'topic', type: 3, value: 'dprk-russia-arms' }, { name: 'period', type: 3, value: '7d' }] }]);
    expect(seen.at(-1)!.request.text).toBe('test dprk-russia-arms 7d');
    expect(testRun.interaction.callbacks[0]).toEqual({ type: 5, data: { flags: EPHEMERAL } });

    const helpRun = await run([{ name: 'help', type: 1 }]);
    expect(seen.at(-1)!.request.text).toBe('help');
    expect(helpRun.interaction.callbacks[0].data.flags).toBe(EPHEMERAL);

    nextReply = () => ({ visibility: 'private', ok: true, parts: [{ type: 'text', text: 'No stories.' }] });
    const digestRun = await run([{ name: 'digest', type: 1, options: [{ name: 'period', type: 3, value: '24h' }, { name: 'private', type: 5, value: true }] }]);
    expect(seen.at(-1)!.request.text).toBe('digest 24h --private');
    expect(digestRun.interaction.callbacks[0].data.flags).toBe(EPHEMERAL);
  });

  it('never shows a private answer to the channel: a public deferral is deleted and the answer follows ephemeral', async () => {
    nextReply = () => ({ visibility: 'private', ok: false, parts: [{ type: 'text', text: 'unknown topic "dprk-rusia-arms" — did you mean dprk-russia-arms?' }] });
    const { requests, token } = await run([{ name: 'subscribe', type: 1, options: [{ name: 'topic', type: 3, value: 'dprk-rusia-arms' }] }], {
      last: (path, method) => method === 'POST' && path.startsWith('/webhooks/'),
    });
    const shape = (path: string) => path.split(token).join(':token').replace(/\/\d+\//, '/:id/');
    expect(requests.map((r) => `${r.method} ${shape(r.path)}`)).toEqual([
      'POST /interactions/:id/:token/callback',
      'DELETE /webhooks/:id/:token/messages/@original',
      'POST /webhooks/:id/:token',
    ]);
    const followup = requests.at(-1)!;
    expect(followup.body.flags).toBe(EPHEMERAL);
    expect(followup.body.content).toContain('did you mean dprk-russia-arms?');
    expect(followup.body.allowed_mentions).toEqual({ parse: [] });
  });

  it('re-checks Manage Server on every interaction and quotes values with spaces', async () => {
    nextReply = () => channelReply('Topic added.');
    await run([{ name: 'topic', type: 2, options: [{ name: 'add', type: 1, options: [{ name: 'slug', type: 3, value: 'nk' }, { name: 'query', type: 3, value: '"North Korea" OR DPRK' }] }] }], { permissions: MANAGE_GUILD_PERMISSIONS });
    expect(seen.at(-1)).toMatchObject({ request: { text: 'topic add nk "\\"North Korea\\" OR DPRK"' }, admin: true });

    await run([{ name: 'feed', type: 2, options: [{ name: 'list', type: 1 }] }]);
    expect(seen.at(-1)).toMatchObject({ request: { text: 'feed list' }, admin: false });

    await run([{ name: 'schedule', type: 1, options: [{ name: 'when', type: 3, value: 'daily  08:00' }, { name: 'timezone', type: 3, value: 'Europe/Berlin' }] }], { permissions: MANAGE_GUILD_PERMISSIONS });
    expect(seen.at(-1)).toMatchObject({ request: { text: 'digest schedule daily 08:00 Europe/Berlin' }, admin: true });
  });

  it('answers a long digest in several messages, each within Discord limits', async () => {
    const stories: DigestStory[] = Array.from({ length: 120 }, (_, i) => ({
      storyId: i + 1, topic: 'dprk-russia-arms', topicTitle: 'DPRK–Russia arms transfers', title: `Story ${i + 1}: ${'artillery shells '.repeat(8)}`,
      url: `https://example.org/${i + 1}`, source: 'Yonhap', outlets: 3, score: 0.9, firstSeenAt: new Date('2025-05-01T08:00:00Z'), gist: 'Shells moved by rail. '.repeat(8),
    }));
    const digest: Digest = { since: new Date('2025-04-30T08:00:00Z'), until: new Date('2025-05-01T08:00:00Z'), topics: [{ slug: 'dprk-russia-arms', title: 'DPRK–Russia arms transfers', stories, more: 0 }], storyCount: 120, empty: false };
    nextReply = () => ({ visibility: 'channel', ok: true, parts: [{ type: 'text', text: 'Digest for #news, last 24h' }, { type: 'digest', digest }] });
    const { token } = gateway.dispatchInteraction({ guildId: GUILD, channelId: NEWS, options: [{ name: 'digest', type: 1, options: [{ name: 'topic', type: 3, value: 'dprk-russia-arms' }] }] });
    await vi.waitFor(() => {
      const interaction = api.interactions.get(token)!;
      const shown = [interaction.original, ...interaction.followups].flatMap((m) => m?.embeds ?? []);
      const lines = shown.map((e) => e.description as string).join('\n').split('\n').filter((l) => l.startsWith('• '));
      expect(lines).toHaveLength(120);
    });
    const requests = api.requests.filter((r) => r.path.includes(token));
    expect(requests.filter((r) => r.method === 'POST' && r.path.startsWith('/webhooks/')).length).toBeGreaterThan(0);
    expect(requests.every((r) => r.status < 300)).toBe(true);
    expect(requests.find((r) => r.method === 'PATCH')!.body.content).toBe('Digest for \\#news, last 24h');
  });

  it('tells the user when the handler throws', async () => {
    nextReply = () => {
      throw new Error('database is locked');
    };
    const { requests } = await run([{ name: 'list', type: 1 }], { last: (path, method) => method === 'POST' && path.startsWith('/webhooks/') });
    expect(requests.at(-1)!.body.content).toContain('Something went wrong');
    expect(requests.at(-1)!.body.content).not.toContain('database');
  });

  it('autocompletes topic names, prefix matches first', async () => {
    const { token } = gateway.dispatchInteraction({
      guildId: GUILD, channelId: NEWS, type: 4,
      options: [{ name: 'subscribe', type: 1, options: [{ name: 'topic', type: 3, value: 'rus', focused: true }] }],
    });
    await api.waitForRequest((r) => r.path.includes(token) && r.path.endsWith('/callback'));
    expect(api.interactions.get(token)!.callbacks).toEqual([{ type: 8, data: { choices: [
      { name: 'russia-energy', value: 'russia-energy' },
      { name: 'dprk-russia-arms', value: 'dprk-russia-arms' },
    ] } }]);
  });
});
