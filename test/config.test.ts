import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli.ts';
import { loadConfig, parseConfig } from '../src/config.ts';
import { captureIO } from './fakes/cli-io.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('config', () => {
  it('fills defaults and resolves paths against the config file', () => {
    const config = parseConfig({ feeds: [{ url: 'https://a.example/rss' }], topics: ['topics/x.yaml'] }, '/etc/wf/watchfloor.yaml', {});
    expect(config.storage.path).toBe('/etc/wf/data/watchfloor.db');
    expect(config.topicFiles).toEqual(['/etc/wf/topics/x.yaml']);
    expect(config.fetch.allow_private_networks).toBe(false);
    expect(config.poll.interval).toBe(900);
    expect(config.console.format).toBe('pretty');
    expect(config.feeds[0]!.full_text).toBe(false);
    expect(config.poll.parse_threads).toBe(Math.max(1, Math.min(4, availableParallelism() - 1)));
    expect(parseConfig({ poll: { parse_threads: 0 } }, 'w.yaml', {}).poll.parse_threads).toBe(0);
  });

  it('reads durations and lets WATCHFLOOR_DB override the storage path', () => {
    const config = parseConfig({ poll: { interval: '5m', first_poll_max_age: '2d' } }, '/x/w.yaml', { WATCHFLOOR_DB: '/data/w.db' });
    expect(config.poll.interval).toBe(300);
    expect(config.poll.first_poll_max_age).toBe(172_800);
    expect(config.storage.path).toBe('/data/w.db');
  });

  it.each([
    [{ feeds: [{ url: 'not a url' }] }, 'feeds[0].url'],
    [{ feeds: { url: 'https://a.example' } }, 'feeds: expected an array'],
    [{ fetch: { allow_private_network: true } }, 'fetch.allow_private_network: unknown key'],
    [{ routes: [{ topic: 'x', to: 'slack' }] }, 'routes[0].to'],
    [{ poll: { interval: 'soon' } }, 'poll.interval: expected a duration'],
    [{ poll: { parse_threads: -1 } }, 'poll.parse_threads'],
    [{ digests: [{ to: 'console', cron: '0 8 * * *', timezone: 'Mars/Olympus' }] }, 'digests[0].timezone: expected an IANA time zone'],
    [{ digests: [{ to: 'console', cron: 'every morning' }] }, 'digests[0].cron: expected a cron expression'],
    [{ digests: [{ name: 'brief', to: 'console', cron: '0 8 * * *' }, { name: 'brief', to: 'console', cron: '0 9 * * *' }] }, 'digests[1].name: another digest is named "brief"'],
    [{ digests: [{ name: 'Morning Brief', to: 'console', cron: '0 8 * * *' }] }, 'digests[0].name: expected a short name'],
    [{ console: { format: 'xml' } }, 'console.format'],
  ])('rejects %j naming %s', (raw, expected) => {
    expect(() => parseConfig(raw, 'w.yaml', {})).toThrow(expected);
  });

  it('names the file when it cannot be read or parsed', () => {
    expect(() => loadConfig(path.join(dir, 'missing.yaml'), {})).toThrow(/cannot read the config file .*missing\.yaml: ENOENT/);
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'feeds: [\n');
    expect(() => loadConfig(bad, {})).toThrow(/bad\.yaml is not valid YAML/);
  });

  it('check-config exits 2 naming the bad key, and 0 on the bundled config', async () => {
    const bad = path.join(dir, 'wrong.yaml');
    writeFileSync(bad, 'feeds:\n  - url: https://a.example/rss\n    intervall: 5m\n');
    const io = captureIO();
    expect(await main(['check-config', '--config', bad], io)).toBe(2);
    expect(io.err()).toContain('feeds[0].intervall: unknown key');

    const ok = captureIO();
    expect(await main(['check-config'], ok)).toBe(0);
    expect(ok.out()).toContain('dprk-russia-arms');
    expect(ok.out()).toContain('config OK');
  });

  it.each([['once'], ['check-config']])('%s: a route to an unknown topic is a config error naming the route', async (command) => {
    const file = path.join(dir, 'route.yaml');
    writeFileSync(file, `storage: { path: ":memory:" }\ntopics: []\nroutes:\n  - { topic: nope, to: console }\n`);
    const io = captureIO();
    expect(await main([command, '--config', file], io)).toBe(2);
    expect(io.err()).toContain('routes[0].topic: no topic "nope"');
  });
});
