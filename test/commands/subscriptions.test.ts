import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertJob } from '../../src/store/store.ts';
import { BOB_ELSEWHERE, type Harness, harness, hoursAgo, matchedArticle, NOW, textOf } from './harness.ts';

const C1 = { platform: 'slack', workspace: 'T1', channel: 'C1' };

describe('subscribe, unsubscribe, list', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('subscribes the caller\'s channel, names it, and logs who did it', async () => {
    const reply = await h.run('subscribe dprk-russia-arms min:0.7');
    expect(reply).toEqual({ visibility: 'channel', ok: true, parts: [{ type: 'text', text: 'Subscribed: #intel gets alerts for dprk-russia-arms — DPRK–Russia arms transfers (alerts scoring 0.70 or more).' }] });
    const channelId = (await h.store.findChannel(C1))!;
    expect((await h.store.subscribersOf('dprk-russia-arms')).map((s) => [s.channelId, s.minScore])).toEqual([[channelId, 0.7]]);
    expect(h.audits().at(-1)).toMatchObject({
      msg: 'subscribed to dprk-russia-arms',
      command: 'subscribe',
      topic: 'dprk-russia-arms',
      by: { platform: 'slack', workspace: 'T1', channel: 'C1', user: 'U1', userName: 'alice' },
    });
  });

  it('lists the channel\'s subscriptions with their state and pause reason, and resumes a paused one', async () => {
    expect(await h.say('list')).toBe('#intel has no subscriptions; `topics` lists the topics, `subscribe <topic>` adds one.');
    await h.run('subscribe dprk-russia-arms');
    await h.run('subscribe iran-drones min:0.6');
    await h.run('subscribe iran-drones', BOB_ELSEWHERE);
    const channelId = (await h.store.findChannel(C1))!;
    await h.store.pauseSubscriptions(channelId, 'not_in_channel: invite the bot to the channel', 'iran-drones');
    const reply = await h.run('list');
    expect(reply.visibility).toBe('private');
    expect(reply.parts).toEqual([
      { type: 'text', text: '#intel follows 2 topics:' },
      {
        type: 'table',
        columns: ['topic', 'min score', 'state', 'added by'],
        rows: [
          ['dprk-russia-arms', 'topic threshold', 'active', 'slack:T1:U1'],
          ['iran-drones', '0.60', 'paused: not_in_channel: invite the bot to the channel', 'slack:T1:U1'],
        ],
      },
    ]);
    expect(await h.say('subscribe iran-drones min:0.6')).toMatch(/^Resumed: #intel gets alerts for iran-drones/);
    expect((await h.store.subscribersOf('iran-drones')).length).toBe(2);
  });

  it('unsubscribes, suggests among the channel\'s own subscriptions, and refuses config routes', async () => {
    await h.run('subscribe dprk-russia-arms');
    expect(await h.say('unsubscribe dprk-rusia-arms')).toBe('#intel is not subscribed to "dprk-rusia-arms" — did you mean dprk-russia-arms?');
    expect(await h.say('unsubscribe iran-drones')).toBe('#intel is not subscribed to "iran-drones"; `list` shows its subscriptions.');
    expect(await h.run('unsubscribe dprk-russia-arms')).toMatchObject({ ok: true, visibility: 'channel' });
    expect(await h.store.subscribersOf('dprk-russia-arms')).toEqual([]);
    // A route in the config file would come back on the next start.
    const console = await h.store.ensureChannel({ platform: 'console', workspace: 'local', channel: 'stdout' });
    await h.store.syncConfigSubscriptions([{ channelId: console, topic: 'iran-drones', minScore: 0 }]);
    const consoleCaller = { platform: 'console', workspace: 'local', channel: 'stdout', user: 'cli' };
    expect(await h.say('unsubscribe iran-drones', consoleCaller)).toBe('iran-drones reaches this channel through a route in the config file; remove the route there (a chat unsubscribe would come back on the next start).');
    expect((await h.store.subscribersOf('iran-drones')).length).toBe(1);
  });

  it('backfills with --since: the topic\'s stored matches of the window become alerts, one per story, through the outbox', async () => {
    const { id: feedId } = await h.store.addFeed({ url: 'https://a.example/rss', intervalS: 900 }, NOW);
    const s1 = await matchedArticle(h.store, feedId, 'k1', 'dprk-russia-arms', 0.9, hoursAgo(5));
    const s1b = await matchedArticle(h.store, feedId, 'k1b', 'dprk-russia-arms', 0.8, hoursAgo(4), s1.storyId);
    const s2 = await matchedArticle(h.store, feedId, 'k2', 'dprk-russia-arms', 0.55, hoursAgo(2));
    await matchedArticle(h.store, feedId, 'old', 'dprk-russia-arms', 0.9, hoursAgo(30));
    await matchedArticle(h.store, feedId, 'other', 'iran-drones', 0.9, hoursAgo(1));

    expect(await h.say('subscribe dprk-russia-arms min:0.6 --since 24h')).toBe(
      'Subscribed: #intel gets alerts for dprk-russia-arms — DPRK–Russia arms transfers (alerts scoring 0.60 or more).\n1 story of the last 24h is on the way.',
    );
    const channelId = (await h.store.findChannel(C1))!;
    let jobs = (await h.store.claimDeliveries(NOW, 'test', new Date(NOW.getTime() + 60_000), 100)) as AlertJob[];
    expect(jobs.map((j) => [j.kind, j.storyId, j.article.id, j.channel.id, j.topic.slug])).toEqual([['alert', s1.storyId, s1.articleId, channelId, 'dprk-russia-arms']]);
    expect(s1b.articleId).not.toBe(s1.articleId);

    // Lowering the bar later brings the story that missed it, never the one already alerted.
    expect(await h.say('subscribe dprk-russia-arms --since 24h')).toMatch(/\n1 story of the last 24h is on the way\.$/);
    jobs = (await h.store.claimDeliveries(NOW, 'test', new Date(NOW.getTime() + 60_000), 100)) as AlertJob[];
    expect(jobs.map((j) => j.storyId)).toEqual([s2.storyId]);
    expect(await h.say('subscribe dprk-russia-arms --since 24h')).toMatch(/\nNo story of the last 24h matched that this channel has not had already\.$/);
    // Another channel gets its own backfill.
    expect(await h.say('subscribe dprk-russia-arms --since 2d', BOB_ELSEWHERE)).toMatch(/\n3 stories of the last 48h are on the way\.$/);
  });

  it('says Updated when the subscription existed', async () => {
    await h.run('subscribe iran-drones');
    expect(textOf(await h.run('subscribe iran-drones min:0.5'))).toMatch(/^Updated: #intel/);
  });
});
