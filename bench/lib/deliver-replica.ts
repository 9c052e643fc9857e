/**
 * One replica of bench:deliver, a child process of bench/deliver.ts (IPC): its own store connection, the real
 * Slack sink to the parent's fake Slack, a pacer with pacing off, and an owner name of its own, as one
 * `watchfloor run --role worker` would have. Commands, each answered once:
 * - open: connect (PostgreSQL schema or SQLite file) and build the sink → ready
 * - drain: `deliverPending` until a run sends nothing (the rows left are sent or leased to others) → drained
 * - stream: start the outbox loop; the producer also stores and routes `rate` articles a second for `seconds`,
 *   waking its own loop as a poll cycle does (the other replicas' loops are woken by nothing but their clocks)
 * - posted: how many alerts this replica has posted so far
 * - stop: stop the loop, close, and hand back when each article was stored and each alert posted (epoch ms)
 */
import { type DeliverDeps, deliverPending } from '../../src/alerts/deliver.ts';
import type { Sink } from '../../src/alerts/message.ts';
import { type OutboxLoop, startOutboxLoop } from '../../src/alerts/outbox-loop.ts';
import { ChannelPacer } from '../../src/alerts/pacing.ts';
import { createSlackSink } from '../../src/chat/slack/adapter.ts';
import { silentLogger } from '../../src/log.ts';
import { PostgresStore } from '../../src/store/postgres.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import type { Store } from '../../src/store/store.ts';
import { BOT_TOKEN } from '../../test/fakes/slack-api.ts';
import { articleQueue, seedChannels } from './deliver-seed.ts';

export type ReplicaCommand =
  | { cmd: 'open'; driver: 'sqlite'; path: string; apiUrl: string; index: number }
  | { cmd: 'open'; driver: 'postgres'; url: string; schema: string; apiUrl: string; index: number }
  | { cmd: 'drain' }
  | { cmd: 'stream'; produce?: { rate: number; seconds: number; channels: number } }
  | { cmd: 'posted' }
  | { cmd: 'stop' };

export type ReplicaReply =
  | { ok: 'ready' }
  | { ok: 'drained'; sent: number }
  | { ok: 'streaming' }
  | { ok: 'produced'; stored: Array<[number, number]> }
  | { ok: 'posted'; count: number }
  | { ok: 'stopped'; posted: Array<[number, number]> }
  | { ok: 'error'; error: string };

/** Wall-clock ms with sub-ms resolution, comparable between processes on one machine. */
const clock = () => performance.timeOrigin + performance.now();
const log = silentLogger();
let store: Store | undefined;
let deps: DeliverDeps | undefined;
let loop: OutboxLoop | undefined;
const posted = new Map<number, number>();

async function handle(command: ReplicaCommand): Promise<ReplicaReply> {
  switch (command.cmd) {
    case 'open': {
      store = command.driver === 'postgres' ? await PostgresStore.open({ connectionString: command.url, schema: command.schema }) : new SqliteStore(command.path);
      const sink = createSlackSink({ token: BOT_TOKEN, apiUrl: command.apiUrl, log });
      const timed: Sink = { ...sink, platform: 'slack', send: async (alert, to) => {
        const outcome = await sink.send(alert, to);
        if (outcome.status === 'sent') posted.set(alert.deliveryId, clock());
        return outcome;
      } };
      deps = { store, sinks: new Map([['slack', timed]]), log, now: () => new Date(), owner: `bench-${command.index}:${process.pid}:${Date.now().toString(36)}`, pacer: new ChannelPacer(store, { pacing: false, burst: 0 }) };
      return { ok: 'ready' };
    }
    case 'drain': {
      let sent = 0;
      for (;;) {
        const report = await deliverPending(deps!);
        sent += report.sent;
        if (report.sent === 0) return { ok: 'drained', sent };
      }
    }
    case 'stream': {
      loop = startOutboxLoop(deps!);
      if (!command.produce) return { ok: 'streaming' };
      const { rate, seconds, channels } = command.produce;
      const queue = articleQueue(store!, await seedChannels(store!, channels));
      const stored: Array<[number, number]> = [];
      const tickMs = 50;
      const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
      const end = performance.now() + seconds * 1000;
      while (performance.now() < end) {
        const tick = performance.now();
        for (let i = 0; i < perTick; i++) {
          const ids = await queue();
          const at = clock();
          for (const id of ids) stored.push([id, at]);
        }
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, tickMs - (performance.now() - tick))));
      }
      return { ok: 'produced', stored };
    }
    case 'posted':
      return { ok: 'posted', count: posted.size };
    case 'stop':
      await loop?.stop();
      await store?.close();
      return { ok: 'stopped', posted: [...posted] };
  }
}

process.on('message', (message: { id: number; command: ReplicaCommand }) => {
  handle(message.command).then(
    (reply) => process.send!({ id: message.id, reply }),
    (err: Error) => process.send!({ id: message.id, reply: { ok: 'error', error: err.stack ?? String(err) } }),
  );
});
