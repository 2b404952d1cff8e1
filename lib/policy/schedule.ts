// Syntax checks for maintenance-window schedules: five-field cron and a
// practical RRULE subset. Evaluating windows at an instant belongs to the gate;
// here we only make sure a policy says something evaluable.

const CRON_FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  },
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
] as const;

function cronValue(text: string, field: (typeof CRON_FIELDS)[number]): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const names: readonly string[] | undefined = 'names' in field ? field.names : undefined;
  const idx = names?.indexOf(text.toUpperCase()) ?? -1;
  if (idx < 0) return undefined;
  return field.name === 'month' ? idx + 1 : idx;
}

/** Returns a reason the cron expression is invalid, or undefined when it is valid. */
export function checkCron(expr: string): string | undefined {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5)
    return `cron needs 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`;
  for (let i = 0; i < 5; i++) {
    const field = CRON_FIELDS[i]!;
    for (const item of parts[i]!.split(',')) {
      const [range, step] = item.split('/');
      if (step !== undefined && !/^[1-9]\d*$/.test(step)) return `bad step "${step}" in ${field.name}`;
      if (range === '*') continue;
      const bounds = range!.split('-');
      if (bounds.length > 2) return `bad range "${range}" in ${field.name}`;
      const values = bounds.map((b) => cronValue(b, field));
      for (const [j, v] of values.entries()) {
        if (v === undefined || v < field.min || v > field.max) {
          return `${field.name} value "${bounds[j]}" is outside ${field.min}-${field.max}`;
        }
      }
      if (values.length === 2 && values[0]! > values[1]!)
        return `range "${range}" in ${field.name} runs backwards`;
    }
  }
  return undefined;
}

const RRULE_KEYS = new Set([
  'FREQ',
  'INTERVAL',
  'BYDAY',
  'BYMONTHDAY',
  'BYMONTH',
  'BYHOUR',
  'BYMINUTE',
  'BYSETPOS',
  'WKST',
]);
const FREQS = ['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'];
const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];

/** Returns a reason the RRULE (RFC 5545 subset) is invalid, or undefined when valid. */
export function checkRRule(rule: string): string | undefined {
  const body = rule.replace(/^RRULE:/i, '');
  const seen = new Map<string, string>();
  for (const part of body.split(';')) {
    const [k, v] = part.split('=');
    if (!k || v === undefined || v === '') return `"${part}" is not KEY=VALUE`;
    const key = k.toUpperCase();
    if (!RRULE_KEYS.has(key))
      return `unsupported RRULE part ${key} (supported: ${[...RRULE_KEYS].join(', ')})`;
    seen.set(key, v.toUpperCase());
  }
  const freq = seen.get('FREQ');
  if (!freq || !FREQS.includes(freq)) return `FREQ must be one of ${FREQS.join(', ')}`;
  const byday = seen.get('BYDAY');
  if (byday) {
    for (const d of byday.split(',')) {
      if (!DAYS.includes(d.replace(/^[+-]?\d+/, '')))
        return `BYDAY "${d}" is not a weekday (MO..SU, optionally 1MO, -1FR)`;
    }
  }
  for (const [key, max] of [
    ['BYHOUR', 23],
    ['BYMINUTE', 59],
    ['BYMONTH', 12],
    ['BYMONTHDAY', 31],
  ] as const) {
    const v = seen.get(key);
    if (!v) continue;
    for (const n of v.split(',')) {
      const num = Number(n);
      if (
        !Number.isInteger(num) ||
        Math.abs(num) > max ||
        (num === 0 && key !== 'BYHOUR' && key !== 'BYMINUTE')
      )
        return `${key} value "${n}" is out of range`;
    }
  }
  return undefined;
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
