import { errorMessage } from '../errors.ts';
import { type DeliverDeps, type DeliverReport, deliverPending } from './deliver.ts';

export interface OutboxLoop {
  /** Stops after the run in progress; resolves when it has ended. */
  stop(): Promise<void>;
}

/** Longest sleep between runs: the safety net should a notice of rows come due be lost (the store's listening connection down). */
const MAX_SLEEP_MS = 30_000;
/** Shortest sleep: rows that are due again at once (a medium that went away) are not retried in a spin. */
const MIN_SLEEP_MS = 1_000;

/**
 * The outbox's own loop, apart from the poll cycle: it delivers what is due, then sleeps until the next row
 * becomes due (a retry time, Retry-After, a deferral, an expiring lease) or until woken because rows were
 * queued or brought forward, by this process or any (the store's `onDeliveriesDue`: this cycle's alerts, another
 * replica's and their follow-ups, a `--role bot` process's backfills). So `retryAfterS: 5` means about 5 s, not the next poll tick.
 * Wakes during a run cause one more run after it, however many there were.
 */
export function startOutboxLoop(deps: DeliverDeps, options: { maxSleepMs?: number; onRun?: (report: DeliverReport) => void } = {}): OutboxLoop {
  const maxSleepMs = options.maxSleepMs ?? MAX_SLEEP_MS;
  let stopped = false;
  let woken = false;
  let wakeUp: (() => void) | undefined;
  const sleep = (ms: number) => new Promise<void>((resolve) => {
    if (woken || stopped) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      wakeUp = undefined;
      resolve();
    }
    wakeUp = done;
  });

  const wake = () => {
    woken = true;
    wakeUp?.();
  };
  const unlisten = deps.store.onDeliveriesDue(wake);

  const loop = (async () => {
    while (!stopped) {
      woken = false;
      try {
        const report = await deliverPending(deps);
        options.onRun?.(report);
      } catch (err) {
        deps.log.error({ err }, `delivery run failed: ${errorMessage(err)}`);
      }
      if (stopped) break;
      let waitMs = maxSleepMs;
      try {
        const due = await deps.store.nextDeliveryDue();
        if (due) waitMs = Math.min(maxSleepMs, Math.max(MIN_SLEEP_MS, due.getTime() - deps.now().getTime()));
      } catch (err) {
        deps.log.warn({ err }, `could not read the next delivery time: ${errorMessage(err)}`);
      }
      await sleep(waitMs);
    }
  })();

  return {
    async stop() {
      stopped = true;
      unlisten();
      wakeUp?.();
      await loop;
    },
  };
}
