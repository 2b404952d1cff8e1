// Recurring window starts, in floating wall-clock time (see zone.ts). One
// library per syntax does both the check and the evaluation: croner for
// five-field cron, rrule for RFC 5545 RRULE. Both run in UTC here, so their
// own time-zone handling never takes part; zone.ts maps the wall-clock starts
// to instants, the same way for both.
import { Cron } from 'croner';
import * as rruleModule from 'rrule';

// rrule ships CommonJS for Node and ESM for bundlers; take its exports from
// whichever loaded (Node puts CommonJS exports under `default`).
type RRuleExports = typeof import('rrule');
const DEFAULT_EXPORT = 'default';
const rrule: RRuleExports =
  'RRule' in rruleModule && rruleModule.RRule
    ? rruleModule
    : ((rruleModule as Record<string, unknown>)[DEFAULT_EXPORT] as RRuleExports);
const { RRule, Frequency } = rrule;
type RRuleInstance = InstanceType<RRuleExports['RRule']>;
type RRuleOptions = import('rrule').Options;

/** Window starts as floating wall-clock milliseconds. */
export interface LocalRecurrence {
  /** The earliest start strictly after `local`, if any. */
  next(local: number): number | undefined;
}

export type Compiled<T> = { ok: true; value: T } | { ok: false; reason: string };

const YEAR = 366 * 86_400_000;

// ---- cron ------------------------------------------------------------------

function newCron(expr: string): Cron {
  // domAndDow false: day-of-month and day-of-week combine with OR, as in Vixie cron.
  // utcOffset 0 (not timezone UTC): plain arithmetic, several times faster, and
  // independent of the machine time zone.
  return new Cron(expr.trim(), { utcOffset: 0, mode: '5-part', domAndDow: false });
}

const CRON_FIELDS: Record<string, [number, string, string]> = {
  minute: [0, 'minute', '0-59'],
  hour: [1, 'hour', '0-23'],
  day: [2, 'day of month', '1-31'],
  month: [3, 'month', '1-12'],
  dayOfWeek: [4, 'day of week', '0-7'],
};

/** croner's message, with its field names spelled as cron users know them. */
function cronReason(expr: string, message: string): string {
  const text = message.replace(/^CronPattern: /, '');
  const field = CRON_FIELDS[/^Invalid value for (\w+):/.exec(text)?.[1] ?? ''];
  // croner reports day and month shifted to zero-based; name the user's own text instead.
  if (field) return `${field[1]} value "${expr.trim().split(/\s+/)[field[0]]}" is outside ${field[2]}`;
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** Compiles a five-field cron expression (croner's syntax: names, ranges, steps, L, #). */
export function compileCron(expr: string): Compiled<LocalRecurrence> {
  let cron: Cron;
  try {
    cron = newCron(expr);
  } catch (e) {
    return { ok: false, reason: cronReason(expr, e instanceof Error ? e.message : String(e)) };
  }
  // A valid pattern may still never fire (30 February): such a window is never open.
  if (!cron.nextRun(new Date(Date.UTC(2000, 0, 1)))) {
    return { ok: false, reason: `"${expr}" never matches a date` };
  }
  return {
    ok: true,
    value: {
      next: (local) => cron.nextRun(new Date(local))?.getTime(),
    },
  };
}

// ---- RRULE -----------------------------------------------------------------

const RRULE_KEYS = [
  'FREQ',
  'INTERVAL',
  'COUNT',
  'UNTIL',
  'BYDAY',
  'BYMONTHDAY',
  'BYMONTH',
  'BYHOUR',
  'BYMINUTE',
  'BYSETPOS',
  'WKST',
];
const FREQS = new Map([
  ['DAILY', Frequency.DAILY],
  ['WEEKLY', Frequency.WEEKLY],
  ['MONTHLY', Frequency.MONTHLY],
  ['YEARLY', Frequency.YEARLY],
]);

const asList = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

function checkOptions(o: Partial<RRuleOptions>, hasStart: boolean): string | undefined {
  if (o.freq === undefined || ![...FREQS.values()].includes(o.freq))
    return `FREQ must be one of ${[...FREQS.keys()].join(', ')}`;
  for (const d of asList(o.byweekday)) {
    if (d === null || d === undefined) return 'BYDAY must list weekdays (MO..SU, optionally 1MO, -1FR)';
  }
  const ranges = [
    ['BYHOUR', o.byhour, 0, 23],
    ['BYMINUTE', o.byminute, 0, 59],
    ['BYMONTH', o.bymonth, 1, 12],
    ['BYMONTHDAY', o.bymonthday, -31, 31],
    ['BYSETPOS', o.bysetpos, -366, 366],
  ] as const;
  for (const [key, value, min, max] of ranges) {
    for (const n of asList(value)) {
      if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max || (n === 0 && min < 0))
        return `${key} value "${String(n)}" is out of range`;
    }
  }
  for (const [key, value] of [
    ['INTERVAL', o.interval],
    ['COUNT', o.count],
  ] as const) {
    if (value !== undefined && value !== null && (!Number.isInteger(value) || value < 1))
      return `${key} must be a positive whole number`;
  }
  // Without DTSTART the rule is anchored at a fixed date; rules that count from
  // their start would then count from a date the reader cannot see.
  if (!hasStart && ((o.interval ?? 1) > 1 || o.count))
    return 'INTERVAL and COUNT count from the first occurrence: add a DTSTART line (DTSTART:20260103T020000)';
  if (!hasStart && o.freq === Frequency.WEEKLY && asList(o.byweekday).length === 0)
    return 'say which day a weekly rule falls on: add BYDAY (e.g. BYDAY=SA)';
  return undefined;
}

/** Splits an optional `DTSTART:` line off the rule text; both are wall-clock, no TZID. */
function splitRule(text: string): Compiled<{ rule: string; dtstart?: Date }> {
  let rule = '';
  let dtstart: Date | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const start = /^DTSTART(?:;VALUE=DATE-TIME)?:(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?)?$/i.exec(
      line,
    );
    if (start) {
      const [y, mo, d, h = '0', mi = '0', s = '0'] = start.slice(1);
      dtstart = new Date(Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +s));
      if (dtstart.getUTCDate() !== +d! || dtstart.getUTCMonth() !== +mo! - 1)
        return { ok: false, reason: `DTSTART "${line}" is not a date` };
      continue;
    }
    if (/^DTSTART/i.test(line))
      return {
        ok: false,
        reason: `DTSTART must be a wall-clock date-time without zone (DTSTART:20260103T020000); the window's timezone applies`,
      };
    if (rule) return { ok: false, reason: 'give one RRULE line (and at most one DTSTART line)' };
    rule = line.replace(/^RRULE:/i, '');
  }
  if (!rule) return { ok: false, reason: 'the RRULE is empty' };
  for (const part of rule.split(';')) {
    const [k, v] = part.split('=');
    if (!k || v === undefined || v === '') return { ok: false, reason: `"${part}" is not KEY=VALUE` };
    if (!RRULE_KEYS.includes(k.toUpperCase()))
      return { ok: false, reason: `unsupported RRULE part ${k} (supported: ${RRULE_KEYS.join(', ')})` };
  }
  return { ok: true, value: { rule, ...(dtstart ? { dtstart } : {}) } };
}

