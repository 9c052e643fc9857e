import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { refuseAddress } from '../../../src/feeds/http/address.ts';
import { FetchError, HttpClient, type FetchDeps, type FetchOptions } from '../../../src/feeds/http/fetch.ts';
import { PRIVATE_NETWORKS_HINT, type Resolver } from '../../../src/feeds/http/guard.ts';

/** A server on 127.0.0.1 that counts connections and knows which are still open. */
async function serve(handler: http.RequestListener) {
  const server = http.createServer(handler);
  const sockets = new Set<Socket>();
  let connections = 0;
  server.on('connection', (s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const handle = {
    port,
    url: (path = '/') => `http://127.0.0.1:${port}${path}`,
    get connections() {
      return connections;
    },
    get open() {
      return sockets.size;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
  cleanups.push(handle.close);
  return handle;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A client for servers on 127.0.0.1 (allow_private_networks, as tests and intranets need). */
function client(options: Partial<FetchOptions> = {}, deps: FetchDeps = {}): HttpClient {
  const c = new HttpClient({ allowPrivateNetworks: true, ...options }, deps);
  cleanups.push(() => c.close());
  return c;
}

/** A resolver that answers from a table, so `feeds.example` can "resolve" wherever a test needs. */
function fakeDns(table: Record<string, string | string[]>): Resolver {
  return (hostname, _options, callback) => {
    const entry = table[hostname];
    if (entry === undefined) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
    const list = Array.isArray(entry) ? entry : [entry];
    callback(null, list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  };
}

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A self-signed P-256 certificate for localhost/127.0.0.1 (valid until 2126), for the TLS error path. */
const SELF_SIGNED = {
  key: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgAGcLN/y5WuEhXXML
e6cKm3bbZFgBlP69iPjxbmNjPLOhRANCAASqnEbfLMrJjsr6rfTGKLtzj9g9IzmH
4DGfkzCRWaAZtTfj6oyD4TKBgqipPiA3h9DYCx7XCvi/RDvG9w01+dy2
-----END PRIVATE KEY-----`,
  cert: `-----BEGIN CERTIFICATE-----
MIIBmjCCAUGgAwIBAgIUK1jZ/PpJOxw6rPwfhwnjgDnrL/kwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNzAxNDcwOFoYDzIxMjYxMTAz
MDE0NzA4WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAASqnEbfLMrJjsr6rfTGKLtzj9g9IzmH4DGfkzCRWaAZtTfj6oyD4TKB
gqipPiA3h9DYCx7XCvi/RDvG9w01+dy2o28wbTAdBgNVHQ4EFgQUi2SPVPTGPNS3
5XVYfmPEy5pLxZ0wHwYDVR0jBBgwFoAUi2SPVPTGPNS35XVYfmPEy5pLxZ0wDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
zj0EAwIDRwAwRAIgEA+FVMylNjfYCdNFWwj15qPU+weLfd9bz927ddMSSucCIAWB
1jbpsbo5AE5DOzPqOsyfUSupwjS2zlO5ewPP8eYa
-----END CERTIFICATE-----`,
};

const FEED = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>';

describe('HttpClient basics', () => {
  it('fetches a body and names Watchfloor in the User-Agent', async () => {
    let seen: http.IncomingHttpHeaders = {};
    const s = await serve((req, res) => {
      seen = req.headers;
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag: '"v1"', 'last-modified': 'Sat, 01 Mar 2025 10:00:00 GMT', 'cache-control': 'public, max-age=1800' });
      res.end(FEED);
    });
    const out = await client().get(s.url('/feed.xml'));
    expect(out).toMatchObject({
      status: 'ok',
      httpStatus: 200,
      url: s.url('/feed.xml'),
      contentType: 'application/rss+xml; charset=utf-8',
      etag: '"v1"',
      lastModified: 'Sat, 01 Mar 2025 10:00:00 GMT',
      maxAgeS: 1800,
      redirects: 0,
    });
    expect(out.status === 'ok' && out.body.toString()).toBe(FEED);
    expect(seen['user-agent']).toMatch(/^Watchfloor\/\S+ \(\+https?:\/\/\S+\)$/);
    expect(seen['accept-encoding']).toBe('gzip, deflate, br');
    expect(seen.accept).toContain('application/rss+xml');
    expect(seen['if-none-match']).toBeUndefined();
  });

  it('sends both validators back verbatim and treats 304 as success', async () => {
    const etag = 'W/"5e-17a\\"odd\\""';
    const lastModified = 'Sat, 01 Mar 2025 10:00:00 GMT';
    let seen: http.IncomingHttpHeaders = {};
    const s = await serve((req, res) => {
      seen = req.headers;
      res.writeHead(304);
      res.end();
    });
    const out = await client().get(s.url(), { validators: { etag, lastModified } });
    expect(seen['if-none-match']).toBe(etag);
    expect(seen['if-modified-since']).toBe(lastModified);
    // A 304 that omits the validators keeps the old ones for next time.
    expect(out).toMatchObject({ status: 'not_modified', etag, lastModified });
  });

  it('takes new validators from a 304 that sends them', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(304, { etag: '"v2"' });
      res.end();
    });
    const out = await client().get(s.url(), { validators: { etag: '"v1"', lastModified: 'x' } });
    expect(out).toMatchObject({ status: 'not_modified', etag: '"v2"', lastModified: 'x' });
  });

  it.each([
    ['gzip', (b: Buffer) => zlib.gzipSync(b)],
    ['deflate', (b: Buffer) => zlib.deflateSync(b)],
    ['br', (b: Buffer) => zlib.brotliCompressSync(b)],
  ])('decodes a %s response', async (encoding, compress) => {
    const body = Buffer.from(FEED.repeat(100));
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-encoding': encoding });
      res.end(compress(body));
    });
    const out = await client().get(s.url());
    expect(out.status === 'ok' && out.body.equals(body)).toBe(true);
  });
});

describe('HttpClient errors', () => {
  it.each([
    [404, 'Not Found', false],
    [410, 'Gone', false],
    [500, 'Internal Server Error', true],
    [408, 'Request Timeout', true],
  ])('%s is a FetchError saying so (retryable: %s)', async (status, text, retryable) => {
    const s = await serve((_req, res) => {
      res.writeHead(status);
      res.end('nope');
    });
    const err = await client().get(s.url('/f')).catch((e) => e);
    expect(err).toBeInstanceOf(FetchError);
    expect(err).toMatchObject({ code: 'http_status', httpStatus: status, retryable, message: `${s.url('/f')} answered ${status} ${text}.` });
  });

  it.each([
    [429, '120', 120],
    [503, 'Sat, 01 Mar 2025 12:10:00 GMT', 600],
    [503, 'garbage', undefined],
  ])('%s carries Retry-After %s as %s s', async (status, retryAfter, expected) => {
    const s = await serve((_req, res) => {
      res.writeHead(status, { 'retry-after': retryAfter });
      res.end();
    });
    const err = await client({}, { now: () => new Date('2025-03-01T12:00:00Z') }).get(s.url()).catch((e) => e);
    expect(err).toMatchObject({ code: 'http_status', httpStatus: status, retryable: true, retryAfterS: expected });
  });

  it('says so when the host does not resolve', async () => {
    const err = await client({}, { resolve: fakeDns({}) }).get('http://nowhere.example/feed').catch((e) => e);
    expect(err).toMatchObject({ code: 'dns', retryable: true, message: 'the host name nowhere.example does not resolve; check the feed URL.' });
  });

  it('names a fully qualified host without its trailing dot or port when it does not resolve (issue 17)', async () => {
    const asked: string[] = [];
    const dns = fakeDns({});
    const resolve: Resolver = (hostname, options, callback) => {
      asked.push(hostname);
      dns(hostname, options, callback);
    };
    const err = await client({}, { resolve }).get('http://nowhere.example.:8080/feed').catch((e) => e);
    expect(err).toMatchObject({ code: 'dns', message: 'the host name nowhere.example does not resolve; check the feed URL.' });
    expect(asked).toEqual(['nowhere.example']);
  });

  it('fetches from localhost. as from localhost (the trailing dot removed before the request)', async () => {
    const s = await serve((req, res) => res.end(`host ${req.headers.host}`));
    const out = await client().get(`http://localhost.:${s.port}/`);
    expect(out).toMatchObject({ status: 'ok', url: `http://localhost:${s.port}/` });
    expect(Buffer.from((out as { body: Uint8Array }).body).toString()).toBe(`host localhost:${s.port}`);
  });

  it('says so when the connection is refused', async () => {
    const s = await serve(() => {});
    const port = s.port;
    await s.close();
    const err = await client().get(`http://127.0.0.1:${port}/`).catch((e) => e);
    expect(err).toMatchObject({ code: 'network', retryable: true, message: `127.0.0.1:${port} refused the connection.` });
  });

  it('explains a certificate it does not trust', async () => {
    const server = https.createServer({ key: SELF_SIGNED.key, cert: SELF_SIGNED.cert }, (_req, res) => res.end(FEED));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(async () => {
      server.closeAllConnections();
      server.close();
    });
    const port = (server.address() as AddressInfo).port;
    const err = await client().get(`https://127.0.0.1:${port}/`).catch((e) => e);
    expect(err).toMatchObject({ code: 'tls', retryable: false });
    expect(err.message).toMatch(/^the TLS certificate of 127\.0\.0\.1 was not accepted \(\w+\)\.$/);
  });

  it.each(['not a url', 'http//missing-colon'])('rejects %j as a bad URL', async (url) => {
    await expect(client().get(url)).rejects.toMatchObject({ code: 'bad_url' });
  });
});

describe('size cap', () => {
  it('refuses a declared Content-Length over the cap without reading it', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(2048) });
      res.end(Buffer.alloc(2048));
    });
    await expect(client({ maxBodyBytes: 1024 }).get(s.url())).rejects.toMatchObject({ code: 'too_large' });
  });

  it('stops a chunked body at the cap', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200);
      res.end(Buffer.alloc(4096));
    });
    await expect(client({ maxBodyBytes: 1024 }).get(s.url())).rejects.toMatchObject({ code: 'too_large' });
  });

  it('aborts an endless gzip stream of zeros and closes the connection', async () => {
    let stopped = false;
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      const zeros = new Readable({
        read() {
          this.push(stopped ? null : Buffer.alloc(1024 * 1024));
        },
      });
      const gz = zlib.createGzip({ level: 1 });
      zeros.pipe(gz).pipe(res);
      res.on('close', () => {
        stopped = true;
        gz.destroy();
      });
    });
    const err = await client({ maxBodyBytes: 2 * 1024 * 1024 }).get(s.url()).catch((e) => e);
    expect(err).toMatchObject({ code: 'too_large', retryable: false });
    // The server notices the client went away: the socket was really closed, not left draining.
    await waitFor(() => stopped && s.open === 0);
  });
});

