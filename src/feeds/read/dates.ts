/**
 * Feed dates as they really come: RFC 822 (RSS) with named or military zones, missing seconds or
 * two-digit years; W3C-DTF / RFC 3339 (Atom, Dublin Core) including partial dates. `new Date()`
 * alone accepts too little and, in rss-parser, throws a RangeError for the whole feed, so an
 * unparseable date here is `undefined` and nothing else.
 */

const MONTHS: Record<string, number> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, sept: 8, oct: 9, nov: 10, dec: 11,
};

/** RFC 822 §5.1 zone names, in minutes east of UTC. */
const ZONES: Record<string, number> = {
  ut: 0, utc: 0, gmt: 0, z: 0,
  est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
  cet: 60, cest: 120, bst: 60, ist: 330, jst: 540, kst: 540, msk: 180, aest: 600, aedt: 660,
};

const ISO = /^(\d{4})(?:-?(\d{2})(?:-?(\d{2})(?:[T\s](\d{2}):?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?$/i;
const RFC822 = /^(?:[a-z]{2,}\.?,?\s*)?(\d{1,2})[\s-]+([a-z]{3,})\.?[\s-]+(\d{2,4})(?:[\sT]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?\s*([a-z]{1,5}|[+-]\d{2}:?\d{2})?\s*(?:\([^)]*\))?$/i;

export function parseFeedDate(raw: string | undefined): Date | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  const date = parseIso(value) ?? parseRfc822(value) ?? parseLoose(value);
  return date && plausible(date) ? date : undefined;
}

function parseIso(value: string): Date | undefined {
  const m = ISO.exec(value);
  if (!m) return undefined;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', frac, zone] = m;
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (!validParts(Number(mo), Number(d), Number(h), Number(mi), Number(s))) return undefined;
  return new Date(utc - zoneOffsetMinutes(zone) * 60_000);
}

function parseRfc822(value: string): Date | undefined {
  const m = RFC822.exec(value);
  if (!m) return undefined;
  const [, d, monthName, y, h = '00', mi = '00', s = '00', zone] = m;
  const month = MONTHS[monthName.toLowerCase().slice(0, monthName.length === 4 ? 4 : 3)] ?? MONTHS[monthName.toLowerCase().slice(0, 3)];
  if (month === undefined) return undefined;
  let year = Number(y);
  // RFC 822 allowed two-digit years; RFC 2822 §4.3 reads 00–49 as 20xx and 50–99 as 19xx.
  if (y.length === 2) year += year < 50 ? 2000 : 1900;
  if (!validParts(month + 1, Number(d), Number(h), Number(mi), Number(s))) return undefined;
  const offset = zoneOffsetMinutes(zone);
  return new Date(Date.UTC(year, month, Number(d), Number(h), Number(mi), Number(s)) - offset * 60_000);
}

function parseLoose(value: string): Date | undefined {
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time);
}

function zoneOffsetMinutes(zone: string | undefined): number {
  if (!zone) return 0;
  const numeric = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (numeric) {
    const minutes = Number(numeric[2]) * 60 + Number(numeric[3] ?? 0);
    return numeric[1] === '-' ? -minutes : minutes;
  }
  // Single-letter military zones are too often wrong in practice (RFC 2822 §4.3): treat as UTC.
  return ZONES[zone.toLowerCase()] ?? 0;
}

function validParts(month: number, day: number, hour: number, minute: number, second: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 24 && minute <= 59 && second <= 60;
}

/** Dates before the web or far in the future are typos or placeholders, not publication times. */
function plausible(date: Date): boolean {
  const time = date.getTime();
  return Number.isFinite(time) && time >= Date.UTC(1970, 0, 1) && time <= Date.UTC(2100, 0, 1);
}
