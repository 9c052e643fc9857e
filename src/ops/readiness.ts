/**
 * `GET /readyz`: whether this bot is doing its job, not merely alive (`/healthz`). Three checks, each named in
 * the JSON body with what failed: the store answers, the scheduler's poll task ticks, and a poll cycle ran
 * recently (one stuck on a dead connection counts as not recent). 503 when one fails or the bot is stopping.
 * A `--role bot` process polls nothing: its scheduler and poll checks say so and pass.
 */
import type { RequestListener } from '../chat/platform.ts';
import { errorMessage } from '../errors.ts';
import type { SchedulePulse } from '../scheduler.ts';
import type { StatusStore } from '../store/store.ts';

export interface CheckResult {
  ok: boolean;
  /** What was seen, as a sentence an operator can act on. */
  detail: string;
}

export interface Readiness {
  ready: boolean;
  /** `ready`, `not ready`, or `stopping` once shutdown began. */
  status: string;
  checks: { store: CheckResult; scheduler: CheckResult; poll: CheckResult };
}

export interface ReadinessDeps {
  store: Pick<StatusStore, 'ping'>;
  /** The poll schedule's pulse; undefined in a process that does not poll (`--role bot`). */
  pulse?: () => SchedulePulse;
  now: () => Date;
  stopping: () => boolean;
  /** A store that has not answered by then counts as down (default 2 s). */
  storeTimeoutMs?: number;
}

/** A tick may come this late (a busy event loop, a slow clock) before the scheduler counts as stalled. */
const TICK_GRACE_MS = 30_000;
/** Ticks without a finished cycle before polling counts as stale: one slow cycle is not an outage. */
const STALE_TICKS = 3;
const STALE_GRACE_MS = 60_000;

export async function checkReadiness(deps: ReadinessDeps): Promise<Readiness> {
  const now = deps.now().getTime();
  const pulse = deps.pulse?.();
  const notPolling = { ok: true, detail: 'this process does not poll (--role bot): the workers do' };
  const checks = {
    store: await checkStore(deps),
    scheduler: pulse ? checkScheduler(pulse, now) : notPolling,
    poll: pulse ? checkPoll(pulse, now) : notPolling,
  };
  const stopping = deps.stopping();
  const ready = !stopping && Object.values(checks).every((c) => c.ok);
  return { ready, status: stopping ? 'stopping' : ready ? 'ready' : 'not ready', checks };
}

async function checkStore(deps: ReadinessDeps): Promise<CheckResult> {
  const timeoutMs = deps.storeTimeoutMs ?? 2000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      deps.store.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, detail: 'the store answers' };
  } catch (err) {
    return { ok: false, detail: `the store does not answer: ${errorMessage(err)}` };
  } finally {
    clearTimeout(timer);
  }
}

function checkScheduler(pulse: SchedulePulse, now: number): CheckResult {
  const since = pulse.lastTickAt ?? pulse.startedAt;
  const late = now - since.getTime() - pulse.tickGapMs;
  if (late > TICK_GRACE_MS) {
    return { ok: false, detail: `the poll schedule has not ticked for ${seconds(now - since.getTime())} (expected every ${seconds(pulse.tickGapMs)})` };
  }
  return { ok: true, detail: pulse.lastTickAt ? `last tick ${seconds(now - pulse.lastTickAt.getTime())} ago` : 'waiting for the first tick' };
}

function checkPoll(pulse: SchedulePulse, now: number): CheckResult {
  const staleMs = STALE_TICKS * pulse.tickGapMs + STALE_GRACE_MS;
  if (pulse.cycleStartedAt) {
    const running = now - pulse.cycleStartedAt.getTime();
    return running > staleMs
      ? { ok: false, detail: `the poll cycle in progress started ${seconds(running)} ago (stale after ${seconds(staleMs)}); a feed or the store may hang` }
      : { ok: true, detail: `a poll cycle is running (started ${seconds(running)} ago)` };
  }
  if (!pulse.lastCycleEndedAt) return { ok: false, detail: 'no poll cycle has run yet' };
  const ago = now - pulse.lastCycleEndedAt.getTime();
  return ago > staleMs
    ? { ok: false, detail: `the last poll cycle ended ${seconds(ago)} ago (stale after ${seconds(staleMs)})` }
    : { ok: true, detail: `the last poll cycle ended ${seconds(ago)} ago` };
}

function seconds(ms: number): string {
  return `${Math.max(0, Math.round(ms / 1000))} s`;
}

/** The `/readyz` route: 200 with the checks when ready, 503 with the same body naming the failed check otherwise. */
export function readinessRoute(deps: ReadinessDeps): RequestListener {
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    void checkReadiness(deps).then((readiness) => {
      res.writeHead(readiness.ready ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify(readiness));
    });
  };
}
