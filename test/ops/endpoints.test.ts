import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Bot, startBot } from '../../src/bot.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { type App, createApp } from '../../src/main.ts';
import type { Readiness } from '../../src/ops/readiness.ts';
import { runCycle } from '../../src/pipeline.ts';
import { captureIO } from '../fakes/cli-io.ts';
import { type FeedServer, startFeedServer } from '../fakes/feed-server.ts';
import { FEED_FIXTURES, writeTestConfig } from '../fakes/test-config.ts';

let server: FeedServer;
let dir: string;
beforeAll(async () => {
  server = await startFeedServer(FEED_FIXTURES);
  dir = mkdtempSync(path.join(tmpdir(), 'watchfloor-ops-'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `name{labels} value` lines of a Prometheus text exposition, by series. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 20));
}

async function startApp(name: string, feeds: string[]): Promise<{ app: App; io: ReturnType<typeof captureIO>; bot: Bot }> {
  const config = loadConfig(writeTestConfig(dir, name, { feeds }), {});
  const io = captureIO();
  const app = await createApp(config, { stdout: io.stdout, log: createLogger({ LOG_LEVEL: 'info', LOG_FORMAT: 'json' }, io.stderr), env: {} });
  const bot = await startBot(app, createLogger({ LOG_LEVEL: 'info', LOG_FORMAT: 'json' }, io.stderr));
  return { app, io, bot };
}

describe('/metrics and /readyz of a running bot', () => {
  it('counts a cycle against a local feed server: fetches, articles, matches, sends, latency, gauges, process metrics', async () => {
    const { app, io, bot } = await startApp('metrics', [server.url('defense-wire.rss'), server.url('missing.rss')]);
    try {
      await until(() => io.err().includes('"msg":"cycle:'));
      const base = `http://127.0.0.1:${bot.port}`;
      const response = await fetch(`${base}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const first = samples(await response.text());
      expect(first.get('watchfloor_feed_fetches_total{outcome="200"}')).toBe(1);
      expect(first.get('watchfloor_feed_fetches_total{outcome="http_404"}')).toBe(1);
      expect(first.get('watchfloor_feed_fetch_duration_seconds_count')).toBe(2);
      expect(first.get('watchfloor_articles_ingested_total')).toBeGreaterThan(0);
      expect(first.get('watchfloor_matches_total{topic="dprk-russia-arms"}')).toBeGreaterThan(0);
      const sent = first.get('watchfloor_deliveries_total{platform="console",status="sent"}')!;
      expect(sent).toBeGreaterThan(0);
      expect(first.get('watchfloor_alert_latency_seconds_count')).toBe(sent);
      expect(first.get('watchfloor_poll_cycle_duration_seconds_count')).toBe(1);
      expect(first.get('watchfloor_feeds{state="ok"}')).toBe(1);
      expect(first.get('watchfloor_feeds{state="failing"}')).toBe(1);
      expect(first.get('watchfloor_feeds{state="paused"}')).toBe(0);
      expect(first.get('watchfloor_outbox_depth')).toBe(0);
      expect(first.get('watchfloor_deliveries{status="sent"}')).toBe(sent);
      // Node's process metrics, under their standard names.
      expect(first.has('process_cpu_user_seconds_total')).toBe(true);
      expect(first.has('nodejs_heap_size_used_bytes')).toBe(true);

      // A second cycle over the unchanged feed: a 304, nothing new ingested.
      await runCycle(app.pipeline, { allFeeds: true });
      const second = samples(await (await fetch(`${base}/metrics`)).text());
      expect(second.get('watchfloor_feed_fetches_total{outcome="304"}')).toBe(1);
      expect(second.get('watchfloor_feed_fetches_total{outcome="200"}')).toBe(1);
      expect(second.get('watchfloor_articles_ingested_total')).toBe(first.get('watchfloor_articles_ingested_total'));
      expect(second.get('watchfloor_poll_cycle_duration_seconds_count')).toBe(2);

      const ready = await fetch(`${base}/readyz`);
      const body = await ready.json();
      expect(ready.status).toBe(200);
      expect(body).toMatchObject({ ready: true, status: 'ready', checks: { store: { ok: true }, scheduler: { ok: true }, poll: { ok: true } } });
    } finally {
      await bot.stop();
      await app.close();
    }
  });

  it('keeps one registry per app: two apps in one process count only their own work', async () => {
    const a = await startApp('app-a', [server.url('defense-wire.rss')]);
    const b = await startApp('app-b', [server.url('korea-desk.atom'), server.url('ru-wire.rss')]);
    try {
      await until(() => a.io.err().includes('"msg":"cycle:') && b.io.err().includes('"msg":"cycle:'));
      const [ma, mb] = await Promise.all([a, b].map(async (x) => samples(await (await fetch(`http://127.0.0.1:${x.bot.port}/metrics`)).text())));
      expect(ma!.get('watchfloor_feed_fetches_total{outcome="200"}')).toBe(1);
      expect(mb!.get('watchfloor_feed_fetches_total{outcome="200"}')).toBe(2);
    } finally {
      await Promise.all([a, b].map(async (x) => {
        await x.bot.stop();
        await x.app.close();
      }));
    }
  });

  it('answers 503 from /readyz, naming the failed check, once the store is gone', async () => {
    const { app, io, bot } = await startApp('readyz', [server.url('defense-wire.rss')]);
    await until(() => io.err().includes('"msg":"cycle:'));
    const base = `http://127.0.0.1:${bot.port}`;
    const realPing = app.store.ping.bind(app.store);
    app.store.ping = async () => {
      throw new Error('connection refused');
    };
    try {
      const down = await fetch(`${base}/readyz`);
      expect(down.status).toBe(503);
      const body = (await down.json()) as Readiness;
      expect(body.status).toBe('not ready');
      expect(body.checks.store).toEqual({ ok: false, detail: 'the store does not answer: connection refused' });
      expect(body.checks.poll.ok).toBe(true);
      // The liveness probe does not care: the process is alive.
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    } finally {
      app.store.ping = realPing;
      await bot.stop();
      await app.close();
    }
  });
});
