/**
 * Delivery under platform faults: the real outbox worker (`deliverPending`) and the real Slack and Discord sinks
 * against the fake Slack and Discord APIs, on a real store, with an injected clock advanced to the next due row
 * instead of waiting. 429 storms, 5xx bursts, a post the platform accepted whose answer never came, and a channel
 * deleted mid-run: at the end every delivery is posted exactly once (by its delivery id: Slack metadata, Discord
 * nonce), and the deleted channel's subscription is paused with a reason `/watch list` shows. A digest and a burst
 * guard's mini-digest whose answer was lost are found by the rows they name (Slack metadata, Discord footer) and
 * posted once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DeliverDeps, deliverPending } from '../../src/alerts/deliver.ts';
import { deliveryIdsInclude } from '../../src/alerts/delivery-ids.ts';
import type { Alert, Destination, Sink } from '../../src/alerts/message.ts';
import { ChannelPacer } from '../../src/alerts/pacing.ts';
import { routeMatches } from '../../src/alerts/route.ts';
import { createDiscordSink } from '../../src/chat/discord/adapter.ts';
import { createSlackSink } from '../../src/chat/slack/adapter.ts';
import { createCommandHandler } from '../../src/commands/index.ts';
import { silentLogger } from '../../src/log.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import type { DeliveryStatus } from '../../src/store/store.ts';
import { TopicCatalog } from '../../src/topics/catalog.ts';
import { parseTopicQuery } from '../../src/topics/query.ts';
import { type FakeDiscordApi, startFakeDiscordApi } from '../fakes/discord-api.ts';
import { BOT_TOKEN, type FakeSlack, TEAM_ID, startFakeSlack } from '../fakes/slack-api.ts';

const T0 = new Date('2026-11-20T10:00:00Z');
const GUILD = '800000000000000001';
const SLACK = ['C0FAULTA', 'C0FAULTB'];
const DISCORD = ['810000000000000011', '810000000000000012'];
const TOPIC = parseTopicQuery('arms', '"North Korea" AND shells', { title: 'DPRK arms' });
const STORIES = 4;
const FOLLOWUPS = 2;

let slack: FakeSlack;
let discord: FakeDiscordApi;

// A fresh fake per test: Discord remembers nonces and each test's store counts delivery ids from 1 again.
beforeEach(async () => {
  slack = await startFakeSlack();
  discord = await startFakeDiscordApi();
  discord.addGuild({ id: GUILD, name: 'Analysts', channels: DISCORD.map((id, i) => ({ id, name: `alerts-${i}` })) });
});
afterEach(async () => {
  await slack?.close();
  await discord?.close();
});

/** Time that moves only when told: the worker's `now`, and its sleeps (which move it on at once). */
function fakeClock(start: Date) {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    set: (at: Date) => (t = Math.max(t, at.getTime())),
    async sleep(ms: number) {
      const target = t + ms;
      await Promise.resolve();
      t = Math.max(t, target);
    },
  };
}

