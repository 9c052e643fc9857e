/**
 * `watchfloor run --role all|worker|bot` in-process against the fake Slack (Socket Mode and Web API) and the
 * fixture feed server: a worker polls and delivers and holds no chat connection; a bot holds the connection and
 * answers commands and polls nothing; `all` does both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Role, startBot } from '../../src/bot.ts';
import { main } from '../../src/cli.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/log.ts';
import { createApp } from '../../src/main.ts';
import { captureIO } from '../fakes/cli-io.ts';
import { type FeedServer, startFeedServer } from '../fakes/feed-server.ts';
import { APP_TOKEN, BOT_TOKEN, type FakeSlack, SIGNING_SECRET, startFakeSlack } from '../fakes/slack-api.ts';
import { FEED_FIXTURES, writeTestConfig } from '../fakes/test-config.ts';

const CHANNEL = 'C0ROLES';
let slack: FakeSlack;
let feeds: FeedServer;
let dir: string;
let serial = 0;

beforeAll(async () => {
  feeds = await startFeedServer(FEED_FIXTURES);
  dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-roles-'));
});
beforeEach(async () => {
  await slack?.close();
  slack = await startFakeSlack();
  feeds.requests.splice(0);
});
afterAll(async () => {
  await slack?.close();
  await feeds?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One `run --role` in this process on a fresh database: the feed's story routed to the Slack channel. */
async function run(role: Role) {
  const file = writeTestConfig(dir, `roles-${++serial}`, { feeds: [feeds.url('defense-wire.rss')], to: `slack:${CHANNEL}` });
  const env = { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl };
  const io = captureIO(env);
  const app = await createApp(loadConfig(file, env), { stdout: io.stdout, log: silentLogger(), env });
  const bot = await startBot(app, silentLogger(), { role });
  return {
    async stop() {
      await bot.stop({ graceMs: 5000 });
      await app.close();
    },
  };
}

const posted = () => slack.messages.filter((m) => m.channel === CHANNEL);

/** Asks `/watch topics` over Socket Mode and resolves with what the bot responded. */
async function askTopics(): Promise<string> {
  await slack.socketConnected();
  const id = `roles-${++serial}`;
  await slack.pushSlashCommand({ text: 'topics', channel_id: CHANNEL, response_url: slack.respondUrl(id) });
  const [answer] = await slack.waitFor(() => slack.responses.filter((r) => r.path === `/respond/${id}`).length > 0 && slack.responses.filter((r) => r.path === `/respond/${id}`), 'the command answer');
  return JSON.stringify(answer!.body);
}

describe('watchfloor run --role', () => {
  it('worker: polls, matches and delivers; opens no chat connection', async () => {
    const worker = await run('worker');
    try {
      await slack.waitFor(() => posted().length > 0, 'the alert');
      expect(feeds.requests.length).toBeGreaterThan(0);
      expect(slack.callsTo('apps.connections.open')).toEqual([]);
    } finally {
      await worker.stop();
    }
  });

  it('bot: holds the Socket Mode connection and answers commands; polls and posts nothing', async () => {
    const bot = await run('bot');
    try {
      expect(await askTopics()).toContain('dprk-russia-arms');
      // A worker polls at once on start (see above); by the time the bot has connected and answered, it has not.
      expect(feeds.requests).toEqual([]);
      expect(posted()).toEqual([]);
    } finally {
      await bot.stop();
    }
  });

  it('all (the default): both, in one process', async () => {
    const all = await run('all');
    try {
      expect(await askTopics()).toContain('dprk-russia-arms');
      await slack.waitFor(() => posted().length > 0, 'the alert');
    } finally {
      await all.stop();
    }
  });

  it('a bot and a worker on one database split the work: the worker posts, the bot answers', async () => {
    const file = writeTestConfig(dir, 'split', { feeds: [feeds.url('defense-wire.rss')], to: `slack:${CHANNEL}` });
    const env = { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl };
    const apps = await Promise.all([0, 1].map(() => createApp(loadConfig(file, env), { stdout: captureIO().stdout, log: silentLogger(), env })));
    const bot = await startBot(apps[0]!, silentLogger(), { role: 'bot' });
    const worker = await startBot(apps[1]!, silentLogger(), { role: 'worker' });
    try {
      expect(await askTopics()).toContain('dprk-russia-arms');
      await slack.waitFor(() => posted().length > 0, 'the alert');
      expect(slack.callsTo('apps.connections.open')).toHaveLength(1); // the bot's only
      // The bot polls nothing, so its readiness does not wait for a tick that never comes.
      const ready = await fetch(`http://127.0.0.1:${bot.port}/readyz`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { checks: { poll: { detail: string } } }).checks.poll.detail).toContain('does not poll');
    } finally {
      await worker.stop({ graceMs: 5000 });
      await bot.stop({ graceMs: 5000 });
      await Promise.all(apps.map((a) => a.close()));
    }
  });

  it('refuses an unknown role with the ones it knows (exit 2)', async () => {
    const io = captureIO();
    expect(await main(['run', '--role', 'poller', '--config', writeTestConfig(dir, 'bad-role', { feeds: [] })], io)).toBe(2);
    expect(io.err()).toContain('--role must be one of all, worker, bot, not "poller"');
  });
});
