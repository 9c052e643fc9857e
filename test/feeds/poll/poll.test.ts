import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BodyBudget } from '../../../src/feeds/poll/body-budget.ts';
import { HttpClient } from '../../../src/feeds/http/fetch.ts';
import { interleaveByHost, type PollDeps, pollClaimed, pollFeed, pollFeeds } from '../../../src/feeds/poll/poll.ts';
import { readFeedBytes } from '../../../src/feeds/read/read.ts';
import { ReadPool } from '../../../src/feeds/read/read-pool.ts';
import { DEFAULT_POLL_BOUNDS } from '../../../src/feeds/poll/schedule.ts';
import { silentLogger } from '../../../src/log.ts';
import { SqliteStore } from '../../../src/store/sqlite.ts';
import { type FeedServer, startFeedServer } from '../../fakes/feed-server.ts';

const rss = (items: Array<{ guid: string; title: string; hoursAgo: number; lead?: string }>) => `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Test Feed</title><link>https://t.example/</link>
${items.map((i) => `<item><guid>${i.guid}</guid><title>${i.title}</title><link>https://t.example/${i.guid}</link>
<pubDate>{{hoursAgo:${i.hoursAgo}}}</pubDate><description>${i.lead ?? `Lead of ${i.title}.`}</description></item>`).join('\n')}
</channel></rss>`;

let server: FeedServer;
let http: HttpClient;
let store: SqliteStore;
let deps: PollDeps;

beforeAll(async () => {
  server = await startFeedServer(path.resolve(import.meta.dirname, '../../fixtures/feeds'));
  http = new HttpClient({ allowPrivateNetworks: true });
});
afterAll(async () => {
  await http.close();
  await server.close();
});
beforeEach(() => {
  store = new SqliteStore(':memory:');
  deps = { store, http, read: readFeedBytes, log: silentLogger(), now: () => new Date(), bounds: DEFAULT_POLL_BOUNDS, firstPollMaxAgeS: 86_400 };
});
afterEach(() => store.close());

async function freshTitles(result: Awaited<ReturnType<typeof pollFeed>>): Promise<string[]> {
  if (result.status !== 'ok') return [];
  return Promise.all(result.fresh.map(async (f) => (await store.getArticle(f.id))!.title));
}

async function poll(url: string) {
  await store.addFeed({ url, intervalS: 900 }, new Date());
  const [feed] = await store.claimDueFeeds(new Date(8.64e15), 'test', new Date(Date.now() + 60_000), 10, new Date());
  return pollFeed(feed!, deps);
}

