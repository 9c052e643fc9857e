import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildDigest, type DigestStory } from '../../../src/alerts/digest.ts';
import type { Alert, Destination } from '../../../src/alerts/message.ts';
import { createSlackSink, createSlackWebhookSink, parseMessageRef } from '../../../src/chat/slack/adapter.ts';
import { alertMessage, digestMessages } from '../../../src/chat/slack/format.ts';
import { AppError } from '../../../src/errors.ts';
import { silentLogger } from '../../../src/log.ts';
import { BOT_TOKEN, type FakeSlack, messageProblem, slackPings, startFakeSlack } from '../../fakes/slack-api.ts';

let fake: FakeSlack;
beforeAll(async () => {
  fake = await startFakeSlack();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.calls.length = 0;
  fake.webhookCalls.length = 0;
});

const to: Destination = { platform: 'slack', workspace: 'T0FAKE', channel: 'C0ALERTS', name: 'alerts' };

const alert: Alert = {
  kind: 'alert',
  deliveryId: 7,
  storyId: 3,
  topic: { slug: 'dprk-russia-arms', title: 'DPRK–Russia arms transfers' },
  score: 0.91,
  title: '<!channel> @here <@U123> *bold* <https://evil|click>',
  url: 'https://wire.example/a',
  source: 'Wire',
  published: new Date('2026-11-20T09:14:00Z'),
  language: 'en',
  summary: 'North Korea shipped shells.',
  why: 'North Korea (title)',
  storyTitle: '<!channel> @here <@U123> *bold* <https://evil|click>',
  outlets: 1,
  threadRef: null,
};

const sink = () => createSlackSink({ token: BOT_TOKEN, apiUrl: fake.apiUrl, log: silentLogger() });

function followupOf(posted: string, deliveryId: number): Alert {
  return {
    ...alert,
    kind: 'followup',
    deliveryId,
    source: 'Yonhap',
    title: 'Seoul confirms shipments',
    url: 'https://yonhap.example/b',
    summary: '',
    outlets: 2,
    threadRef: posted,
    anchor: { ...alert, outlets: 2 },
  };
}

