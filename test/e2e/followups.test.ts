import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { captureIO, jsonLines } from '../fakes/cli-io.ts';
import { type FeedServer, startFeedServer } from '../fakes/feed-server.ts';
import { FEED_FIXTURES, writeTestConfig } from '../fakes/test-config.ts';

let server: FeedServer;
let dir: string;

beforeAll(async () => {
  server = await startFeedServer(FEED_FIXTURES);
  dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-followups-'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('follow-ups in a console stream', () => {
  it('never makes a report carried by a second feed under the same URL an "also reported by" of itself', async () => {
    // An aggregator republishing Defense Wire's items: same links, its own guids and channel title.
    const original = readFileSync(path.join(FEED_FIXTURES, 'defense-wire.rss'), 'utf8');
    server.set('aggregator.rss', original.replace('<title>Defense Wire</title>', '<title>Aggregator</title>').replaceAll('dw-', 'agg-'));
    const config = writeTestConfig(dir, 'mirror', { feeds: [server.url('defense-wire.rss'), server.url('aggregator.rss'), server.url('korea-desk.atom')] });
    const io = captureIO();
    expect(await main(['once', '--config', config], io)).toBe(0);
    const lines = jsonLines(io.out());
    const alert = lines.find((l) => l.kind === 'alert')!;
    expect(lines.map((l) => [l.kind, l.source])).toEqual([['alert', alert.source], ['followup', 'Korea Desk']]);
    // A follow-up names the alert it belongs to, so interleaved stories stay readable.
    expect(lines[1]).toMatchObject({ story_id: alert.story_id, story_title: alert.title, topic: 'dprk-russia-arms', outlets: 2 });
  });
});
