import { describe, expect, it } from 'vitest';
import { checkReadiness, type ReadinessDeps } from '../../src/ops/readiness.ts';
import type { SchedulePulse } from '../../src/scheduler.ts';

const NOW = new Date('2026-03-01T12:00:00Z');
const ago = (s: number) => new Date(NOW.getTime() - s * 1000);

function deps(pulse: Partial<SchedulePulse>, extra: Partial<ReadinessDeps> = {}): ReadinessDeps {
  return {
    store: { ping: async () => undefined },
    pulse: () => ({ startedAt: ago(600), tickGapMs: 60_000, ...pulse }),
    now: () => NOW,
    stopping: () => false,
    ...extra,
  };
}

describe('readiness checks (every minute ticks: stale after 3 ticks + 60 s = 240 s)', () => {
  const cases: Array<[string, Partial<SchedulePulse>, { scheduler: boolean; poll: boolean }, RegExp?]> = [
    ['ticking, last cycle just ended', { lastTickAt: ago(20), lastCycleEndedAt: ago(15) }, { scheduler: true, poll: true }],
    ['a cycle running for a minute', { lastTickAt: ago(20), cycleStartedAt: ago(60), lastCycleEndedAt: ago(200) }, { scheduler: true, poll: true }],
    ['a cycle stuck for ten minutes', { lastTickAt: ago(20), cycleStartedAt: ago(600) }, { scheduler: true, poll: false }, /cycle in progress started 600 s ago/],
    ['the last cycle ended long ago', { lastTickAt: ago(20), lastCycleEndedAt: ago(300) }, { scheduler: true, poll: false }, /last poll cycle ended 300 s ago \(stale after 240 s\)/],
    ['no cycle yet', { lastTickAt: ago(20) }, { scheduler: true, poll: false }, /no poll cycle has run yet/],
    ['no tick for three minutes', { lastTickAt: ago(180), lastCycleEndedAt: ago(170) }, { scheduler: false, poll: true }, /has not ticked for 180 s \(expected every 60 s\)/],
    ['never ticked since a start ten minutes ago', { lastCycleEndedAt: ago(30) }, { scheduler: false, poll: true }, /has not ticked for 600 s/],
  ];
  it.each(cases)('%s', async (_name, pulse, expected, detail) => {
    const r = await checkReadiness(deps(pulse));
    expect({ scheduler: r.checks.scheduler.ok, poll: r.checks.poll.ok }).toEqual(expected);
    expect(r.ready).toBe(expected.scheduler && expected.poll);
    expect(r.status).toBe(r.ready ? 'ready' : 'not ready');
    if (detail) expect(JSON.stringify(r.checks)).toMatch(detail);
  });

  it('a store that never answers fails within its timeout', async () => {
    const r = await checkReadiness(deps({ lastTickAt: ago(1), lastCycleEndedAt: ago(1) }, { store: { ping: () => new Promise(() => undefined) }, storeTimeoutMs: 50 }));
    expect(r.checks.store).toEqual({ ok: false, detail: 'the store does not answer: no answer within 50 ms' });
    expect(r.ready).toBe(false);
  });

  it('a process that does not poll (--role bot) is ready when its store answers', async () => {
    const r = await checkReadiness({ ...deps({}), pulse: undefined });
    expect(r.ready).toBe(true);
    expect(r.checks.scheduler.detail).toBe('this process does not poll (--role bot): the workers do');
    expect(r.checks.poll.ok).toBe(true);
    const down = await checkReadiness({ ...deps({}), pulse: undefined, store: { ping: async () => { throw new Error('connection refused'); } } });
    expect(down.ready).toBe(false);
  });

  it('says stopping once shutdown began, whatever the checks', async () => {
    const r = await checkReadiness(deps({ lastTickAt: ago(1), lastCycleEndedAt: ago(1) }, { stopping: () => true }));
    expect(Object.values(r.checks).every((c) => c.ok)).toBe(true);
    expect([r.ready, r.status]).toEqual([false, 'stopping']);
  });
});
