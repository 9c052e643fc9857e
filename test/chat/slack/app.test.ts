import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildDigest, type DigestStory } from '../../../src/alerts/digest.ts';
import { commandText, createSlackApp, type SlackApp } from '../../../src/chat/slack/app.ts';
import type { CommandRequest, Reply } from '../../../src/commands/types.ts';
import { AppError } from '../../../src/errors.ts';
import { silentLogger } from '../../../src/log.ts';
import { APP_TOKEN, BOT_TOKEN, type FakeSlack, messageProblem, postSlashCommand, SIGNING_SECRET, slackPings, startFakeSlack } from '../../fakes/slack-api.ts';

/** A stand-in for the command layer: records what it is asked, answers what the test says. */
function fakeHandler() {
  const requests: CommandRequest[] = [];
  let answer: (request: CommandRequest) => Promise<Reply> = async () => ({ visibility: 'private', ok: true, parts: [{ type: 'text', text: 'ok' }] });
  return {
    requests,
    answerWith(fn: (request: CommandRequest) => Promise<Reply>) {
      answer = fn;
    },
    handler: async (request: CommandRequest) => {
      requests.push(request);
      return answer(request);
    },
  };
}

let fake: FakeSlack;
let commands: ReturnType<typeof fakeHandler>;
let slack: SlackApp;
let server: Server;
let eventsUrl: string;