describe('time limits', () => {
  it('ends a slow-drip body at the total timeout and closes the socket', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      const tick = setInterval(() => res.write('<'), 20);
      res.on('close', () => clearInterval(tick));
    });
    const err = await client({ totalTimeoutMs: 300 }).get(s.url('/drip')).catch((e) => e);
    expect(err).toMatchObject({ code: 'timeout', retryable: true });
    expect(err.message).toBe(`${s.url('/drip')} did not finish within 0.3 s; gave up and closed the connection.`);
    await waitFor(() => s.open === 0);
  });

  it('ends a server that never answers', async () => {
    const s = await serve(() => {});
    await expect(client({ totalTimeoutMs: 200 }).get(s.url())).rejects.toMatchObject({ code: 'timeout' });
    await waitFor(() => s.open === 0);
  });

  it('counts the total time across redirect hops', async () => {
    const s = await serve((req, res) => {
      // Each hop is quick, but together they take too long.
      setTimeout(() => {
        res.writeHead(302, { location: `/hop${Number(req.url!.slice(4)) + 1}` });
        res.end();
      }, 120);
    });
    await expect(client({ totalTimeoutMs: 300, maxRedirects: 5 }).get(s.url('/hop0'))).rejects.toMatchObject({ code: 'timeout' });
  });

  it('stops when the caller cancels', async () => {
    const s = await serve(() => {});
    const ac = new AbortController();
    const pending = client().get(s.url(), { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await expect(pending).rejects.toMatchObject({ code: 'cancelled' });
  });
});

