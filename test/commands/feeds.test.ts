import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFeedAdder } from '../../src/commands/feed-adder.ts';
import { HttpClient } from '../../src/feeds/http/fetch.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { type FeedServer, startFeedServer } from '../fakes/feed-server.ts';
import { ALICE, type Harness, harness, NOW, textOf } from './harness.ts';

const RSS = `<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Watch</title><link>https://harbour.example/</link>
<item><title>Tanker seen at Vostochny</title><link>https://harbour.example/1</link><guid>1</guid></item>
<item><title>Ship leaves Rason</title><link>https://harbour.example/2</link><guid>2</guid></item></channel></rss>`;
const PAGE = (feed: string) => `<!doctype html><html><head><title>Harbour Watch</title>
<link rel="alternate" type="application/rss+xml" href="${feed}"></head><body>News</body></html>`;

describe('feed add, feed list, feed remove', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('adds through the injected adder, with the caller as who added it, and says what happens next', async () => {
    const reply = await h.run('feed add https://example.org/rss.xml', ALICE, true);
    expect(reply).toMatchObject({ ok: true, visibility: 'private' });
    expect(textOf(reply)).toBe('Added feed 1: Example News (https://example.org/rss.xml), 12 items now, polled every 15m from the next cycle: items older than 1d are stored without alerting.');
    expect((await h.store.getFeed(1))).toMatchObject({ addedBy: 'slack:T1:U1', firstPoll: true });
    expect(await h.say('feed add https://example.org/rss.xml', ALICE, true)).toBe('Example News (https://example.org/rss.xml) is already a feed (id 1, polled every 15m); nothing changed.');
    expect(h.audits().filter((l) => l.command === 'feed add').map((l) => l.msg)).toEqual(['feed added: https://example.org/rss.xml', 'feed add: https://example.org/rss.xml already present']);
  });

  it('lists feeds with their health, and removes by id or URL but not the config file\'s feeds', async () => {
    const { id: a } = await h.store.addFeed({ url: 'https://a.example/rss', title: 'A', intervalS: 900, addedBy: 'slack:T1:U1' }, NOW);
    const { id: b } = await h.store.addFeed({ url: 'https://b.example/rss', intervalS: 900, addedBy: 'config' }, NOW);
    const { id: c } = await h.store.addFeed({ url: 'https://c.example/rss', intervalS: 900, addedBy: 'opml' }, NOW);
    h.configFeeds.entries.push({ url: 'https://b.example/rss', id: b });
    await h.store.recordFeedSuccess(a, { nextPollAt: new Date(NOW.getTime() + 900_000), now: NOW });
    await h.store.recordFeedFailure(b, { error: 'https://b.example/rss answered 503 Service Unavailable.', nextPollAt: new Date(NOW.getTime() + 1_800_000) });
    const reply = await h.run('feed list', ALICE, true);
    expect(reply.parts).toEqual([
      { type: 'text', text: '3 feeds, 1 failing.' },
      {
        type: 'table',
        columns: ['id', 'health', 'feed', 'last success', 'next poll', 'last error', 'moved from'],
        rows: [
          [String(a), 'ok', 'A https://a.example/rss', '2026-11-20 10:00 UTC', '2026-11-20 10:15 UTC', '', ''],
          [String(b), 'failing (1×)', 'https://b.example/rss', '-', '2026-11-20 10:30 UTC', 'https://b.example/rss answered 503 Service Unavailable.', ''],
          [String(c), 'new', 'https://c.example/rss', '-', '2026-11-20 10:00 UTC', '', ''],
        ],
      },
    ]);
    expect(await h.say(`feed remove ${b}`, ALICE, true)).toBe('https://b.example/rss is feeds[0] in config/watchfloor.yaml; remove it there first, or it comes back on the next start.');
    expect(await h.say(`feed remove ${a}`, ALICE, true)).toBe(`Removed feed ${a} (https://a.example/rss) and its stored articles.`);
    expect(await h.say('feed remove https://c.example/rss', ALICE, true)).toBe(`Removed feed ${c} (https://c.example/rss) and its stored articles.`);
    expect(await h.say('feed remove 99', ALICE, true)).toBe('no feed 99; `feed list` shows the feeds with their ids.');
    expect((await h.store.listFeeds()).map((f) => f.id)).toEqual([b]);
    expect(h.audits().filter((l) => l.command === 'feed remove').map((l) => [l.msg, l.by.user])).toEqual([
      ['feed removed: https://a.example/rss', 'U1'],
      ['feed removed: https://c.example/rss', 'U1'],
    ]);
  });

  it('tells a config entry by the stored feed it is, not by who first added the feed', async () => {
    // Added by hand, then listed in the file under the URL it had before a permanent redirect: the file's now.
    const { id: moved } = await h.store.addFeed({ url: 'https://old.example/rss', intervalS: 900, addedBy: 'slack:T1:U1' }, NOW);
    await h.store.recordFeedSuccess(moved, { url: 'https://new.example/rss', nextPollAt: NOW, now: NOW });
    h.configFeeds.entries.push({ url: 'https://old.example/rss', id: moved });
    // Listed in the file once, and dropped from it since: removable.
    const { id: dropped } = await h.store.addFeed({ url: 'https://dropped.example/rss', intervalS: 900, addedBy: 'config' }, NOW);
    expect(await h.say('feed remove https://old.example/rss', ALICE, true))
      .toBe('https://new.example/rss is feeds[0] in config/watchfloor.yaml (as https://old.example/rss, which moved to it); remove it there first, or it comes back on the next start.');
    expect(await h.say(`feed remove ${dropped}`, ALICE, true)).toBe(`Removed feed ${dropped} (https://dropped.example/rss) and its stored articles.`);
    const table = (await h.run('feed list', ALICE, true)).parts[1];
    expect(table).toMatchObject({ rows: [[String(moved), 'ok', 'https://new.example/rss', expect.any(String), expect.any(String), '', 'https://old.example/rss']] });
  });
});

