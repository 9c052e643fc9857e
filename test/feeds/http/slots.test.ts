import { describe, expect, it } from 'vitest';
import { KeyedSlots, Slots } from '../../../src/feeds/http/slots.ts';

describe('Slots', () => {
  it('grants up to max at once and the rest in arrival order', async () => {
    const slots = new Slots(2);
    const order: number[] = [];
    const a = await slots.acquire();
    const b = await slots.acquire();
    const waiting = [3, 4].map((n) => slots.acquire().then((release) => (order.push(n), release)));
    expect(slots.inUse).toBe(2);
    a();
    a(); // a double release frees nothing more
    const r3 = await waiting[0];
    expect(order).toEqual([3]);
    expect(slots.inUse).toBe(2);
    b();
    const r4 = await waiting[1];
    expect(order).toEqual([3, 4]);
    r3();
    r4();
    expect(slots.idle).toBe(true);
  });

  it.each([0, -1, 1.5])('rejects a size of %s', (n) => {
    expect(() => new Slots(n)).toThrow(RangeError);
  });
});

describe('KeyedSlots', () => {
  it('limits each key separately and forgets idle keys', async () => {
    const slots = new KeyedSlots(1);
    const a = await slots.acquire('a.example');
    const b = await slots.acquire('b.example');
    let second = false;
    const pending = slots.acquire('a.example').then((r) => ((second = true), r));
    await Promise.resolve();
    expect(second).toBe(false);
    a();
    (await pending)();
    b();
    expect(slots.size).toBe(0);
  });
});
