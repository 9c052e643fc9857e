/**
 * The feed server of the ingest benchmark, run as its own process (started by feed-server-client.ts)
 * so serving never shares an event loop with the code measured.
 *
 * Every feed carries an ETag and Last-Modified and answers 304 to a matching conditional GET
 * (If-None-Match wins over If-Modified-Since, RFC 9110 §13.2.2). A generation's bodies are rendered
 * when the generation is switched to, outside any timed window. Generation 0 is also gzipped
 * (level 6, what a CDN or `nginx gzip_comp_level` in the usual configs sends) and served
 * compressed to clients that accept gzip; later generations are served as identity, because
 * gzipping 220 MB again for each of them would cost about 10 s per growth cycle on 2 cores.
 *
 * Control (for the benchmark only): GET /_bench/generation?set=N switches generation and answers
 * when ready; GET /_bench/stats?reset=1 counts answers by status since the last reset;
 * GET /_bench/validators lists each feed's URL, ETag and Last-Modified.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { FEEDS, FeedCorpus, type FeedTemplate } from './feed-content.ts';

interface Served {
  identity: Buffer;
  gzip?: Buffer;
  etag: string;
  lastModified: string;
}

const baseTime = Number(process.env.BENCH_BASE_TIME ?? Date.now() - 11 * 3_600_000);
const useGzip = process.env.BENCH_GZIP !== '0';

const server = createServer((req, res) => handle(req, res));
// Idle keep-alive sockets survive the pauses between cycles (undici reuses them).
server.keepAliveTimeout = 120_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  const origin = `http://127.0.0.1:${address.port}`;
  const started = performance.now();
  corpus = new FeedCorpus(origin, baseTime);
  templates = Array.from({ length: FEEDS }, (_, feed) => corpus!.template(feed));
  const stats = switchTo(0);
  process.send!({ ready: true, origin, paths: templates.map((t) => corpus!.feedPath(t.feed)), prepareMs: performance.now() - started, ...stats });
});

let corpus: FeedCorpus | undefined;
let templates: FeedTemplate[] = [];
let generation = -1;
let served: Served[] = [];
const counts: Record<string, number> = {};
const byPath = new Map<string, number>();

function switchTo(gen: number): { generation: number; bytes: number; gzipBytes: number; fullFeeds: number; fullBytes: number; buildMs: number } {
  const started = performance.now();
  if (gen !== generation) {
    const lastModified = new Date(corpus!.publishedAt(gen)).toUTCString();
    served = templates.map((t) => {
      const identity = Buffer.from(corpus!.render(t, gen));
      return {
        identity,
        gzip: useGzip && gen === 0 ? gzipSync(identity, { level: 6 }) : undefined,
        etag: `"${t.feed}-${gen}"`,
        lastModified,
      };
    });
    generation = gen;
    templates.forEach((t) => byPath.set(corpus!.feedPath(t.feed), t.feed));
  }
  return {
    generation,
    bytes: served.reduce((n, s) => n + s.identity.length, 0),
    gzipBytes: served.reduce((n, s) => n + (s.gzip?.length ?? 0), 0),
    fullFeeds: templates.filter((t) => t.full).length,
    fullBytes: served.reduce((n, s, i) => n + (templates[i]!.full ? s.identity.length : 0), 0),
    buildMs: performance.now() - started,
  };
}

function count(status: number): void {
  counts[status] = (counts[status] ?? 0) + 1;
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://bench');
  if (url.pathname === '/_bench/generation') {
    const stats = switchTo(Number(url.searchParams.get('set') ?? generation));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
    return;
  }
  if (url.pathname === '/_bench/stats') {
    const body = JSON.stringify({ ...counts });
    if (url.searchParams.has('reset')) for (const k of Object.keys(counts)) delete counts[k];
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    return;
  }
  if (url.pathname === '/_bench/validators') {
    const origin = corpus!.origin;
    const body = templates.map((t) => ({ url: origin + corpus!.feedPath(t.feed), etag: served[t.feed]!.etag, lastModified: served[t.feed]!.lastModified }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    return;
  }
  const feed = byPath.get(url.pathname);
  if (feed === undefined || req.method !== 'GET') {
    count(404);
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  const doc = served[feed]!;
  const headers: Record<string, string> = {
    etag: doc.etag,
    'last-modified': doc.lastModified,
    'cache-control': 'max-age=300',
    vary: 'Accept-Encoding',
  };
  if (notModified(req, doc)) {
    count(304);
    res.writeHead(304, headers).end();
    return;
  }
  const gzip = doc.gzip && /\bgzip\b/i.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gzip ? doc.gzip! : doc.identity;
  count(200);
  res.writeHead(200, {
    ...headers,
    'content-type': templates[feed]!.contentType,
    'content-length': String(body.length),
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
  });
  res.end(body);
}

function notModified(req: IncomingMessage, doc: Served): boolean {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) {
    // Weak comparison (RFC 9110 §13.1.2): W/ prefixes do not matter for If-None-Match.
    const strip = (t: string) => t.trim().replace(/^W\//, '');
    return inm.trim() === '*' || inm.split(',').some((t) => strip(t) === strip(doc.etag));
  }
  const ims = req.headers['if-modified-since'];
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  return Number.isFinite(since) && Date.parse(doc.lastModified) <= since;
}
