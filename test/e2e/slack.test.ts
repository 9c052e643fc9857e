/**
 * Slack end to end, through `bin/watchfloor.js` (the compiled bot; `npm test` builds dist/ first): a channel
 * subscribed with a signed `/watch subscribe` gets one alert per story, other outlets in its thread; an
 * unsubscribed channel gets nothing; `/watch digest` and `/watch topic add` work against the running bot;
 * forged or replayed commands are refused; `once` from cron posts to a config route's channel.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeedServer, startFeedServer } from '../fakes/feed-server.ts';
import { BOT_TOKEN, type FakeSlack, type PostedMessage, SIGNING_SECRET, postSlashCommand, slackPings, startFakeSlack } from '../fakes/slack-api.ts';
import { FEED_FIXTURES, ROOT, writeTestConfig } from '../fakes/test-config.ts';

const ADMIN = 'U0ADMIN';
const ANALYST = 'U0ANALYST';
const C1 = 'C1';
const C2 = 'C2';
const HEADLINE = 'North Korea ships thousands of artillery shells to Russia through Rajin port';
const RASON_TITLE = 'Coal vessel seen loading at Rason port despite ban';

let slack: FakeSlack;
let feeds: FeedServer;
let dir: string;
const children: ChildProcessWithoutNullStreams[] = [];

beforeAll(async () => {
  slack = await startFakeSlack();
  feeds = await startFeedServer(FEED_FIXTURES);
  dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-slack-e2e-'));
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await slack.close();
  await feeds.close();
  rmSync(dir, { recursive: true, force: true });
});

const fixture = (name: string) => readFileSync(path.join(FEED_FIXTURES, name), 'utf8');
/** The fixture's channel with no items: what a feed looks like before the story breaks. */
const withoutItems = (xml: string) => xml.replace(/<item>[\s\S]*<\/item>\s*/g, '').replace(/<entry>[\s\S]*<\/entry>\s*/g, '');
const RASON_ITEM = `<item>
      <title>${RASON_TITLE}</title>
      <link>https://defense-wire.example/2026/11/rason-coal-vessel</link>
      <guid isPermaLink="false">dw-49001</guid>
      <pubDate>{{hoursAgo:0.1}}</pubDate>
      <description>A bulk carrier was photographed loading coal at the port of Rason this week. The vessel had switched off its transponder before arriving, ship-tracking data show.</description>
    </item>`;

function slackEnv(): NodeJS.ProcessEnv {
  return { ...process.env, LOG_FORMAT: 'json', LOG_LEVEL: 'info', SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl, SLACK_APP_TOKEN: '' };
}

function start(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/watchfloor.js'), ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => (out.stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, out, exited };
}

