import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/alerts/message.ts';
import type { RequestListener } from '../../../src/chat/platform.ts';
import { slackPlatform, slackWebhookPlatform } from '../../../src/chat/slack/platform.ts';
import type { CommandRequest } from '../../../src/commands/types.ts';
import type { Config } from '../../../src/config.ts';
import { readEnv } from '../../../src/env.ts';
import { silentLogger } from '../../../src/log.ts';
import { APP_TOKEN, BOT_TOKEN, type FakeSlack, postSlashCommand, SIGNING_SECRET, startFakeSlack } from '../../fakes/slack-api.ts';

let fake: FakeSlack;
beforeAll(async () => {
  fake = await startFakeSlack();
});
afterAll(async () => {
  await fake.close();
});

const config = { slack: { admins: ['U0BOSS'] } } as unknown as Config;
const alert: Alert = {
  kind: 'alert', deliveryId: 1, storyId: 1, topic: { slug: 't', title: 'T' }, score: 0.8, title: 'Headline', source: 'Wire',
  summary: 'Summary.', why: 'why', storyTitle: 'Headline', outlets: 1, threadRef: null,
};

function deps(raw: Record<string, string>, requests: CommandRequest[] = [], mounted: Array<[string, RequestListener]> = []) {
  return {
    env: readEnv(raw),
    config,
    log: silentLogger(),
    stdout: new PassThrough(),
    handler: async (request: CommandRequest) => {
      requests.push(request);
      return { visibility: 'private' as const, ok: true, parts: [{ type: 'text' as const, text: String(await request.isAdmin()) }] };
    },
    topicNames: () => [],
    mount: (path: string, listener: RequestListener) => mounted.push([path, listener]),
  };
}

describe('Slack in the platform registry', () => {
  it('is enabled by SLACK_BOT_TOKEN and posts through SLACK_API_URL', async () => {
    expect(slackPlatform.enabled(readEnv({}))).toBe(false);
    const d = deps({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_API_URL: fake.apiUrl });
    expect(slackPlatform.enabled(d.env)).toBe(true);
    const outcome = await (await slackPlatform.createSink(d)).send(alert, { platform: 'slack', workspace: '', channel: 'C0ROUTE' });
    expect(outcome.status).toBe('sent');
    expect(fake.messages.at(-1)!.channel).toBe('C0ROUTE');
  });

  it('over HTTP mounts /slack/events on the bot server; slack.admins are admins', async () => {
    const requests: CommandRequest[] = [];
    const mounted: Array<[string, RequestListener]> = [];
    const listener = (await slackPlatform.createListener!(deps({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl }, requests, mounted)))!;
    expect(mounted.map(([path]) => path)).toEqual(['/slack/events']);
    await listener.start();
    const server = createServer((req, res) => mounted[0]![1](req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
      expect((await postSlashCommand(url, { user_id: 'U0BOSS', text: 'feed list', response_url: fake.respondUrl('platform') })).status).toBe(200);
      const [answer] = await fake.waitFor(() => fake.responses.filter((r) => r.path === '/respond/platform').length > 0 && fake.responses.filter((r) => r.path === '/respond/platform'));
      expect(answer!.body.text).toBe('true');
      expect(requests[0]!.caller.user).toBe('U0BOSS');
    } finally {
      await listener.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('with SLACK_APP_TOKEN uses Socket Mode and mounts nothing; with neither secret takes no commands', async () => {
    const mounted: Array<[string, RequestListener]> = [];
    const listener = (await slackPlatform.createListener!(deps({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN, SLACK_API_URL: fake.apiUrl }, [], mounted)))!;
    expect(mounted).toEqual([]);
    await listener.start();
    await fake.socketConnected();
    await listener.stop();
    expect(await slackPlatform.createListener!(deps({ SLACK_BOT_TOKEN: BOT_TOKEN }))).toBeUndefined();
  });

  it('slack-webhook posts to the URL in the variable the route names', async () => {
    const d = deps({ SLACK_WEBHOOK_ALERTS: fake.webhookUrl('alerts') });
    d.env = { ...d.env, all: { SLACK_WEBHOOK_ALERTS: fake.webhookUrl('alerts') } };
    expect(slackWebhookPlatform.enabled(d.env)).toBe(true);
    const outcome = await (await slackWebhookPlatform.createSink(d)).send(alert, { platform: 'slack-webhook', workspace: '', channel: 'SLACK_WEBHOOK_ALERTS' });
    expect(outcome).toEqual({ status: 'sent', messageRef: null });
    expect(fake.webhookCalls.at(-1)!.path).toBe('/webhook/alerts');
  });
});
