import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { captureIO } from '../fakes/cli-io.ts';
import { writeTestConfig } from '../fakes/test-config.ts';

let dir: string;
let config: string;
const ids: { first: number; folded: number; loose: number; story: number } = { first: 0, folded: 0, loose: 0, story: 0 };
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-stories-'));
  config = writeTestConfig(dir, 'stories', { feeds: ['https://wire.example/rss'] });
  const store = new SqliteStore(path.join(dir, 'stories.db'));
  const now = new Date();
  const { id: feedId } = await store.addFeed({ url: 'https://wire.example/rss', intervalS: 900 }, now);
  const add = async (key: string, title: string) =>
    (await store.upsertArticle({ feedId, key, title, lead: '', body: '', fetchedAt: now, contentHash: key })).id;
  ids.first = await add('a', 'North Korea has shipped 6,700 containers of munitions to Russia');
  ids.folded = await add('b', 'North Korea has sent about 13,000 containers of arms to Russia');
  ids.loose = await add('c', 'Not in any story');
  ids.story = await store.createStory(ids.first, 'containers', now);
  await store.attachToStory(ids.folded, ids.story, now, { reason: 'event', detail: 'same event: containers' });
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('watchfloor stories split', () => {
  it('takes a wrongly folded article into a story of its own', async () => {
    const io = captureIO();
    expect(await main(["stories", "split", String(ids.folded), "--config", config], io), io.err()).toBe(0);
    expect(io.out()).toMatch(new RegExp(`^Article ${ids.folded} left story ${ids.story}; it is now story \\d+\\. Later reports are compared with both\\.\\n$`));
    const store = new SqliteStore(path.join(dir, 'stories.db'));
    const article = (await store.getArticle(ids.folded))!;
    expect(article.storyId).not.toBe(ids.story);
    expect(article.storyFold).toEqual({ reason: 'split', detail: `split from story ${ids.story}` });
    expect((await store.getArticle(ids.first))!.storyId).toBe(ids.story);
    await store.close();
  });

  it('dates the new story by the clock it is given', async () => {
    const store = new SqliteStore(path.join(dir, 'stories.db'));
    const { id: feedId } = await store.addFeed({ url: 'https://wire.example/rss', intervalS: 900 }, new Date('2020-01-01T00:00:00Z'));
    const first = (await store.upsertArticle({ feedId, key: 'd', title: 'Dated first', lead: '', body: '', fetchedAt: new Date('2020-01-01T00:00:00Z'), contentHash: 'd' })).id;
    const second = (await store.upsertArticle({ feedId, key: 'e', title: 'Dated second', lead: '', body: '', fetchedAt: new Date('2020-01-01T00:00:00Z'), contentHash: 'e' })).id;
    const story = await store.createStory(first, 'dated', new Date('2020-01-01T00:00:00Z'));
    await store.attachToStory(second, story, new Date('2020-01-01T00:00:00Z'));
    await store.close();
    const io = { ...captureIO(), now: () => new Date('2021-06-01T12:00:00Z') };
    expect(await main(['stories', 'split', String(second), '--config', config], io), io.err()).toBe(0);
    const after = new SqliteStore(path.join(dir, 'stories.db'));
    const at = (iso: string) => after.storySplitsSince(new Date(iso)).then((rows) => rows.map((r) => r.articleId));
    expect(await at('2021-06-01T12:00:00Z')).toContain(second);
    expect(await at('2021-06-01T12:00:01Z')).not.toContain(second);
    await after.close();
  });

  it('leaves the first report of a story alone, and says when an article has no story', async () => {
    const io = captureIO();
    expect(await main(['stories', 'split', String(ids.first), '--config', config], io)).toBe(0);
    expect(io.out()).toBe(`Article ${ids.first} already starts story ${ids.story}: nothing to split.\n`);
    const missing = captureIO();
    expect(await main(['stories', 'split', String(ids.loose), '--config', config], missing)).toBe(1);
    expect(missing.err()).toContain(`Article ${ids.loose} is not in a story`);
  });

  it('asks for one article id', async () => {
    const io = captureIO();
    expect(await main(['stories', 'split', 'abc', '--config', config], io)).toBe(2);
    expect(io.err()).toContain('give one article id');
  });
});
