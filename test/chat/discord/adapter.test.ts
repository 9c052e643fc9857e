import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Digest } from '../../../src/alerts/digest.ts';
import type { Alert, Destination } from '../../../src/alerts/message.ts';
import { createDiscordSink, createDiscordWebhookSink, deliveryNonce, digestNonce, MAX_NONCE_CHARS, parseWebhookUrl } from '../../../src/chat/discord/adapter.ts';
import { silentLogger } from '../../../src/log.ts';
import { type FakeDiscordApi, startFakeDiscordApi } from '../../fakes/discord-api.ts';

const GUILD = '800000000000000001';
const NEWS = '810000000000000001';
const NO_THREADS = '810000000000000002';
const GONE = '810000000000000003';
const HIDDEN = '810000000000000004';
const BUSY = '810000000000000005';

let api: FakeDiscordApi;
beforeAll(async () => {
  api = await startFakeDiscordApi();
  api.addGuild({ id: GUILD, name: 'Analysts', channels: [
    { id: NEWS, name: 'news' }, { id: NO_THREADS, name: 'announcements', threads: false }, { id: HIDDEN, name: 'hidden' }, { id: BUSY, name: 'busy' },
  ] });
  api.setChannelError(GONE, 'unknown-channel');
  api.setChannelError(HIDDEN, 'missing-access');
  api.addWebhook({ id: '700000000000000001', token: 'hook-token_1', channelId: NEWS });
});
afterAll(async () => {
  await api?.close();
});
beforeEach(() => {
  api.requests.length = 0;
});

const to = (channel: string): Destination => ({ platform: 'discord', workspace: GUILD, channel });
let nextId = 100;
function alert(overrides: Partial<Alert> = {}): Alert {
  return {
    kind: 'alert', deliveryId: nextId++, storyId: 7, topic: { slug: 'dprk-russia-arms', title: 'DPRK–Russia arms transfers' }, score: 0.91,
    title: 'North Korea ships artillery shells to Russia by rail', url: 'https://www.yna.co.kr/view/1', source: 'Yonhap',
    published: new Date('2025-05-01T08:30:00Z'), language: 'en', summary: 'Trains carried shells from Rason to the Russian border.',
    why: 'North Korea (title), Kremlin + artillery shells (same sentence)', storyTitle: 'North Korea ships artillery shells to Russia by rail',
    outlets: 1, threadRef: null, ...overrides,
  };
}

function smallDigest(title: string): Digest {
  const story = { storyId: 1, topic: 'dprk-russia-arms', topicTitle: 'DPRK–Russia arms transfers', title: 'Freight trains at Tumangang', url: 'https://example.org/t', source: 'Yonhap', outlets: 1, score: 0.8, firstSeenAt: new Date('2025-05-01T06:00:00Z'), gist: 'Trains crossed.' };
  return { since: new Date('2025-04-30T08:00:00Z'), until: new Date('2025-05-01T08:00:00Z'), title, topics: [{ slug: 'dprk-russia-arms', title: 'DPRK–Russia arms transfers', stories: [story], more: 0 }], storyCount: 1, empty: false };
}

function longDigest(count: number): Digest {
  const stories = Array.from({ length: count }, (_, i) => ({
    storyId: i + 1, topic: 'dprk-russia-arms', topicTitle: 'DPRK–Russia arms transfers', title: `Story ${i + 1} ${'rail shipments '.repeat(10)}`,
    url: `https://example.org/${i + 1}`, source: 'Yonhap', outlets: 2, score: 0.8, firstSeenAt: new Date('2025-05-01T06:00:00Z'), gist: 'gist '.repeat(40),
  }));
  return { since: new Date('2025-04-30T08:00:00Z'), until: new Date('2025-05-01T08:00:00Z'), topics: [{ slug: 'dprk-russia-arms', title: 'DPRK–Russia arms transfers', stories, more: 0 }], storyCount: count, empty: false };
}