describe('createFeedAdder (the network half of feed add)', () => {
  let server: FeedServer;
  let store: SqliteStore;
  beforeAll(async () => {
    server = await startFeedServer('/nonexistent');
    server.set('rss.xml', RSS, 'application/rss+xml');
    server.set('page', PAGE('/rss.xml'), 'text/html');
    server.set('empty-page', '<!doctype html><html><head><title>No feed</title></head><body>hi</body></html>', 'text/html');
  });
  afterAll(() => server.close());
  beforeEach(() => {
    store = new SqliteStore(':memory:');
  });
  afterEach(() => store.close());

  const adder = (allowPrivateNetworks: boolean) => {
    const http = new HttpClient({ allowPrivateNetworks });
    return { http, add: createFeedAdder({ http, store, intervalS: 600, firstPollMaxAgeS: 3600, now: () => NOW }) };
  };

  it('reads the feed before storing it, and follows a page to the feed it announces', async () => {
    const { http, add } = adder(true);
    const fromPage = await add.add(server.url('page'), 'slack:T1:U1');
    expect(fromPage).toEqual({ id: 1, url: server.url('rss.xml'), title: 'Harbour Watch', created: true, discoveredFrom: server.url('page'), items: 2, intervalS: 600, firstPollMaxAgeS: 3600 });
    expect(await store.listFeeds()).toMatchObject([{ url: server.url('rss.xml'), title: 'Harbour Watch', intervalS: 600, addedBy: 'slack:T1:U1', firstPoll: true }]);
    // A feed already stored, or the page that announces it, changes nothing.
    expect(await add.add(server.url('page'), 'slack:T1:U2')).toMatchObject({ id: 1, url: server.url('rss.xml'), created: false, discoveredFrom: server.url('page') });
    const requests = server.requests.length;
    expect(await add.add(server.url('rss.xml'), 'slack:T1:U2')).toMatchObject({ id: 1, created: false, intervalS: 600 });
    expect(server.requests.length).toBe(requests);
    await http.close();
  });

  it('answers a URL the feed had before a permanent redirect from the store, without a request', async () => {
    const { http, add } = adder(true);
    const { id } = await store.addFeed({ url: server.url('old.xml'), intervalS: 1800 }, NOW);
    await store.recordFeedSuccess(id, { url: server.url('rss.xml'), nextPollAt: NOW, now: NOW });
    const requests = server.requests.length;
    expect(await add.add(server.url('old.xml'), 'u')).toEqual({ id, url: server.url('rss.xml'), created: false, movedTo: server.url('rss.xml'), items: 0, intervalS: 1800, firstPollMaxAgeS: 3600 });
    expect(server.requests.length).toBe(requests);
    await http.close();
  });

  it('stores nothing for a page without a feed or an address the SSRF guard refuses', async () => {
    const { http, add } = adder(true);
    await expect(add.add(server.url('empty-page'), 'u')).rejects.toThrow(`cannot add ${server.url('empty-page')}: not a feed: ${server.url('empty-page')} is a web page and announces no feed. Nothing was added. Find the RSS or Atom link on that page and add it instead.`);
    await http.close();
    const guarded = adder(false);
    await expect(guarded.add.add(server.url('rss.xml'), 'u')).rejects.toThrow(/private|loopback|allow_private_networks/);
    await guarded.http.close();
    expect(await store.listFeeds()).toEqual([]);
  });
});
