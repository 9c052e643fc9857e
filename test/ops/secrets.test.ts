/**
 * A whole `watchfloor once` (and `check-config`) through bin/watchfloor.js with every kind of secret set — a Slack
 * bot token and signing secret, an incoming webhook URL in the variable a `slack-webhook:` route names, and a
 * PostgreSQL URL with a password — against servers that echo them back in errors and warnings, at LOG_LEVEL=trace.
 * Not one of the values may appear anywhere in stdout or stderr.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretValues } from '../../src/log.ts';
import { type FeedServer, startFeedServer } from '../fakes/feed-server.ts';
import { FEED_FIXTURES, FLAGSHIP_TOPIC, ROOT } from '../fakes/test-config.ts';

const PG_URL = process.env.WATCHFLOOR_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `wf_test_secrets_${randomBytes(4).toString('hex')}`;

const BOT_TOKEN = `xoxb-1111-2222-${randomBytes(8).toString('hex')}`;
const SIGNING_SECRET = `sign-${randomBytes(12).toString('hex')}`;
const WEBHOOK_TOKEN = randomBytes(12).toString('hex');
const DB_PASSWORD = `pw-${randomBytes(6).toString('hex')}`;

let feeds: FeedServer;
let slack: Server;
let dir: string;
let webhookUrl: string;
let databaseUrl: string;
let apiUrl: string;

/** Answers like a server that is careless with what it was sent: the token and the path come back in warnings and errors. */
function startCarelessSlack(): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url?.startsWith('/services/')) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`no hook at ${req.url} right now`);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        ok: false,
        error: 'channel_not_found',
        response_metadata: { warnings: [`token_echo ${req.headers.authorization ?? ''}`] },
      }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  feeds = await startFeedServer(FEED_FIXTURES);
  slack = await startCarelessSlack();
  const base = `http://127.0.0.1:${(slack.address() as AddressInfo).port}`;
  apiUrl = `${base}/api/`;
  webhookUrl = `${base}/services/T0SECRET/B0SECRET/${WEBHOOK_TOKEN}`;
  const db = new URL(PG_URL);
  db.password = DB_PASSWORD;
  databaseUrl = db.href;
  dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-secrets-'));
});

afterAll(async () => {
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
  await feeds.close();
  slack.closeAllConnections();
  await new Promise((resolve) => slack.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/watchfloor.js'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, output })));
}

describe('secrets never reach the output', () => {
  it('a whole once and check-config at trace level print none of the token, signing secret, webhook URL and database password', async () => {
    const config = path.join(dir, 'secrets.yaml');
    writeFileSync(config, [
      `storage: { driver: postgres, schema: ${schema} }`,
      'fetch: { allow_private_networks: true, timeout: 5s }',
      `feeds: [{ url: ${feeds.url('defense-wire.rss')} }, { url: ${feeds.url('korea-desk.atom')} }]`,
      `topics: [${JSON.stringify(FLAGSHIP_TOPIC)}]`,
      'routes:',
      '  - { topic: dprk-russia-arms, to: slack:C0SECRETS }',
      '  - { topic: dprk-russia-arms, to: slack-webhook:OPS_ALERTS_WEBHOOK }',
      '  - { topic: dprk-russia-arms, to: console }',
      'console: { format: json }',
      'http: { port: 0 }',
    ].join('\n'));
    const env = {
      PATH: process.env.PATH,
      LOG_LEVEL: 'trace',
      LOG_FORMAT: 'json',
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: apiUrl,
      OPS_ALERTS_WEBHOOK: webhookUrl,
      WATCHFLOOR_DATABASE_URL: databaseUrl,
    };
    const once = await run(['once', '--config', config], env);
    const check = await run(['check-config', '--config', config], env);
    // The run did its work: alerts went out to the console and both Slack routes were tried and refused.
    expect(once.code).toBe(0);
    expect(once.output).toContain('"kind":"alert"');
    expect(once.output).toContain('channel_not_found');
    expect(once.output).toContain('HTTP 500');
    expect(once.output).toContain('[redacted]');
    const output = once.output + check.output;
    for (const secret of [BOT_TOKEN, SIGNING_SECRET, webhookUrl, WEBHOOK_TOKEN, databaseUrl, DB_PASSWORD]) {
      expect(output).not.toContain(secret);
    }
  });

  it('an unreachable database with a password in its URL: the error names neither', async () => {
    const config = path.join(dir, 'down.yaml');
    writeFileSync(config, `storage: { driver: postgres }\nfeeds: [{ url: ${feeds.url('defense-wire.rss')} }]\n`);
    const url = `postgres://watchfloor:${DB_PASSWORD}@127.0.0.1:9/watchfloor`;
    const result = await run(['once', '--config', config], { PATH: process.env.PATH, LOG_LEVEL: 'trace', WATCHFLOOR_DATABASE_URL: url });
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('cannot connect to PostgreSQL');
    expect(result.output).not.toContain(DB_PASSWORD);
    expect(result.output).not.toContain(url);
  });
});

describe('secretValues', () => {
  it('takes the secret variables, webhook URLs and their paths, and passwords inside URLs; not public API bases or short values', () => {
    const values = secretValues({
      SLACK_BOT_TOKEN: 'xoxb-123-456-abcdef',
      ANY_NAME_WEBHOOK: 'https://hooks.slack.com/services/T000/B000/XXXXXXXX',
      WATCHFLOOR_DATABASE_URL: 'postgres://wf:p%40ss-word@db:5432/wf',
      HTTPS_PROXY: 'http://me:proxy-secret@proxy:3128',
      SLACK_API_URL: 'https://slack.example/api/',
      LOG_LEVEL: 'debug',
      HOME: '/home/node',
      DISCORD_TOKEN: 'abc',
    });
    expect(values).toEqual(expect.arrayContaining([
      'xoxb-123-456-abcdef',
      'https://hooks.slack.com/services/T000/B000/XXXXXXXX',
      '/services/T000/B000/XXXXXXXX',
      'postgres://wf:p%40ss-word@db:5432/wf',
      'p%40ss-word',
      'p@ss-word',
      'proxy-secret',
    ]));
    expect(values).not.toContain('https://slack.example/api/');
    expect(values).not.toContain('debug');
    expect(values).not.toContain('/home/node');
    expect(values).not.toContain('abc');
  });
});
