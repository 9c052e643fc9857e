import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface FeedServer {
  base: string;
  url(name: string): string;
  /** Every request received, for asserting conditional GETs; `at` is when it was answered (`Date.now()`). */
  requests: Array<{ path: string; headers: IncomingHttpHeaders; at: number }>;
  /** Serve `body` at `/name` instead of the fixture file (content changes between polls). */
  set(name: string, body: string, contentType?: string): void;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.rss': 'application/rss+xml; charset=utf-8', '.atom': 'application/atom+xml; charset=utf-8', '.json': 'application/feed+json', '.xml': 'application/xml' };

/**
 * A local feed host on 127.0.0.1 serving fixture files with ETag and Last-Modified, answering 304
 * to a matching conditional GET. `{{hoursAgo:N}}` (RFC 822) and `{{isoHoursAgo:N}}` in a fixture
 * become dates relative to now, so fixtures stay "recent" whenever the suite runs; a test on a clock of its own
 * passes `now`, and the dates are relative to that instead.
 */
export async function startFeedServer(dir: string, options: { now?: Date } = {}): Promise<FeedServer> {
  const overrides = new Map<string, { body: string; type?: string }>();
  const requests: FeedServer['requests'] = [];
  const loadedAt = options.now ?? new Date(Math.floor(Date.now() / 1000) * 1000);
  const server: Server = createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? '/').split('?')[0]!.slice(1));
    requests.push({ path: `/${name}`, headers: req.headers, at: Date.now() });
    let body: string;
    let type: string | undefined;
    const override = overrides.get(name);
    if (override) {
      body = override.body;
      type = override.type;
    } else {
      try {
        body = expandDates(readFileSync(path.join(dir, path.basename(name)), 'utf8'), loadedAt);
      } catch {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
    }
    const etag = `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`;
    const headers = { etag, 'last-modified': loadedAt.toUTCString(), 'content-type': type ?? TYPES[path.extname(name)] ?? 'application/xml' };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(200, headers).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    url: (name) => `${base}/${name}`,
    requests,
    set: (name, body, type) => void overrides.set(name, { body: expandDates(body, loadedAt), type }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export function expandDates(text: string, now: Date): string {
  return text
    .replace(/\{\{hoursAgo:(\d+(?:\.\d+)?)\}\}/g, (_, h) => new Date(now.getTime() - Number(h) * 3_600_000).toUTCString())
    .replace(/\{\{isoHoursAgo:(\d+(?:\.\d+)?)\}\}/g, (_, h) => new Date(now.getTime() - Number(h) * 3_600_000).toISOString());
}