describe('discord bot sink', () => {
  const sink = () => createDiscordSink({ token: api.token, apiUrl: api.api, log: silentLogger() });

  it('posts an alert with a nonce from the delivery id and enforce_nonce; a retry, even from a new process, returns the same message', async () => {
    const s = sink();
    const a = alert({ deliveryId: 4242 });
    const first = await s.send(a, to(NEWS));
    const again = await s.send(a, to(NEWS));
    // A crash between post and record: the next process renders the same row again and posts it again.
    const restarted = sink();
    const afterCrash = await restarted.send({ ...a }, to(NEWS));
    expect(first).toMatchObject({ status: 'sent', messageRef: expect.stringMatching(new RegExp(`^${NEWS}/\\d+$`)) });
    expect(again).toEqual(first);
    expect(afterCrash).toEqual(first);
    const posts = api.requests.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(3);
    const nonce = deliveryNonce(a, NEWS);
    expect(nonce).toMatch(/^wf4242\.[\w-]{18}$/);
    expect(posts.map((p) => p.body.nonce)).toEqual([nonce, nonce, nonce]);
    expect(posts[0]!.body).toMatchObject({ enforce_nonce: true, allowed_mentions: { parse: [] } });
    expect(posts[0]!.headers.authorization).toBe(`Bot ${api.token}`);
    expect(api.messages.filter((m) => m.nonce === nonce)).toHaveLength(1);
    await s.close?.();
    await restarted.close?.();
  });

  it('keeps two databases on one bot token apart: the same delivery id elsewhere is a message of its own', async () => {
    // Two stores both count deliveries from 1; Discord deduplicates nonces per author across channels.
    const production = sink();
    const staging = sink();
    const prod = await production.send(alert({ deliveryId: 1, storyId: 31 }), to(NEWS));
    const elsewhere = await staging.send(alert({ deliveryId: 1, storyId: 31 }), to(BUSY));
    const sameChannel = await staging.send(alert({ deliveryId: 1, storyId: 5, title: 'Another story' }), to(NEWS));
    expect(prod.status).toBe('sent');
    expect(elsewhere).toMatchObject({ status: 'sent', messageRef: expect.stringMatching(new RegExp(`^${BUSY}/`)) });
    expect(sameChannel).toMatchObject({ status: 'sent', messageRef: expect.stringMatching(new RegExp(`^${NEWS}/`)) });
    expect(new Set([prod, elsewhere, sameChannel].map((o) => (o.status === 'sent' ? o.messageRef : o.status))).size).toBe(3);
    expect(api.messagesIn(NEWS).at(-1)!.embeds[0].title).toContain('Another story');
    await production.close?.();
    await staging.close?.();
  });

  it.each<[string, Partial<Alert>, string]>([
    ['another channel', {}, BUSY],
    ['another story', { storyId: 8 }, NEWS],
    ['another topic', { topic: { slug: 'russia-energy', title: 'Russian energy' } }, NEWS],
    ['another delivery', { deliveryId: 4243 }, NEWS],
  ])('derives a different nonce for %s, at most 25 characters', (_, change, channel) => {
    const base = alert({ deliveryId: 4242 });
    expect(deliveryNonce({ ...base, ...change }, channel)).not.toBe(deliveryNonce(base, NEWS));
    expect(deliveryNonce({ ...base, ...change }, channel).length).toBeLessThanOrEqual(MAX_NONCE_CHARS);
  });

  it('fits the largest delivery ids into 25 characters, and ignores what a retry may render differently', () => {
    expect(deliveryNonce(alert({ deliveryId: Number.MAX_SAFE_INTEGER }), NEWS)).toHaveLength(MAX_NONCE_CHARS);
    expect(deliveryNonce(alert({ deliveryId: 9_999_999_999 }), NEWS)).toMatch(/^wf9999999999\.[\w-]{12}$/);
    expect(deliveryNonce(alert({ deliveryId: 99_999_999_999 }), NEWS)).toMatch(/^[\w-]{25}$/);
    const a = alert({ deliveryId: 7 });
    // Title, summary, score and outlet count can change between a crash and the retry (an edited item).
    const edited: Alert = { ...a, title: 'Edited headline', summary: 'New lead', score: 0.5, outlets: 3 };
    expect(deliveryNonce(edited, NEWS)).toBe(deliveryNonce(a, NEWS));
  });

  it('puts follow-ups in a thread started on the alert and edits the alert with the outlet count', async () => {
    const s = sink();
    const first = alert();
    const sent = await s.send(first, to(NEWS));
    if (sent.status !== 'sent') throw new Error('alert not sent');
    const alertId = sent.messageRef!.split('/')[1]!;
    const followup = (source: string, outlets: number) => alert({
      kind: 'followup', source, title: `${source}: shells cross into Russia`, summary: '', outlets, threadRef: sent.messageRef,
      anchor: { ...first, outlets },
    });

    const one = await s.send(followup('Reuters', 2), to(NEWS));
    expect(one).toMatchObject({ status: 'sent', messageRef: expect.stringMatching(new RegExp(`^${alertId}/\\d+$`)) });
    const two = await s.send(followup('TASS', 3), to(NEWS));
    expect(two.status).toBe('sent');

    const thread = api.channels.get(alertId)!;
    expect(thread).toMatchObject({ type: 11, parentId: NEWS, name: 'North Korea ships artillery shells to Russia by rail' });
    expect(api.messagesIn(alertId).map((m) => m.embeds[0].author.name)).toEqual(['↳ also reported by Reuters', '↳ also reported by TASS']);
    expect(api.requests.filter((r) => r.path.endsWith('/threads'))).toHaveLength(1);
    const alertMessage = api.messages.find((m) => m.id === alertId)!;
    expect(alertMessage.edits).toHaveLength(2);
    expect(alertMessage.embeds[0].footer.text).toBe('Yonhap · +2 outlets · en');
    expect(alertMessage.edits[1].allowed_mentions).toEqual({ parse: [] });
  });

  it('replies to the alert where threads are not allowed', async () => {
    const s = sink();
    const sent = await s.send(alert(), to(NO_THREADS));
    if (sent.status !== 'sent') throw new Error('alert not sent');
    const alertId = sent.messageRef!.split('/')[1]!;
    const out = await s.send(alert({ kind: 'followup', source: 'TASS', threadRef: sent.messageRef }), to(NO_THREADS));
    expect(out).toMatchObject({ status: 'sent', messageRef: expect.stringMatching(new RegExp(`^${NO_THREADS}/`)) });
    const reply = api.messagesIn(NO_THREADS).at(-1)!;
    expect(reply.message_reference).toMatchObject({ message_id: alertId, channel_id: NO_THREADS });
  });

  it('does not fail a follow-up when the alert cannot be edited', async () => {
    const s = sink();
    const sent = await s.send(alert(), to(NEWS));
    if (sent.status !== 'sent') throw new Error('alert not sent');
    const [channel, message] = sent.messageRef!.split('/');
    api.fail({ method: 'PATCH', path: `/channels/${channel}/messages/${message}`, status: 500, times: 10 });
    const out = await s.send(alert({ kind: 'followup', source: 'AP', threadRef: sent.messageRef, anchor: { ...alert(), outlets: 2 } }), to(NEWS));
    expect(out.status).toBe('sent');
  });

  it.each([
    [GONE, 'unknown_channel', 'no longer exists'],
    [HIDDEN, 'missing_access', 'cannot see this channel'],
  ])('rejects a post to %s as %s with a sentence for /watch list', async (channel, code, words) => {
    const out = await sink().send(alert(), to(channel));
    expect(out).toMatchObject({ status: 'rejected', code });
    expect(out.status === 'rejected' && out.userDetail).toContain(words);
  });

  it('recovers a cut-off post from the channel history after the nonce is forgotten, and only its own', async () => {
    const s = sink();
    const posted = alert({ title: 'Rason freighter seen loading containers', url: 'https://www.yna.co.kr/view/recover-1' });
    const sent = await s.send(posted, to(NEWS));
    // Discord stores no nonce with a message: the fake's history answers without one, as Discord does.
    const history = await fetch(`${api.api}/v10/channels/${NEWS}/messages?limit=5`, { headers: { authorization: `Bot ${api.token}` } });
    expect((await history.json() as Array<Record<string, unknown>>).every((m) => !('nonce' in m))).toBe(true);

    expect(await s.recover!({ ...posted, deliveryId: posted.deliveryId }, to(NEWS))).toEqual(sent);
    // The same headline with another link, or never posted: not ours, so it is sent again.
    expect(await s.recover!(alert({ title: posted.title, url: 'https://www.yna.co.kr/view/other' }), to(NEWS))).toBeUndefined();
    expect(await s.recover!(alert({ title: 'Never posted' }), to(NEWS))).toBeUndefined();

    // A follow-up is looked for in its alert's thread; with no thread yet, among the channel's replies.
    const followup = alert({ kind: 'followup', source: 'TASS', title: 'TASS: freighter docks at Vostochny', url: 'https://tass.example/1', threadRef: (sent as { messageRef: string }).messageRef });
    expect(await s.recover!(followup, to(NEWS))).toBeUndefined();
    const inThread = await s.send(followup, to(NEWS));
    expect(await s.recover!(followup, to(NEWS))).toEqual(inThread);
    await s.close?.();
  });

  it('cannot recover from a channel it may not read: a sentence naming the permission', async () => {
    const s = sink();
    await expect(s.recover!(alert(), to(HIDDEN))).rejects.toMatchObject({ code: 'discord_history', retryable: false, message: expect.stringContaining('Read Message History') });
    await s.close?.();
  });

  it('returns a 429 to the outbox at once, with retryAfterS, instead of waiting it out', async () => {
    api.rateLimit({ method: 'POST', path: `/channels/${BUSY}/messages`, retryAfterS: 30, times: 1000 });
    const out = await sink().send(alert(), to(BUSY));
    expect(out).toMatchObject({ status: 'failed', retryable: true, retryAfterS: 30 });
    expect(api.requests.filter((r) => r.path === `/channels/${BUSY}/messages`)).toHaveLength(1);
  });

  it('treats 5xx as retryable and a body Discord refuses as not', async () => {
    // discord.js retries a 5xx three times itself (safe: the nonce holds); then the outbox takes over.
    api.fail({ method: 'POST', path: `/channels/${NEWS}/messages`, status: 502, times: 4 });
    expect(await sink().send(alert(), to(NEWS))).toMatchObject({ status: 'failed', retryable: true });
    expect(api.requests.filter((r) => r.status === 502)).toHaveLength(4);
    api.fail({ method: 'POST', path: `/channels/${NEWS}/messages`, status: 400, code: 50035, message: 'Invalid Form Body', times: 1 });
    expect(await sink().send(alert(), to(NEWS))).toMatchObject({ status: 'failed', retryable: false });
  });

  it('reports a refused token as a failure to retry, not a rejected channel', async () => {
    const out = await createDiscordSink({ token: 'wrong', apiUrl: api.api, log: silentLogger() }).send(alert(), to(NEWS));
    expect(out).toMatchObject({ status: 'failed', retryable: true, detail: expect.stringContaining('DISCORD_TOKEN') });
    expect(api.requests.at(-1)!.status).toBe(401);
  });

  it('keeps an oversized alert within Discord limits (the fake checks them)', async () => {
    const out = await sink().send(alert({ title: 'T'.repeat(1000), summary: 'S '.repeat(5000), why: 'W'.repeat(3000), source: 'O'.repeat(3000) }), to(NEWS));
    expect(out.status).toBe('sent');
    expect(api.requests.at(-1)!.status).toBe(200);
  });

  it('posts a scheduled digest as messages within limits, every story once', async () => {
    const stories = Array.from({ length: 150 }, (_, i) => ({
      storyId: i + 1, topic: 'dprk-russia-arms', topicTitle: 'DPRK–Russia arms transfers', title: `Story ${i + 1} ${'rail shipments '.repeat(10)}`,
      url: `https://example.org/${i + 1}`, source: 'Yonhap', outlets: 2, score: 0.8, firstSeenAt: new Date('2025-05-01T06:00:00Z'), gist: 'gist '.repeat(40),
    }));
    const digest = { since: new Date('2025-04-30T08:00:00Z'), until: new Date('2025-05-01T08:00:00Z'), topics: [{ slug: 'dprk-russia-arms', title: 'DPRK–Russia arms transfers', stories, more: 0 }], storyCount: 150, empty: false };
    const out = await sink().sendDigest!(digest, to(NEWS), [31]);
    expect(out).toMatchObject({ status: 'sent', messageRef: expect.stringMatching(new RegExp(`^${NEWS}/`)) });
    const posts = api.requests.filter((r) => r.method === 'POST');
    expect(posts.length).toBeGreaterThan(1);
    expect(posts.every((r) => r.status === 200 && r.body.allowed_mentions.parse.length === 0)).toBe(true);
    const lines = posts.flatMap((r) => r.body.embeds).flatMap((e: any) => e.description.split('\n')).filter((l: string) => l.startsWith('• '));
    expect(lines).toHaveLength(150);
  });

  it('posts a digest with a nonce per message and its row in every footer; a retry returns the same message, and after the nonce is forgotten it is found', async () => {
    const s = sink();
    const digest = smallDigest('Rail freight at Tumangang');
    const first = await s.sendDigest!(digest, to(NEWS), [57]);
    const again = await sink().sendDigest!(digest, to(NEWS), [57]);
    expect(again).toEqual(first);
    const posts = api.requests.filter((r) => r.method === 'POST');
    expect(posts.map((p) => p.body.nonce)).toEqual([digestNonce(digest, [57], NEWS, 0), digestNonce(digest, [57], NEWS, 0)]);
    expect(posts[0]!.body).toMatchObject({ enforce_nonce: true });
    expect(posts[0]!.body.nonce).toMatch(/^wd57\.[\w-]{20}$/);
    expect(posts[0]!.body.embeds.map((e: any) => e.footer.text)).toEqual(['1 story in 1 topic · delivery 57']);
    expect(api.messages.filter((m) => m.nonce === posts[0]!.body.nonce)).toHaveLength(1);

    api.expireNonces();
    expect(await s.recoverDigest!(digest, to(NEWS), 57)).toEqual(first);
    expect(await s.recoverDigest!(digest, to(NEWS), 58)).toBeUndefined();
    expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
    await s.close?.();
  });

  it('completes a digest cut off between its messages, each message once', async () => {
    const s = sink();
    const digest = longDigest(150);
    // The first message goes out, the second is refused (429): the retry must not post the first again.
    api.rateLimit({ method: 'POST', path: `/channels/${NO_THREADS}/messages`, retryAfterS: 5, after: 1 });
    const cut = await s.sendDigest!(digest, to(NO_THREADS), [59]);
    expect(cut).toMatchObject({ status: 'failed', retryable: true, detail: expect.stringContaining('after 1 of') });
    expect(cut).not.toHaveProperty('retryAfterS');
    api.expireNonces();
    const done = await s.recoverDigest!(digest, to(NO_THREADS), 59);
    const mine = api.messagesIn(NO_THREADS).filter((m) => m.embeds.some((e) => e.footer?.text?.endsWith('· delivery 59')));
    expect(done).toEqual({ status: 'sent', messageRef: `${NO_THREADS}/${mine[0]!.id}` });
    const lines = mine.flatMap((m) => m.embeds).flatMap((e: any) => e.description.split('\n')).filter((l: string) => l.startsWith('• '));
    expect(lines).toHaveLength(150);
    expect(new Set(lines).size).toBe(150);
    await s.close?.();
  });

  it("finds the burst an alert row went out in by the rows its footers name", async () => {
    const s = sink();
    const out = await s.sendDigest!(smallDigest('a burst of 4 alerts'), to(NEWS), [201, 205, 209, 230]);
    const burst = api.messages.at(-1)!;
    expect(burst.embeds[0].footer.text).toBe('1 story in 1 topic · deliveries 201-209/4,230');
    for (const id of [201, 209, 230]) expect(await s.recoverDigest!(undefined, to(NEWS), id)).toEqual(out);
    for (const id of [202, 213]) expect(await s.recoverDigest!(undefined, to(NEWS), id)).toBeUndefined();
    // A burst cut off before its last part may not list the alert: sent again on its own rather than lost.
    api.rateLimit({ method: 'POST', path: `/channels/${NO_THREADS}/messages`, retryAfterS: 5, after: 1 });
    expect(await s.sendDigest!(longDigest(150), to(NO_THREADS), [240, 241])).toMatchObject({ status: 'failed' });
    expect(await s.recoverDigest!(undefined, to(NO_THREADS), 240)).toBeUndefined();
    await s.close?.();
  });

  it('stops a digest at the first message that fails and says why', async () => {
    expect(await sink().sendDigest!({ since: new Date(0), until: new Date(1), topics: [], storyCount: 0, empty: true }, to(HIDDEN), [32])).toMatchObject({ status: 'rejected', code: 'missing_access' });
  });

  it('cannot reach a stopped API: failed, retryable', async () => {
    const out = await createDiscordSink({ token: api.token, apiUrl: 'http://127.0.0.1:1/api', log: silentLogger() }).send(alert(), to(NEWS));
    expect(out).toMatchObject({ status: 'failed', retryable: true });
  });
});

