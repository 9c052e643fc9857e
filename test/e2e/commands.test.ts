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
let config: string;

beforeAll(async () => {
  server = await startFeedServer(FEED_FIXTURES);
  dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-cmd-'));
  config = writeTestConfig(dir, 'c', { feeds: [server.url('defense-wire.rss'), server.url('ru-wire.rss')] });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const run = async (...argv: string[]) => {
  const io = captureIO();
  const code = await main([...argv, '--config', config], io);
  return { code, out: io.out(), err: io.err() };
};

describe('commands against a local feed server', () => {
  it('preview scores without storing or posting', async () => {
    const { code, out } = await run('preview', '--since', '7d');
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^score\s+topic\s+published\s+title/);
    expect(lines.slice(1).join('\n')).toContain('artillery shells to Russia through Rajin');
    expect(out).not.toContain('Tech stocks');
    // Nothing was stored: the feeds have never been polled.
    expect((await run('feeds', 'list')).out.split('\n').filter((l) => l.startsWith('new '))).toHaveLength(2);
    expect((await run('topics', 'test', 'dprk-russia-arms')).out).toMatch(/^0 of 0 stored articles/);
  });

  it('feeds list shows state after a cycle; export and import round-trip through OPML', async () => {
    expect((await run('once')).code).toBe(0);
    const list = await run('feeds', 'list');
    expect(list.out.split('\n').filter((l) => l.startsWith('ok '))).toHaveLength(2);

    const exported = await run('feeds', 'export');
    expect(exported.out).toContain('<opml');
    expect(exported.out).toContain(server.url('ru-wire.rss'));
    const opml = path.join(dir, 'feeds.opml');
    writeFileSync(opml, exported.out.replace(server.url('ru-wire.rss'), 'https://extra.example/rss.xml'));
    const imported = await run('feeds', 'import', opml);
    expect(imported.out).toContain('imported 2 feeds');
    expect(imported.out).toContain('1 new');
    expect((await run('feeds', 'remove', 'https://extra.example/rss.xml')).code).toBe(0);
    expect((await run('feeds', 'remove', 'https://extra.example/rss.xml')).code).toBe(1);
    // A feed of the config file would come back on the next start: refused, nothing removed.
    const listed = await run('feeds', 'remove', server.url('ru-wire.rss'));
    expect(listed.code).toBe(1);
    expect(listed.err).toContain(`${server.url('ru-wire.rss')} is feeds[1] in ${config}; remove it there first`);
    expect((await run('feeds', 'list')).out).toContain(server.url('ru-wire.rss'));
  });

  it('topics list and topics test read the stored articles', async () => {
    const list = await run('topics', 'list');
    expect(list.out).toMatch(/dprk-russia-arms\s+0\.\d\d\s+1\s/);
    const test = await run('topics', 'test', 'dprk-russia-arms', '--since', '7d');
    expect(test.code).toBe(0);
    expect(test.out).toMatch(/^2 of 6 stored articles would have matched dprk-russia-arms/);
    expect((await run('topics', 'test')).code).toBe(2);
  });
});