describe('redirects', () => {
  /** Serves a table of path → [status, location] hops; any other path answers the feed. */
  async function hops(table: Record<string, [number, string | undefined]>) {
    const seen: string[] = [];
    const s = await serve((req, res) => {
      seen.push(req.url!);
      const hop = table[req.url!];
      if (hop) {
        res.writeHead(hop[0], hop[1] === undefined ? {} : { location: hop[1].replace('ORIGIN', `http://127.0.0.1:${s.port}`) });
        res.end('moved');
        return;
      }
      res.writeHead(200, { etag: '"final"' });
      res.end(FEED);
    });
    return { s, seen };
  }

  it.each([
    ['301 → 301 → 200 stores the last permanent target', { '/a': [301, '/b'], '/b': [301, '/c'] }, '/c', '/c', 2],
    ['308 with an absolute Location', { '/a': [308, 'ORIGIN/z'] }, '/z', '/z', 1],
    ['301 → 302 → 200 stores only the permanent part', { '/a': [301, '/b'], '/b': [302, '/c'] }, '/c', '/b', 2],
    ['302 → 301 → 200 stores nothing', { '/a': [302, '/b'], '/b': [301, '/c'] }, '/c', undefined, 2],
    ['303 and 307 are temporary', { '/a': [303, '/b'], '/b': [307, '/c'] }, '/c', undefined, 2],
    ['relative Location against the current URL', { '/dir/a': [301, 'b?x=1'] }, '/dir/b?x=1', '/dir/b?x=1', 1],
  ] as const)('%s', async (_name, table, finalPath, permanentPath, redirects) => {
    const { s } = await hops(table as unknown as Record<string, [number, string]>);
    const start = Object.keys(table)[0];
    const out = await client().get(s.url(start));
    expect(out.status).toBe('ok');
    expect(out.url).toBe(s.url(finalPath));
    expect(out.permanentUrl).toBe(permanentPath === undefined ? undefined : s.url(permanentPath));
    expect(out.redirects).toBe(redirects);
  });

  it('follows at most 5 redirects', async () => {
    const table: Record<string, [number, string]> = {};
    for (let i = 0; i < 6; i++) table[`/r${i}`] = [302, `/r${i + 1}`];
    const { s, seen } = await hops(table);
    const five = await hops(Object.fromEntries(Object.entries(table).slice(0, 5)));
    await expect(client().get(five.s.url('/r0'))).resolves.toMatchObject({ status: 'ok', redirects: 5 });
    const err = await client().get(s.url('/r0')).catch((e) => e);
    expect(err).toMatchObject({ code: 'too_many_redirects', retryable: false });
    expect(err.message).toContain('redirects more than 5 times');
    expect(seen).toHaveLength(6);
  });

  it('detects a redirect loop', async () => {
    const { s, seen } = await hops({ '/a': [302, '/b'], '/b': [301, '/a'] });
    const err = await client().get(s.url('/a')).catch((e) => e);
    expect(err).toMatchObject({ code: 'redirect_loop' });
    expect(err.message).toBe(`${s.url('/a')} redirects in a loop (back to ${s.url('/a')}).`);
    expect(seen).toEqual(['/a', '/b']);
  });

  it('reports a redirect to an invalid URL', async () => {
    const { s } = await hops({ '/a': [302, 'http://exa mple.com:99999/'] });
    await expect(client().get(s.url('/a'))).rejects.toMatchObject({
      code: 'bad_url',
      message: `"http://exa mple.com:99999/" is not a valid URL (a redirect from ${s.url('/a')}).`,
    });
  });

  it('reports a redirect without Location', async () => {
    const { s } = await hops({ '/a': [302, undefined] });
    await expect(client().get(s.url('/a'))).rejects.toMatchObject({ code: 'bad_redirect' });
  });

  it.each(['file:///etc/passwd', 'ftp://example.com/feed', 'gopher://example.com/', 'javascript:alert(1)'])('refuses a redirect to %s', async (target) => {
    const { s } = await hops({ '/a': [302, target] });
    const err = await client().get(s.url('/a')).catch((e) => e);
    expect(err).toMatchObject({ code: 'refused', retryable: false });
    expect(err.message).toMatch(/^refused: \w+ URLs are not fetched, only http and https/);
  });
});

