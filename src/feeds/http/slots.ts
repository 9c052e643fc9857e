/**
 * Counting semaphores for politeness (issue 3): at most N requests in flight per host and M in
 * total. A waiter is served in arrival order; `acquire` resolves to the function that frees the slot.
 */
export class Slots {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`slot count must be a positive integer, got ${max}`);
  }

  get inUse(): number {
    return this.active;
  }

  get idle(): boolean {
    return this.active === 0 && this.waiting.length === 0;
  }

  acquire(): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = () => {
        this.active += 1;
        let released = false;
        resolve(() => {
          // A release called twice must not free someone else's slot.
          if (released) return;
          released = true;
          this.active -= 1;
          this.waiting.shift()?.();
        });
      };
      if (this.active < this.max) grant();
      else this.waiting.push(grant);
    });
  }
}

/** One `Slots` per key (a host name), dropped again when idle so the map does not grow with every host ever seen. */
export class KeyedSlots {
  private readonly byKey = new Map<string, Slots>();

  constructor(readonly maxPerKey: number) {}

  async acquire(key: string): Promise<() => void> {
    let slots = this.byKey.get(key);
    if (!slots) {
      slots = new Slots(this.maxPerKey);
      this.byKey.set(key, slots);
    }
    const release = await slots.acquire();
    const owner = slots;
    return () => {
      release();
      if (owner.idle && this.byKey.get(key) === owner) this.byKey.delete(key);
    };
  }

  get size(): number {
    return this.byKey.size;
  }
}