describe('pollFeed', () => {
  it('stores old items of a first poll without alerting them, and only new items afterwards', async () => {
    server.set('a.rss', rss([{ guid: 'old', title: 'Old news', hoursAgo: 48 }, { guid: 'new', title: 'Fresh news', hoursAgo: 1 }]));
    const first = await poll(server.url('a.rss'));
    expect(first).toMatchObject({ status: 'ok', stored: 2 });
    expect(await freshTitles(first)).toEqual(['Fresh news']);

    // Edited title: updated in place, never a new alert. A republished copy under a new guid: caught by its content.
    server.set('a.rss', rss([
      { guid: 'new', title: 'Fresh news (updated)', hoursAgo: 1 },
      { guid: 'again', title: 'Old news', hoursAgo: 0.5 },
      { guid: 'later', title: 'Later news', hoursAgo: 0.2 },
    ]));
    const second = await poll(server.url('a.rss'));
    expect(second).toMatchObject({ status: 'ok', updated: 1 });
    expect(await freshTitles(second)).toEqual(['Later news']);
    const feed = (await store.getFeedByUrl(server.url('a.rss')))!;
    expect(feed).toMatchObject({ status: 'ok', failures: 0, title: 'Test Feed' });
    expect(feed.nextPollAt.getTime()).toBeGreaterThan(Date.now());
  });

  it('keeps undated items of a first poll silent, and stores every alertable item pending until understood', async () => {
    const undated = (guid: string, title: string) => `<item><guid>${guid}</guid><title>${title}</title><link>https://t.example/${guid}</link><description>Lead of ${title}.</description></item>`;
    const feed = (items: string[]) => `<?xml version="1.0"?><rss version="2.0"><channel><title>Undated</title>${items.join('')}</channel></rss>`;
    server.set('undated.rss', feed(Array.from({ length: 50 }, (_, i) => undated(`u${i}`, `Archive item ${i}`))));
    const first = await poll(server.url('undated.rss'));
    expect(first).toMatchObject({ status: 'ok', stored: 50, fresh: [] });
    expect(await store.pendingArticles(100)).toEqual([]);
    // Later, an undated new item is news: it alerts, and stays pending in the store until it is understood.
    server.set('undated.rss', feed([undated('u-new', 'A new undated report'), undated('u0', 'Archive item 0')]));
    const second = await poll(server.url('undated.rss'));
    expect(await freshTitles(second)).toEqual(['A new undated report']);
    expect((await store.pendingArticles(100)).map((p) => p.id)).toEqual(second.status === 'ok' ? second.fresh.map((f) => f.id) : []);
  });

  it('records a failing feed with the reason and a later retry, without throwing', async () => {
    const result = await poll(server.url('nothing-here.rss'));
    expect(result.status).toBe('failed');
    const feed = (await store.getFeedByUrl(server.url('nothing-here.rss')))!;
    expect(feed.status).toBe('failing');
    expect(feed.failures).toBe(1);
    expect(feed.lastError).toMatch(/404/);
    expect(feed.nextPollAt.getTime()).toBeGreaterThan(Date.now() + 60_000);
  });

  it('follows a web page to the one feed it announces and stores that URL', async () => {
    server.set('page.html', `<!doctype html><html><head><title>Desk</title>
      <link rel="alternate" type="application/rss+xml" title="Desk feed" href="/desk.rss"></head><body>news</body></html>`, 'text/html; charset=utf-8');
    server.set('desk.rss', rss([{ guid: 'd1', title: 'Desk story', hoursAgo: 1 }]));
    const result = await poll(server.url('page.html'));
    expect(await freshTitles(result)).toEqual(['Desk story']);
    expect((await store.listFeeds()).map((f) => f.url)).toEqual([server.url('desk.rss')]);
  });

  it('lists the feeds of a page that announces several instead of guessing', async () => {
    server.set('multi.html', `<html><head>
      <link rel="alternate" type="application/rss+xml" href="/one.rss"><link rel="alternate" type="application/atom+xml" href="/two.atom">
      </head></html>`, 'text/html');
    const result = await poll(server.url('multi.html'));
    expect(result.status).toBe('failed');
    expect(result.status === 'failed' && result.error).toContain(`${server.base}/one.rss, ${server.base}/two.atom`);
  });
});

describe('full text (full_text: true)', () => {
  const article = (n: number) => `<!doctype html><html><head><title>Page ${n}</title></head><body><nav>Home · World</nav><article><h1>Page ${n}</h1>
    ${[1, 2, 3, 4].map((p) => `<p>Paragraph ${p} of article ${n} describes the shipment of artillery shells through the port of Rason in detail that no teaser carries.</p>`).join('')}
    </article><footer>© Example</footer></body></html>`;
  const teaserFeed = () => `<?xml version="1.0"?><rss version="2.0"><channel><title>Teasers</title>
    ${[1, 2].map((n) => `<item><guid>t${n}</guid><title>Story ${n}</title><link>${server.url(`page-${n}.html`)}</link><pubDate>{{hoursAgo:1}}</pubDate><description>Teaser ${n}.</description></item>`).join('')}
    </channel></rss>`;

  it.each([['on this thread', false], ['on the read pool', true]])('replaces a teaser with the page\'s main text, %s', async (_where, pooled) => {
    const pool = pooled ? new ReadPool({ threads: 1 }) : undefined;
    try {
      if (pool) deps = { ...deps, read: pool.read, readPage: pool.readPage };
      for (const n of [1, 2]) server.set(`page-${n}.html`, article(n), 'text/html; charset=utf-8');
      server.set('teasers.rss', teaserFeed());
      await store.addFeed({ url: server.url('teasers.rss'), intervalS: 900, fullText: true }, new Date());
      const [feed] = await store.claimDueFeeds(new Date(8.64e15), 'test', new Date(Date.now() + 60_000), 10, new Date());
      const result = await pollFeed(feed!, deps);
      expect(result).toMatchObject({ status: 'ok', stored: 2 });
      const bodies = await Promise.all((result.status === 'ok' ? result.fresh : []).map(async (f) => (await store.getArticle(f.id))!.body));
      expect(bodies).toHaveLength(2);
      for (const [i, body] of bodies.entries()) {
        expect(body).toContain(`Paragraph 4 of article ${i + 1}`);
        expect(body).not.toContain('© Example');
      }
    } finally {
      await pool?.close();
    }
  });
});