/** A store with `STORIES` stories of 1 + `FOLLOWUPS` reports each, routed to every channel of `platform`. */
async function world(platform: 'slack' | 'discord', options: { afterSend?: (to: Destination) => void } = {}) {
  const store = new SqliteStore(':memory:');
  const clock = fakeClock(T0);
  await store.syncTopics([{ slug: TOPIC.slug, title: TOPIC.title, definition: TOPIC, source: 'config' }]);
  const feedId = (await store.addFeed({ url: 'https://wire.example/rss', title: 'Wire', intervalS: 900 }, T0)).id;
  const workspace = platform === 'slack' ? TEAM_ID : GUILD;
  const channels = platform === 'slack' ? SLACK : DISCORD;
  const channelIds = new Map<string, number>();
  for (const channel of channels) {
    const id = await store.ensureChannel({ platform, workspace, channel });
    channelIds.set(channel, id);
    await store.subscribe(id, TOPIC.slug, 0, 'test');
  }
  for (let s = 0; s < STORIES; s++) {
    let story = 0;
    for (let r = 0; r <= FOLLOWUPS; r++) {
      const key = `s${s}r${r}`;
      const { id } = await store.upsertArticle({ feedId, key, title: `North Korea shells ${key}`, lead: `North Korea sent shells (${key}).`, body: '', url: `https://wire.example/${key}`, fetchedAt: T0, contentHash: key });
      if (r === 0) story = await store.createStory(id, `North Korea shells ${key}`, T0);
      else await store.attachToStory(id, story, T0, { reason: 'title', detail: 'same headline' });
      await store.saveMatches([{ articleId: id, topic: TOPIC.slug, score: 0.9, explanation: {}, why: 'North Korea (title)' }]);
      await routeMatches(store, { articleId: id, storyId: story, matches: [{ topic: TOPIC.slug, score: 0.9 }] }, T0);
    }
  }
  const real = platform === 'slack'
    ? createSlackSink({ token: BOT_TOKEN, apiUrl: slack.apiUrl, log: silentLogger(), timeoutMs: 300 })
    : createDiscordSink({ token: discord.token, apiUrl: discord.api, log: silentLogger() });
  // The real sink, told to the test after each send (to delete a channel mid-run).
  const sink: Sink = Object.assign(Object.create(real) as Sink, {
    send: async (alert: Alert, to: Destination) => {
      const outcome = await real.send(alert, to);
      options.afterSend?.(to);
      return outcome;
    },
  });
  const sinks = new Map<string, Sink>([[platform, sink]]);
  const deps: DeliverDeps = { store, sinks, log: silentLogger(), now: clock.now, sleep: clock.sleep, owner: 'faults' };
  return { store, clock, deps, channelIds, close: async () => {
    await real.close?.();
    await store.close();
  } };
}

type World = Awaited<ReturnType<typeof world>>;

