import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { captureIO, jsonLines } from '../fakes/cli-io.ts';
import { type FeedServer, startFeedServer } from '../fakes/feed-server.ts';
import { FEED_FIXTURES, FLAGSHIP_TOPIC, writeTestConfig } from '../fakes/test-config.ts';

let server: FeedServer;
let dir: string;
beforeAll(async () => {
  server = await startFeedServer(FEED_FIXTURES);
  dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-fail-'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const logMessages = (stderr: string) => jsonLines(stderr.split('\n').filter((l) => l.startsWith('{')).join('\n')).map((l) => String(l.msg));

describe('watchfloor once when feeds fail', () => {
  it('exits 1 when every feed failed, and says how many failed in the sentence', async () => {
    const config = writeTestConfig(dir, 'allfail', { feeds: [server.url('missing-1.rss'), server.url('missing-2.rss')] });
    const io = captureIO({ LOG_LEVEL: 'info' });
    expect(await main(['once', '--config', config], io)).toBe(1);
    expect(logMessages(io.err())).toContain('once: 2 feeds (2 failed, 0 unchanged), 0 new articles, 0 matches, 0 sent');
    expect(io.err()).toContain('watchfloor once: every feed failed (2 of 2)');
  });

  it('exits 0 when some feeds still worked, naming the failed count', async () => {
    const config = writeTestConfig(dir, 'somefail', { feeds: [server.url('missing-1.rss'), server.url('defense-wire.rss')] });
    const io = captureIO({ LOG_LEVEL: 'info' });
    expect(await main(['once', '--config', config], io)).toBe(0);
    expect(logMessages(io.err()).find((m) => m.startsWith('once:'))).toMatch(/^once: 2 feeds \(1 failed, 0 unchanged\), \d+ new articles/);
  });

  it('a refused loopback feed says which config key allows it', async () => {
    const config = path.join(dir, 'private.yaml');
    writeFileSync(config, [
      `storage: { path: ${JSON.stringify(path.join(dir, 'private.db'))} }`,
      `feeds: [{ url: ${server.url('defense-wire.rss')} }]`,
      `topics: [${JSON.stringify(FLAGSHIP_TOPIC)}]`,
    ].join('\n'));
    const io = captureIO();
    expect(await main(['once', '--config', config], io)).toBe(1);
    expect(io.err()).toContain('refused: 127.0.0.1 is a loopback address; feeds on your own network are fetched when the config sets fetch.allow_private_networks: true');
  });

  it('draws progress on a terminal and ends with a count line, logs never glued to the bar', async () => {
    const config = writeTestConfig(dir, 'progress', { feeds: [server.url('defense-wire.rss'), server.url('missing-3.rss'), server.url('unchanged.rss')] });
    const chunks: string[] = [];
    const stderr = Object.assign(new Writable({ write(c, _e, done) { chunks.push(String(c)); done(); } }), { isTTY: true });
    const io = { ...captureIO({ LOG_LEVEL: 'warn', LOG_FORMAT: 'json' }), stderr };
    expect(await main(['once', '--config', config], io)).toBe(0);
    const text = chunks.join('');
    expect(text).toMatch(/polling \[#*\.*\] 1\/3/);
    expect(text).toContain('polled 3 feeds: 2 ok (0 unchanged), 1 failed\n');
    // The failed feed's warning is written on a cleared line, and the bar is drawn again after it.
    const warning = text.indexOf('{"level":40');
    expect(warning).toBeGreaterThan(0);
    expect(text.slice(warning - 5, warning)).toBe('\r\x1b[2K');
    // Piped (not a terminal): no bar at all.
    const piped = captureIO({ LOG_LEVEL: 'warn' });
    await main(['once', '--config', config], piped);
    expect(piped.err()).not.toContain('polling [');
  });
});