describe('credentials in the URL', () => {
  it('sends them as Basic auth to their own origin only, and never shows them', async () => {
    const auth: Array<[string, string | undefined]> = [];
    const s = await serve((req, res) => {
      auth.push([`${req.headers.host!.split(':')[0]}${req.url}`, req.headers.authorization]);
      const to: Record<string, string> = { '/a': '/b', '/b': `http://other.test:${s.port}/c` };
      if (to[req.url!]) {
        res.writeHead(301, { location: to[req.url!] });
        return res.end();
      }
      res.writeHead(req.url === '/c' ? 200 : 500);
      res.end(FEED);
    });
    const c = client({}, { resolve: fakeDns({ 'other.test': '127.0.0.1' }) });
    const out = await c.get(`http://us%40er:p%3Ass@127.0.0.1:${s.port}/a`);
    const basic = `Basic ${Buffer.from('us@er:p:ss').toString('base64')}`;
    expect(auth).toEqual([
      [`127.0.0.1/a`, basic],
      [`127.0.0.1/b`, basic],
      [`other.test/c`, undefined],
    ]);
    expect(out.url).toBe(`http://other.test:${s.port}/c`);
    // The stored URL keeps the credentials only where they belong.
    expect(out.permanentUrl).toBe(`http://other.test:${s.port}/c`);

    const err = await c.get(`http://user:secret@127.0.0.1:${s.port}/missing`).catch((e) => e);
    expect(err.code).toBe('http_status');
    expect(err.message).not.toContain('secret');
  });

  it('keeps credentials on a same-origin permanent redirect', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/old') {
        res.writeHead(308, { location: '/new' });
        return res.end();
      }
      res.end(FEED);
    });
    const out = await client().get(`http://u:pw@127.0.0.1:${s.port}/old`);
    expect(out.permanentUrl).toBe(`http://u:pw@127.0.0.1:${s.port}/new`);
  });
});

