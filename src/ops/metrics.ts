/**
 * `GET /metrics`: Prometheus metrics of one app, in a registry of its own (never prom-client's global one: a test
 * builds several apps in one process, and each must count only its own work). Every metric of ours is named
 * `watchfloor_…`; Node's process metrics (CPU, memory, event loop, GC) keep their standard names so stock
 * dashboards read them. The counters are told by the pipeline (PipelineMetrics); the gauges of feeds by state
 * and of the outbox are read from the store at each scrape, so every replica reports the shared database's truth.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RequestListener } from '../chat/platform.ts';
import { errorMessage } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { PipelineMetrics } from '../pipeline.ts';
import type { StatusStore } from '../store/store.ts';

export interface Metrics extends PipelineMetrics {
  registry: Registry;
  /** Adds Node's process metrics: `watchfloor run` only; a one-shot command has nothing to scrape them. */
  collectProcessMetrics(): void;
}

/** Delivery statuses that leave the outbox for good; every other row is still to be sent. */
export const FINAL_DELIVERY_STATUSES: readonly string[] = ['sent', 'rejected', 'dead'];

export function createMetrics(deps: { store: StatusStore; log: Logger }): Metrics {
  const registry = new Registry();
  const registers = [registry];

  new Gauge({
    name: 'watchfloor_feeds',
    help: 'Stored feeds by state (ok, failing, paused).',
    labelNames: ['state'],
    registers,
    async collect() {
      const counts = await readCounts(deps, () => deps.store.feedCounts());
      if (!counts) return;
      this.reset();
      // Every state is reported, zero included, so a panel never shows "no data" for a healthy fleet.
      for (const state of ['ok', 'failing', 'paused']) this.set({ state }, counts[state] ?? 0);
    },
  });
  new Gauge({
    name: 'watchfloor_deliveries',
    help: 'Outbox rows by status (pending, deferred, sending, sent, rejected, dead).',
    labelNames: ['status'],
    registers,
    async collect() {
      const counts = await readCounts(deps, () => deps.store.deliveryCounts());
      if (!counts) return;
      this.reset();
      for (const [status, n] of Object.entries(counts)) this.set({ status }, n);
    },
  });
  new Gauge({
    name: 'watchfloor_outbox_depth',
    help: 'Outbox rows not yet sent, rejected or given up.',
    registers,
    async collect() {
      const counts = await readCounts(deps, () => deps.store.deliveryCounts());
      if (!counts) return;
      this.set(Object.entries(counts).reduce((sum, [status, n]) => (FINAL_DELIVERY_STATUSES.includes(status) ? sum : sum + n), 0));
    },
  });

  const fetches = new Counter({
    name: 'watchfloor_feed_fetches_total',
    help: 'Feed polls by outcome: 200, 304, or the error class (http_404, timeout, dns, parse …).',
    labelNames: ['outcome'],
    registers,
  });
  const fetchSeconds = new Histogram({
    name: 'watchfloor_feed_fetch_duration_seconds',
    help: 'Time to poll one feed: fetch, decode, parse and store.',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const ingested = new Counter({ name: 'watchfloor_articles_ingested_total', help: 'New articles stored.', registers });
  const matches = new Counter({ name: 'watchfloor_matches_total', help: 'Articles matched, by topic.', labelNames: ['topic'], registers });
  const deliveries = new Counter({
    name: 'watchfloor_deliveries_total',
    help: 'Delivery attempts by platform and outcome (sent, held, rejected, failed).',
    labelNames: ['platform', 'status'],
    registers,
  });
  const latency = new Histogram({
    name: 'watchfloor_alert_latency_seconds',
    help: 'Time from an article being fetched to its alert or follow-up being posted.',
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 21_600],
    registers,
  });
  const cycles = new Histogram({
    name: 'watchfloor_poll_cycle_duration_seconds',
    help: 'Time of one poll cycle: due feeds, new articles, matches and sends.',
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers,
  });

  let processMetrics = false;
  return {
    registry,
    collectProcessMetrics() {
      if (processMetrics) return;
      processMetrics = true;
      collectDefaultMetrics({ register: registry });
    },
    feedPolled(outcome, seconds, newArticles) {
      fetches.inc({ outcome });
      fetchSeconds.observe(seconds);
      if (newArticles > 0) ingested.inc(newArticles);
    },
    matched(topic) {
      matches.inc({ topic });
    },
    delivered({ platform, status, fetchedAt, at }) {
      deliveries.inc({ platform, status });
      if (status === 'sent' && fetchedAt) latency.observe(Math.max(0, (at.getTime() - fetchedAt.getTime()) / 1000));
    },
    cycleEnded(seconds) {
      cycles.observe(seconds);
    },
  };
}

/** A store that does not answer leaves its gauges out of this scrape (readiness says why) instead of failing it. */
async function readCounts(deps: { log: Logger }, read: () => Promise<Record<string, number>>): Promise<Record<string, number> | undefined> {
  try {
    return await read();
  } catch (err) {
    deps.log.warn(`metrics: the store did not answer: ${errorMessage(err)}`);
    return undefined;
  }
}

/** The `/metrics` route: the registry in Prometheus' text format. */
export function metricsRoute(metrics: Metrics): RequestListener {
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    metrics.registry.metrics().then(
      (body) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (err) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`metrics unavailable: ${errorMessage(err)}\n`);
      },
    );
  };
}