/** Polls `probe` until it returns a value; the timeout only bounds a hung run, nothing asserts on timing. */
async function waitFor<T>(probe: () => T | undefined | false | null, what: string, detail: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false && value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${detail()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

let commandSerial = 0;

describe('Slack end to end through bin/watchfloor.js', () => {
  it('subscribe → one alert with its follow-up threaded; digest and topic add on demand; forged commands refused', async () => {
    feeds.set('wire.rss', withoutItems(fixture('defense-wire.rss')));
    feeds.set('desk.atom', withoutItems(fixture('korea-desk.atom')));
    const config = writeTestConfig(dir, 'bot', {
      feeds: [feeds.url('wire.rss'), feeds.url('desk.atom')],
      extra: [
        // A cycle every second, every feed due every second: each change of the fixtures is seen on the next tick.
        'poll: { schedule: "* * * * * *", interval: 1s, min_interval: 1s, max_interval: 1s, parse_threads: 0 }',
        `slack: { admins: [${ADMIN}] }`,
      ],
    });
    // The config routes nothing to Slack: every Slack alert below comes from a /watch subscription.
    expect(readFileSync(config, 'utf8')).not.toContain('slack:C');
    const bot = start(['run', '--config', config], slackEnv());
    const logs = () => bot.out.stderr;
    const port = Number(await waitFor(() => /listening on port (\d+)/.exec(bot.out.stderr)?.[1], 'the bot to listen', logs));
    const events = `http://127.0.0.1:${port}/slack/events`;

    /** Sends a signed `/watch <text>` and resolves with the replies posted to its response_url. */
    const command = async (text: string, fields: { channel?: string; user?: string } = {}, options: { replies?: number } = {}) => {
      const id = `r${++commandSerial}`;
      const sent = await postSlashCommand(events, { text, channel_id: fields.channel ?? C1, channel_name: 'alerts', user_id: fields.user ?? ANALYST, response_url: slack.respondUrl(id) });
      expect(sent.status).toBe(200);
      const at = `/respond/${id}`;
      return waitFor(() => {
        const replies = slack.responses.filter((r) => r.path === at).map((r) => r.body);
        return replies.length >= (options.replies ?? 1) && replies;
      }, `a reply to /watch ${text}`, logs);
    };
    const replyText = (body: Record<string, unknown>) => JSON.stringify(body.blocks ?? body.text);
    const topLevel = (channel: string) => slack.messages.filter((m) => m.channel === channel && !m.thread_ts);

    try {
      await waitFor(() => bot.out.stderr.includes('"msg":"cycle:'), 'the first cycle', logs);

      // Forged and replayed commands: 401, nothing applied, nothing answered.
      const forged = { text: 'subscribe dprk-russia-arms', channel_id: 'C3', user_id: ANALYST, response_url: slack.respondUrl('forged') };
      expect((await postSlashCommand(events, forged, { secret: 'not-the-signing-secret' })).status).toBe(401);
      expect((await postSlashCommand(events, forged, { timestamp: Math.floor(Date.now() / 1000) - 600 })).status).toBe(401);

      const [subscribed] = await command('subscribe dprk-russia-arms');
      expect(subscribed).toMatchObject({ response_type: 'in_channel' });
      expect(replyText(subscribed!)).toContain('gets alerts for dprk-russia-arms');

      // The story breaks on Defense Wire: C1 gets one alert.
      feeds.set('wire.rss', fixture('defense-wire.rss'));
      const alert = await waitFor(() => topLevel(C1).find((m) => m.text?.includes(HEADLINE)), 'the alert in C1', logs);
      const alertCall = slack.callsTo('chat.postMessage').find((c) => c.body.channel === C1)!;
      expect(alertCall.token).toBe(BOT_TOKEN);
      expect(slackPings(alertCall.body)).toEqual([]);
      expect(alert.blocks?.[0]).toMatchObject({ type: 'header', text: { type: 'plain_text', text: expect.stringContaining(HEADLINE) } });
      expect(JSON.stringify(alert.blocks)).toContain('<https://defense-wire.example/2026/11/north-korea-shells-rajin');
      expect(alert.metadata).toMatchObject({ event_type: 'watchfloor_alert', event_payload: { delivery_id: expect.any(Number) } });

      // Korea Desk carries it: a reply in the alert's thread, and the alert now counts two outlets.
      feeds.set('desk.atom', fixture('korea-desk.atom'));
      const followup = await waitFor(() => slack.messages.find((m) => m.channel === C1 && m.thread_ts === alert.ts), 'the follow-up in the thread', logs);
      expect(followup.text).toContain('Also reported by Korea Desk');
      const update = await waitFor(() => slack.callsTo('chat.update').find((c) => c.body.ts === alert.ts), 'the alert refreshed', logs);
      expect(update.body.channel).toBe(C1);
      expect(JSON.stringify(slack.messages.find((m) => m.ts === alert.ts)!.blocks)).toContain('2 outlets');
      expect(topLevel(C1).filter((m) => m.text?.includes(HEADLINE) || m.text?.includes('Rajin'))).toEqual([alert]);

      // On demand, in the channel: the story, once.
      const digest = await command('digest dprk-russia-arms 24h');
      expect(digest[0]).toMatchObject({ response_type: 'in_channel' });
      const digestText = digest.map(replyText).join('\n');
      expect(digestText).toContain(HEADLINE);
      expect(digestText.split(HEADLINE)).toHaveLength(2);

      // An admin makes a topic in chat; C1 subscribes; the next matching item alerts without a restart.
      const [added] = await command('topic add sanctions-shipping "(Rason OR Vostochny) AND (ship* OR vessel*)"', { user: ADMIN });
      expect(replyText(added!)).toContain('Added topic sanctions-shipping');
      const [again] = await command('subscribe sanctions-shipping');
      expect(replyText(again!)).toContain('gets alerts for sanctions-shipping');
      feeds.set('wire.rss', fixture('defense-wire.rss').replace('<item>', `${RASON_ITEM}\n    <item>`));
      const rason = await waitFor(() => topLevel(C1).find((m) => m.text?.includes(RASON_TITLE)), 'the sanctions-shipping alert', logs);
      // A chat topic is titled by its query unless given a title.
      expect(rason.text).toContain('(Rason OR Vostochny) AND (ship* OR vessel*)');
      expect(rason.metadata).toMatchObject({ event_type: 'watchfloor_alert' });

      // C1's subscriptions, as the channel sees them; the forged ones never landed in C3; C2 has none and got nothing.
      const [list] = await command('list');
      expect(replyText(list!)).toMatch(/dprk-russia-arms[\s\S]*sanctions-shipping|sanctions-shipping[\s\S]*dprk-russia-arms/);
      const [c3] = await command('list', { channel: 'C3' });
      expect(replyText(c3!)).not.toContain('dprk-russia-arms');
      const [c2] = await command('list', { channel: C2 });
      expect(replyText(c2!)).not.toContain('dprk-russia-arms');
      expect(slack.responses.filter((r) => r.path === '/respond/forged')).toEqual([]);
      expect(slack.callsTo('chat.postMessage').filter((c) => c.body.channel !== C1)).toEqual([]);
      expect(slack.messages.filter((m: PostedMessage) => m.channel === C1)).toHaveLength(3);
    } finally {
      bot.child.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
    }
    expect(bot.out.stderr).toContain('stopped cleanly');
    // The signing secret and the token never reach a log line.
    expect(bot.out.stderr).not.toContain(SIGNING_SECRET);
    expect(bot.out.stderr).not.toContain(BOT_TOKEN);
  }, 40_000);

  it('once from cron posts a config route to its Slack channel when SLACK_BOT_TOKEN is set', async () => {
    feeds.set('once.rss', fixture('defense-wire.rss'));
    const base = writeTestConfig(dir, 'once', { feeds: [feeds.url('once.rss')], extra: ['poll: { parse_threads: 0 }'] });
    writeFileSync(base, readFileSync(base, 'utf8').replace('routes: [{ topic: dprk-russia-arms, to: console }]', 'routes: [{ topic: dprk-russia-arms, to: "slack:C0123ABC" }]'));
    const before = slack.callsTo('chat.postMessage').length;
    const run = start(['once', '--config', base], slackEnv());
    run.child.stdin.end();
    expect(await run.exited, run.out.stderr).toBe(0);
    const posts = slack.callsTo('chat.postMessage').slice(before);
    expect(posts.map((c) => c.body.channel)).toEqual(['C0123ABC']);
    expect(String(posts[0]!.body.text)).toContain(HEADLINE);
    expect(posts[0]!.body.metadata).toMatchObject({ event_type: 'watchfloor_alert' });
    // Nothing went to the console: the route names Slack.
    expect(run.out.stdout).toBe('');
  }, 20_000);
});