describe('politeness', () => {
  it('keeps at most 2 requests per host and the global limit', async () => {
    let inFlight = 0;
    let peak = 0;
    const perHost = new Map<string, number>();
    let peakPerHost = 0;
    const s = await serve((req, res) => {
      const host = req.headers.host!.split(':')[0];
      inFlight++;
      perHost.set(host, (perHost.get(host) ?? 0) + 1);
      peak = Math.max(peak, inFlight);
      peakPerHost = Math.max(peakPerHost, perHost.get(host)!);
      setTimeout(() => {
        inFlight--;
        perHost.set(host, perHost.get(host)! - 1);
        res.end(FEED);
      }, 80);
    });
    const c = client({ perHostConnections: 2, totalConnections: 3 }, { resolve: fakeDns({ 'a.test': '127.0.0.1', 'b.test': '127.0.0.1', 'c.test': '127.0.0.1' }) });
    const urls = ['a.test', 'b.test', 'c.test'].flatMap((h) => Array.from({ length: 5 }, (_, i) => `http://${h}:${s.port}/${i}`));
    const outs = await Promise.all(urls.map((u) => c.get(u)));
    expect(outs.every((o) => o.status === 'ok')).toBe(true);
    expect(peakPerHost).toBe(2);
    expect(peak).toBe(3);
  });
});