/** Runs the worker, moving the clock to the next due row each time, until no row is waiting; returns the runs. */
async function drain(w: World, maxRuns = 400): Promise<number> {
  for (let runs = 1; runs <= maxRuns; runs++) {
    const report = await deliverPending(w.deps);
    const counts = await w.store.deliveryCounts();
    if (!counts.pending && !counts.deferred && !counts.sending) return runs;
    const due = await w.store.nextDeliveryDue();
    if (due) w.clock.set(due);
    // discord.js keeps its rate-limit buckets on the real clock: let a little real time pass when nothing moved.
    if (report.sent === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`the outbox still had rows waiting after ${maxRuns} runs: ${JSON.stringify(await w.store.deliveryCounts())} ${JSON.stringify((await w.store.listDeliveries({ limit: 30 })).map((d) => [d.kind, d.status, d.lastError]))}`);
}

async function statuses(w: World): Promise<Record<string, DeliveryStatus[]>> {
  const rows = await w.store.listDeliveries({ limit: 1000 });
  const by: Record<string, DeliveryStatus[]> = {};
  for (const r of rows) (by[r.channel.channel] ??= []).push(r.status);
  return by;
}

/** How many times each delivery id was posted, by channel: Slack carries it in metadata, Discord in the nonce. */
function postedIds(platform: 'slack' | 'discord'): Map<number, number> {
  const ids = platform === 'slack'
    ? slack.messages.map((m) => Number(m.metadata?.event_payload.delivery_id))
    : discord.messages.map((m) => Number(/^wf(\d+)/.exec(String(m.nonce))?.[1]));
  const counts = new Map<number, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

async function expectEachPostedOnce(w: World, platform: 'slack' | 'discord') {
  const rows = await w.store.listDeliveries({ limit: 1000 });
  const sent = rows.filter((r) => r.status === 'sent').map((r) => r.id).sort((a, b) => a - b);
  const posted = postedIds(platform);
  expect({ lost: sent.filter((id) => !posted.has(id)), twice: [...posted].filter(([, n]) => n > 1).map(([id]) => id) }).toEqual({ lost: [], twice: [] });
  expect([...posted.keys()].sort((a, b) => a - b)).toEqual(sent);
}

const ALL_SENT = Array.from({ length: STORIES * (1 + FOLLOWUPS) }, () => 'sent');

describe('delivery under Slack faults (fake Slack API)', () => {
  it('a 429 storm on chat.postMessage: every row waits out Retry-After, none is given up, each is posted once', async () => {
    const w = await world('slack');
    try {
      // Far more 429s than a row has attempts: a rate limit is the platform saying "later", not a failed attempt.
      slack.rateLimit('chat.postMessage', 20, 250);
      await drain(w);
      expect(await statuses(w)).toEqual({ [SLACK[0]!]: ALL_SENT, [SLACK[1]!]: ALL_SENT });
      await expectEachPostedOnce(w, 'slack');
      expect(slack.callsTo('chat.postMessage').length).toBeGreaterThan(250);
    } finally {
      await w.close();
    }
  });

  it('a burst of 5xx answers: retried with backoff, each posted once', async () => {
    const w = await world('slack');
    try {
      slack.failHttp('chat.postMessage', 503, 6);
      await drain(w);
      expect(await statuses(w)).toEqual({ [SLACK[0]!]: ALL_SENT, [SLACK[1]!]: ALL_SENT });
      await expectEachPostedOnce(w, 'slack');
    } finally {
      await w.close();
    }
  });

  it('a post Slack accepted whose answer timed out is found in the channel history, not posted again', async () => {
    const w = await world('slack');
    try {
      // The first three posts are made, then the client times out (300 ms): the worker cannot know they went out.
      slack.acceptThenDrop('chat.postMessage', 3, 'stall');
      await drain(w);
      expect(await statuses(w)).toEqual({ [SLACK[0]!]: ALL_SENT, [SLACK[1]!]: ALL_SENT });
      await expectEachPostedOnce(w, 'slack');
      expect(slack.callsTo('conversations.history').length + slack.callsTo('conversations.replies').length).toBeGreaterThanOrEqual(3);
    } finally {
      await w.close();
    }
  });

  it('a connection dropped after the post was made: the same, for a closed connection', async () => {
    const w = await world('slack');
    try {
      slack.acceptThenDrop('chat.postMessage', 4, 'drop');
      await drain(w);
      await expectEachPostedOnce(w, 'slack');
      expect(await statuses(w)).toEqual({ [SLACK[0]!]: ALL_SENT, [SLACK[1]!]: ALL_SENT });
    } finally {
      await w.close();
    }
  });

  it('a channel deleted mid-run: its remaining rows are rejected, its subscription paused with the reason /watch list shows; the other channel gets everything', async () => {
    // The channel is deleted after its fourth post.
    let sends = 0;
    const w = await world('slack', { afterSend: (to) => to.channel === SLACK[0] && ++sends === 4 && slack.setChannelError(SLACK[0]!, 'channel_not_found') });
    try {
      await drain(w);
      const before = slack.messages.filter((m) => m.channel === SLACK[0]).length;
      expect(before).toBe(4);
      const by = await statuses(w);
      expect(by[SLACK[1]!]).toEqual(ALL_SENT);
      expect(by[SLACK[0]!]!.filter((s) => s === 'sent')).toHaveLength(before);
      expect(by[SLACK[0]!]!.filter((s) => s !== 'sent').every((s) => s === 'rejected')).toBe(true);
      await expectEachPostedOnce(w, 'slack');
      const subs = await w.store.channelSubscriptions(w.channelIds.get(SLACK[0]!)!);
      expect(subs).toMatchObject([{ topic: 'arms', pausedReason: expect.stringContaining('cannot find channel') }]);
      expect(await w.store.channelSubscriptions(w.channelIds.get(SLACK[1]!)!)).toMatchObject([{ topic: 'arms', pausedReason: null }]);
      const list = await watchList(w, { platform: 'slack', workspace: TEAM_ID, channel: SLACK[0]! });
      expect(list).toContain('paused: Slack cannot find channel');
    } finally {
      await w.close();
    }
  });
});

describe('delivery under Discord faults (fake Discord API)', () => {
  it('a 429 storm: waited out through retry_after, none given up, each posted once', async () => {
    const w = await world('discord');
    try {
      discord.rateLimit({ method: 'POST', path: /^\/channels\/\d+\/messages$/, retryAfterS: 0.05, times: 40 });
      await drain(w);
      // The whole storm was answered (a rule left over would hit the next test).
      expect(discord.requests.filter((r) => r.status === 429)).toHaveLength(40);
      expect(await statuses(w)).toEqual({ [DISCORD[0]!]: ALL_SENT, [DISCORD[1]!]: ALL_SENT });
      await expectEachPostedOnce(w, 'discord');
    } finally {
      await w.close();
    }
  });

  it('a burst of 5xx answers: retried (by discord.js, then the outbox), each posted once', async () => {
    const w = await world('discord');
    try {
      discord.fail({ method: 'POST', path: /^\/channels\/\d+\/messages$/, status: 502, times: 10 });
      await drain(w);
      expect(await statuses(w)).toEqual({ [DISCORD[0]!]: ALL_SENT, [DISCORD[1]!]: ALL_SENT });
      await expectEachPostedOnce(w, 'discord');
    } finally {
      await w.close();
    }
  });

  it('a post Discord accepted whose connection then dropped: the retry carries the same nonce and Discord answers with the first message', async () => {
    const w = await world('discord');
    try {
      discord.acceptThenDrop({ method: 'POST', path: /^\/channels\/\d+\/messages$/, times: 4 });
      await drain(w);
      expect(await statuses(w)).toEqual({ [DISCORD[0]!]: ALL_SENT, [DISCORD[1]!]: ALL_SENT });
      await expectEachPostedOnce(w, 'discord');
      // The four dropped posts were each sent again (same nonce), and not recorded twice.
      const posts = discord.requests.filter((r) => r.method === 'POST' && /^\/channels\/\d+\/messages$/.test(r.path));
      expect(posts.length).toBeGreaterThanOrEqual(discord.messages.length);
    } finally {
      await w.close();
    }
  });

  it('a channel deleted mid-run: rejected, paused with its reason, the other channel unharmed', async () => {
    // Deleted after its fourth post (thread replies included), with its threads.
    let sends = 0;
    const w = await world('discord', { afterSend: (to) => {
      if (to.channel !== DISCORD[0] || ++sends !== 4) return;
      for (const [id, c] of discord.channels) if (id === DISCORD[0] || c.parentId === DISCORD[0]) discord.setChannelError(id, 'unknown-channel');
    } });
    try {
      await drain(w);
      const before = 4;
      const by = await statuses(w);
      expect(by[DISCORD[1]!]).toEqual(ALL_SENT);
      expect(by[DISCORD[0]!]!.filter((s) => s === 'sent')).toHaveLength(before);
      expect(by[DISCORD[0]!]!.filter((s) => s !== 'sent').every((s) => s === 'rejected')).toBe(true);
      await expectEachPostedOnce(w, 'discord');
      expect(await w.store.channelSubscriptions(w.channelIds.get(DISCORD[0]!)!)).toMatchObject([{ topic: 'arms', pausedReason: expect.stringContaining('no longer exists') }]);
      expect(await watchList(w, { platform: 'discord', workspace: GUILD, channel: DISCORD[0]! })).toContain('paused: This channel no longer exists');
    } finally {
      await w.close();
    }
  });
});

describe('digests and bursts whose answer was lost', () => {
  /** A digest row of the channel's subscriptions, queued now, covering the stories of `world`. */
  async function queueDigest(w: World, channel: string): Promise<number> {
    const channelId = w.channelIds.get(channel)!;
    const window = { since: new Date(T0.getTime() - 3_600_000), until: new Date(T0.getTime() + 3_600_000) };
    return (await w.store.enqueueDigest({ channelId, scheduleKey: `channel:${channelId}`, period: 'daily:2026-11-20', ...window, of: 'subscriptions', topic: null }, w.clock.now()))!;
  }

  /** Every sent row is named by exactly one post: its own, or the digest or burst that carried it. */
  async function expectEachNamedOnce(w: World, names: (id: number) => number) {
    const sent = (await w.store.listDeliveries({ limit: 1000 })).filter((r) => r.status === 'sent').map((r) => r.id);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.filter((id) => names(id) !== 1).map((id) => [id, names(id)])).toEqual([]);
  }

  const slackNames = (id: number) => slack.messages.filter((m) =>
    m.metadata?.event_type === 'watchfloor_digest' ? deliveryIdsInclude(String(m.metadata.event_payload.delivery_ids), id) : Number(m.metadata?.event_payload.delivery_id) === id).length;
  const discordNames = (id: number) => discord.messages.filter((m) => {
    const list = /deliver(?:y|ies) ([\d,+/-]+)$/.exec(m.embeds[0]?.footer?.text ?? '')?.[1];
    return list !== undefined ? deliveryIdsInclude(list, id) : /^wf(\d+)\./.exec(String(m.nonce))?.[1] === String(id);
  }).length;

  it('Slack: a digest posted whose answer timed out is found by its metadata, not posted again', async () => {
    const w = await world('slack');
    try {
      await drain(w);
      const digest = await queueDigest(w, SLACK[0]!);
      slack.acceptThenDrop('chat.postMessage', 1, 'stall');
      await drain(w);
      expect(await w.store.listDeliveries({ id: digest, limit: 1 })).toMatchObject([{ status: 'sent', attempts: 2 }]);
      expect(slack.messages.filter((m) => m.metadata?.event_type === 'watchfloor_digest')).toHaveLength(1);
      await expectEachNamedOnce(w, slackNames);
    } finally {
      await w.close();
    }
  });

  it('Slack: a burst posted whose connection dropped is found by the ids it carries; its follow-ups reply under it', async () => {
    const w = await world('slack');
    w.deps.pacer = new ChannelPacer(w.store, { burst: 2 });
    try {
      // Each channel's four alerts go as one burst, both answers lost: the rows come back cut off, one by one.
      slack.acceptThenDrop('chat.postMessage', 2, 'drop');
      await drain(w);
      expect(await statuses(w)).toEqual({ [SLACK[0]!]: ALL_SENT, [SLACK[1]!]: ALL_SENT });
      for (const channel of SLACK) {
        const top = slack.messages.filter((m) => m.channel === channel && !m.thread_ts);
        expect(top.map((m) => m.metadata?.event_type)).toEqual(['watchfloor_digest']);
        const replies = slack.messages.filter((m) => m.channel === channel && m.thread_ts);
        expect(replies).toHaveLength(STORIES * FOLLOWUPS);
        expect(replies.every((m) => m.thread_ts === top[0]!.ts)).toBe(true);
        expect(top[0]!.edited).toBeUndefined();
      }
      await expectEachNamedOnce(w, slackNames);
    } finally {
      await w.close();
    }
  });

  it('Discord: a digest posted whose connection dropped, retried after the nonce is forgotten, is found by its footer', async () => {
    const w = await world('discord');
    try {
      await drain(w);
      const digest = await queueDigest(w, DISCORD[0]!);
      // Every try of the post (discord.js's own retries too) is made and its answer lost.
      discord.acceptThenDrop({ method: 'POST', path: `/channels/${DISCORD[0]}/messages`, times: 4 });
      expect(await deliverPending(w.deps)).toMatchObject({ sent: 0, failed: 1 });
      discord.expireNonces();
      await drain(w);
      expect(await w.store.listDeliveries({ id: digest, limit: 1 })).toMatchObject([{ status: 'sent' }]);
      expect(discordNames(digest)).toBe(1);
      await expectEachNamedOnce(w, discordNames);
    } finally {
      await w.close();
    }
  });

  it('Discord: a burst posted whose connection dropped is found by the rows its footer names; its follow-ups go in its thread', async () => {
    const w = await world('discord');
    w.deps.pacer = new ChannelPacer(w.store, { burst: 2 });
    try {
      for (const channel of DISCORD) discord.acceptThenDrop({ method: 'POST', path: `/channels/${channel}/messages`, times: 4 });
      await drain(w);
      expect(await statuses(w)).toEqual({ [DISCORD[0]!]: ALL_SENT, [DISCORD[1]!]: ALL_SENT });
      for (const channel of DISCORD) {
        const top = discord.messagesIn(channel);
        expect(top).toHaveLength(1);
        expect(top[0]!.embeds[0].footer.text).toMatch(/ · deliveries [\d,/-]+$/);
        expect(discord.messagesIn(top[0]!.id)).toHaveLength(STORIES * FOLLOWUPS);
      }
      await expectEachNamedOnce(w, discordNames);
    } finally {
      await w.close();
    }
  });
});

/** `/watch list` in the channel, as a member would type it. */
async function watchList(w: World, where: { platform: string; workspace: string; channel: string }): Promise<string> {
  const log = silentLogger();
  const catalog = await TopicCatalog.load({ store: w.store, config: [TOPIC], log, onChange: () => {} });
  const handle = createCommandHandler({
    store: w.store, topics: catalog, log, now: w.clock.now,
    feeds: { add: async () => { throw new Error('not used'); } },
    configFeeds: { file: 'config/watchfloor.yaml', entries: [] },
  });
  const reply = await handle({ text: 'list', caller: { ...where, user: 'U1' }, isAdmin: async () => false });
  return reply.parts.map((p) => (p.type === 'text' ? p.text : p.type === 'table' ? p.rows.map((r) => r.join(' | ')).join('\n') : '')).join('\n');
}
