import { writeFileSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const FEED_FIXTURES = path.join(ROOT, 'test/fixtures/feeds');
export const FLAGSHIP_TOPIC = path.join(ROOT, 'config/topics/dprk-russia-arms.yaml');

/**
 * Writes `<dir>/<name>.yaml`: the feeds given, the flagship topic routed to the console as JSON lines (or to `to`,
 * one target or several), loopback feeds allowed (the test's own server; `fetch` adds settings), and a SQLite
 * file beside it unless `storage` says otherwise.
 */
export function writeTestConfig(dir: string, name: string, options: { feeds: string[]; storage?: string; to?: string | string[]; fetch?: string; extra?: string[] }): string {
  const targets = options.to === undefined ? ['console'] : [options.to].flat();
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(file, [
    `storage: ${options.storage ?? `{ path: ${JSON.stringify(path.join(dir, `${name}.db`))} }`}`,
    `fetch: { allow_private_networks: true, timeout: 5s${options.fetch ? `, ${options.fetch}` : ''} }`,
    'feeds:',
    ...options.feeds.map((url) => `  - url: ${url}`),
    `topics: [${JSON.stringify(FLAGSHIP_TOPIC)}]`,
    `routes: [${targets.map((to) => `{ topic: dprk-russia-arms, to: ${to === 'console' ? to : JSON.stringify(to)} }`).join(', ')}]`,
    'console: { format: json }',
    // `run` serves /healthz: a free port, so tests never collide with each other or a running bot.
    'http: { port: 0 }',
    ...(options.extra ?? []),
  ].join('\n'));
  return file;
}
