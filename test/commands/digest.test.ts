import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, BOB_ELSEWHERE, type Harness, harness, hoursAgo, matchedArticle, NOW, textOf } from './harness.ts';

describe('digest and digest schedule', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('answers with a digest part: in channel, or privately; the channel\'s topics when none is named', async () => {
    const { id: feedId } = await h.store.addFeed({ url: 'https://a.example/rss', title: 'A News', intervalS: 900 }, NOW);
    const arms = await matchedArticle(h.store, feedId, 'arms', 'dprk-russia-arms', 0.9, hoursAgo(3));
    const drones = await matchedArticle(h.store, feedId, 'drones', 'iran-drones', 0.8, hoursAgo(5));
    await matchedArticle(h.store, feedId, 'old', 'iran-drones', 0.8, hoursAgo(50));

    const reply = await h.run('digest dprk-russia-arms 24h');
    expect(reply.visibility).toBe('channel');
    const part = reply.parts[0]!;
    expect(part.type).toBe('digest');
    const digest = part.type === 'digest' ? part.digest : undefined;
    expect(digest!.topics.map((t) => [t.slug, t.stories.map((s) => s.storyId)])).toEqual([['dprk-russia-arms', [arms.storyId]]]);
    expect(digest!.since).toEqual(hoursAgo(24));
    expect(digest!.until).toEqual(NOW);

    expect((await h.run('digest --private')).visibility).toBe('private');
    // No subscriptions: every topic. Subscribed to one: that one.
    const all = (await h.run('digest')).parts[0]!;
    expect(all.type === 'digest' && all.digest.topics.map((t) => t.slug).sort()).toEqual(['dprk-russia-arms', 'iran-drones']);
    await h.run('subscribe iran-drones');
    const mine = (await h.run('digest 7d')).parts[0]!;
    expect(mine.type === 'digest' && mine.digest.topics.map((t) => [t.slug, t.stories.length])).toEqual([['iran-drones', 2]]);
    expect(drones.storyId).toBeGreaterThan(0);
    expect(await h.say('digest iran-drone')).toBe('unknown topic "iran-drone" — did you mean iran-drones?');
  });

  it('stores one schedule per channel, with a validated zone, and turns it off', async () => {
    expect(await h.say('digest schedule daily 08:00 Europe/Berlin')).toContain('is for admins');
    const set = await h.run('digest schedule daily 08:00 europe/berlin', ALICE, true);
    expect(set).toMatchObject({ ok: true, visibility: 'channel' });
    expect(textOf(set)).toBe('#intel gets a digest of its topics every day at 08:00 (Europe/Berlin). It follows no topic yet: `subscribe <topic>` gives the digest something to cover.');
    await h.run('subscribe iran-drones', BOB_ELSEWHERE);
    expect(await h.say('digest schedule weekly fri 17:30 Asia/Seoul', BOB_ELSEWHERE, true)).toBe('this channel gets a digest of its topics every Friday at 17:30 (Asia/Seoul).');
    expect(await h.say('digest schedule daily 08:00 Europe/Berlinn', ALICE, true)).toBe('"Europe/Berlinn" is not a time zone; use an IANA name such as Europe/Berlin, America/New_York or UTC.\nUsage: digest schedule <daily HH:MM|weekly DAY HH:MM|off> [tz]');
    expect((await h.store.listDigestSchedules()).map((d) => [d.channel.channel, d.every, d.day, d.time, d.timezone, d.createdBy])).toEqual([
      ['C1', 'daily', null, '08:00', 'Europe/Berlin', 'slack:T1:U1'],
      ['42', 'weekly', 5, '17:30', 'Asia/Seoul', 'discord:G1:7'],
    ]);
    expect(await h.say('digest schedule off', ALICE, true)).toBe('#intel gets no scheduled digest any more.');
    expect(await h.say('digest schedule off', ALICE, true)).toBe('#intel had no scheduled digest.');
    expect((await h.store.listDigestSchedules()).map((d) => d.channel.channel)).toEqual(['42']);
    expect(h.audits().filter((l) => l.command === 'digest schedule').map((l) => [l.msg, l.by.user])).toEqual([
      ['digest schedule set', 'U1'], ['digest schedule set', '7'], ['digest schedule removed', 'U1'],
    ]);
  });
});