describe('SSRF guard', () => {
  /** The real policy, except that 127.0.0.1 counts as public so a test server can play the outside world. */
  const pretendPublic = (address: string) => (address === '127.0.0.1' || address === '::ffff:127.0.0.1' ? undefined : refuseAddress(address));

  it('refuses a loopback literal before connecting', async () => {
    const s = await serve((_req, res) => res.end(FEED));
    const err = await new HttpClient().get(s.url()).catch((e) => e);
    expect(err).toMatchObject({ code: 'refused', retryable: false, message: `refused: 127.0.0.1 is a loopback address${PRIVATE_NETWORKS_HINT}` });
    expect(s.connections).toBe(0);
  });

  it.each([
    ['feeds.example', '10.0.0.5', `refused: feeds.example resolves to 10.0.0.5, a private address${PRIVATE_NETWORKS_HINT}`],
    ['meta.example', '169.254.169.254', 'refused: meta.example resolves to 169.254.169.254, a cloud metadata address'],
    ['six.example', '::1', `refused: six.example resolves to ::1, a loopback address${PRIVATE_NETWORKS_HINT}`],
    ['mapped.example', '::ffff:192.168.0.1', `refused: mapped.example resolves to ::ffff:192.168.0.1, a private address${PRIVATE_NETWORKS_HINT}`],
    ['cgnat.example', '100.64.3.3', `refused: cgnat.example resolves to 100.64.3.3, a carrier-grade NAT address${PRIVATE_NETWORKS_HINT}`],
    ['zero.example', '0.0.0.0', `refused: zero.example resolves to 0.0.0.0, an unspecified address${PRIVATE_NETWORKS_HINT}`],
  ])('refuses %s resolving to %s', async (host, address, message) => {
    const c = new HttpClient({}, { resolve: fakeDns({ [host]: address }) });
    cleanups.push(() => c.close());
    await expect(c.get(`http://${host}/feed`)).rejects.toMatchObject({ code: 'refused', message });
  });

  it('refuses a name when any of its addresses is private', async () => {
    const c = new HttpClient({}, { resolve: fakeDns({ 'mixed.example': ['127.0.0.1', '10.1.1.1'] }), check: pretendPublic });
    cleanups.push(() => c.close());
    await expect(c.get('http://mixed.example/')).rejects.toMatchObject({ code: 'refused', message: `refused: mixed.example resolves to 10.1.1.1, a private address${PRIVATE_NETWORKS_HINT}` });
  });

  it.each(['http://[::1]:1/', 'http://[::ffff:127.0.0.1]:1/', 'http://2130706433/', 'http://0x7f.1/', 'http://169.254.169.254/latest/meta-data/', 'http://[fd00:ec2::254]/'])(
    'refuses the literal %s',
    async (url) => {
      await expect(new HttpClient().get(url)).rejects.toMatchObject({ code: 'refused' });
    },
  );

  it('checks every redirect hop', async () => {
    const s = await serve((req, res) => {
      const to: Record<string, string> = {
        '/lit': 'http://127.0.0.2/admin',
        '/mapped': 'http://[::ffff:10.0.0.1]/',
        '/name': `http://evil.example:${s.port}/`,
        '/meta': 'http://169.254.169.254/latest/meta-data/',
      };
      res.writeHead(302, { location: to[req.url!] });
      res.end();
    });
    const c = new HttpClient({}, { check: pretendPublic, resolve: fakeDns({ 'evil.example': '10.0.0.5' }) });
    cleanups.push(() => c.close());
    await expect(c.get(s.url('/lit'))).rejects.toMatchObject({ message: `refused: 127.0.0.2 is a loopback address${PRIVATE_NETWORKS_HINT}` });
    await expect(c.get(s.url('/mapped'))).rejects.toMatchObject({ message: `refused: ::ffff:a00:1 is a private address${PRIVATE_NETWORKS_HINT}` });
    await expect(c.get(s.url('/name'))).rejects.toMatchObject({ message: `refused: evil.example resolves to 10.0.0.5, a private address${PRIVATE_NETWORKS_HINT}` });
    await expect(c.get(s.url('/meta'))).rejects.toMatchObject({ message: 'refused: 169.254.169.254 is a cloud metadata address' });
  });

  it('refuses a redirect to 127.0.0.1 itself', async () => {
    // 127.0.0.1 passes only until the server has sent the redirect, so the first hop can reach it.
    let redirected = false;
    const check = (address: string) => (!redirected && address === '127.0.0.1' ? undefined : refuseAddress(address));
    const s = await serve((_req, res) => {
      redirected = true;
      res.writeHead(302, { location: `http://127.0.0.1:${s.port}/admin` });
      res.end();
    });
    const c = new HttpClient({}, { check });
    cleanups.push(() => c.close());
    await expect(c.get(s.url('/feed'))).rejects.toMatchObject({ code: 'refused', message: `refused: 127.0.0.1 is a loopback address${PRIVATE_NETWORKS_HINT}` });
    expect(s.connections).toBe(1);
  });

  it('checks the address at connect time, so DNS rebinding is caught', async () => {
    // The first answer is "public", the next one private: a check made once, before the fetch, would miss it.
    const answers = ['127.0.0.1', '10.0.0.7'];
    const rebinding: Resolver = (_host, _opts, cb) => {
      const address = answers.shift() ?? '10.0.0.7';
      cb(null, [{ address, family: 4 }]);
    };
    const s = await serve((_req, res) => {
      res.writeHead(200, { connection: 'close' });
      res.end(FEED);
    });
    const c = new HttpClient({}, { check: pretendPublic, resolve: rebinding });
    cleanups.push(() => c.close());
    await expect(c.get(`http://rebind.example:${s.port}/`)).resolves.toMatchObject({ status: 'ok' });
    await expect(c.get(`http://rebind.example:${s.port}/`)).rejects.toMatchObject({
      code: 'refused',
      message: `refused: rebind.example resolves to 10.0.0.7, a private address${PRIVATE_NETWORKS_HINT}`,
    });
    expect(s.connections).toBe(1);
  });

  it('lets private addresses through with allow_private_networks, but never metadata', async () => {
    const s = await serve((_req, res) => res.end(FEED));
    const c = client({ allowPrivateNetworks: true }, { resolve: fakeDns({ 'intranet.corp': '127.0.0.1', 'meta.corp': '169.254.169.254' }) });
    await expect(c.get(`http://intranet.corp:${s.port}/`)).resolves.toMatchObject({ status: 'ok' });
    await expect(c.get('http://meta.corp/')).rejects.toMatchObject({ code: 'refused' });
  });
});