describe('discord webhook sink', () => {
  const hookUrl = () => `${api.api}/webhooks/700000000000000001/hook-token_1`;

  it('posts alerts without a nonce and follow-ups as standalone messages, editing the alert', async () => {
    const s = createDiscordWebhookSink({ webhook: hookUrl(), apiUrl: api.api, log: silentLogger() });
    const first = alert();
    const sent = await s.send(first, { platform: 'discord-webhook', workspace: '', channel: 'DISCORD_WEBHOOK_NEWS' });
    expect(sent).toMatchObject({ status: 'sent', messageRef: expect.stringMatching(new RegExp(`^${NEWS}/`)) });
    const post = api.requests.find((r) => r.method === 'POST')!;
    expect(post.path).toBe('/webhooks/700000000000000001/hook-token_1');
    expect(post.query.wait).toBe('true');
    expect(post.body.allowed_mentions).toEqual({ parse: [] });
    expect(post.body.nonce).toBeUndefined();

    const ref = sent.status === 'sent' ? sent.messageRef : null;
    const out = await s.send(alert({ kind: 'followup', source: 'TASS', threadRef: ref, anchor: { ...first, outlets: 2 } }), { platform: 'discord-webhook', workspace: '', channel: 'DISCORD_WEBHOOK_NEWS' });
    expect(out.status).toBe('sent');
    const followup = api.messagesIn(NEWS).at(-1)!;
    expect(followup.embeds[0].description).toContain('Follow-up to');
    const alertMessage = api.messages.find((m) => m.id === ref!.split('/')[1])!;
    expect(alertMessage.embeds[0].footer.text).toContain('+1 outlet');
    await s.close?.();
  });

  it('rejects a deleted webhook, and a destination without one', async () => {
    const s = createDiscordWebhookSink({
      webhook: (dest) => (dest.channel === 'DELETED' ? { id: '700000000000000009', token: 'x' } : undefined),
      apiUrl: api.api, log: silentLogger(),
    });
    expect(await s.send(alert(), { platform: 'discord-webhook', workspace: '', channel: 'DELETED' })).toMatchObject({ status: 'rejected', code: 'unknown_webhook' });
    expect(await s.send(alert(), { platform: 'discord-webhook', workspace: '', channel: 'UNSET' })).toMatchObject({ status: 'rejected', code: 'webhook_not_configured' });
  });

  it('parses webhook URLs and refuses anything else with a sentence', () => {
    expect(parseWebhookUrl('https://discord.com/api/webhooks/123/abc-DEF_9')).toEqual({ id: '123', token: 'abc-DEF_9' });
    expect(parseWebhookUrl('https://discordapp.com/api/v10/webhooks/123/abc/')).toEqual({ id: '123', token: 'abc' });
    expect(() => parseWebhookUrl('https://discord.com/channels/1/2')).toThrow(/webhooks\/<id>\/<token>/);
  });
});
