import { describe, expect, it } from 'vitest';
import { duePeriod } from '../../src/alerts/digest-schedule.ts';

const daily = { every: 'daily' as const, day: null, time: '08:00', timezone: 'Europe/Berlin' };
const weekly = { every: 'weekly' as const, day: 1 as const, time: '09:30', timezone: 'Asia/Seoul' };

describe('when a scheduled digest is due', () => {
  it.each([
    // 2026-12-02 is a Wednesday; Berlin is UTC+1 in December.
    ['daily, before its local time', daily, '2026-12-02T06:59:00Z', undefined],
    ['daily, at its local time', daily, '2026-12-02T07:00:00Z', 'daily:2026-12-02'],
    ['daily, late after a restart but within the grace', daily, '2026-12-02T12:59:00Z', 'daily:2026-12-02'],
    ['daily, too late: the next one is tomorrow', daily, '2026-12-02T13:01:00Z', undefined],
    ['daily, just after local midnight: yesterday is long past', daily, '2026-12-02T23:30:00Z', undefined],
    // Seoul is UTC+9: Monday 2026-11-30 09:30 local is 00:30 UTC.
    ['weekly, on its day and time', weekly, '2026-11-30T00:30:00Z', 'weekly:2026-11-30'],
    ['weekly, the day before', weekly, '2026-11-29T00:30:00Z', undefined],
    ['weekly, two days late', weekly, '2026-12-02T00:30:00Z', undefined],
  ])('%s', (_name, schedule, now, period) => {
    expect(duePeriod(schedule, new Date(now))?.period).toBe(period);
  });

  it('covers a day or a week', () => {
    expect(duePeriod(daily, new Date('2026-12-02T07:00:00Z'))?.sinceS).toBe(86_400);
    expect(duePeriod(weekly, new Date('2026-11-30T00:30:00Z'))?.sinceS).toBe(604_800);
  });
});
