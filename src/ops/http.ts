/**
 * The bot's one HTTP server (`http.port`): `GET /healthz` for liveness, and the routes chat listeners
 * mount (Slack's `/slack/events`). Everything else is 404. Started by `watchfloor run` only.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from '../chat/platform.ts';
import { AppError } from '../errors.ts';

export interface HttpServer {
  /** Adds a route before or after start; the path is matched exactly, the query string ignored. */
  mount(path: string, listener: RequestListener): void;
  start(): Promise<{ port: number }>;
  close(): Promise<void>;
}

export function createHttpServer(options: { port: number; host?: string }): HttpServer {
  const routes = new Map<string, RequestListener>();
  routes.set('/healthz', (req, res) => {
    res.writeHead(req.method === 'GET' || req.method === 'HEAD' ? 200 : 405, { 'content-type': 'application/json' });
    res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ status: 'ok' }));
  });
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const route = routes.get(path);
    if (route) return route(req, res);
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: `no route ${path}` }));
  });
  return {
    mount(path, listener) {
      if (routes.has(path)) throw new AppError('config', `two listeners want the HTTP path ${path}`);
      routes.set(path, listener);
    },
    start() {
      return new Promise((resolve, reject) => {
        const onError = (err: NodeJS.ErrnoException) => {
          reject(new AppError('config', err.code === 'EADDRINUSE'
            ? `port ${options.port} is in use; set http.port in the config or WATCHFLOOR_HTTP_PORT to a free one`
            : `cannot listen on port ${options.port}: ${err.message}`, { cause: err }));
        };
        server.once('error', onError);
        server.listen(options.port, options.host ?? '0.0.0.0', () => {
          server.off('error', onError);
          resolve({ port: (server.address() as AddressInfo).port });
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
