/**
 * A byte budget for response bodies in flight: fetched (or arriving) but not yet read by a parser
 * (issue 17, point 3). Without it, a cycle of huge feeds holds every fetched body on the main thread
 * while it waits for a parser, and each parser thread one more: eight 9 MiB feeds cost ~480 MB.
 *
 * A body's bytes are counted as they arrive (the fetch waits, and TCP pushes back on the server,
 * while they do not fit) and stay counted until its feed has been read. So the bytes counted never
 * exceed the budget, with one exception: a body that holds every counted byte may grow past it, so
 * a single body larger than the budget still proceeds, alone.
 *
 * Two bodies can each hold part of the budget and both wait for more (neither can finish, so
 * neither releases): then the younger is preempted — its fetch aborted, its bytes released — and
 * fetched again once its bytes fit. That costs a download again, only when bodies larger than a
 * share of the budget arrive together.
 */

import type { ByteCounter } from '../http/body.ts';

/**
 * Default budget: 16 MiB, or one body of the size cap when that is larger. Each byte of a body costs
 * about four by the time it is parsed (the body, its copy on a parser thread, the decoded text, the
 * parse): bench:memory, eight 9 MiB feeds on four threads, peaked ~330 MB with 16 MiB, ~400 MB with
 * 20 or 32 MiB. Ordinary feeds (~75 KiB) never wait: 16 MiB is hundreds of them.
 */
export function bodyBudgetBytes(maxBodyBytes: number): number {
  return Math.max(16 * 1024 * 1024, maxBodyBytes);
}

/** Thrown into a preempted fetch's byte counter; never leaves BodyBudget.hold. */
class Preempted extends Error {
  constructor() {
    super('preempted: the body budget was needed by an older fetch');
  }
}

interface Ticket {
  held: number;
  /** Set while the fetch runs (before `hold` returns): only then can it be preempted and started again. */
  abort?: AbortController;
  waiting?: { bytes: number; resolve: () => void; reject: (err: Error) => void };
}

/** A body's share of the budget, held from its first byte until `release` (after the read). */
export interface Held<T> {
  value: T;
  release: () => void;
}

export class BodyBudget {
  private used = 0;
  /** Tickets in the order they were opened: the oldest is served first and preempted last. */
  private readonly tickets = new Set<Ticket>();
  private readonly waiters: Ticket[] = [];
  private readonly openers: Array<{ atLeast: number; resolve: () => void }> = [];

  constructor(readonly limit: number) {
    if (!(limit > 0)) throw new RangeError('a body budget needs a positive number of bytes');
  }

  /** Bytes counted now (tests and logs). */
  get inFlight(): number {
    return this.used;
  }

  /**
   * Runs `fetch` with a share of the budget that grows as `count` is called, and keeps the share until
   * the returned `release`. A fetch preempted to break a deadlock is run again once `atLeast` the bytes
   * it had reached fit. Errors of `fetch` (other than a preemption) release the share and propagate.
   */
  async hold<T>(fetch: (count: ByteCounter, signal: AbortSignal) => Promise<T>): Promise<Held<T>> {
    for (let atLeast = 0; ; ) {
      await this.open(atLeast);
      const ticket: Ticket = { held: 0, abort: new AbortController() };
      this.tickets.add(ticket);
      try {
        const value = await fetch((bytes) => this.take(ticket, bytes), ticket.abort!.signal);
        ticket.abort = undefined;
        return { value, release: () => this.release(ticket) };
      } catch (err) {
        const preempted = ticket.abort?.signal.aborted && ticket.abort.signal.reason instanceof Preempted;
        atLeast = ticket.held;
        this.release(ticket);
        if (!preempted) throw err;
      }
    }
  }

  /** A new body starts when nobody waits for bytes and there is room (or nothing at all is in flight). */
  private open(atLeast: number): Promise<void> {
    if (this.canOpen(atLeast) && this.openers.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.openers.push({ atLeast, resolve }));
  }

  private canOpen(atLeast: number): boolean {
    return this.tickets.size === 0 || (this.waiters.length === 0 && this.used + Math.max(1, atLeast) <= this.limit);
  }

  private take(ticket: Ticket, bytes: number): Promise<void> {
    if (!this.tickets.has(ticket)) return Promise.reject(new Preempted());
    if (this.waiters.length === 0 && this.fits(ticket, bytes)) {
      this.grant(ticket, bytes);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      ticket.waiting = { bytes, resolve, reject };
      this.waiters.push(ticket);
      this.pump();
    });
  }

  private fits(ticket: Ticket, bytes: number): boolean {
    return this.used + bytes <= this.limit || this.used === ticket.held;
  }

  private grant(ticket: Ticket, bytes: number): void {
    ticket.held += bytes;
    this.used += bytes;
  }

  private release(ticket: Ticket): void {
    if (!this.tickets.delete(ticket)) return;
    this.used -= ticket.held;
    ticket.held = 0;
    const i = this.waiters.indexOf(ticket);
    if (i >= 0) this.waiters.splice(i, 1);
    this.pump();
  }

  /** Serves waiting bodies oldest first; breaks a deadlock; then lets new bodies start. */
  private pump(): void {
    for (;;) {
      const head = this.waiters[0];
      if (head && this.fits(head, head.waiting!.bytes)) {
        this.waiters.shift();
        const { bytes, resolve } = head.waiting!;
        head.waiting = undefined;
        this.grant(head, bytes);
        resolve();
        continue;
      }
      if (head && this.deadlocked()) {
        this.preemptYoungest(head);
        continue;
      }
      break;
    }
    while (this.openers.length && this.canOpen(this.openers[0]!.atLeast)) this.openers.shift()!.resolve();
  }

  /** Every body holding bytes is waiting for more: none will finish, so none will release. */
  private deadlocked(): boolean {
    for (const t of this.tickets) if (t.held > 0 && !t.waiting) return false;
    return true;
  }

  private preemptYoungest(head: Ticket): void {
    const victim = [...this.tickets].reverse().find((t) => t !== head && t.held > 0 && t.abort);
    // No fetch to abort (the holders are past their fetch): the head proceeds over the budget rather than hang.
    if (!victim) {
      this.waiters.shift();
      const { bytes, resolve } = head.waiting!;
      head.waiting = undefined;
      this.grant(head, bytes);
      resolve();
      return;
    }
    const reason = new Preempted();
    victim.abort!.abort(reason);
    victim.waiting?.reject(reason);
    victim.waiting = undefined;
    // Its bytes go now; `hold` sees the abort and starts the fetch again.
    this.used -= victim.held;
    const i = this.waiters.indexOf(victim);
    if (i >= 0) this.waiters.splice(i, 1);
    this.tickets.delete(victim);
  }
}