beforeAll(async () => {
  fake = await startFakeSlack();
  fake.setUser({ id: 'U0WSADMIN', is_admin: true });
  fake.setUser({ id: 'U0OWNER', is_owner: true });
  fake.setUser({ id: 'U0PLAIN' });
  commands = fakeHandler();
  slack = createSlackApp({ botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, apiUrl: fake.apiUrl, admins: ['U0BOSS'], handler: commands.handler, log: silentLogger() });
  await slack.start();
  // Our own server, as the bot's HTTP server will be: Bolt's listener mounted on one path, ours beside it.
  server = createServer((req, res) => {
    if (req.url === '/healthz') res.writeHead(200).end('ok\n');
    else slack.requestListener!(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
});

afterAll(async () => {
  await slack.stop();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await fake.close();
});

afterEach(() => {
  commands.requests.length = 0;
  commands.answerWith(async () => ({ visibility: 'private', ok: true, parts: [{ type: 'text', text: 'ok' }] }));
});

const responsesTo = (id: string) => fake.responses.filter((r) => r.path === `/respond/${id}`);

describe("a slash command's text", () => {
  it.each([
    // Slack sends links wrapped in angle brackets, sometimes with a label, and encodes &, <, >.
    ['feed add <https://example.org/rss.xml>', 'feed add https://example.org/rss.xml'],
    ['feed add <https://example.org/rss.xml|example.org/rss.xml>', 'feed add https://example.org/rss.xml'],
    ['feed remove <https://example.org/a?x=1&amp;y=2>', 'feed remove https://example.org/a?x=1&y=2'],
    ['topic add t "Rason &amp; Vostochny" -&lt;x&gt;', 'topic add t "Rason & Vostochny" -<x>'],
  ])('%s reads as %s', (slack, plain) => {
    expect(commandText(slack)).toBe(plain);
  });
});

describe('Slack app over HTTP (real Bolt HTTPReceiver, signed requests)', () => {
  it('is in HTTP mode on /slack/events and checked the bot token at start', () => {
    expect(slack.mode).toBe('http');
    expect(slack.path).toBe('/slack/events');
    expect(fake.callsTo('auth.test')[0]!.token).toBe(BOT_TOKEN);
  });

  it('acknowledges first, then answers in channel through response_url with what the handler said', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    commands.answerWith(async () => {
      await held;
      return { visibility: 'channel', ok: true, parts: [{ type: 'text', text: 'Subscribed #alerts to dprk-russia-arms (min 0.70).' }] };
    });
    const response = await postSlashCommand(eventsUrl, { text: 'subscribe dprk-russia-arms min:0.7', response_url: fake.respondUrl('r1') });
    // The HTTP answer (the ack) came back while the handler was still held.
    expect(response.status).toBe(200);
    expect(responsesTo('r1')).toEqual([]);
    release();
    const [answer] = await fake.waitFor(() => responsesTo('r1').length > 0 && responsesTo('r1'), 'the respond() payload');
    expect(answer!.body).toEqual({
      response_type: 'in_channel',
      replace_original: false,
      text: 'Subscribed #alerts to dprk-russia-arms (min 0.70).',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Subscribed #alerts to dprk-russia-arms (min 0.70).', verbatim: true } }],
    });
    expect(commands.requests).toHaveLength(1);
    expect(commands.requests[0]!.text).toBe('subscribe dprk-russia-arms min:0.7');
    expect(commands.requests[0]!.caller).toEqual({ platform: 'slack', workspace: 'T0FAKE', channel: 'C0ALERTS', channelName: 'alerts', user: 'U0ANALYST', userName: 'analyst' });
  });

  it('a private reply is ephemeral', async () => {
    await postSlashCommand(eventsUrl, { text: 'list', response_url: fake.respondUrl('r2') });
    const [answer] = await fake.waitFor(() => responsesTo('r2').length > 0 && responsesTo('r2'), 'the respond() payload');
    expect(answer!.body.response_type).toBe('ephemeral');
  });

  it('a bad signature gets 401 and reaches no handler', async () => {
    const response = await postSlashCommand(eventsUrl, { text: 'feed add https://evil.example', response_url: fake.respondUrl('bad') }, { secret: 'not-the-secret' });
    expect(response.status).toBe(401);
    const forged = await postSlashCommand(eventsUrl, { text: 'feed add https://evil.example', response_url: fake.respondUrl('bad') }, { signature: 'v0=00' });
    expect(forged.status).toBe(401);
    expect(commands.requests).toEqual([]);
    expect(responsesTo('bad')).toEqual([]);
  });

  it('a correctly signed but 10-minute-old request gets 401 (replay window)', async () => {
    const response = await postSlashCommand(eventsUrl, { text: 'unsubscribe dprk-russia-arms', response_url: fake.respondUrl('stale') }, { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(response.status).toBe(401);
    expect(commands.requests).toEqual([]);
  });

  it('other paths are not Bolt\'s: 404, and our own routes beside it still answer', async () => {
    expect((await fetch(eventsUrl.replace('/slack/events', '/slack/other'), { method: 'POST' })).status).toBe(404);
    expect((await fetch(eventsUrl.replace('/slack/events', '/healthz'))).status).toBe(200);
  });

  it.each([
    ['an unexpected error', new Error('database is locked'), /^Sorry, \/watch digest failed on our side and changed nothing\..*\(ref [0-9a-f]{8}\)\.$/],
    ['an AppError', new AppError('timeout', 'Could not fetch https://x.example/feed (timeout); try again later.'), /^Could not fetch https:\/\/x\.example\/feed \(timeout\); try again later\.$/],
  ])('a handler that throws %s still answers the user privately', async (_label, error, sentence) => {
    commands.answerWith(async () => {
      throw error;
    });
    await postSlashCommand(eventsUrl, { text: 'digest', response_url: fake.respondUrl('err') });
    const [answer] = await fake.waitFor(() => responsesTo('err').length > 0 && responsesTo('err'), 'the error answer');
    expect(answer!.body.response_type).toBe('ephemeral');
    expect(answer!.body.text).toMatch(sentence);
    fake.responses.length = 0;
  });

  it('isAdmin: configured ids without an API call, else workspace admins and owners from users.info', async () => {
    const verdicts = new Map<string, boolean | string>();
    commands.answerWith(async (request) => {
      try {
        verdicts.set(request.caller.user, await request.isAdmin());
      } catch (err) {
        verdicts.set(request.caller.user, (err as AppError).code);
      }
      return { visibility: 'private', ok: true, parts: [{ type: 'text', text: 'checked' }] };
    });
    const before = fake.callsTo('users.info').length;
    for (const user of ['U0BOSS', 'U0WSADMIN', 'U0OWNER', 'U0PLAIN', 'U0UNKNOWN']) {
      await postSlashCommand(eventsUrl, { user_id: user, text: 'feed list', response_url: fake.respondUrl(`admin-${user}`) });
      await fake.waitFor(() => verdicts.has(user), `the admin verdict for ${user}`);
    }
    expect(Object.fromEntries(verdicts)).toEqual({ U0BOSS: true, U0WSADMIN: true, U0OWNER: true, U0PLAIN: false, U0UNKNOWN: 'slack_admin_check' });
    const asked = fake.callsTo('users.info').slice(before).map((c) => c.body.user);
    expect(asked).toEqual(['U0WSADMIN', 'U0OWNER', 'U0PLAIN', 'U0UNKNOWN']);
    expect(fake.callsTo('users.info').at(-1)!.token).toBe(BOT_TOKEN);
  });

  it('a long digest answers in several valid messages, at most five', async () => {
    const stories: DigestStory[] = Array.from({ length: 400 }, (_, i) => ({
      storyId: i + 1,
      topic: `topic-${i % 4}`,
      topicTitle: `Topic ${i % 4}`,
      title: `<!here> Story ${i + 1}`,
      url: `https://news.example/${i + 1}`,
      source: 'Wire',
      outlets: 1,
      score: 0.9,
      firstSeenAt: new Date('2026-11-20T08:00:00Z'),
      gist: 'A gist.',
    }));
    const digest = buildDigest(stories, { since: new Date('2026-11-19T09:00:00Z'), until: new Date('2026-11-20T09:00:00Z') }, { perTopic: 100 });
    commands.answerWith(async () => ({ visibility: 'channel', ok: true, parts: [{ type: 'digest', digest }] }));
    await postSlashCommand(eventsUrl, { text: 'digest 24h', response_url: fake.respondUrl('digest') });
    const answers = await fake.waitFor(() => responsesTo('digest').length === 5 && responsesTo('digest'), 'five digest messages');
    for (const answer of answers) {
      expect(messageProblem(answer.body)).toBeUndefined();
      expect(slackPings(answer.body)).toEqual([]);
      expect(answer.body.response_type).toBe('in_channel');
    }
    expect(answers[4]!.body.text).toMatch(/more parts are not shown: ask for one topic or a shorter window\.$/);
  });

  it('over HTTP, a missing signing secret is refused at once', () => {
    expect(() => createSlackApp({ botToken: BOT_TOKEN, apiUrl: fake.apiUrl, admins: [], handler: commands.handler, log: silentLogger() })).toThrow(/SLACK_SIGNING_SECRET/);
  });

  it('start() refuses a wrong bot token with a sentence', async () => {
    const wrong = createSlackApp({ botToken: 'xoxb-wrong', signingSecret: SIGNING_SECRET, apiUrl: fake.apiUrl, admins: [], handler: commands.handler, log: silentLogger() });
    await expect(wrong.start()).rejects.toThrow(/Slack refused SLACK_BOT_TOKEN \(invalid_auth\)/);
  });
});

describe('Slack app over Socket Mode (fake WebSocket endpoint)', () => {
  it('connects with the app token, acks the envelope, runs the handler and responds', async () => {
    const socketCommands = fakeHandler();
    socketCommands.answerWith(async (request) => ({ visibility: 'private', ok: true, parts: [{ type: 'text', text: `topics for ${request.caller.user}` }] }));
    const socket = createSlackApp({ botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, appToken: APP_TOKEN, apiUrl: fake.apiUrl, admins: [], handler: socketCommands.handler, log: silentLogger() });
    expect(socket.mode).toBe('socket');
    expect(socket.requestListener).toBeUndefined();
    await socket.start();
    try {
      await fake.socketConnected();
      expect(fake.callsTo('apps.connections.open').at(-1)!.token).toBe(APP_TOKEN);
      const ack = await fake.pushSlashCommand({ text: 'topics', user_id: 'U0SOCKET', response_url: fake.respondUrl('socket') });
      expect(ack).toEqual({});
      const [answer] = await fake.waitFor(() => responsesTo('socket').length > 0 && responsesTo('socket'), 'the Socket Mode respond() payload');
      expect(answer!.body).toMatchObject({ response_type: 'ephemeral', text: 'topics for U0SOCKET' });
      expect(socketCommands.requests[0]!.caller).toMatchObject({ platform: 'slack', workspace: 'T0FAKE', channel: 'C0ALERTS', user: 'U0SOCKET' });
    } finally {
      await socket.stop();
    }
  });

  it('a wrong app token fails start() with what to check', async () => {
    const socket = createSlackApp({ botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, appToken: 'xapp-wrong', apiUrl: fake.apiUrl, admins: [], handler: commands.handler, log: silentLogger() });
    await expect(socket.start()).rejects.toThrow(/SLACK_APP_TOKEN/);
    await socket.stop();
  });
});