describe('pollFeeds', () => {
  it('polls through a pool of parser threads and returns results in the order of the feeds', async () => {
    server.set('one.rss', rss([{ guid: 'n1', title: 'Shells shipped from Rajin', hoursAgo: 1 }]));
    server.set('two.rss', rss([{ guid: 'n2', title: 'Missile debris in Kharkiv', hoursAgo: 2 }, { guid: 'n3', title: 'Oil tanker tracked', hoursAgo: 3 }]));
    server.set('page.html', '<html><head><link rel="alternate" type="application/rss+xml" href="/one.rss"></head><body>news</body></html>', 'text/html');
    for (const name of ['one.rss', 'plain.txt', 'two.rss', 'page.html']) await store.addFeed({ url: server.url(name), intervalS: 900 }, new Date());
    server.set('plain.txt', 'Just text, no feed here.', 'text/plain');
    const feeds = await store.claimDueFeeds(new Date(8.64e15), 'test', new Date(Date.now() + 60_000), 10, new Date());
    const pool = new ReadPool({ threads: 2 });
    try {
      const results = await pollFeeds(feeds, { ...deps, read: pool.read }, 2);
      expect(results.map((r) => (r.status === 'ok' ? r.stored : r.error))).toEqual([1, 'not a feed: no XML element found', 2, 1]);
      expect(await freshTitles(results[2]!)).toEqual(['Missile debris in Kharkiv', 'Oil tanker tracked']);
    } finally {
      await pool.close();
    }
  });

  it('keeps at most the given number of feeds in flight', async () => {
    for (let n = 0; n < 9; n++) {
      server.set(`w${n}.rss`, rss([{ guid: `w${n}`, title: `Item ${n}`, hoursAgo: 1 }]));
      await store.addFeed({ url: server.url(`w${n}.rss`), intervalS: 900 }, new Date());
    }
    const feeds = await store.claimDueFeeds(new Date(8.64e15), 'test', new Date(Date.now() + 60_000), 20, new Date());
    // Reads wait until three are waiting, then a little longer: a wider window would let a fourth in meanwhile.
    let reading = 0;
    let most = 0;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const fallback = setTimeout(open, 2000);
    const gatedRead: PollDeps['read'] = async (...args) => {
      most = Math.max(most, ++reading);
      if (reading === 3) setTimeout(open, 50);
      await gate;
      reading--;
      return readFeedBytes(...args);
    };
    const results = await pollFeeds(feeds, { ...deps, read: gatedRead }, 3);
    clearTimeout(fallback);
    expect(results.every((r) => r.status === 'ok' && r.stored === 1)).toBe(true);
    expect(most).toBe(3);
  });
});

describe('pollClaimed', () => {
  it('claims the next turn while a turn\'s slowest feed is still being read, and stops after a short claim', async () => {
    for (let n = 0; n < 5; n++) {
      server.set(`t${n}.rss`, rss([{ guid: `t${n}`, title: `Item ${n}`, hoursAgo: 1 }]));
      await store.addFeed({ url: server.url(`t${n}.rss`), intervalS: 900 }, new Date());
    }
    const events: string[] = [];
    const claim = async (limit: number) => {
      const claimed = await store.claimDueFeeds(new Date(), 'test', new Date(Date.now() + 60_000), limit, new Date());
      events.push(`claimed ${claimed.length}`);
      if (events.filter((e) => e.startsWith('claimed')).length === 2) open();
      return claimed;
    };
    // The first feed's read waits for the second claim (or, should the pool wait for it instead, 2 s).
    let open!: () => void;
    const secondClaim = new Promise<void>((resolve) => (open = resolve));
    const fallback = setTimeout(open, 2000);
    const slowRead: PollDeps['read'] = async (...args) => {
      if (Buffer.from(args[0]).toString('utf8').includes('>Item 0<')) {
        await secondClaim;
        events.push('t0 read');
      }
      return readFeedBytes(...args);
    };
    const { feeds, results } = await pollClaimed(claim, 2, { ...deps, read: slowRead }, 2);
    clearTimeout(fallback);
    expect(events).toEqual(['claimed 2', 'claimed 2', 't0 read', 'claimed 1']);
    expect(feeds.map((f) => f.url.split('/').pop())).toEqual(['t0.rss', 't1.rss', 't2.rss', 't3.rss', 't4.rss']);
    expect(results.every((r) => r.status === 'ok' && r.stored === 1)).toBe(true);
  });

  it('finishes the feeds in hand when a claim fails, then fails the same way', async () => {
    for (let n = 0; n < 2; n++) {
      server.set(`c${n}.rss`, rss([{ guid: `c${n}`, title: `Item ${n}`, hoursAgo: 1 }]));
      await store.addFeed({ url: server.url(`c${n}.rss`), intervalS: 900 }, new Date());
    }
    let claims = 0;
    const claim = async (limit: number) => {
      if (claims++ > 0) throw new Error('the database went away');
      return store.claimDueFeeds(new Date(), 'test', new Date(Date.now() + 60_000), limit, new Date());
    };
    await expect(pollClaimed(claim, 2, deps, 1)).rejects.toThrow('the database went away');
    expect((await store.listFeeds()).every((f) => f.lastSuccessAt !== null)).toBe(true);
  });
});

