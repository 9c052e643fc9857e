import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { refuseAddress } from '../../../src/feeds/http/address.ts';
import { PRIVATE_NETWORKS_HINT, addressCheck, checkUrl, guardedConnector, guardedLookup, type Resolver } from '../../../src/feeds/http/guard.ts';
import { HttpClient } from '../../../src/feeds/http/fetch.ts';

const strict = addressCheck(false);
const servers: net.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

describe('checkUrl', () => {
  it.each([
    ['https://example.com/feed', undefined],
    ['http://example.com:8080/feed?x=1', undefined],
    ['HTTP://EXAMPLE.COM/', undefined],
    ['http://8.8.8.8/', undefined],
    ['ftp://example.com/', 'refused'],
    ['file:///etc/passwd', 'refused'],
    ['data:text/plain,hi', 'refused'],
    ['http://127.0.0.1/', 'refused'],
    ['http://[::1]/', 'refused'],
    ['http://0/', 'refused'], // WHATWG URL reads "0" as 0.0.0.0
    ['http://10.1/', 'refused'], // ...and "10.1" as 10.0.0.1
    ['example.com/feed', 'bad_url'],
    ['', 'bad_url'],
  ])('%s → %s', (url, code) => {
    if (code === undefined) expect(checkUrl(url, strict)).toBeInstanceOf(URL);
    else expect(() => checkUrl(url, strict)).toThrow(expect.objectContaining({ code }));
  });
});

describe('host names with a trailing dot (issue 17)', () => {
  const loopback = `refused: localhost resolves to 127.0.0.1, a loopback address${PRIVATE_NETWORKS_HINT}`;

  it.each(['http://localhost:8080/', 'http://localhost.:8080/', 'http://LOCALHOST./', 'http://localhost../x'])('%s is refused as loopback, naming localhost', (url) => {
    expect(() => checkUrl(url, strict)).toThrow(expect.objectContaining({ code: 'refused', message: loopback }));
  });

  it.each(['http://feeds.localhost/', 'http://feeds.localhost./'])('%s is loopback by definition (RFC 6761)', (url) => {
    expect(() => checkUrl(url, strict)).toThrow(expect.objectContaining({ code: 'refused', message: expect.stringMatching(/^refused: feeds\.localhost resolves to 127\.0\.0\.1/) }));
  });

  it('lets localhost. through with allow_private_networks, normalized', () => {
    expect(checkUrl('http://localhost.:8080/feed', addressCheck(true)).href).toBe('http://localhost:8080/feed');
  });

  it('normalizes the name of the URL it returns', () => {
    expect(checkUrl('https://Example.COM./feed?x=1', strict).href).toBe('https://example.com/feed?x=1');
    expect(checkUrl('http://127.0.0.1./', addressCheck(true)).hostname).toBe('127.0.0.1');
  });

  it('refuses a host of dots alone', () => {
    expect(() => checkUrl('http://./', strict)).toThrow(expect.objectContaining({ code: 'bad_url' }));
  });

  it('checks the normalized name at connect time too, before asking DNS', async () => {
    const asked: string[] = [];
    const dns: Resolver = (h, _o, cb) => {
      asked.push(h);
      cb(null, [{ address: '93.184.216.34', family: 4 }]);
    };
    const lookup = guardedLookup(dns, strict);
    const refused = await new Promise<Error | null>((r) => lookup('localhost.', { all: true }, (e) => r(e)));
    expect(refused).toMatchObject({ code: 'refused', message: loopback });
    expect(asked).toEqual([]);
    const fine = await new Promise((r) => lookup('Example.com.', {}, (_e, a) => r(a)));
    expect(fine).toBe('93.184.216.34');
    expect(asked).toEqual(['example.com']);
  });

  it('names the host alone when a name resolves to a refused address', async () => {
    const dns: Resolver = (_h, _o, cb) => cb(null, [{ address: '10.0.0.5', family: 4 }]);
    const lookup = guardedLookup(dns, strict);
    const err = await new Promise<Error | null>((r) => lookup('intranet.example.', { all: true }, (e) => r(e)));
    expect(err?.message).toBe(`refused: intranet.example resolves to 10.0.0.5, a private address${PRIVATE_NETWORKS_HINT}`);
  });
});

