import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { captureIO, jsonLines } from '../fakes/cli-io.ts';
import { type FeedServer, startFeedServer } from '../fakes/feed-server.ts';
import { FEED_FIXTURES, ROOT, writeTestConfig } from '../fakes/test-config.ts';

let server: FeedServer;
let dir: string;

beforeAll(async () => {
  server = await startFeedServer(FEED_FIXTURES);
  dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-epipe-'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a reader that goes away (`watchfloor once | head`)', () => {
  it('ends the run quietly and keeps every unprinted alert for the next run', async () => {
    const config = writeTestConfig(dir, 'epipe', { feeds: ['defense-wire.rss', 'korea-desk.atom', 'ru-wire.rss'].map((f) => server.url(f)) });
    const bin = path.join(ROOT, 'bin/watchfloor.js');
    // A real pipe into a reader that is gone before the cycle's first alert is written (bytes already in a
    // pipe's buffer when its reader exits are lost to any writer); PIPESTATUS gives watchfloor's own exit code.
    const script = `"${process.execPath}" "${bin}" once --config "${config}" | head -c 0; echo "exit:\${PIPESTATUS[0]}" >&2`;
    const { stdout, stderr } = await promisify(execFile)('bash', ['-c', script], { env: { ...process.env, LOG_LEVEL: 'warn' } });
    const printed = jsonLines(stdout);
    expect(printed).toHaveLength(0);
    expect(stderr).toContain('exit:0');
    expect(stderr).not.toMatch(/EPIPE|Unhandled|at .*\.js:\d+/);

    // The next run posts exactly what the first could not print: nothing lost, nothing twice.
    const io = captureIO();
    expect(await main(['once', '--config', config], io)).toBe(0);
    const rest = jsonLines(io.out());
    const all = [...printed, ...rest].map((a) => `${a.kind}:${a.source}`).sort();
    expect(all).toEqual(['alert:Defense Wire', 'followup:Korea Desk', 'followup:Русская служба новостей'].sort());
  });
});
