import { mkdtempSync, rmSync } from 'node:fs';
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
  dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-preview-'));
  config = writeTestConfig(dir, 'p', { feeds: [server.url('defense-wire.rss')] });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('watchfloor preview --all', () => {
  it('also lists what mentions a topic without matching it, with why not', async () => {
    const plain = captureIO();
    expect(await main(['preview', '--config', config], plain)).toBe(0);
    expect(plain.out()).toContain('artillery shells to Russia through Rajin');
    // Each matched report is placed in a story as a run would place it: a number, or why it joined one.
    expect(plain.out().split('\n')[0]).toMatch(/^score\s+topic\s+published\s+story\s+title$/);
    expect(plain.out()).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d\s+1\s/);
    // North Korea and Russia, but a tourism story: excluded by the topic, so not listed without --all.
    expect(plain.out()).not.toContain('ski resort');

    const all = captureIO();
    expect(await main(['preview', '--all', '--config', config], all)).toBe(0);
    const lines = all.out().trim().split('\n');
    expect(lines[0]).toMatch(/^score\s+topic\s+published\s+story\s+title\s+why not$/);
    const ski = lines.find((l) => l.includes('ski resort'));
    expect(ski).toMatch(/^0\.00\s+\(dprk-russia-arms\)/);
    expect(ski).toMatch(/touris/i);
    expect(all.out()).not.toContain('Tech stocks'); // mentions none of the topic's concepts
  });
});
