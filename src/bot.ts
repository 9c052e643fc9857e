/**
 * `watchfloor run`: the bot's HTTP server (`/healthz`, `/readyz`, `/metrics`, and Slack's `/slack/events` when
 * Slack takes commands over HTTP), the chat listeners of every enabled platform, and the schedules. Only `run`
 * listens: `once` from cron delivers without answering commands.
 *
 * Roles (`run --role`), for scale-out on PostgreSQL: `worker` polls, matches and delivers (the schedules and the
 * outbox loop) and scales horizontally; `bot` holds the chat connections (Discord gateway, Slack Socket Mode or
 * HTTP events) and answers commands, queuing what they make for the workers; `all` (the default) is both, one
 * process. Every role serves `/healthz`, `/readyz` and `/metrics`; only `bot` and `all` mount chat routes.
 */
import { createListeners } from './chat/registry.ts';
import { errorMessage } from './errors.ts';
import type { Logger } from './log.ts';
import type { App } from './app.ts';
import { createHttpServer } from './ops/http.ts';
import { metricsRoute } from './ops/metrics.ts';
import { readinessRoute } from './ops/readiness.ts';
import { type Schedules, startSchedules } from './scheduler.ts';

export type Role = 'all' | 'worker' | 'bot';
export const ROLES: readonly Role[] = ['all', 'worker', 'bot'];

export interface Bot {
  /** The HTTP server's port (useful when `http.port` is 0). */
  port: number;
  /**
   * Stops listening and scheduling and waits for the work in progress, at most `graceMs`: past it the work is
   * abandoned and this process's feed and delivery leases released, so another worker takes them over at once.
   * Then the app can be closed. Resolves `clean: false` when work was abandoned.
   */
  stop(options?: { graceMs?: number }): Promise<{ clean: boolean }>;
}

export async function startBot(app: App, log: Logger, options: { role?: Role } = {}): Promise<Bot> {
  const role = options.role ?? 'all';
  const listens = role !== 'worker';
  const works = role !== 'bot';
  const http = createHttpServer({ port: app.config.http.port });
  let schedules: Schedules | undefined;
  let stopping = false;
  app.metrics.collectProcessMetrics();
  http.mount('/metrics', metricsRoute(app.metrics));
  http.mount('/readyz', readinessRoute({
    store: app.store,
    // Before the schedules start, nothing has ticked: the scheduler check says so. A `bot` has no schedules to judge.
    pulse: works ? () => schedules?.pulse() ?? { startedAt: app.pipeline.now(), tickGapMs: 0 } : undefined,
    now: app.pipeline.now,
    stopping: () => stopping,
  }));
  const listeners = !listens ? [] : await createListeners({
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
  log.info({ port, role, listeners: listeners.length }, `listening on port ${port}: /healthz, /readyz, /metrics${listeners.length ? ', chat commands' : ''} (role ${role}${works ? '' : ': polling and delivering left to workers'})`);
  const running = works ? startSchedules(app, log) : undefined;
  schedules = running;
  return {
    port,
    async stop(options = {}) {
      stopping = true;
      const graceMs = options.graceMs ?? app.config.shutdown.grace * 1000;
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), graceMs);
      });
      // Schedules and listeners stop together: no tick starts new work while a listener takes its time to close.
      const finished = Promise.allSettled([...listeners.map((l) => l.stop()), running?.stop()]).then(() => 'done' as const);
      const outcome = await Promise.race([finished, deadline]);
      clearTimeout(timer);
      if (outcome === 'late') {
        log.warn({ graceMs, owner: app.pipeline.owner }, `shutdown: the work in progress did not finish within ${graceMs / 1000} s; abandoning it and releasing its leases`);
        try {
          const released = await app.store.releaseLeases(app.pipeline.owner);
          log.warn(released, `shutdown: released ${released.feeds} feed and ${released.deliveries} delivery lease(s) for another worker`);
        } catch (err) {
          log.error(`shutdown: leases not released (they expire on their own): ${errorMessage(err)}`);
        }
      }
      await http.close();
      return { clean: outcome === 'done' };
    },
  };
}
