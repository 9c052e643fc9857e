import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { captureIO } from '../fakes/cli-io.ts';
import { type FeedServer, startFeedServer } from '../fakes/feed-server.ts';
import { FEED_FIXTURES, writeTestConfig } from '../fakes/test-config.ts';

let server: FeedServer;
let dir: string;

beforeAll(async () => {
  server = await startFeedServer(FEED_FIXTURES);
  dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-cmd-'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The health column of `feeds list`. */
const health = (table: string) => table.trim().split('\n').slice(1).map((line) => line.split(/\s{2,}/)[1]);

/**
 * Each test has a config and a database of its own, and sets up what it reads (a cycle, or none): no test depends
 * on what another stored, or on the order they run in.
 */
function setUp(name: string) {
  const config = writeTestConfig(dir, name, { feeds: [server.url('defense-wire.rss'), server.url('ru-wire.rss')] });
  const run = async (...argv: string[]) => {
    const io = captureIO();
    const code = await main([...argv, '--config', config], io);
    return { code, out: io.out(), err: io.err() };
  };
  return { config, run };
}

describe('commands against a local feed server', () => {
  it('preview scores without storing or posting', async () => {
    const { run } = setUp('preview');
    const { code, out } = await run('preview', '--since', '7d');
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^score\s+topic\s+published\s+story\s+title/);
    expect(lines.slice(1).join('\n')).toContain('artillery shells to Russia through Rajin');
    expect(out).not.toContain('Tech stocks');
    // Nothing was stored: the feeds have never been polled.
    expect(health((await run('feeds', 'list')).out)).toEqual(['new', 'new']);
    expect((await run('topics', 'test', 'dprk-russia-arms')).out).toMatch(/^0 of 0 stored articles of the last 7d/);
  });

  it('feeds list shows state after a cycle; export and import round-trip through OPML', async () => {
    const { config, run } = setUp('feeds');
    expect((await run('once')).code).toBe(0);
    const list = await run('feeds', 'list');
    expect(list.out.split('\n')[0]).toMatch(/^id\s+health\s+feed\s+last success\s+next poll\s+last error\s+moved from$/);
    expect(health(list.out)).toEqual(['ok', 'ok']);

    const exported = await run('feeds', 'export');
    expect(exported.out).toContain('<opml');
    expect(exported.out).toContain(server.url('ru-wire.rss'));
    const opml = path.join(dir, 'feeds.opml');
    writeFileSync(opml, exported.out.replace(server.url('ru-wire.rss'), 'https://extra.example/rss.xml'));
    const imported = await run('feeds', 'import', opml);
    expect(imported.out).toContain('imported 2 feeds');
    expect(imported.out).toContain('1 new');
    const removed = await run('feeds', 'remove', 'https://extra.example/rss.xml');
    expect(removed.code).toBe(0);
    expect(removed.out).toMatch(/^Removed feed \d+ \(https:\/\/extra\.example\/rss\.xml\) and its stored articles\.$/m);
    const again = await run('feeds', 'remove', 'https://extra.example/rss.xml');
    expect(again.code).toBe(1);
    expect(again.err).toBe('watchfloor: no feed https://extra.example/rss.xml; `feed list` shows the feeds with their ids.\n');
    // By id, as the list shows it, like `/watch feed remove`.
    const id = list.out.split('\n').find((l) => l.includes(server.url('defense-wire.rss')))!.split(/\s+/)[0]!;
    expect((await run('feeds', 'remove', String(Number(id) + 100))).code).toBe(1);
    // A feed of the config file would come back on the next start: refused, nothing removed.
    const listed = await run('feeds', 'remove', server.url('ru-wire.rss'));
    expect(listed.code).toBe(1);
    expect(listed.err).toContain(`${server.url('ru-wire.rss')} is feeds[1] in ${config}; remove it there first`);
    expect((await run('feeds', 'list')).out).toContain(server.url('ru-wire.rss'));
  });

  it('topics list and topics test read the stored articles', async () => {
    const { run } = setUp('topics');
    expect((await run('once')).code).toBe(0);
    const list = await run('topics', 'list');
    expect(list.out).toMatch(/dprk-russia-arms\s+0\.\d\d\s+1\s/);
    const test = await run('topics', 'test', 'dprk-russia-arms', '--since', '7d');
    expect(test.code).toBe(0);
    expect(test.out).toMatch(/^2 of 6 stored articles of the last 7d would have matched dprk-russia-arms\.\n\nscore\s+match\s+title\s+why\n/);
    // The same count and the same sentence as `/watch test`, from the same code.
    const chat = await run('watch', 'test', 'dprk-russia-arms', '7d');
    expect(chat.out.split('\n')[0]).toBe(test.out.split('\n')[0]);
    const missing = await run('topics', 'test');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('topics test needs a topic; `watchfloor topics list` lists them.');
    const typo = await run('topics', 'test', 'dprk-rusia-arms');
    expect(typo.code).toBe(2);
    expect(typo.err).toBe('watchfloor: unknown topic "dprk-rusia-arms" — did you mean dprk-russia-arms?\n');
    const tooLong = await run('topics', 'test', 'dprk-russia-arms', '--since', '90d');
    expect(tooLong.code).toBe(2);
    expect(tooLong.err).toContain('--since is a duration from 1h to 30d, such as 24h or 7d; got "90d".');
  });
});
