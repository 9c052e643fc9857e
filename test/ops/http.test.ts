import { afterEach, describe, expect, it } from 'vitest';
import { createHttpServer, type HttpServer } from '../../src/ops/http.ts';

let server: HttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("the bot's HTTP server", () => {
  it('answers /healthz, serves mounted routes and 404s the rest', async () => {
    server = createHttpServer({ port: 0, host: '127.0.0.1' });
    server.mount('/slack/events', (_req, res) => res.end('slack'));
    const { port } = await server.start();
    const base = `http://127.0.0.1:${port}`;
    const health = await fetch(`${base}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    expect(await (await fetch(`${base}/slack/events?x=1`, { method: 'POST' })).text()).toBe('slack');
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect(() => server!.mount('/slack/events', () => undefined)).toThrow(/two listeners want the HTTP path \/slack\/events/);
  });

  it('says which setting to change when the port is taken', async () => {
    server = createHttpServer({ port: 0, host: '127.0.0.1' });
    const { port } = await server.start();
    const second = createHttpServer({ port, host: '127.0.0.1' });
    await expect(second.start()).rejects.toThrow(`port ${port} is in use; set http.port in the config or WATCHFLOOR_HTTP_PORT to a free one`);
  });
});
