import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Digest, DigestStory } from '../../../src/alerts/digest.ts';
import { createDiscordBot, type DiscordBot } from '../../../src/chat/discord/bot.ts';
import type { CommandRequest, Reply } from '../../../src/commands/types.ts';
import { silentLogger } from '../../../src/log.ts';
import { type FakeDiscordApi, type RecordedRequest, startFakeDiscordApi } from '../../fakes/discord-api.ts';
import { type FakeDiscordGateway, MANAGE_GUILD_PERMISSIONS, startFakeDiscordGateway } from '../../fakes/discord-gateway.ts';

const GUILD = '800000000000000001';
const NEWS = '810000000000000001';
const EPHEMERAL = 64;

let api: FakeDiscordApi;
let gateway: FakeDiscordGateway;
let bot: DiscordBot;
const seen: Array<{ request: CommandRequest; admin: boolean }> = [];
let nextReply: (request: CommandRequest) => Reply | Promise<Reply>;
const interaction = (token: string) => api.interactions.get(token)!;
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
    // A handler made of microtasks always beats a timer; a slow one is held on a gate until the deferral is seen.
    deferAfterMs: 20,
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
  const last = extra.last ?? ((path, method) => method === 'POST' && path.endsWith('/callback'));
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

  it('turns /watch subscribe into the handler text, with the caller, and answers in public at once', async () => {
    nextReply = () => channelReply('Subscribed #news to dprk-russia-arms (min 0.7).');
    const { requests, interaction } = await run([{ name: 'subscribe', type: 1, options: [{ name: 'topic', type: 3, value: 'dprk-russia-arms' }, { name: 'min', type: 10, value: 0.7 }] }]);
    const { request, admin } = seen.at(-1)!;
    expect(request.text).toBe('subscribe dprk-russia-arms min:0.7');
    expect(request.caller).toEqual({ platform: 'discord', workspace: GUILD, channel: NEWS, channelName: 'news', user: '900000000000000042', userName: 'kim' });
    expect(admin).toBe(false);
    expect(interaction.callbacks).toHaveLength(1);
    const [callback] = interaction.callbacks;
    expect(callback.type).toBe(4);
    expect(callback.data.flags ?? 0).toBe(0);
    expect(callback.data.allowed_mentions).toEqual({ parse: [] });
    expect(callback.data.content).toBe('Subscribed \\#news to dprk-russia-arms (min 0.7).');
    expect(interaction.original!.flags & EPHEMERAL).toBe(0);
    expect(requests.map((r) => r.method)).toEqual(['POST']);
  });

  it('translates --since, and the help topic', async () => {
    nextReply = () => channelReply('Subscribed.');
    await run([{ name: 'subscribe', type: 1, options: [{ name: 'topic', type: 3, value: 'dprk-russia-arms' }, { name: 'since', type: 3, value: '24h' }] }]);
    expect(seen.at(-1)!.request.text).toBe('subscribe dprk-russia-arms --since 24h');
    nextReply = () => ({ visibility: 'private', ok: true, parts: [{ type: 'text', text: 'Usage: feed add <url>' }] });
    await run([{ name: 'help', type: 1, options: [{ name: 'command', type: 3, value: 'feed add' }] }]);
    expect(seen.at(-1)!.request.text).toBe('help "feed add"');
  });

  it.each<[string, Parameters<FakeDiscordGateway['dispatchInteraction']>[0]['options'], string]>([
    ['test', [{ name: 'test', type: 1, options: [{ name: 'topic', type: 3, value: 'dprk-russia-arms' }, { name: 'period', type: 3, value: '7d' }] }], 'test dprk-russia-arms 7d'],
    ['help', [{ name: 'help', type: 1 }], 'help'],
    ['list', [{ name: 'list', type: 1 }], 'list'],
    ['digest private:true', [{ name: 'digest', type: 1, options: [{ name: 'period', type: 3, value: '24h' }, { name: 'private', type: 5, value: true }] }], 'digest 24h --private'],
    // A command that is public when it works and private when refused: decided by the reply, not the name.
    ['a misspelt subscribe', [{ name: 'subscribe', type: 1, options: [{ name: 'topic', type: 3, value: 'dprk-rusia-arms' }] }], 'subscribe dprk-rusia-arms'],
  ])('answers %s ephemeral from the start, never in the channel', async (_, options, text) => {
    nextReply = () => ({ visibility: 'private', ok: true, parts: [{ type: 'text', text: 'only for you' }] });
    const { requests, interaction } = await run(options);
    expect(seen.at(-1)!.request.text).toBe(text);
    expect(interaction.callbacks).toEqual([{ type: 4, data: expect.objectContaining({ content: 'only for you', flags: EPHEMERAL, allowed_mentions: { parse: [] } }) }]);
    expect(interaction.original!.flags & EPHEMERAL).toBe(EPHEMERAL);
    // No "thinking…" shown to anyone, nothing deleted, no follow-up.
    expect(requests.map((r) => `${r.method} ${r.path.endsWith('/callback') ? 'callback' : r.path}`)).toEqual(['POST callback']);
  });

  describe('an answer slower than deferAfterMs', () => {
    /** Dispatches `/watch …` with the handler held until the bot has deferred; returns what it did after. */
    async function slow(reply: Reply, options: Parameters<FakeDiscordGateway['dispatchInteraction']>[0]['options'], before?: (token: string) => void) {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      nextReply = async () => {
        await gate;
        return reply;
      };
      const { token } = gateway.dispatchInteraction({ guildId: GUILD, channelId: NEWS, options });
      await api.waitForRequest((r) => r.path.includes(token) && r.path.endsWith('/callback'));
      before?.(token);
      release();
      return token;
    }
    const shape = (token: string) => (r: RecordedRequest) => `${r.method} ${r.path.split(token).join(':token').replace(/\/\d+\//, '/:id/')}`;

    it('defers ephemeral and edits a private answer in; nothing public, nothing deleted', async () => {
      const refusal: Reply = { visibility: 'private', ok: false, parts: [{ type: 'text', text: 'unknown topic "dprk-rusia-arms" — did you mean dprk-russia-arms?' }] };
      const token = await slow(refusal, [{ name: 'subscribe', type: 1, options: [{ name: 'topic', type: 3, value: 'dprk-rusia-arms' }] }]);
      await api.waitForRequest((r) => r.path.includes(token) && r.method === 'PATCH');
      const interaction = api.interactions.get(token)!;
      expect(interaction.callbacks).toEqual([{ type: 5, data: { flags: EPHEMERAL } }]);
      expect(api.requests.filter((r) => r.path.includes(token)).map(shape(token))).toEqual([
        'POST /interactions/:id/:token/callback',
        'PATCH /webhooks/:id/:token/messages/@original',
      ]);
      expect(interaction.original).toMatchObject({ flags: EPHEMERAL, content: expect.stringContaining('did you mean dprk-russia-arms?') });
      expect(interaction.followups).toEqual([]);
    });

    it('defers ephemeral, notes it for the caller, then posts a channel answer as a public follow-up', async () => {
      const token = await slow(channelReply('Digest for #news, last 24h: 3 stories'), [{ name: 'digest', type: 1 }]);
      await api.waitForRequest((r) => r.path.includes(token) && r.method === 'POST' && r.path.startsWith('/webhooks/'));
      const interaction = api.interactions.get(token)!;
      expect(interaction.callbacks).toEqual([{ type: 5, data: { flags: EPHEMERAL } }]);
      // The edit first: the first follow-up of a still-pending deferral would only fill the ephemeral "thinking…".
      expect(api.requests.filter((r) => r.path.includes(token)).map(shape(token))).toEqual([
        'POST /interactions/:id/:token/callback',
        'PATCH /webhooks/:id/:token/messages/@original',
        'POST /webhooks/:id/:token',
      ]);
      expect(interaction.original).toMatchObject({ flags: EPHEMERAL, content: expect.stringContaining('posted in the channel') });
      expect(interaction.followups).toHaveLength(1);
      expect(interaction.followups[0]).toMatchObject({ flags: 0, content: 'Digest for \\#news, last 24h: 3 stories', allowed_mentions: { parse: [] } });
    });

    it('shows the caller the answer when the public follow-up is refused', async () => {
      const token = await slow(channelReply('Unsubscribed: #news no longer gets alerts for dprk-russia-arms.'), [{ name: 'unsubscribe', type: 1, options: [{ name: 'topic', type: 3, value: 'dprk-russia-arms' }] }],
        (t) => api.fail({ method: 'POST', path: `/webhooks/${api.applicationId}/${t}`, status: 403, code: 50001, message: 'Missing Access' }));
      await vi.waitFor(() => expect(api.requests.filter((r) => r.path.includes(token) && r.method === 'PATCH')).toHaveLength(2));
      const interaction = api.interactions.get(token)!;
      expect(interaction.followups).toEqual([]);
      expect(interaction.original).toMatchObject({ flags: EPHEMERAL, content: expect.stringContaining('no longer gets alerts') });
    });
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
    // In time: the first message is the response itself, public like the rest.
    expect(api.interactions.get(token)!.callbacks[0]).toMatchObject({ type: 4, data: { content: 'Digest for \\#news, last 24h' } });
    expect([interaction(token).original!, ...interaction(token).followups].every((m) => (m.flags & EPHEMERAL) === 0)).toBe(true);
  });

  it('tells the user when the handler throws', async () => {
    nextReply = () => {
      throw new Error('database is locked');
    };
    const { interaction } = await run([{ name: 'list', type: 1 }]);
    expect(interaction.callbacks[0].data.flags).toBe(EPHEMERAL);
    expect(interaction.callbacks[0].data.content).toContain('Something went wrong');
    expect(interaction.callbacks[0].data.content).not.toContain('database');
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