describe('pollFeeds with a body budget', () => {
  /**
   * The real client behind an injected fetch that counts what it has buffered: bytes count from their
   * arrival until their feed has been read (or the fetch failed), whatever the budget believes.
   */
  function countingDeps(budget: BodyBudget, slowRead: (reading: number) => Promise<void>) {
    let inFlight = 0;
    let most = 0;
    let reading = 0;
    const arrived = new Map<string, number>();
    const counted: PollDeps['http'] = Object.assign(Object.create(http), {
      get: async (url: string, opts: Parameters<HttpClient['get']>[1] = {}) => {
        let mine = 0;
        const count = async (n: number) => {
          await opts.count?.(n);
          mine += n;
          inFlight += n;
          most = Math.max(most, inFlight);
        };
        try {
          const outcome = await http.get(url, { ...opts, count });
          arrived.set(url, mine);
          return outcome;
        } catch (err) {
          inFlight -= mine;
          throw err;
        }
      },
    });
    const read: PollDeps['read'] = async (bytes, contentType, url) => {
      reading++;
      try {
        await slowRead(reading);
        return await readFeedBytes(bytes, contentType, url);
      } finally {
        reading--;
        inFlight -= arrived.get(url) ?? 0;
      }
    };
    return { deps: { ...deps, http: counted, read, bodyBudget: budget }, most: () => most };
  }

  const bigFeed = (n: number, kib: number) => rss([{ guid: `big${n}`, title: `Big item ${n}`, hoursAgo: 1, lead: 'x'.repeat(kib * 1024) }]);

  async function addBigFeeds(count: number, kib: number) {
    for (let n = 0; n < count; n++) {
      server.set(`big${kib}-${n}.rss`, bigFeed(n, kib));
      await store.addFeed({ url: server.url(`big${kib}-${n}.rss`), intervalS: 900 }, new Date());
    }
    return store.claimDueFeeds(new Date(8.64e15), 'test', new Date(Date.now() + 60_000), 20, new Date());
  }

  it('never holds more fetched-but-unread bytes than the budget, with reads slower than fetches', async () => {
    const feeds = await addBigFeeds(6, 300);
    const budget = new BodyBudget(700 * 1024);
    // Reads wait until two bodies are being read at once (or a fallback), so bodies pile up behind them.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const fallback = setTimeout(open, 2000);
    const { deps: counting, most } = countingDeps(budget, async (reading) => {
      if (reading >= 2) open();
      await gate;
    });
    const results = await pollFeeds(feeds, counting, 6);
    clearTimeout(fallback);
    expect(results.map((r) => r.status === 'ok' && r.stored)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(most()).toBeLessThanOrEqual(700 * 1024);
    // Two bodies were held at once: the budget bounded the pile, it did not serialize it.
    expect(most()).toBeGreaterThan(600 * 1024);
    expect(budget.inFlight).toBe(0);
  });

  it('lets a feed larger than the whole budget through, alone', async () => {
    const feeds = await addBigFeeds(3, 300);
    const budget = new BodyBudget(200 * 1024);
    const { deps: counting, most } = countingDeps(budget, async () => {});
    const results = await pollFeeds(feeds, counting, 3);
    expect(results.map((r) => r.status === 'ok' && r.stored)).toEqual([1, 1, 1]);
    // One body at a time: the most held is one body (~300 KiB of lead and its markup), never two.
    expect(most()).toBeGreaterThan(300 * 1024);
    expect(most()).toBeLessThan(600 * 1024);
    expect(budget.inFlight).toBe(0);
  });
});

describe('interleaveByHost', () => {
  it('takes one feed of each host in turn, keeping each host\'s own order', () => {
    const feeds = ['https://a.example/1', 'https://a.example/2', 'https://a.example/3', 'https://b.example/1', 'https://c.example/1', 'https://b.example/2', 'not a url']
      .map((url) => ({ url }) as Parameters<typeof interleaveByHost>[0][number]);
    expect(interleaveByHost(feeds).map((i) => feeds[i]!.url)).toEqual([
      'https://a.example/1', 'https://b.example/1', 'https://c.example/1', 'not a url', 'https://a.example/2', 'https://b.example/2', 'https://a.example/3',
    ]);
  });
});