describe('Slack sink (chat.postMessage through the real WebClient)', () => {
  it('posts an alert with its delivery id in metadata, unfurls off, nothing that pings', async () => {
    const outcome = await sink().send(alert, to);
    const [call] = fake.callsTo('chat.postMessage');
    expect(call!.token).toBe(BOT_TOKEN);
    const message = alertMessage(alert);
    expect(call!.body).toEqual({
      channel: 'C0ALERTS',
      text: message.text,
      blocks: message.blocks,
      metadata: { event_type: 'watchfloor_alert', event_payload: { delivery_id: 7 } },
      unfurl_links: 'false',
      unfurl_media: 'false',
    });
    expect(slackPings(call!.body)).toEqual([]);
    const posted = fake.messages.at(-1)!;
    expect(outcome).toEqual({ status: 'sent', messageRef: `C0ALERTS:${posted.ts}` });
  });

  it('replies to a follow-up in the alert thread and refreshes the alert with the outlet count', async () => {
    const first = await sink().send(alert, to);
    expect(first.status).toBe('sent');
    const ref = (first as { messageRef: string }).messageRef;
    const outcome = await sink().send(followupOf(ref, 8), to);
    const reply = fake.callsTo('chat.postMessage').at(-1)!;
    expect(reply.body.thread_ts).toBe(ref.split(':')[1]);
    expect(reply.body.metadata).toEqual({ event_type: 'watchfloor_alert', event_payload: { delivery_id: 8 } });
    expect(JSON.stringify(reply.body.blocks)).toContain('Also reported by *Yonhap*');
    const [update] = fake.callsTo('chat.update');
    expect(update!.body).toMatchObject({ channel: 'C0ALERTS', ts: ref.split(':')[1], metadata: { event_payload: { delivery_id: 7 } } });
    const anchor = fake.messages.find((m) => m.ts === ref.split(':')[1])!;
    expect(anchor.edited).toBe(true);
    expect(JSON.stringify(anchor.blocks)).toContain('2 outlets');
    expect(outcome).toEqual({ status: 'sent', messageRef: `C0ALERTS:${fake.messages.at(-1)!.ts}` });
  });

  it('a failed refresh of the alert never fails the follow-up', async () => {
    const ref = ((await sink().send(alert, to)) as { messageRef: string }).messageRef;
    fake.failHttp('chat.update', 500);
    const outcome = await sink().send(followupOf(ref, 9), to);
    expect(outcome.status).toBe('sent');
    fake.rateLimit('chat.update', 30);
    expect((await sink().send(followupOf(ref, 10), to)).status).toBe('sent');
    expect(fake.callsTo('chat.update')).toHaveLength(2);
  });

  it.each([
    ['channel_not_found', /cannot find channel #alerts \(C0GONE\).*Invite the app/],
    ['not_in_channel', /not a member of #alerts \(C0GONE\)\. Invite it/],
    ['is_archived', /#alerts \(C0GONE\) is archived\. Unarchive it/],
    ['account_inactive', /Reinstall the app and update SLACK_BOT_TOKEN/],
    ['token_revoked', /revoked/],
    ['missing_scope', /chat:write/],
  ])('%s is permanent: rejected with a sentence for the admin, sent once', async (code, sentence) => {
    fake.setChannelError('C0GONE', code);
    const outcome = await sink().send(alert, { ...to, channel: 'C0GONE', name: 'alerts' });
    fake.setChannelError('C0GONE', null);
    expect(outcome).toEqual({ status: 'rejected', code, userDetail: expect.stringMatching(sentence) });
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('a wrong token is rejected as invalid_auth', async () => {
    const outcome = await createSlackSink({ token: 'xoxb-wrong', apiUrl: fake.apiUrl, log: silentLogger() }).send(alert, to);
    expect(outcome).toEqual({ status: 'rejected', code: 'invalid_auth', userDetail: expect.stringContaining('SLACK_BOT_TOKEN') });
  });

  it('429 fails at once with Retry-After for the outbox, without the client retrying', async () => {
    fake.rateLimit('chat.postMessage', 7);
    const outcome = await sink().send(alert, to);
    expect(outcome).toEqual({ status: 'failed', retryable: true, detail: expect.stringContaining('rate limited'), retryAfterS: 7 });
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('5xx and a dropped connection fail retryably, each sent exactly once', async () => {
    fake.failHttp('chat.postMessage', 503);
    expect(await sink().send(alert, to)).toEqual({ status: 'failed', retryable: true, detail: 'slack: HTTP 503' });
    fake.dropConnection('chat.postMessage');
    expect(await sink().send(alert, to)).toMatchObject({ status: 'failed', retryable: true });
    expect(fake.callsTo('chat.postMessage')).toHaveLength(2);
  });

  it('a payload Slack refuses is a dead letter, not a paused subscription', async () => {
    fake.setChannelError('C0ODD', 'invalid_blocks');
    const outcome = await sink().send(alert, { ...to, channel: 'C0ODD' });
    fake.setChannelError('C0ODD', null);
    expect(outcome).toEqual({ status: 'failed', retryable: false, detail: 'slack: invalid_blocks' });
    fake.setChannelError('C0ODD', 'internal_error');
    expect(await sink().send(alert, { ...to, channel: 'C0ODD' })).toMatchObject({ status: 'failed', retryable: true });
    fake.setChannelError('C0ODD', null);
  });

  it('findPostedAlert finds a post by the delivery id in its metadata, in the channel or a thread', async () => {
    const channel = 'C0FIND';
    const refs: string[] = [];
    for (const deliveryId of [21, 22, 23]) {
      refs.push(((await sink().send({ ...alert, deliveryId }, { ...to, channel })) as { messageRef: string }).messageRef);
    }
    const followRef = ((await sink().send({ ...followupOf(refs[0]!, 24), anchor: undefined }, { ...to, channel })) as { messageRef: string }).messageRef;
    const s = sink();
    expect(await s.findPostedAlert(channel, 22)).toBe(refs[1]);
    expect(await s.findPostedAlert(channel, 99)).toBeNull();
    // Thread replies are not in the channel history; they are found in their thread.
    expect(await s.findPostedAlert(channel, 24)).toBeNull();
    expect(await s.findPostedAlert(channel, 24, { threadTs: parseMessageRef(refs[0], channel)!.ts })).toBe(followRef);
    expect(fake.callsTo('conversations.history')[0]!.body).toMatchObject({ channel, include_all_metadata: 'true' });

    fake.setChannelError(channel, 'not_in_channel');
    await expect(s.findPostedAlert(channel, 22)).rejects.toThrow(AppError);
    fake.setChannelError(channel, null);
  });

  it('posts a scheduled digest part by part, each within Block Kit limits; the ref is the first part', async () => {
    const digest = bigDigest(200);
    const parts = digestMessages(digest);
    expect(parts.length).toBeGreaterThan(1);
    const outcome = await sink().sendDigest(digest, { ...to, channel: 'C0DIGEST' }, [41]);
    const posts = fake.callsTo('chat.postMessage');
    expect(posts.map((p) => p.body.blocks)).toEqual(parts.map((p) => p.blocks));
    for (const post of posts) expect(messageProblem(post.body)).toBeUndefined();
    const first = fake.messages.find((m) => m.channel === 'C0DIGEST')!;
    expect(outcome).toEqual({ status: 'sent', messageRef: `C0DIGEST:${first.ts}` });
  });

  it('a digest stops at the first part Slack refuses, and says how far it got', async () => {
    fake.rateLimit('chat.postMessage', 3);
    expect(await sink().sendDigest(bigDigest(200), to, [42])).toEqual({ status: 'failed', retryable: true, detail: 'slack: rate limited for 3 s', retryAfterS: 3 });
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it("marks every digest part with its rows; a digest whose answer was lost is found, not posted again", async () => {
    const channel = 'C0DIGLOST';
    const digest = bigDigest(3);
    // Posted, and then the connection dropped before the answer: the sender cannot tell.
    fake.acceptThenDrop('chat.postMessage', 1, 'drop');
    expect(await sink().sendDigest(digest, { ...to, channel }, [57])).toMatchObject({ status: 'failed', retryable: true });
    const [posted] = fake.messages.filter((m) => m.channel === channel);
    expect(posted!.metadata).toEqual({ event_type: 'watchfloor_digest', event_payload: { delivery_ids: '57', part: 1, parts: 1 } });
    const s = sink();
    expect(await s.recoverDigest(digest, { ...to, channel }, 57)).toEqual({ status: 'sent', messageRef: `${channel}:${posted!.ts}` });
    expect(await s.recoverDigest(digest, { ...to, channel }, 58)).toBeUndefined();
    expect(fake.callsTo('conversations.history').every((c) => c.body.include_all_metadata === 'true')).toBe(true);
    expect(fake.messages.filter((m) => m.channel === channel)).toHaveLength(1);
  });

  it('completes a digest cut off between its parts, each part posted once', async () => {
    const channel = 'C0DIGPART';
    const digest = bigDigest(200);
    const parts = digestMessages(digest);
    // Part 1 goes out, part 2 is refused with a 429: the retry must not post part 1 again.
    fake.rateLimit('chat.postMessage', 3, 1, 1);
    const cut = await sink().sendDigest(digest, { ...to, channel }, [61]);
    expect(cut).toEqual({ status: 'failed', retryable: true, detail: `slack: rate limited for 3 s (after 1 of ${parts.length} digest parts were posted)` });
    const recovered = await sink().recoverDigest(digest, { ...to, channel }, 61);
    const mine = fake.messages.filter((m) => m.channel === channel);
    expect(recovered).toEqual({ status: 'sent', messageRef: `${channel}:${mine[0]!.ts}` });
    expect(mine.map((m) => m.metadata?.event_payload.part)).toEqual(parts.map((_, i) => i + 1));
    expect(mine.map((m) => m.blocks)).toEqual(parts.map((p) => p.blocks));
  });

  it("finds the burst an alert row went out in by the ids its metadata names", async () => {
    const channel = 'C0BURST';
    const out = await sink().sendDigest(bigDigest(4), { ...to, channel }, [101, 105, 109, 113, 120]);
    const [burst] = fake.messages.filter((m) => m.channel === channel);
    expect(burst!.metadata!.event_payload.delivery_ids).toBe('101-113/4,120');
    const s = sink();
    for (const id of [101, 109, 120]) expect(await s.recoverDigest(undefined, { ...to, channel }, id)).toEqual(out);
    for (const id of [102, 117, 121]) expect(await s.recoverDigest(undefined, { ...to, channel }, id)).toBeUndefined();
    // An alert's own metadata is not a burst's.
    await s.send({ ...alert, deliveryId: 130 }, { ...to, channel });
    expect(await s.recoverDigest(undefined, { ...to, channel }, 130)).toBeUndefined();
    // A burst cut off after its first part may not list the alert: sent again on its own rather than lost.
    fake.rateLimit('chat.postMessage', 3, 1, 1);
    expect(await s.sendDigest(bigDigest(200), { ...to, channel }, [140, 141])).toMatchObject({ status: 'failed' });
    expect(await s.recoverDigest(undefined, { ...to, channel }, 140)).toBeUndefined();
  });

  it('an API base without its trailing slash still works', async () => {
    const outcome = await createSlackSink({ token: BOT_TOKEN, apiUrl: fake.apiUrl.replace(/\/$/, ''), log: silentLogger() }).send(alert, to);
    expect(outcome.status).toBe('sent');
  });

  it('reads both messageRef forms', () => {
    expect(parseMessageRef('C1:1700000001.000001', 'C2')).toEqual({ channel: 'C1', ts: '1700000001.000001' });
    expect(parseMessageRef('1700000001.000001', 'C2')).toEqual({ channel: 'C2', ts: '1700000001.000001' });
    expect(parseMessageRef('console:7', 'C2')).toBeUndefined();
    expect(parseMessageRef(null, 'C2')).toBeUndefined();
  });
});

describe('Slack incoming-webhook sink', () => {
  const hook: Destination = { platform: 'slack-webhook', workspace: 'webhook', channel: 'SLACK_WEBHOOK_ALERTS' };
  const webhookSink = () =>
    createSlackWebhookSink({ url: (d) => (d.channel === 'SLACK_WEBHOOK_ALERTS' ? fake.webhookUrl('alerts') : d.channel === 'SLACK_WEBHOOK_GONE' ? fake.webhookUrl('gone') : undefined), log: silentLogger() });

  it('posts the alert blocks as JSON; a follow-up becomes one short "also reported by" message', async () => {
    expect(await webhookSink().send(alert, hook)).toEqual({ status: 'sent', messageRef: null });
    const [call] = fake.webhookCalls;
    expect(call!.path).toBe('/webhook/alerts');
    expect(call!.body).toEqual({ ...alertMessage(alert), unfurl_links: false, unfurl_media: false });
    expect(slackPings(call!.body)).toEqual([]);

    expect(await webhookSink().send(followupOf('C0ALERTS:1.1', 8), hook)).toEqual({ status: 'sent', messageRef: null });
    const followup = fake.webhookCalls[1]!.body;
    expect(followup.thread_ts).toBeUndefined();
    expect(JSON.stringify(followup.blocks)).toContain('↳ Also reported by *Yonhap*');
  });

  it('maps Slack webhook answers: gone → rejected, refused payload → dead, 429 → later, 5xx → retry', async () => {
    fake.setWebhookError('gone', 404, 'no_service');
    expect(await webhookSink().send(alert, { ...hook, channel: 'SLACK_WEBHOOK_GONE' })).toEqual({ status: 'rejected', code: 'no_service', userDetail: expect.stringContaining('Create a new webhook') });
    fake.setWebhookError('gone', 410, 'channel_is_archived');
    expect(await webhookSink().send(alert, { ...hook, channel: 'SLACK_WEBHOOK_GONE' })).toMatchObject({ status: 'rejected', code: 'channel_is_archived' });
    fake.setWebhookError('gone', 400, 'invalid_blocks');
    expect(await webhookSink().send(alert, { ...hook, channel: 'SLACK_WEBHOOK_GONE' })).toEqual({ status: 'failed', retryable: false, detail: 'slack webhook: HTTP 400 invalid_blocks' });
    fake.setWebhookError('gone', 500, 'rollup_error');
    expect(await webhookSink().send(alert, { ...hook, channel: 'SLACK_WEBHOOK_GONE' })).toMatchObject({ status: 'failed', retryable: true });
    fake.rateLimit('webhook:alerts', 12);
    expect(await webhookSink().send(alert, hook)).toEqual({ status: 'failed', retryable: true, detail: 'slack webhook: rate limited', retryAfterS: 12 });
  });

  it('posts a digest through the webhook, one message per part', async () => {
    const digest = bigDigest(200);
    expect(await webhookSink().sendDigest(digest, hook)).toEqual({ status: 'sent', messageRef: null });
    expect(fake.webhookCalls.map((c) => c.body.blocks)).toEqual(digestMessages(digest).map((m) => m.blocks));
  });

  it('a webhook URL that is not http(s) is rejected without a request', async () => {
    const outcome = await createSlackWebhookSink({ url: 'file:///etc/passwd', log: silentLogger() }).send(alert, hook);
    expect(outcome).toMatchObject({ status: 'rejected', code: 'webhook_url_invalid' });
    expect(fake.webhookCalls).toEqual([]);
  });

  it('a route whose environment variable is unset is rejected with its name', async () => {
    const outcome = await webhookSink().send(alert, { ...hook, channel: 'SLACK_WEBHOOK_MISSING' });
    expect(outcome).toEqual({ status: 'rejected', code: 'webhook_not_configured', userDetail: expect.stringContaining('set the environment variable SLACK_WEBHOOK_MISSING') });
  });

  it('the fake answers like Slack: blocks over the limit are refused', async () => {
    const tooMany = { text: 'x', blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) };
    const response = await fetch(fake.webhookUrl('alerts'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(tooMany) });
    expect([response.status, await response.text()]).toEqual([400, 'invalid_blocks']);
    const unknown = await fetch(`${fake.url}/webhook/`, { method: 'POST', body: '{}' });
    expect([unknown.status, await unknown.text()]).toEqual([404, 'no_service']);
  });
});

function bigDigest(count: number) {
  const stories: DigestStory[] = Array.from({ length: count }, (_, i) => ({
    storyId: i + 1,
    topic: `topic-${i % 3}`,
    topicTitle: `Topic ${i % 3}`,
    title: `Story ${i + 1}`,
    url: `https://news.example/${i + 1}`,
    source: 'Wire',
    outlets: 2,
    score: 0.8,
    firstSeenAt: new Date('2026-11-20T08:00:00Z'),
    gist: 'A gist.',
  }));
  return buildDigest(stories, { since: new Date('2026-11-19T09:00:00Z'), until: new Date('2026-11-20T09:00:00Z') }, { perTopic: 100 });
}
