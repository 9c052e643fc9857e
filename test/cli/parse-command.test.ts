import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { captureIO, jsonLines } from '../fakes/cli-io.ts';
import { type FeedServer, startFeedServer } from '../fakes/feed-server.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/feeds');
let server: FeedServer;
beforeAll(async () => {
  server = await startFeedServer(FIXTURES);
});
afterAll(() => server.close());

describe('watchfloor parse', () => {
  it('prints one JSON line per input, files and URLs alike, and exits 1 when one failed', async () => {
    const io = captureIO();
    const inputs = [path.join(FIXTURES, 'korea-desk.atom'), path.join(FIXTURES, 'nope.xml'), server.url('ru-wire.rss')];
    const code = await main(['parse', '--allow-private-networks', ...inputs], io);
    expect(code).toBe(1);
    const [atom, missing, rss] = jsonLines(io.out());
    expect(atom).toMatchObject({ input: inputs[0], ok: true, feed: { title: 'Korea Desk' } });
    expect((atom!.items as unknown[]).length).toBe(2);
    expect((atom!.items as Array<Record<string, unknown>>)[0]).toMatchObject({
      id: 'tag:korea-desk.example,2026:rajin-munitions',
      url: 'https://korea-desk.example/news/rajin-munitions-freighters',
    });
    expect(missing).toMatchObject({ input: inputs[1], ok: false });
    expect(String(missing!.error)).toMatch(/nope\.xml/);
    expect(rss).toMatchObject({ ok: true, feed: { title: 'Русская служба новостей', language: 'ru' } });
  });

  it('refuses a loopback URL unless private networks are allowed', async () => {
    const io = captureIO();
    expect(await main(['parse', server.url('ru-wire.rss')], io)).toBe(1);
    expect(String(jsonLines(io.out())[0]!.error)).toMatch(/refused: .*127\.0\.0\.1/);
  });
});
