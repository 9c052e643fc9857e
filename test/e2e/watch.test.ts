import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { captureIO, jsonLines } from '../fakes/cli-io.ts';
import { type FeedServer, startFeedServer } from '../fakes/feed-server.ts';
import { FEED_FIXTURES, ROOT, writeTestConfig } from '../fakes/test-config.ts';

let server: FeedServer;
let dir: string;
let config: string;

beforeAll(async () => {
  server = await startFeedServer(FEED_FIXTURES);
  dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-watch-'));
  config = writeTestConfig(dir, 'w', { feeds: ['defense-wire.rss', 'korea-desk.atom', 'ru-wire.rss'].map((f) => server.url(f)) });
  // No route: the topic's matches are stored, and nothing receives them until a subscription asks.
  writeFileSync(config, readFileSync(config, 'utf8').replace('routes: [{ topic: dprk-russia-arms, to: console }]', 'routes: []'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `watchfloor …` as a user runs it: the built executable, its exit code, stdout and stderr. */
async function watchfloor(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [path.join(ROOT, 'bin/watchfloor.js'), ...argv, '--config', config], {
      env: { ...process.env, LOG_LEVEL: 'warn', LOG_FORMAT: 'json' },
    });
    return { code: 0, out: stdout, err: stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, out: failed.stdout, err: failed.stderr };
  }
}

const run = async (...argv: string[]) => {
  const io = captureIO();
  const code = await main([...argv, '--config', config], io);
  return { code, out: io.out(), err: io.err() };
};

describe('watchfloor watch: /watch commands from the console channel', () => {
  it('subscribes the console with --since 24h, and the next once prints the backfilled alerts', async () => {
    const first = await watchfloor('once');
    expect(first.code).toBe(0);
    expect(jsonLines(first.out)).toEqual([]);

    const subscribed = await watchfloor('watch', 'subscribe', 'dprk-russia-arms', '--since', '24h');
    expect(subscribed).toMatchObject({ code: 0, err: '' });
    expect(subscribed.out).toBe('Subscribed: #console gets alerts for dprk-russia-arms — DPRK–Russia arms transfers.\n1 story of the last 24h is on the way.\n');

    const next = await watchfloor('once');
    expect(next.code).toBe(0);
    const alerts = jsonLines(next.out);
    expect(alerts.map((a) => [a.kind, a.topic])).toEqual([['alert', 'dprk-russia-arms']]);
    expect(alerts[0]!.title).toMatch(/artillery shells to Russia through Rajin/);
    // Sent once: the outbox row is done.
    expect(jsonLines((await run('once')).out)).toEqual([]);

    // The subscription is the console's, made by the OS user at the terminal.
    const list = await run('watch', 'list');
    expect(list.code, list.err).toBe(0);
    expect(list.out).toContain('#console follows 1 topic:');
    expect(list.out).toMatch(new RegExp(`dprk-russia-arms\\s+topic threshold\\s+active\\s+console:local:${userInfo().username}\\n`));

    // A refused command: stderr and exit 2, nothing changed.
    const typo = await run('watch', 'unsubscribe', 'dprk-rusia-arms');
    expect(typo).toMatchObject({ code: 2, out: '' });
    expect(typo.err).toBe('watchfloor watch: #console is not subscribed to "dprk-rusia-arms" — did you mean dprk-russia-arms?\n');
  });

  it('renders tables, links and digests as terminal text, and runs admin commands', async () => {
    const topics = await run('watch', 'topics');
    expect(topics.code).toBe(0);
    expect(topics.out.split('\n')[0]).toMatch(/^topic\s+title\s+threshold\s+source$/);
    expect(topics.out).toMatch(/^dprk-russia-arms\s+DPRK–Russia arms transfers\s+0\.\d\d\s+config$/m);

    const digest = await run('watch', 'digest', 'dprk-russia-arms', '24h');
    expect(digest.code).toBe(0);
    expect(digest.out).toMatch(/^Digest: .* · 1 story in 1 topic\n/);
    expect(digest.out).toMatch(/• .*artillery shells to Russia through Rajin.* \+2 outlets/);

    const test = await run('watch', 'test', 'dprk-russia-arms');
    expect(test.out).toMatch(/^\d+ of \d+ stored articles of the last 7d would have matched dprk-russia-arms\.\n\n• /);
    expect(test.out).toMatch(/\n {2}https?:\/\/\S+\n {2}0\.\d\d · /);

    // Admin: the operator at the terminal is one.
    const feeds = await run('watch', 'feed', 'list');
    expect(feeds.code).toBe(0);
    expect(feeds.out).toMatch(/^3 feeds, 0 failing\.\n\nid\s+health\s+feed/);

    // A quoted query is one argument, as in chat; the whole text as one argument works too.
    const added = await run('watch', 'topic', 'add', 'rajin-port', '"Rajin" AND (port OR shells)');
    expect(added).toMatchObject({ code: 0, err: '' });
    expect(added.out).toMatch(/^Added topic rajin-port/);
    expect((await run('watch', 'test rajin-port 7d')).out).toMatch(/^[1-9]\d* of \d+ stored articles of the last 7d would have matched rajin-port\./);
    expect((await run('watch', 'topic', 'remove', 'rajin-port')).code).toBe(0);
  });

  it('keeps --help: its own after watch, the command\'s after the command', async () => {
    const own = await run('watch', '--help');
    expect(own.code).toBe(0);
    expect(own.out).toMatch(/^Usage: watchfloor watch <command text…>/);
    const command = await run('watch', 'subscribe', '--help');
    expect(command.code).toBe(0);
    expect(command.out).toMatch(/^Usage: subscribe <topic> \[min:0\.7\] \[--since 24h\]\n/);
    const unknown = await run('watch', 'subscibe', 'dprk-russia-arms');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toBe('watchfloor watch: unknown command "subscibe" — did you mean subscribe?\n');
  });
});
