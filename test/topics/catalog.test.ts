import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { TopicCatalog } from '../../src/topics/catalog.ts';
import type { TopicIndex } from '../../src/topics/compile.ts';
import { parseTopicQuery } from '../../src/topics/query.ts';

const NOW = new Date('2026-11-20T10:00:00Z');
const config = [parseTopicQuery('iran-drones', 'Iran AND drone*', { title: 'Iranian drones' })];

describe('TopicCatalog', () => {
  it('loads stored chat topics beside the config\'s, leaving out one that no longer parses or that a config topic shadows', async () => {
    const store = new SqliteStore(':memory:');
    await store.addTopic({ slug: 'ships', title: 'Ships', definition: { query: 'ship* OR vessel*' }, createdBy: 'u' }, NOW);
    await store.addTopic({ slug: 'broken', title: 'Broken', definition: { query: '(unclosed' }, createdBy: 'u' }, NOW);
    await store.addTopic({ slug: 'iran-drones', title: 'Shadowed', definition: { query: 'x' }, createdBy: 'u' }, NOW);
    const catalog = await TopicCatalog.load({ store, config, log: silentLogger() });
    expect(catalog.list().map((t) => [t.definition.slug, t.source, t.definition.title])).toEqual([['iran-drones', 'config', 'Iranian drones'], ['ships', 'chat', 'Ships']]);
    expect([...catalog.index.bySlug.keys()].sort()).toEqual(['iran-drones', 'ships']);
    await store.close();
  });

  it('picks up a topic another replica added on refresh, and swaps the index only when the set changed', async () => {
    const store = new SqliteStore(':memory:');
    const swaps: TopicIndex[] = [];
    const catalog = await TopicCatalog.load({ store, config, log: silentLogger(), onChange: (index) => swaps.push(index) });
    expect(await catalog.refresh()).toBe(false);
    await store.addTopic({ slug: 'ships', title: 'Ships', definition: { query: 'ship*' }, createdBy: 'u' }, NOW);
    expect(await catalog.refresh()).toBe(true);
    expect(await catalog.refresh()).toBe(false);
    expect(swaps).toHaveLength(1);
    expect(swaps[0]!.bySlug.has('ships')).toBe(true);
    // The config is reloaded (SIGHUP): chat topics stay.
    catalog.setConfigTopics([parseTopicQuery('dprk', 'DPRK', { title: 'DPRK' })]);
    expect(catalog.list().map((t) => t.definition.slug)).toEqual(['dprk', 'ships']);
    expect(swaps).toHaveLength(2);
    await store.close();
  });

  it('stores nothing when the add is refused, and removes only chat topics', async () => {
    const store = new SqliteStore(':memory:');
    const catalog = await TopicCatalog.load({ store, config, log: silentLogger() });
    await expect(catalog.add({ slug: 'Bad Slug', query: 'x', by: 'u', now: NOW })).rejects.toThrow(/not a topic slug/);
    await expect(catalog.add({ slug: 'ok', query: 'NEAR/0 x', by: 'u', now: NOW })).rejects.toThrow();
    await expect(catalog.add({ slug: 'iran-drones', query: 'x', by: 'u', now: NOW })).rejects.toThrow(/already exists/);
    expect(await store.listTopics()).toEqual([]);
    await expect(catalog.remove('iran-drones')).rejects.toThrow(/config's topic files/);
    await catalog.add({ slug: 'ships', query: 'ship*', by: 'u', now: NOW });
    expect(await catalog.remove('ships')).toEqual({ subscriptions: 0 });
    expect(catalog.get('ships')).toBeUndefined();
    await store.close();
  });
});
