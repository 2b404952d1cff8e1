// Wall-clock time in an IANA time zone, with Intl only (runs on Node and on
// Workers). A "local" time is written as milliseconds whose UTC fields are the
// wall-clock fields (a floating time): 02:00 in Berlin is Date.UTC(..., 2, 0).

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when the runtime knows `tz` as a time zone (IANA names, and UTC). */
export function isTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

function readOffset(timeZone: string, instant: number): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instant))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const whole = instant - (((instant % 1000) + 1000) % 1000);
  return (
    Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!) - whole
  );
}

// Offsets by hour: when an hour starts and ends with the same offset, the whole
// hour has it (zones change at most once in an hour). Intl is the slow part of
// evaluating windows, and an evaluation asks about the same hours many times.
const HOUR = 3_600_000;
const hourly = new Map<string, Map<number, number | null>>();

/** Offset of `timeZone` from UTC at `instant`, in milliseconds (Berlin in summer: +2h). */
export function offsetAt(timeZone: string, instant: number): number {
  let cache = hourly.get(timeZone);
  if (!cache || cache.size > 100_000) {
    cache = new Map();
    hourly.set(timeZone, cache);
  }
  const bucket = Math.floor(instant / HOUR);
  let known = cache.get(bucket);
  if (known === undefined) {
    const start = readOffset(timeZone, bucket * HOUR);
    known = start === readOffset(timeZone, (bucket + 1) * HOUR - 1) ? start : null;
    cache.set(bucket, known);
  }
  return known ?? readOffset(timeZone, instant);
}

/** The wall-clock time in `timeZone` at `instant`, as a floating time. */
export function toLocal(timeZone: string, instant: number): number {
  return instant + offsetAt(timeZone, instant);
}

const DAY = 86_400_000;

/**
 * The instant a wall-clock time names in `timeZone`. Promises a monotone mapping
 * (a later wall-clock time never maps to an earlier instant):
 * - a time that occurs twice (clocks go back) is its first occurrence;
 * - a time that does not exist (clocks go forward) is the moment the clocks
 *   jump, as cron runs a job of the skipped hour right after the jump.
 */
export function fromLocal(timeZone: string, local: number): number {
  const before = offsetAt(timeZone, local - DAY);
  const after = offsetAt(timeZone, local + DAY);
  const candidates = [local - before, local - after].filter((c) => toLocal(timeZone, c) === local);
  if (candidates.length) return Math.min(...candidates);
  // In a gap: the transition lies between the two readings; find its instant.
  let lo = Math.min(local - before, local - after);
  let hi = Math.max(local - before, local - after);
  const startOffset = offsetAt(timeZone, lo);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(timeZone, mid) === startOffset) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** A freeze's local date or date-time as a floating time; a date alone is its 00:00. */
export function parseLocalDateTime(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1);
  const t = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +s);
  const back = new Date(t);
  if (back.getUTCDate() !== +d! || back.getUTCMonth() !== +mo! - 1 || +h > 23 || +mi > 59 || +s > 59)
    return undefined;
  return t;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** "Tue 02:00 Europe/Berlin", or with the date when it is not within a week of `now`. */
export function describeInstant(timeZone: string, instant: number, now: number): string {
  const d = new Date(toLocal(timeZone, instant));
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  const day = WEEKDAYS[d.getUTCDay()]!;
  if (instant - now < 6 * DAY && instant >= now) return `${day} ${time} ${timeZone}`;
  return `${day} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${time} ${timeZone}`;
}

/** ISO 8601 with the zone's offset at that instant, e.g. 2026-03-29T03:00:00+02:00. */
export function formatLocalIso(timeZone: string, instant: number): string {
  const off = Math.round(offsetAt(timeZone, instant) / 60_000);
  const d = new Date(instant + off * 60_000).toISOString().slice(0, 19);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `${d}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
