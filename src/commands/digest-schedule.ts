import type { ChannelStore, DigestStore, Weekday } from '../store/store.ts';
import { bad, ok } from './options.ts';
import { answer, audit, callerId, channelLabel, channelOf } from './reply.ts';
import type { Command } from './types.ts';

const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const TIME = /^([01]?\d|2[0-3]):([0-5]\d)$/;

export type DigestScheduleOptions =
  | { every: 'off' }
  | { every: 'daily' | 'weekly'; day: Weekday | null; time: string; timezone: string };

/** `mon`, `Monday`, `tue`… → 0 (Sunday) … 6. */
function weekday(word: string): Weekday | undefined {
  const w = word.toLowerCase();
  const i = w.length >= 3 ? DAYS.findIndex((d) => d.startsWith(w)) : -1;
  return i < 0 ? undefined : (i as Weekday);
}

/**
 * The zone's canonical name, or undefined when Intl does not know it. Checked here because node-cron accepts
 * an unknown zone and crashes later (../shared/ecosystem.md).
 */
export function canonicalZone(zone: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

export const digestSchedule: Command<DigestScheduleOptions, ChannelStore & DigestStore> = {
  name: 'digest schedule',
  usage: 'digest schedule <daily HH:MM|weekly DAY HH:MM|off> [tz]',
  summary: "post a digest of this channel's topics every day or week (admin)",
  help: 'The time is local to the zone given (an IANA name such as Europe/Berlin; default UTC). One schedule per channel; setting it again replaces it. Each period is posted once, even across restarts.',
  admin: true,
  parse({ words }) {
    const [every, ...rest] = words;
    if (every === 'off') return rest.length ? bad(`unexpected "${rest[0]}".`) : ok({ every: 'off' });
    if (every !== 'daily' && every !== 'weekly') return bad('digest schedule needs daily HH:MM, weekly DAY HH:MM or off, e.g. digest schedule daily 08:00 Europe/Berlin.');
    let day: Weekday | null = null;
    if (every === 'weekly') {
      const d = rest[0] === undefined ? undefined : weekday(rest.shift()!);
      if (d === undefined) return bad('weekly needs a day, e.g. digest schedule weekly mon 08:00.');
      day = d;
    }
    const time = rest.shift();
    const hm = time === undefined ? null : TIME.exec(time);
    if (!hm) return bad(`the time is HH:MM on a 24-hour clock, such as 08:00${time ? `; got "${time}"` : ''}.`);
    const zoneWord = rest.shift() ?? 'UTC';
    if (rest.length) return bad(`unexpected "${rest[0]}".`);
    const timezone = canonicalZone(zoneWord);
    if (!timezone) return bad(`"${zoneWord}" is not a time zone; use an IANA name such as Europe/Berlin, America/New_York or UTC.`);
    return ok({ every, day, time: `${hm[1]!.padStart(2, '0')}:${hm[2]}`, timezone });
  },
  async run(ctx, o) {
    if (o.every === 'off') {
      const channelId = await ctx.store.findChannel(channelOf(ctx.caller));
      const removed = channelId !== undefined && (await ctx.store.removeDigestSchedule(channelId));
      if (removed) audit(ctx, 'digest schedule removed', { command: 'digest schedule', channelId });
      return answer('channel', removed ? `${channelLabel(ctx.caller)} gets no scheduled digest any more.` : `${channelLabel(ctx.caller)} had no scheduled digest.`);
    }
    const channelId = await ctx.store.ensureChannel(channelOf(ctx.caller));
    await ctx.store.setDigestSchedule({ channelId, every: o.every, day: o.day, time: o.time, timezone: o.timezone, createdBy: callerId(ctx.caller) }, ctx.now());
    audit(ctx, 'digest schedule set', { command: 'digest schedule', channelId, every: o.every, day: o.day, time: o.time, timezone: o.timezone });
    const when = o.every === 'daily' ? 'every day' : `every ${DAYS[o.day!]![0]!.toUpperCase()}${DAYS[o.day!]!.slice(1)}`;
    const subscribed = (await ctx.store.channelSubscriptions(channelId)).length;
    const note = subscribed ? '' : ' It follows no topic yet: `subscribe <topic>` gives the digest something to cover.';
    return answer('channel', `${channelLabel(ctx.caller)} gets a digest of its topics ${when} at ${o.time} (${o.timezone}).${note}`);
  },
};
