import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { parseOpml } from '../../src/feeds/opml.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { captureIO } from '../fakes/cli-io.ts';
import { type FeedServer, startFeedServer } from '../fakes/feed-server.ts';
import { FEED_FIXTURES, writeTestConfig } from '../fakes/test-config.ts';

let server: FeedServer;
let dir: string;
let config: string;
beforeAll(async () => {
  server = await startFeedServer(FEED_FIXTURES);
  dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-feeds-'));
  config = writeTestConfig(dir, 'f', { feeds: [] });
  writeFileSync(config, readFileSync(config, 'utf8').replace('feeds:\n', 'feeds: []\n'));
  server.set('page.html', '<!doctype html><html><head><title>News</title></head><body><p>No feed here.</p></body></html>', 'text/html');
  server.set('home.html', `<!doctype html><html><head><link rel="alternate" type="application/rss+xml" href="${server.url('ru-wire.rss')}"></head><body></body></html>`, 'text/html');
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const run = async (...argv: string[]) => {
  const io = captureIO();
  const code = await main([...argv, '--config', config], io);
  return { code, out: io.out(), err: io.err() };
};

async function storedFeeds() {
  const store = new SqliteStore(path.join(dir, 'f.db'));
  try {
    return await store.listFeeds();
  } finally {
    await store.close();
  }
}

describe('watchfloor feeds add', () => {
  it('stores the --interval it is given, and refuses one it cannot read', async () => {
    const added = await run('feeds', 'add', server.url('defense-wire.rss'), '--interval', '30m');
    expect(added.code).toBe(0);
    expect(added.out).toMatch(new RegExp(`^Added feed \\d+: Defense Wire \\(${escapeRegExp(server.url('defense-wire.rss'))}\\), \\d+ items now, polled every 30m from the next cycle`));
    expect((await storedFeeds()).find((f) => f.url === server.url('defense-wire.rss'))?.intervalS).toBe(1800);

    const soon = await run('feeds', 'add', server.url('korea-desk.atom'), '--interval', 'soon');
    expect(soon.code).toBe(2);
    expect(soon.err).toContain('--interval expects a duration such as 30m, 2h or 1d, got "soon"');
    const tooOften = await run('feeds', 'add', server.url('korea-desk.atom'), '--interval', '10s');
    expect(tooOften.code).toBe(2);
    expect(tooOften.err).toContain('--interval 10s is outside poll.min_interval–poll.max_interval (2m–1d)');
    expect((await storedFeeds()).map((f) => f.url)).not.toContain(server.url('korea-desk.atom'));

    // Adding it again changes nothing, and says so.
    const again = await run('feeds', 'add', server.url('defense-wire.rss'));
    expect(again.out).toMatch(/is already a feed \(id \d+, polled every 30m\); nothing changed\.$/m);
    expect((await storedFeeds()).find((f) => f.url === server.url('defense-wire.rss'))?.intervalS).toBe(1800);
  });

  it('refuses a page with no feed with a sentence, and adds the one feed a page announces', async () => {
    const page = await run('feeds', 'add', server.url('page.html'));
    expect(page.code).toBe(1);
    expect(page.out).not.toContain('added');
    expect(page.err).toContain(`cannot add ${server.url('page.html')}: not a feed: ${server.url('page.html')} is a web page and announces no feed. Nothing was added.`);
    expect((await storedFeeds()).map((f) => f.url)).not.toContain(server.url('page.html'));

    const home = await run('feeds', 'add', server.url('home.html'));
    expect(home.code).toBe(0);
    expect(home.out).toContain(`(${server.url('ru-wire.rss')}) — the feed ${server.url('home.html')} announces, `);
    expect((await storedFeeds()).map((f) => f.url)).toContain(server.url('ru-wire.rss'));
  });
});

describe('watchfloor feeds import and export', () => {
  it.each([
    ['cut.opml', '<?xml version="1.0"?><opml version="2.0"><body><outline text="A" xmlUrl="https://a.example/rss"/>', 'the file ends before </opml>: it looks cut off'],
    ['feed.opml', readFileSync(path.join(FEED_FIXTURES, 'defense-wire.rss'), 'utf8'), 'this is a feed (<rss>), not an OPML subscription list'],
    ['notes.opml', 'just some notes, not XML at all', 'not an OPML file: it holds no XML element'],
    ['empty.opml', '<opml version="2.0"><body><outline text="Folder"/></body></opml>', 'it lists no feed'],
  ])('refuses %s with a sentence and imports nothing', async (name, text, sentence) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    const before = (await storedFeeds()).length;
    const { code, out, err } = await run('feeds', 'import', file);
    expect(code).not.toBe(0);
    expect(out).toBe('');
    expect(err).toContain(`cannot import ${file}: ${sentence}`);
    expect((await storedFeeds()).length).toBe(before);
  });

  it('keeps OPML folders: an imported folder comes back nested on export', async () => {
    const file = path.join(dir, 'folders.opml');
    writeFileSync(file, `<?xml version="1.0"?><opml version="2.0"><head><title>mine</title></head><body>
      <outline text="Korea"><outline type="rss" text="Yonhap" xmlUrl="https://yna.example/rss"/><outline type="rss" text="NK News" xmlUrl="https://nk.example/rss"/></outline>
      <outline text="Russia &amp; Ukraine"><outline type="rss" text="TASS" xmlUrl="https://tass.example/rss"/></outline>
    </body></opml>`);
    const imported = await run('feeds', 'import', file);
    expect(imported.code).toBe(0);
    expect(imported.out).toContain('imported 3 feeds');

    const exported = await run('feeds', 'export');
    const back = parseOpml(exported.out);
    expect(back.filter((f) => f.url.endsWith('.example/rss')).map((f) => [f.url, f.category])).toEqual([
      ['https://yna.example/rss', 'Korea'],
      ['https://nk.example/rss', 'Korea'],
      ['https://tass.example/rss', 'Russia & Ukraine'],
    ]);
    expect(exported.out).toMatch(/<outline text="Korea" title="Korea">\n\s+<outline type="rss" text="Yonhap"[^\n]*\n\s+<outline type="rss" text="NK News"[^\n]*\n\s+<\/outline>/);
    // Feeds that came from no folder stay at the top level.
    expect(back.find((f) => f.url === server.url('defense-wire.rss'))?.category).toBeUndefined();
  });
});
