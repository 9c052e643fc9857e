/**
 * Discord end to end, through `bin/watchfloor.js` as child processes (dist/, built by `npm test`): the real
 * discord.js client against the fake Discord REST API and gateway, a local feed server, a SQLite file.
 * Every wait polls for a condition under one generous timeout; nothing asserts on timing.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeDiscordApi, type FakeMessage, startFakeDiscordApi } from '../fakes/discord-api.ts';
import { type FakeDiscordGateway, type InteractionOption, startFakeDiscordGateway } from '../fakes/discord-gateway.ts';
import { type FeedServer, startFeedServer } from '../fakes/feed-server.ts';
import { FEED_FIXTURES, ROOT, writeTestConfig } from '../fakes/test-config.ts';

const GUILD = '800000000000000001';
const CHANNEL_A = '810000000000000001';
const CHANNEL_B = '810000000000000002';
const ROUTED = '810000000000000003';
const BIN = path.join(ROOT, 'bin/watchfloor.js');
const HEADLINE = 'North Korea ships thousands of artillery shells to Russia through Rajin port';

const EMPTY_RSS = '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Defense Wire</title><link>https://defense-wire.example/</link><description>Defence news</description></channel></rss>';
const EMPTY_ATOM = '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Korea Desk</title><id>urn:uuid:6c1f0a1e-korea-desk</id><updated>{{isoHoursAgo:1}}</updated></feed>';
const fixture = (name: string) => readFileSync(path.join(FEED_FIXTURES, name), 'utf8');

let api: FakeDiscordApi;
let gateway: FakeDiscordGateway;
let feeds: FeedServer;
let dir: string;
let bot: ChildProcess | undefined;

beforeAll(async () => {
  api = await startFakeDiscordApi();
  api.addGuild({ id: GUILD, name: 'Analysts', channels: [{ id: CHANNEL_A, name: 'dprk-watch' }, { id: CHANNEL_B, name: 'general' }, { id: ROUTED, name: 'routed' }] });
  gateway = await startFakeDiscordGateway(api, { heartbeatIntervalMs: 1000 });
  feeds = await startFeedServer(FEED_FIXTURES);
  dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-discord-'));
});

afterAll(async () => {
  if (bot && bot.exitCode === null) {
    bot.kill('SIGKILL');
    await new Promise((resolve) => bot!.once('exit', resolve));
  }
  await gateway?.close();
  await api?.close();
  await feeds?.close();
  rmSync(dir, { recursive: true, force: true });
});

const discordEnv = (fake: FakeDiscordApi) => ({
  ...process.env,
  LOG_FORMAT: 'json',
  LOG_LEVEL: 'info',
  DISCORD_TOKEN: fake.token,
  DISCORD_APPLICATION_ID: fake.applicationId,
  DISCORD_API_URL: fake.api,
});

interface Spawned {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exit: Promise<number | null>;
}

function watchfloor(args: string[], env: NodeJS.ProcessEnv): Spawned {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, out: () => out, err: () => err, exit };
}

/** Polls `condition` until it returns something truthy; fails with `what` (and the bot's log) after `timeoutMs`. */
async function until<T>(what: string, condition: () => T | undefined | false, timeoutMs = 20_000, log?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${log ? `\n--- log ---\n${log().slice(-4000)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const EPHEMERAL = 64;

/**
 * The bot's answer to an interaction as the fake holds it, split by who sees it: the response itself when the
 * bot answered in time, else what followed its ephemeral deferral (the note that points to a public answer is
 * left out). Undefined until there is an answer.
 */
function answerTo(token: string): { channel: FakeMessage[]; caller: FakeMessage[]; all: FakeMessage[] } | undefined {
  const interaction = api.interactions.get(token);
  const all = [interaction?.original, ...(interaction?.followups ?? [])].filter((m): m is FakeMessage =>
    m !== undefined && (m.content !== '' || m.embeds.length > 0) && !m.content.includes('the answer is posted in the channel'));
  if (all.length === 0) return undefined;
  return { channel: all.filter((m) => (m.flags & EPHEMERAL) === 0), caller: all.filter((m) => (m.flags & EPHEMERAL) !== 0), all };
}

const watch = (channelId: string, name: string, options: InteractionOption[] = []) =>
  gateway.dispatchInteraction({ guildId: GUILD, channelId, options: [{ name, type: 1, options }] }).token;
const text = (messages: FakeMessage[]) => JSON.stringify(messages.map((m) => [m.content, m.embeds]));
const botPostsIn = (channelId: string) => api.messagesIn(channelId).filter((m) => m.author === 'bot');

describe('Discord through bin/watchfloor.js', () => {
  it('discord deploy --guild registers /watch in that server', async () => {
    const deploy = watchfloor(['discord', 'deploy', '--guild', GUILD], discordEnv(api));
    expect(await deploy.exit, deploy.err()).toBe(0);
    expect(deploy.out()).toContain(`registered /watch with 14 subcommands in server ${GUILD} (available now)`);

    const put = api.requests.find((r) => r.method === 'PUT')!;
    expect(put.path).toBe(`/applications/${api.applicationId}/guilds/${GUILD}/commands`);
    expect(put.headers.authorization).toBe(`Bot ${api.token}`);
    expect(put.status).toBe(200);
    const [command, ...others] = put.body;
    expect(others).toEqual([]);
    expect(command).toMatchObject({ name: 'watch', contexts: [0] });
    const options = command.options as Array<{ name: string; type: number; options?: any[] }>;
    expect(options.map((o) => o.name)).toEqual(['subscribe', 'unsubscribe', 'list', 'topics', 'digest', 'test', 'help', 'split', 'schedule', 'feed', 'topic']);
    const subscribe = options.find((o) => o.name === 'subscribe')!;
    expect(subscribe.options![0]).toMatchObject({ name: 'topic', type: 3, required: true, autocomplete: true });
    expect(options.find((o) => o.name === 'digest')!.options!.map((o) => o.name)).toEqual(['topic', 'period', 'private']);
    expect(options.find((o) => o.name === 'feed')).toMatchObject({ type: 2 });
    expect(api.commands.get(GUILD)).toHaveLength(1);
    expect(api.commands.has('global')).toBe(false);
  });

  it('discord deploy names a missing variable and exits 2', async () => {
    const { DISCORD_APPLICATION_ID: _, ...env } = discordEnv(api);
    const deploy = watchfloor(['discord', 'deploy'], env);
    expect(await deploy.exit).toBe(2);
    expect(deploy.err()).toContain('DISCORD_APPLICATION_ID is not set');
  });

  it('run: /watch subscribe in one channel → one alert there, the second outlet in its thread, nothing elsewhere; digest and typo answered', async () => {
    feeds.set('wire.rss', EMPTY_RSS);
    feeds.set('desk.atom', EMPTY_ATOM);
    const config = writeTestConfig(dir, 'run', {
      feeds: [feeds.url('wire.rss'), feeds.url('desk.atom')],
      // Every second a tick, and feeds due again a second after an empty answer, so a story published
      // after the subscription is picked up without waiting minutes.
      extra: ["poll: { schedule: '*/1 * * * * *', interval: 1s, min_interval: 1s }"],
    });
    const run = watchfloor(['run', '--config', config], discordEnv(api));
    bot = run.child;
    const log = () => run.err();
    await until('the bot to connect to the gateway', () => log().includes('discord: bot connected'), 20_000, log);
    expect(await gateway.identified).toMatchObject({ token: api.token });

    // Channel B is known to the bot (a command ran there) but follows nothing.
    const listed = watch(CHANNEL_B, 'list');
    await until('the answer to /watch list in channel B', () => answerTo(listed), 20_000, log);

    const subscribed = watch(CHANNEL_A, 'subscribe', [{ name: 'topic', type: 3, value: 'dprk-russia-arms' }]);
    const subscribeAnswer = await until('the answer to /watch subscribe', () => answerTo(subscribed), 20_000, log);
    // A confirmation for the channel, in the channel; no "thinking…" left public.
    expect(subscribeAnswer.caller).toEqual([]);
    expect(subscribeAnswer.channel[0]!.content).toMatch(/^Subscribed: \\?#dprk-watch gets alerts for dprk-russia-arms/);
    expect(subscribeAnswer.channel[0]!.allowed_mentions).toEqual({ parse: [] });

    // The feed publishes the story: one alert in channel A, as an embed, with a nonce Discord enforces.
    feeds.set('wire.rss', fixture('defense-wire.rss'));
    const alertPost = await until('the alert in channel A', () =>
      api.requests.find((r) => r.method === 'POST' && r.path === `/channels/${CHANNEL_A}/messages` && r.status === 200), 20_000, log);
    expect(alertPost.body).toMatchObject({ enforce_nonce: true, allowed_mentions: { parse: [] } });
    expect(alertPost.body.nonce).toMatch(/^wf\d+\.[\w-]+$/);
    expect(alertPost.body.nonce.length).toBeLessThanOrEqual(25);
    const embed = alertPost.body.embeds[0];
    expect(embed.title).toContain(HEADLINE);
    expect(embed.url).toMatch(/^https:\/\/defense-wire\.example\/2026\/11\/north-korea-shells-rajin/);
    expect(embed.footer.text).toMatch(/^Defense Wire · en$/);
    const [alert] = botPostsIn(CHANNEL_A);

    // A second outlet: into a thread started on the alert, and the alert's footer counts it.
    feeds.set('desk.atom', fixture('korea-desk.atom'));
    const followup = await until('the follow-up in the alert\'s thread', () => botPostsIn(alert!.id)[0], 20_000, log);
    expect(JSON.stringify(followup.embeds)).toContain('Korea Desk');
    const followupPost = api.requests.find((r) => r.method === 'POST' && r.path === `/channels/${alert!.id}/messages` && r.status === 200)!;
    expect(followupPost.body).toMatchObject({ enforce_nonce: true, allowed_mentions: { parse: [] } });
    expect(followupPost.body.nonce).not.toBe(alertPost.body.nonce);
    const threadStart = api.requests.find((r) => r.method === 'POST' && r.path === `/channels/${CHANNEL_A}/messages/${alert!.id}/threads`)!;
    expect(threadStart.status).toBe(201);
    expect(api.channels.get(alert!.id)).toMatchObject({ type: 11, parentId: CHANNEL_A });
    const footerEdit = await until('the alert edited with its outlet count', () =>
      api.requests.find((r) => r.method === 'PATCH' && r.path === `/channels/${CHANNEL_A}/messages/${alert!.id}` && r.status === 200), 20_000, log);
    expect(footerEdit.body.embeds[0].footer.text).toContain('+1 outlet');
    expect(footerEdit.body.allowed_mentions).toEqual({ parse: [] });

    // /watch digest answers with the story; a typo in a topic name gets the right one suggested.
    const digest = watch(CHANNEL_A, 'digest', [{ name: 'topic', type: 3, value: 'dprk-russia-arms' }, { name: 'period', type: 3, value: '24h' }]);
    const digestAnswer = await until('the answer to /watch digest', () => answerTo(digest), 20_000, log);
    expect(text(digestAnswer.channel)).toContain('artillery shells to Russia through Rajin');
    expect(digestAnswer.channel[0]!.allowed_mentions).toEqual({ parse: [] });

    // The refusal is only for the caller: nothing of it, not even a "thinking…", reaches the channel.
    const typo = watch(CHANNEL_A, 'subscribe', [{ name: 'topic', type: 3, value: 'dprk-rusia-arms' }]);
    const typoAnswer = await until('the answer to the misspelt subscribe', () => answerTo(typo), 20_000, log);
    expect(text(typoAnswer.caller)).toContain('did you mean dprk-russia-arms?');
    expect(typoAnswer.channel).toEqual([]);
    expect(api.interactions.get(typo)!.callbacks[0].data.flags).toBe(EPHEMERAL);
    expect(api.requests.filter((r) => r.path.includes(typo) && r.method === 'DELETE')).toEqual([]);

    // Exactly one alert in A (the follow-up went to the thread), nothing posted in B.
    expect(botPostsIn(CHANNEL_A)).toHaveLength(1);
    expect(botPostsIn(alert!.id)).toHaveLength(1);
    expect(api.requests.filter((r) => r.path === `/channels/${CHANNEL_B}/messages`)).toEqual([]);

    run.child.kill('SIGTERM');
    expect(await run.exit, log()).toBe(0);
    expect(log()).toContain('stopped cleanly');
  }, 120_000);

  it('once posts a `to: discord:<id>` route with the bot token, without the gateway', async () => {
    // The same bot token and fake as `run` above, minutes later, with a database of its own that counts
    // deliveries from 1 again: Discord deduplicates nonces per author across channels, so an unsalted `wf1`
    // would come back as run's alert in another channel instead of a new post here.
    const from = api.requests.length;
    const config = writeTestConfig(dir, 'once', { feeds: [feeds.url('defense-wire.rss')] });
    writeFileSync(config, readFileSync(config, 'utf8').replace('routes: [{ topic: dprk-russia-arms, to: console }]', `routes: [{ topic: dprk-russia-arms, to: "discord:${ROUTED}" }]`));
    const once = watchfloor(['once', '--config', config], discordEnv(api));
    expect(await once.exit, once.err()).toBe(0);
    const requests = api.requests.slice(from);
    const posts = requests.filter((r) => r.method === 'POST' && r.path === `/channels/${ROUTED}/messages`);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.body).toMatchObject({ enforce_nonce: true, allowed_mentions: { parse: [] } });
    expect(posts[0]!.body.embeds[0].title).toContain(HEADLINE);
    expect(api.messagesIn(ROUTED)).toHaveLength(1);
    expect(api.messagesIn(ROUTED)[0]!.nonce).toBe(posts[0]!.body.nonce);
    // Only `run` holds the gateway connection.
    expect(requests.some((r) => r.path === '/gateway/bot')).toBe(false);
  });
});
