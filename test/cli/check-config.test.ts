import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { captureIO } from '../fakes/cli-io.ts';
import { FLAGSHIP_TOPIC } from '../fakes/test-config.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
};

async function run(...argv: string[]) {
  const io = captureIO();
  const code = await main(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe('watchfloor check-config', () => {
  it('reports every problem at once: schema, each topic file by its topics[i] key, and routes', async () => {
    write('t/broken.yaml', 'title: Broken\nconcepts:\n  x:\n    aliases:\n      en: [""]\nmust: [x]\n');
    const config = write('all.yaml', [
      `storage: { path: ${JSON.stringify(path.join(dir, 'all.db'))} }`,
      'feeds: [{ url: "not a url" }]',
      `topics: [t/broken.yaml, t/missing.yaml, ${JSON.stringify(FLAGSHIP_TOPIC)}]`,
      'routes: [{ topic: nope, to: console }]',
    ].join('\n'));
    const { code, err } = await run('check-config', '--config', config);
    expect(code).toBe(2);
    expect(err).toContain(`${config} is invalid:`);
    expect(err).toContain('feeds[0].url');
    // Topic-file keys are written like config keys: aliases.en[0], not aliases.en.0.
    expect(err).toContain(`topics[0] (${path.join(dir, 't/broken.yaml')}): concepts.x.aliases.en[0]: an alias cannot be empty`);
    expect(err).toContain(`topics[1]: no topic file at ${path.join(dir, 't/missing.yaml')}`);
    expect(err).toContain('routes[0].topic: no topic "nope" (topics loaded: dprk-russia-arms)');
  });

  it('once names a missing topic file by its topics[i] key too', async () => {
    const config = write('missing-topic.yaml', `storage: { path: ":memory:" }\ntopics: [${JSON.stringify(FLAGSHIP_TOPIC)}, nowhere.yaml]\n`);
    const { code, err } = await run('once', '--config', config);
    expect(code).toBe(2);
    expect(err).toContain(`topics[1]: no topic file at ${path.join(dir, 'nowhere.yaml')}`);
  });

  it('warns about a topic that nothing receives, unless a route, a digest or a stored subscription does', async () => {
    const db = path.join(dir, 'receivers.db');
    const base = [`storage: { path: ${JSON.stringify(db)} }`, `topics: [${JSON.stringify(FLAGSHIP_TOPIC)}]`];
    const unrouted = await run('check-config', '--config', write('unrouted.yaml', base.join('\n')));
    expect(unrouted.code).toBe(0);
    expect(unrouted.out).toContain('topic "dprk-russia-arms" has no receiver (no route, no digest, no subscription)');
    expect(unrouted.out).toMatch(/config OK \(1 warning\)\n$/);
    // The check does not create the database.
    expect(unrouted.out).toContain(`storage: ${db} (not created yet`);
    expect(existsSync(db)).toBe(false);

    const routed = await run('check-config', '--config', write('routed.yaml', [...base, 'routes: [{ topic: dprk-russia-arms, to: console }]'].join('\n')));
    expect(routed.out).not.toContain('no receiver');
    const digest = await run('check-config', '--config', write('digest.yaml', [...base, 'digests: [{ to: console, cron: "0 8 * * *" }]'].join('\n')));
    expect(digest.out).not.toContain('no receiver');

    // A subscription made in chat lives in the store: check-config opens it and counts it.
    const store = new SqliteStore(db);
    await store.subscribe(await store.ensureChannel({ platform: 'slack', workspace: 'T1', channel: 'C1' }), 'dprk-russia-arms', 0, 'U1');
    await store.close();
    const subscribed = await run('check-config', '--config', write('unrouted.yaml', base.join('\n')));
    expect(subscribed.code).toBe(0);
    expect(subscribed.out).toContain(`storage: ${db} (opened)`);
    expect(subscribed.out).not.toContain('no receiver');
  });

  it.each([['check-config'], ['once']])('%s: a corrupt database names its path and what to do', async (command) => {
    const db = write(`corrupt-${command}.db`, 'this is not a database, just text that is long enough to fill a header page. '.repeat(20));
    const config = write(`corrupt-${command}.yaml`, `storage: { path: ${JSON.stringify(db)} }\ntopics: [${JSON.stringify(FLAGSHIP_TOPIC)}]\n`);
    const { code, err } = await run(command, '--config', config);
    expect(code).not.toBe(0);
    expect(err).toContain(`cannot open the SQLite database ${db}`);
    expect(err).toContain('file is not a database');
    expect(err).toMatch(/Restore it from a backup, or move it aside/);
  });
});
