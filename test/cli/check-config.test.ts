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
  return runWith({}, ...argv);
}

async function runWith(env: NodeJS.ProcessEnv, ...argv: string[]) {
  const io = captureIO(env);
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

  describe('the environment a route or digest posts with', () => {
    const routed = (name: string, lines: string[]) => write(`${name}.yaml`, [
      `storage: { path: ${JSON.stringify(path.join(dir, `${name}.db`))} }`,
      `topics: [${JSON.stringify(FLAGSHIP_TOPIC)}]`,
      ...lines,
    ].join('\n'));
    const everyKind = routed('env-all', [
      'routes:',
      '  - { topic: dprk-russia-arms, to: "slack:C0123ABC" }',
      '  - { topic: dprk-russia-arms, to: "slack-webhook:HOOK_ALERTS" }',
      '  - { topic: dprk-russia-arms, to: "discord:123456789012345678" }',
      'digests:',
      '  - { to: "slack:C0999DIG", cron: "0 8 * * *" }',
      '  - { to: "discord-webhook:HOOK_DIGEST", cron: "0 8 * * *" }',
    ]);
    const complete = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1', HOOK_ALERTS: 'https://hooks.slack.test/services/T/B/x', DISCORD_TOKEN: 'discord-secret', HOOK_DIGEST: 'https://discord.test/api/webhooks/1/x' };

    it('names each missing variable once, with every route and digest that needs it', async () => {
      const { code, err } = await runWith({}, 'check-config', '--config', everyKind);
      expect(code).toBe(2);
      expect(err).toContain(`${everyKind} is invalid:`);
      expect(err).toContain('SLACK_BOT_TOKEN: not set, but routes[0] (slack:C0123ABC) and digests[0] (slack:C0999DIG) post with it. Set it in the environment to the Slack app\'s Bot User OAuth Token (xoxb-…');
      expect(err).toContain('HOOK_ALERTS: not set, but routes[1] (slack-webhook:HOOK_ALERTS) posts with it. Set it in the environment to the incoming webhook\'s URL.');
      expect(err).toContain('DISCORD_TOKEN: not set, but routes[2] (discord:123456789012345678) posts with it.');
      expect(err).toContain('HOOK_DIGEST: not set, but digests[1] (discord-webhook:HOOK_DIGEST) posts with it.');
      expect(err.match(/SLACK_BOT_TOKEN: not set/g)).toHaveLength(1);

      const ok = await runWith(complete, 'check-config', '--config', everyKind);
      expect(ok.err).toBe('');
      expect(ok.code).toBe(0);
      expect(ok.out).toMatch(/config OK\n$/);
    });

    it('counts a blank variable as unset, and only asks for what the config uses', async () => {
      const { code, err } = await runWith({ ...complete, HOOK_ALERTS: '   ' }, 'check-config', '--config', everyKind);
      expect(code).toBe(2);
      expect(err).toContain('HOOK_ALERTS: not set, but routes[1]');
      expect(err).not.toContain('SLACK_BOT_TOKEN');
      const consoleOnly = await runWith({}, 'check-config', '--config', routed('env-console', ['routes: [{ topic: dprk-russia-arms, to: console }]']));
      expect(consoleOnly.code).toBe(0);
    });

    it('reports a malformed variable without printing its value, in the same report as the file\'s problems', async () => {
      const config = routed('env-bad', ['feeds: [{ url: "not a url" }]', 'routes: [{ topic: dprk-russia-arms, to: "slack-webhook:HOOK_ALERTS" }]']);
      const { code, err } = await runWith({ SLACK_BOT_TOKEN: 'xoxp-user-secret', HOOK_ALERTS: 'hooks.slack.test/secret-path' }, 'check-config', '--config', config);
      expect(code).toBe(2);
      expect(err).toContain('feeds[0].url');
      expect(err).toContain('SLACK_BOT_TOKEN: a Slack bot token starts with xoxb-');
      expect(err).toContain('HOOK_ALERTS: not an http(s) URL, but routes[0] (slack-webhook:HOOK_ALERTS) posts with it.');
      expect(err).not.toContain('xoxp-user-secret');
      expect(err).not.toContain('secret-path');
    });

    it('warns when the Slack bot can post but no /watch command can arrive', async () => {
      const config = routed('env-slack', ['routes: [{ topic: dprk-russia-arms, to: "slack:C0123ABC" }]']);
      const botOnly = await runWith({ SLACK_BOT_TOKEN: 'xoxb-1' }, 'check-config', '--config', config);
      expect(botOnly.code).toBe(0);
      expect(botOnly.out).toContain('SLACK_BOT_TOKEN is set without SLACK_APP_TOKEN or SLACK_SIGNING_SECRET: alerts post to Slack, but no /watch command can arrive.');
      expect(botOnly.out).toMatch(/config OK \(1 warning\)\n$/);
      for (const receiver of [{ SLACK_APP_TOKEN: 'xapp-1' }, { SLACK_SIGNING_SECRET: 'secret' }]) {
        const listening = await runWith({ SLACK_BOT_TOKEN: 'xoxb-1', ...receiver }, 'check-config', '--config', config);
        expect(listening.code).toBe(0);
        expect(listening.out).not.toContain('no /watch command can arrive');
      }
    });
  });
});
