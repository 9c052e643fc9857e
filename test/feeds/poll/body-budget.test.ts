import { describe, expect, it } from 'vitest';
import type { ByteCounter } from '../../../src/feeds/http/body.ts';
import { BodyBudget } from '../../../src/feeds/poll/body-budget.ts';

/** A controllable fetch: its body arrives in chunks when the test says so. */
function fakeFetch(budget: BodyBudget, log: string[], name: string) {
  let count!: ByteCounter;
  let signal!: AbortSignal;
  let started!: () => void;
  let finish!: () => void;
  let runs = 0;
  const startedOnce = new Promise<void>((r) => (started = r));
  const held = budget.hold(async (c, s) => {
    runs++;
    count = c;
    signal = s;
    log.push(`${name} starts`);
    started();
    await new Promise<void>((resolve, reject) => {
      finish = resolve;
      s.addEventListener('abort', () => reject(s.reason), { once: true });
    });
    return name;
  });
  return {
    held,
    started: startedOnce,
    /** Counts `bytes` more; resolves when the budget granted them. */
    chunk: (bytes: number) => count(bytes),
    end: () => finish(),
    get aborted() {
      return signal.aborted;
    },
    get runs() {
      return runs;
    },
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('BodyBudget', () => {
  it('grants bytes while they fit and makes a body wait until another is released', async () => {
    const budget = new BodyBudget(100);
    const log: string[] = [];
    const a = fakeFetch(budget, log, 'a');
    await a.started;
    await a.chunk(60);
    a.end();
    const heldA = await a.held;
    const b = fakeFetch(budget, log, 'b');
    await b.started;
    let granted = false;
    const waiting = b.chunk(50).then(() => (granted = true));
    await tick();
    expect(granted).toBe(false);
    expect(budget.inFlight).toBe(60);
    heldA.release();
    await waiting;
    expect(budget.inFlight).toBe(50);
  });

  it('lets a body larger than the budget proceed alone, and starts no other body meanwhile', async () => {
    const budget = new BodyBudget(100);
    const log: string[] = [];
    const big = fakeFetch(budget, log, 'big');
    await big.started;
    await big.chunk(80);
    await big.chunk(80);
    expect(budget.inFlight).toBe(160);
    const small = fakeFetch(budget, log, 'small');
    await tick();
    expect(log).toEqual(['big starts']);
    big.end();
    (await big.held).release();
    await small.started;
    expect(log).toEqual(['big starts', 'small starts']);
    expect(budget.inFlight).toBe(0);
  });

  it('breaks a deadlock by preempting the younger body, which is fetched again once its bytes fit', async () => {
    const budget = new BodyBudget(100);
    const log: string[] = [];
    const a = fakeFetch(budget, log, 'a');
    await a.started;
    await a.chunk(40);
    // b starts while there is room, takes some, then both want more than is left.
    const b = fakeFetch(budget, log, 'b');
    await b.started;
    await b.chunk(40);
    const more = a.chunk(40);
    const bMore = b.chunk(40).catch((err: Error) => err.message);
    await more;
    expect(await bMore).toMatch(/preempted/);
    expect(b.aborted).toBe(true);
    expect(budget.inFlight).toBe(80);
    a.end();
    const heldA = await a.held;
    // b runs again only when the 40 bytes it had reached fit.
    await tick();
    expect(b.runs).toBe(1);
    heldA.release();
    await tick();
    expect(b.runs).toBe(2);
    await b.chunk(80);
    b.end();
    const heldB = await b.held;
    expect(heldB.value).toBe('b');
    heldB.release();
    expect(budget.inFlight).toBe(0);
  });

  it('releases the share of a fetch that fails, and passes its error on', async () => {
    const budget = new BodyBudget(100);
    const failing = budget.hold(async (count) => {
      await count(70);
      throw new Error('connection reset');
    });
    await expect(failing).rejects.toThrow('connection reset');
    expect(budget.inFlight).toBe(0);
  });
});