describe('IPv4-compatible IPv6 (issue 17)', () => {
  it('refuses http://[::127.0.0.1]:PORT/ before any connection', async () => {
    const server = net.createServer((s) => s.end());
    servers.push(server);
    let connections = 0;
    server.on('connection', () => connections++);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as net.AddressInfo).port;
    expect(() => checkUrl(`http://[::127.0.0.1]:${port}/`, strict)).toThrow(expect.objectContaining({
      code: 'refused',
      message: `refused: ::7f00:1 is a deprecated IPv4-compatible address (::/96)${PRIVATE_NETWORKS_HINT}`,
    }));
    const c = new HttpClient({ connectTimeoutMs: 1000 });
    try {
      await expect(c.get(`http://[::127.0.0.1]:${port}/`)).rejects.toMatchObject({ code: 'refused' });
    } finally {
      await c.close();
    }
    expect(connections).toBe(0);
  });

  it('refuses a name whose AAAA answer is IPv4-compatible, as a resolver prints it', async () => {
    const dns: Resolver = (_h, _o, cb) => cb(null, [{ address: '::127.0.0.1', family: 6 }]);
    const err = await new Promise<Error | null>((r) => guardedLookup(dns, strict)('compat.example', { all: true }, (e) => r(e)));
    expect(err?.message).toBe(`refused: compat.example resolves to ::127.0.0.1, a deprecated IPv4-compatible address (::/96)${PRIVATE_NETWORKS_HINT}`);
  });
});

describe('guardedLookup', () => {
  const dns: Resolver = (_h, _o, cb) => cb(null, [{ address: '93.184.216.34', family: 4 }, { address: '2606:2800::1', family: 6 }]);

  it('answers in the shape net.connect asked for', async () => {
    const lookup = guardedLookup(dns, strict);
    const all = await new Promise((r) => lookup('example.com', { all: true }, (_e, a) => r(a)));
    expect(all).toEqual([{ address: '93.184.216.34', family: 4 }, { address: '2606:2800::1', family: 6 }]);
    const one = await new Promise((r) => lookup('example.com', {}, (_e, a, f) => r([a, f])));
    expect(one).toEqual(['93.184.216.34', 4]);
  });
});

describe('guardedConnector', () => {
  it('checks the address actually connected to, even without a lookup', async () => {
    const server = net.createServer((s) => s.end());
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = String((server.address() as net.AddressInfo).port);
    const connect = guardedConnector({ check: strict, resolve: () => {}, connectTimeoutMs: 1000 });
    const err = await new Promise<Error | null>((resolve) => connect({ hostname: '127.0.0.1', protocol: 'http:', port }, (...args) => resolve(args[0])));
    expect(err).toMatchObject({ code: 'refused', message: `refused: 127.0.0.1 is a loopback address${PRIVATE_NETWORKS_HINT}` });

    const lenient = guardedConnector({ check: (a) => refuseAddress(a, true), resolve: () => {}, connectTimeoutMs: 1000 });
    const socket = await new Promise<net.Socket | null>((resolve) => lenient({ hostname: '127.0.0.1', protocol: 'http:', port }, (...args) => resolve(args[1] as net.Socket)));
    expect(socket?.remoteAddress).toBe('127.0.0.1');
    socket?.destroy();
  });

  it('gives up on a connection that does not complete within the connect timeout', async () => {
    const hangingDns: Resolver = () => {}; // never answers: the connect timeout covers DNS too
    const c = new HttpClient({ connectTimeoutMs: 150, totalTimeoutMs: 10_000 }, { resolve: hangingDns });
    try {
      await expect(c.get('http://slow-dns.example/')).rejects.toMatchObject({
        code: 'timeout',
        message: 'could not connect to slow-dns.example within 0.15 s.',
      });
    } finally {
      await c.close();
    }
  });
});
