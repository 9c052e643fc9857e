/**
 * Who holds a lease, and whether that process is still there.
 *
 * A lease owner is `host:pid:start` (start in base 36 ms). Feeds and outbox rows are leased to an owner; a
 * lease that is not renewed expires and its work comes back. A process that sees a lease of its own host
 * whose pid is not alive (`process.kill(pid, 0)`), or that carries its own pid with another start (a container
 * restarted as pid 1 again), knows the owner is gone and takes the work back at once instead of waiting.
 * Owners on other hosts can only be waited out: leases are short and renewed while work is in progress.
 */
import { hostname } from 'node:os';
import { errorMessage } from './errors.ts';
import type { Logger } from './log.ts';
import type { LeaseStore } from './store/store.ts';

export interface Self {
  owner: string;
  host: string;
  pid: number;
}

export function leaseOwner(host = hostname(), pid = process.pid, started = Date.now()): string {
  return `${host}:${pid}:${started.toString(36)}`;
}

export function selfOf(owner: string): Self {
  const { host, pid } = parseOwner(owner);
  return { owner, host, pid: pid ?? process.pid };
}

/** host and pid of an owner name; `host:pid` (names written before the start was added) parses too. */
export function parseOwner(owner: string): { host: string; pid?: number; start?: string } {
  const parts = owner.split(':');
  const three = parts.length >= 3 && /^\d+$/.test(parts.at(-2)!);
  if (three) return { host: parts.slice(0, -2).join(':'), pid: Number(parts.at(-2)), start: parts.at(-1) };
  if (parts.length >= 2 && /^\d+$/.test(parts.at(-1)!)) return { host: parts.slice(0, -1).join(':'), pid: Number(parts.at(-1)) };
  return { host: owner };
}

/** Signal 0 checks that a process exists without touching it; EPERM means it exists under another user. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True only when the owner is known to be gone: same host, and its pid is not alive or is ours under another start. */
export function ownerGone(owner: string, self: Self, alive: (pid: number) => boolean = pidAlive): boolean {
  if (owner === self.owner) return false;
  const { host, pid } = parseOwner(owner);
  if (host !== self.host || pid === undefined) return false;
  return pid === self.pid || !alive(pid);
}

/** Takes back the leases of every owner known to be gone; returns how many leases came back. */
export async function reclaimDeadLeases(store: LeaseStore, self: Self, now: Date, log: Logger, alive?: (pid: number) => boolean): Promise<number> {
  let reclaimed = 0;
  for (const owner of await store.leaseOwners(now)) {
    if (!ownerGone(owner, self, alive)) continue;
    const { feeds, deliveries } = await store.releaseLeases(owner);
    reclaimed += feeds + deliveries;
    if (feeds + deliveries > 0) log.info({ owner, feeds, deliveries }, `took back the leases of ${owner}, which is no longer running`);
  }
  return reclaimed;
}

/**
 * Renews every lease `owner` holds each `everyMs` until stopped, so leases can be short (a dead process's work
 * comes back quickly) and still outlast a slow poll or send.
 */
export function keepLeases(store: LeaseStore, owner: string, options: { everyMs: number; leaseMs: number; now: () => Date; log: Logger }): { stop(): void } {
  const timer = setInterval(() => {
    store.renewLeases(owner, new Date(options.now().getTime() + options.leaseMs))
      .catch((err) => options.log.warn({ err }, `could not renew leases: ${errorMessage(err)}`));
  }, options.everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
