/**
 * When a channel's scheduled digest (`/watch digest schedule daily 08:00 Europe/Berlin`) is due. A digest is
 * due from its local time until GRACE_MIN later, so one missed by a restart still goes out; the period key
 * (the local date it was scheduled for) lets the store post it once across restarts and replicas.
 */
import type { DigestScheduleInput } from '../store/store.ts';

/** How late a digest may still be posted, in minutes. */
const GRACE_MIN = 6 * 60;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export interface DuePeriod {
  /** `daily:2026-12-02` or `weekly:2026-11-30`: the local date the digest was scheduled for. */
  period: string;
  /** The window the digest covers, ending now. */
  sinceS: number;
}

export function duePeriod(schedule: Pick<DigestScheduleInput, 'every' | 'day' | 'time' | 'timezone'>, now: Date): DuePeriod | undefined {
  const local = localParts(now, schedule.timezone);
  const [hh, mm] = schedule.time.split(':').map(Number) as [number, number];
  const late = local.hour * 60 + local.minute - (hh * 60 + mm);
  // Days back to the most recent scheduled day whose time has come.
  let back: number;
  if (schedule.every === 'daily') back = late >= 0 ? 0 : 1;
  else {
    back = (local.weekday - (schedule.day ?? 1) + 7) % 7;
    if (back === 0 && late < 0) back = 7;
  }
  if (late + back * 1440 > GRACE_MIN) return undefined;
  const day = new Date(Date.UTC(local.year, local.month - 1, local.day - back));
  return { period: `${schedule.every}:${day.toISOString().slice(0, 10)}`, sinceS: schedule.every === 'daily' ? 86_400 : 7 * 86_400 };
}

function localParts(at: Date, timeZone: string): { year: number; month: number; day: number; hour: number; minute: number; weekday: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'short', hourCycle: 'h23' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: WEEKDAYS.indexOf(parts.weekday!),
  };
}
