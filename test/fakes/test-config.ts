import { writeFileSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const FEED_FIXTURES = path.join(ROOT, 'test/fixtures/feeds');
export const FLAGSHIP_TOPIC = path.join(ROOT, 'config/topics/dprk-russia-arms.yaml');

/**
 * Writes `<dir>/<name>.yaml`: the feeds given, the flagship topic routed to the console as JSON lines (or `to`),
 * loopback feeds allowed (the test's own server), and a SQLite file beside it unless `storage` says otherwise.
 */
export function writeTestConfig(dir: string, name: string, options: { feeds: string[]; storage?: string; to?: string; extra?: string[] }): string {
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(file, [
    `storage: ${options.storage ?? `{ path: ${JSON.stringify(path.join(dir, `${name}.db`))} }`}`,
    'fetch: { allow_private_networks: true, timeout: 5s }',
    'feeds:',
    ...options.feeds.map((url) => `  - url: ${url}`),
    `topics: [${JSON.stringify(FLAGSHIP_TOPIC)}]`,
    `routes: [{ topic: dprk-russia-arms, to: ${options.to ? JSON.stringify(options.to) : 'console'} }]`,
    'console: { format: json }',
    // `run` serves /healthz: a free port, so tests never collide with each other or a running bot.
    'http: { port: 0 }',
    ...(options.extra ?? []),
  ].join('\n'));
  return file;
}
