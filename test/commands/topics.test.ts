import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { matchArticle } from '../../src/topics/match.ts';
import { ALICE, type Harness, harness, hoursAgo, NOW, textOf } from './harness.ts';

const SHIP = { title: 'Vessel leaves Rason for Vostochny with cargo', lead: 'The ship docked on Tuesday.', body: '' };

describe('topics, topic add, topic remove, test', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('adds a chat topic to the running index: stored with source chat, matched at once, logged with who added it', async () => {
    expect(matchArticle(h.catalog.index, SHIP).matches).toEqual([]);
    const reply = await h.run('topic add sanctions-shipping "(Rason OR Vostochny) AND (ship* OR vessel*) -tourism"', ALICE, true);
    expect(reply.ok).toBe(true);
    expect(textOf(reply)).toMatch(/^Added topic sanctions-shipping \(threshold 0\.50\), matched from the next cycle\./);
    expect(await h.store.listTopics('chat')).toEqual([{
      slug: 'sanctions-shipping', title: '(Rason OR Vostochny) AND (ship* OR vessel*) -tourism',
      definition: { query: '(Rason OR Vostochny) AND (ship* OR vessel*) -tourism' }, source: 'chat', createdBy: 'slack:T1:U1',
    }]);
    // onChange handed the pipeline the new index; the config topics are still in it.
    expect(h.swaps).toHaveLength(1);
    expect(h.swaps[0]).toBe(h.catalog.index);
    expect(matchArticle(h.catalog.index, SHIP).matches.map((m) => [m.topic, m.matched])).toEqual([['sanctions-shipping', true]]);
    expect([...h.catalog.index.bySlug.keys()].sort()).toEqual(['dprk-russia-arms', 'iran-drones', 'sanctions-shipping']);
    expect(h.audits().at(-1)).toMatchObject({ msg: 'topic added: sanctions-shipping', by: { user: 'U1' } });
    // A restart loads it from the store.
    const { TopicCatalog } = await import('../../src/topics/catalog.ts');
    const reloaded = await TopicCatalog.load({ store: h.store, config: [], log: (await import('../../src/log.ts')).silentLogger() });
    expect(reloaded.get('sanctions-shipping')).toMatchObject({ source: 'chat', query: '(Rason OR Vostochny) AND (ship* OR vessel*) -tourism', createdBy: 'slack:T1:U1' });
  });

  it('refuses a bad query or a taken slug and changes nothing', async () => {
    const bad = await h.run('topic add broken "(Rason OR"', ALICE, true);
    expect(bad.ok).toBe(false);
    expect(textOf(bad)).toMatch(/unbalanced parenthesis|expected a term/);
    expect(await h.say('topic add iran-drones "Iran AND Shahed"', ALICE, true)).toBe('a topic "iran-drones" already exists; pick another slug, or remove it first with `topic remove iran-drones`.');
    expect(await h.store.listTopics('chat')).toEqual([]);
    expect(h.swaps).toEqual([]);
  });

  it('removes chat topics with their subscriptions, and refuses config topics', async () => {
    await h.run('topic add dprk-subs "\\"North Korea\\" AND submarine*"', ALICE, true);
    await h.run('subscribe dprk-subs');
    expect(await h.say('topic remove iran-drones', ALICE, true)).toBe("iran-drones is defined in the config's topic files; only topics made in chat can be removed here.");
    expect(await h.say('topic remove dprk-sub', ALICE, true)).toBe('unknown topic "dprk-sub" — did you mean dprk-subs?');
    expect(await h.say('topic remove dprk-subs', ALICE, true)).toBe('Removed topic dprk-subs and its 1 subscription.');
    expect(h.catalog.get('dprk-subs')).toBeUndefined();
    expect(h.catalog.index.bySlug.has('dprk-subs')).toBe(false);
    expect(await h.store.listTopics('chat')).toEqual([]);
    expect(await h.say('list')).toMatch(/has no subscriptions/);
  });

  it('lists every topic one line each', async () => {
    await h.run('topic add dprk-subs "\\"North Korea\\" AND submarine*"', ALICE, true);
    const reply = await h.run('topics');
    expect(reply.parts).toEqual([{
      type: 'table',
      columns: ['topic', 'title', 'threshold', 'source'],
      rows: [
        ['dprk-russia-arms', 'DPRK–Russia arms transfers', '0.50', 'config'],
        ['dprk-subs', '"North Korea" AND submarine*', '0.50', 'chat: "North Korea" AND submarine*'],
        ['iran-drones', 'Iranian drones', '0.50', 'config'],
      ],
    }]);
  });

  it('test re-scores the stored articles of the window with the running index, privately', async () => {
    const { id: feedId } = await h.store.addFeed({ url: 'https://a.example/rss', title: 'A News', intervalS: 900 }, NOW);
    const store = (key: string, title: string, fetchedAt: Date) =>
      h.store.upsertArticle({ feedId, key, title, lead: '', body: '', fetchedAt, contentHash: key, url: `https://a.example/${key}` });
    await store('k1', 'Iran sends more drones to Russia', hoursAgo(2));
    await store('k2', 'Drone show in Tehran: Iran celebrates', hoursAgo(30));
    await store('k3', 'Weather in Tehran', hoursAgo(3));
    await store('k4', 'Iran drone factory expands', hoursAgo(24 * 9));
    const week = await h.run('test iran-drones', { ...ALICE, channel: 'C9' });
    expect(week.visibility).toBe('private');
    expect(textOf(week)).toBe('2 of 3 stored articles of the last 7d would have matched iran-drones.');
    const links = week.parts.find((p) => p.type === 'links');
    const items = links && links.type === 'links' ? links.items : [];
    expect(items.map((i) => [i.title, i.url]).sort()).toEqual([
      ['Drone show in Tehran: Iran celebrates', 'https://a.example/k2'],
      ['Iran sends more drones to Russia', 'https://a.example/k1'],
    ]);
    const scores = items.map((i) => Number(i.detail!.slice(0, 4)));
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(links && links.type === 'links' && links.items[0]!.detail).toMatch(/^0\.\d\d · A News · /);
    expect(textOf(await h.run('test iran-drones 24h'))).toBe('1 of 2 stored articles of the last 24h would have matched iran-drones.');
    // A topic made in chat is tested with the same index that delivers it.
    await h.run('topic add tehran "Tehran"', ALICE, true);
    expect(textOf(await h.run('test tehran 48h'))).toBe('2 of 3 stored articles of the last 48h would have matched tehran.');
    expect(await h.say('test iran-drone')).toBe('unknown topic "iran-drone" — did you mean iran-drones?');
  });
});
