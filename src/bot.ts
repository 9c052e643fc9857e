/**
 * `watchfloor run`: the bot's HTTP server (`/healthz`, and Slack's `/slack/events` when Slack takes commands
 * over HTTP), the chat listeners of every enabled platform, and the schedules. Only `run` listens: `once`
 * from cron delivers without answering commands.
 */
import { createListeners } from './chat/registry.ts';
import type { Logger } from './log.ts';
import type { App } from './app.ts';
import { createHttpServer } from './ops/http.ts';
import { startSchedules } from './scheduler.ts';

export interface Bot {
  /** The HTTP server's port (useful when `http.port` is 0). */
  port: number;
  /** Stops listening and scheduling, waits for the work in progress; then the app can be closed. */
  stop(): Promise<void>;
}

export async function startBot(app: App, log: Logger): Promise<Bot> {
  const http = createHttpServer({ port: app.config.http.port });
  const listeners = createListeners({
    env: app.env,
    config: app.config,
    log,
    handler: app.commands,
    topicNames: () => app.catalog.list().map((t) => t.definition.slug),
    mount: (path, listener) => http.mount(path, listener),
  });
  const { port } = await http.start();
  const started: typeof listeners = [];
  try {
    for (const listener of listeners) {
      await listener.start();
      started.push(listener);
    }
  } catch (err) {
    await Promise.allSettled(started.map((l) => l.stop()));
    await http.close();
    throw err;
  }
  log.info({ port, listeners: listeners.length }, `listening on port ${port}: /healthz${listeners.length ? ', chat commands' : ''}`);
  const schedules = startSchedules(app, log);
  return {
    port,
    async stop() {
      await Promise.allSettled(listeners.map((l) => l.stop()));
      await schedules.stop();
      await http.close();
    },
  };
}