/**
 * Compiles an RRULE (optionally preceded by a `DTSTART:` line) with rrule.
 * Without DTSTART, the rule is anchored at midnight, so unset BYHOUR/BYMINUTE
 * mean 00:00, an unset day of month is the 1st and an unset month January.
 * rrule walks from its anchor to the query, so the anchor is moved to a
 * period start shortly before each query; that keeps those defaults, and
 * rules that count from their start (INTERVAL, COUNT) must give DTSTART.
 */
export function compileRRule(text: string): Compiled<LocalRecurrence> {
  const split = splitRule(text);
  if (!split.ok) return split;
  let options: Partial<RRuleOptions>;
  try {
    options = RRule.parseString(split.value.rule.toUpperCase());
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
  const dtstart = split.value.dtstart;
  const why = checkOptions(options, dtstart !== undefined);
  if (why) return { ok: false, reason: why };

  const cache = new Map<number, RRuleInstance>();
  const ruleFrom = (anchor: number): RRuleInstance => {
    let r = cache.get(anchor);
    if (!r) {
      if (cache.size > 64) cache.clear();
      r = new RRule({ ...options, dtstart: new Date(anchor) });
      cache.set(anchor, r);
    }
    return r;
  };
  // Period starts at or before `local`, `back` periods earlier: Jan 1 for
  // yearly rules, the 1st for monthly ones, a Monday for daily and weekly.
  const anchorBefore = (local: number, back: number): number => {
    const d = new Date(local);
    const y = d.getUTCFullYear();
    if (options.freq === Frequency.YEARLY) return Date.UTC(y - back, 0, 1);
    if (options.freq === Frequency.MONTHLY) return Date.UTC(y, d.getUTCMonth() - back, 1);
    const midnight = Date.UTC(y, d.getUTCMonth(), d.getUTCDate());
    const sinceMonday = (d.getUTCDay() + 6) % 7;
    return midnight - (sinceMonday + 7 * back) * 86_400_000;
  };
  const recurrence: LocalRecurrence = {
    next(local) {
      if (dtstart) return ruleFrom(dtstart.getTime()).after(new Date(local), false)?.getTime();
      // The anchor only needs to precede the query: from a near one, the next start is found quickly.
      return ruleFrom(anchorBefore(local, 1)).after(new Date(local), false)?.getTime();
    },
  };
  // A valid rule may still never occur (30 February).
  const probeFrom = dtstart ?? new Date(Date.UTC(2000, 0, 1));
  const first = ruleFrom(probeFrom.getTime()).between(
    probeFrom,
    new Date(probeFrom.getTime() + 30 * YEAR),
    true,
    (_d, i) => i < 1,
  );
  if (first.length === 0) return { ok: false, reason: 'the RRULE never matches a date' };
  return { ok: true, value: recurrence };
}
