// Maintenance windows at fixed instants, across DST changes in three time
// zones on both hemispheres. Expected instants are written in UTC, with the
// local reading beside them.
import { describe, expect, it } from 'vitest';
import { evaluateWindows, type PolicyWindow } from '../../../lib/schedule/index.ts';

const at = (iso: string) => new Date(iso);

function cron(
  name: string,
  timezone: string,
  expr: string,
  duration: string,
  extra: object = {},
): PolicyWindow {
  return { name, kind: 'allow', timezone, cron: expr, duration, ...extra };
}
function rrule(
  name: string,
  timezone: string,
  rule: string,
  duration: string,
  extra: object = {},
): PolicyWindow {
  return { name, kind: 'allow', timezone, rrule: rule, duration, ...extra };
}
function freeze(
  name: string,
  timezone: string,
  start: string,
  end: string,
  extra: object = {},
): PolicyWindow {
  return { name, kind: 'deny', timezone, start, end, ...extra };
}

describe('Europe/Berlin (clocks forward 2026-03-29 02:00 CET, back 2026-10-25 03:00 CEST)', () => {
  const nightly = [cron('nightly', 'Europe/Berlin', '30 2 * * *', '1h')];

  it('opens at 02:30 local on ordinary days in winter and summer', () => {
    expect(evaluateWindows(nightly, at('2026-03-28T01:45:00Z'))).toMatchObject({
      open: true,
      closesAt: '2026-03-28T02:30:00.000Z', // 03:30 CET
    });
    expect(evaluateWindows(nightly, at('2026-03-30T00:45:00Z'))).toMatchObject({
      open: true,
      closesAt: '2026-03-30T01:30:00.000Z', // 03:30 CEST
    });
  });

  it('is open from its first instant up to, not including, its end', () => {
    expect(evaluateWindows(nightly, at('2026-03-28T01:29:59Z')).open).toBe(false);
    expect(evaluateWindows(nightly, at('2026-03-28T01:30:00Z')).open).toBe(true); // 02:30 CET
    expect(evaluateWindows(nightly, at('2026-03-28T02:29:59Z')).open).toBe(true);
    expect(evaluateWindows(nightly, at('2026-03-28T02:30:00Z')).open).toBe(false);
    const weekly = [rrule('weekly', 'Europe/Berlin', 'FREQ=WEEKLY;BYDAY=SA;BYHOUR=2', '4h')];
    expect(evaluateWindows(weekly, at('2026-03-28T01:00:00Z')).open).toBe(true); // Sat 02:00 CET
    expect(evaluateWindows(weekly, at('2026-03-28T00:59:59Z')).open).toBe(false);
  });

  it('opens at the jump when 02:30 does not exist, and still lasts its full duration', () => {
    const before = evaluateWindows(nightly, at('2026-03-29T00:59:00Z')); // 01:59 CET
    expect(before).toMatchObject({ open: false, opensAt: '2026-03-29T01:00:00.000Z' }); // 03:00 CEST
    expect(evaluateWindows(nightly, at('2026-03-29T01:30:00Z'))).toMatchObject({
      open: true,
      closesAt: '2026-03-29T02:00:00.000Z', // 04:00 CEST
    });
  });

  it('opens once, at the first 02:30, when clocks go back', () => {
    // 02:30 CEST = 00:30Z; one hour later it is 02:30 CET, and the window closes.
    expect(evaluateWindows(nightly, at('2026-10-25T00:31:00Z'))).toMatchObject({
      open: true,
      closesAt: '2026-10-25T01:30:00.000Z',
    });
    const second = evaluateWindows(nightly, at('2026-10-25T01:45:00Z')); // 02:45 CET, the repeated hour
    expect(second).toMatchObject({ open: false, opensAt: '2026-10-26T01:30:00.000Z' }); // 02:30 CET next day
  });

  it('names the next opening in the window time zone', () => {
    const weekend = [rrule('weekend', 'Europe/Berlin', 'FREQ=WEEKLY;BYDAY=SA;BYHOUR=2', '4h')];
    const v = evaluateWindows(weekend, at('2026-03-31T12:00:00Z')); // a Tuesday, after the change
    expect(v).toMatchObject({
      open: false,
      reason: 'outside-window',
      opensAt: '2026-04-04T00:00:00.000Z', // Sat 02:00 CEST
      text: 'waiting for window (opens Sat 02:00 Europe/Berlin)',
    });
    // The Saturday before the change opened an hour later in UTC.
    expect(evaluateWindows(weekend, at('2026-03-24T12:00:00Z')).opensAt).toBe('2026-03-28T01:00:00.000Z');
  });
});

describe('America/New_York (forward 2026-03-08 02:00 EST, back 2026-11-01 02:00 EDT)', () => {
  it('a window in the skipped hour opens at 03:00 EDT and runs two real hours', () => {
    const w = [cron('early', 'America/New_York', '0 2 * * *', '2h')];
    expect(evaluateWindows(w, at('2026-03-08T06:59:00Z'))).toMatchObject({
      open: false,
      opensAt: '2026-03-08T07:00:00.000Z',
    });
    expect(evaluateWindows(w, at('2026-03-08T08:59:00Z'))).toMatchObject({
      open: true,
      closesAt: '2026-03-08T09:00:00.000Z', // 05:00 EDT
    });
  });

  it('an RRULE window in the repeated hour opens once, in EDT', () => {
    const w = [rrule('late', 'America/New_York', 'FREQ=DAILY;BYHOUR=1;BYMINUTE=30', '1h')];
    expect(evaluateWindows(w, at('2026-11-01T05:30:00Z'))).toMatchObject({
      open: true, // 01:30 EDT
      closesAt: '2026-11-01T06:30:00.000Z',
    });
    expect(evaluateWindows(w, at('2026-11-01T06:45:00Z'))).toMatchObject({
      open: false, // 01:45 EST: the same wall-clock hour again, not a second window
      opensAt: '2026-11-02T06:30:00.000Z', // 01:30 EST
    });
  });

  it('a freeze spanning the change ends at local midnight in the new offset', () => {
    const w = [freeze('halloween', 'America/New_York', '2026-10-31', '2026-11-02')];
    const v = evaluateWindows(w, at('2026-11-02T04:30:00Z')); // 23:30 EST on 1 Nov
    expect(v).toMatchObject({
      open: false,
      reason: 'frozen',
      frozenBy: 'halloween',
      opensAt: '2026-11-02T05:00:00.000Z',
    });
    expect(evaluateWindows(w, at('2026-10-31T03:59:00Z')).open).toBe(true); // 23:59 EDT on 30 Oct
    expect(evaluateWindows(w, at('2026-10-31T04:00:00Z')).open).toBe(false);
  });
});

describe('Australia/Sydney (back 2026-04-05 03:00 AEDT, forward 2026-10-04 02:00 AEST)', () => {
  const sunday = [cron('sunday', 'Australia/Sydney', '30 2 * * SUN', '1h')];

  it('opens once, at the first 02:30 (AEDT), when clocks go back in April', () => {
    expect(evaluateWindows(sunday, at('2026-04-04T15:30:00Z'))).toMatchObject({
      open: true,
      closesAt: '2026-04-04T16:30:00.000Z', // 02:30 AEST
    });
    expect(evaluateWindows(sunday, at('2026-04-04T16:45:00Z'))).toMatchObject({
      open: false,
      opensAt: '2026-04-11T16:30:00.000Z', // Sun 12 Apr 02:30 AEST
    });
  });

  it('opens at the jump when clocks go forward in October', () => {
    expect(evaluateWindows(sunday, at('2026-10-03T15:00:00Z'))).toMatchObject({
      open: false,
      opensAt: '2026-10-03T16:00:00.000Z', // 03:00 AEDT
    });
    expect(evaluateWindows(sunday, at('2026-10-03T16:59:00Z')).open).toBe(true);
    expect(evaluateWindows(sunday, at('2026-10-03T17:00:00Z')).open).toBe(false);
  });

  it('uses the southern summer offset (+11) in January and the winter one (+10) in July', () => {
    expect(evaluateWindows(sunday, at('2026-01-03T12:00:00Z')).opensAt).toBe('2026-01-03T15:30:00.000Z');
    expect(evaluateWindows(sunday, at('2026-07-04T12:00:00Z')).opensAt).toBe('2026-07-04T16:30:00.000Z');
  });
});

describe('combining windows', () => {
  const always = cron('always', 'UTC', '0 0 * * *', '24h');
  const office = { ...cron('office', 'Europe/Berlin', '0 9 * * 1-5', '8h'), kind: 'deny' as const };

  it('a deny window overrides an allow window, and says when changes may move again', () => {
    const v = evaluateWindows([always, office], at('2026-06-01T08:00:00Z')); // Mon 10:00 CEST
    expect(v).toMatchObject({
      open: false,
      reason: 'denied',
      frozenBy: 'office',
      opensAt: '2026-06-01T15:00:00.000Z', // 17:00 CEST
      text: 'denied by window office (opens Mon 17:00 Europe/Berlin)',
      mayMerge: false,
      mayUngate: false,
    });
    expect(evaluateWindows([always, office], at('2026-06-01T15:00:00Z')).open).toBe(true);
  });

  it('a freeze overrides allow windows until it ends and the next window opens', () => {
    const w = [
      cron('nights', 'Europe/Berlin', '0 22 * * *', '4h'),
      freeze('year-end', 'Europe/Berlin', '2026-12-20', '2027-01-04T09:00'),
    ];
    const v = evaluateWindows(w, at('2026-12-31T22:00:00Z'));
    expect(v).toMatchObject({ open: false, reason: 'frozen', frozenBy: 'year-end' });
    // 4 Jan 09:00 the freeze ends, but the next allow window starts at 22:00 CET.
    expect(v.opensAt).toBe('2027-01-04T21:00:00.000Z');
    expect(v.text).toBe('frozen by window year-end (opens Mon 22:00 Europe/Berlin)');
  });

  it('overlapping allow windows close when the last of them ends', () => {
    const w = [cron('late', 'UTC', '0 22 * * *', '3h'), cron('early', 'UTC', '0 0 * * *', '4h')];
    expect(evaluateWindows(w, at('2026-05-05T23:00:00Z'))).toMatchObject({
      open: true,
      window: 'late',
      closesAt: '2026-05-06T04:00:00.000Z',
      text: 'in window late (closes Wed 04:00 UTC)',
    });
  });

  it('with no allow window changes may move whenever nothing denies them', () => {
    expect(evaluateWindows([], at('2026-05-05T23:00:00Z'))).toMatchObject({
      open: true,
      reason: 'unrestricted',
      mayMerge: true,
    });
    const f = [freeze('launch', 'UTC', '2026-05-10', '2026-05-11')];
    expect(evaluateWindows(f, at('2026-05-05T23:00:00Z'))).toMatchObject({
      open: true,
      reason: 'unrestricted',
      closesAt: '2026-05-10T00:00:00.000Z',
    });
  });

  it('windows limited to other clusters or environments do not apply', () => {
    const w = [cron('prod-nights', 'UTC', '0 22 * * *', '2h', { environments: ['prod'] })];
    const noon = at('2026-05-05T12:00:00Z');
    expect(evaluateWindows(w, noon, { environment: 'dev' }).open).toBe(true);
    expect(evaluateWindows(w, noon, { environment: 'prod' }).open).toBe(false);
    expect(evaluateWindows(w, noon, {}).open).toBe(true);
  });
});

describe('what cairn may do outside a window', () => {
  const nights = cron('nights', 'UTC', '0 22 * * *', '2h');

  it('opens pull requests but never merges or un-gates', () => {
    expect(evaluateWindows([nights], at('2026-05-05T12:00:00Z'))).toMatchObject({
      open: false,
      mayOpenPrs: true,
      mayMerge: false,
      mayUngate: false,
    });
  });

  it('holds pull requests too when the window says so', () => {
    const holding = { ...nights, openPullRequests: false };
    expect(evaluateWindows([holding], at('2026-05-05T12:00:00Z')).mayOpenPrs).toBe(false);
    const f = freeze('launch', 'UTC', '2026-05-01', '2026-05-10', { openPullRequests: false });
    expect(evaluateWindows([nights, f], at('2026-05-05T23:00:00Z'))).toMatchObject({
      open: false,
      mayOpenPrs: false,
    });
    expect(evaluateWindows([nights, f], at('2026-05-10T23:00:00Z'))).toMatchObject({
      open: true,
      mayOpenPrs: true,
    });
  });

  it('fails closed on a window it cannot evaluate', () => {
    const bad = cron('broken', 'Mars/Olympus', '0 22 * * *', '2h');
    expect(evaluateWindows([bad], at('2026-05-05T12:00:00Z'))).toMatchObject({
      open: false,
      reason: 'invalid',
      mayOpenPrs: false,
      mayMerge: false,
      text: 'window broken cannot be evaluated: "Mars/Olympus" is not an IANA time zone',
    });
  });
});

describe('RRULE forms', () => {
  it('counts INTERVAL from its DTSTART line', () => {
    const w = [
      rrule('fortnight', 'Europe/Berlin', 'DTSTART:20260103T020000\nRRULE:FREQ=WEEKLY;INTERVAL=2', '3h'),
    ];
    // 3 Jan, 17 Jan, 31 Jan ...: 10 Jan is skipped.
    expect(evaluateWindows(w, at('2026-01-05T12:00:00Z')).opensAt).toBe('2026-01-17T01:00:00.000Z');
  });

  it('handles the first Sunday of the month and the last Friday', () => {
    const first = [rrule('first', 'UTC', 'RRULE:FREQ=MONTHLY;BYDAY=1SU;BYHOUR=3', '3h')];
    expect(evaluateWindows(first, at('2026-05-05T00:00:00Z')).opensAt).toBe('2026-06-07T03:00:00.000Z');
    const last = [rrule('last', 'UTC', 'FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=18', '2h')];
    expect(evaluateWindows(last, at('2026-05-05T00:00:00Z')).opensAt).toBe('2026-05-29T18:00:00.000Z');
  });

  it('finds a leap-day window years ahead', () => {
    const leap = [rrule('leap', 'UTC', 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29', '1d')];
    expect(evaluateWindows(leap, at('2028-02-29T12:00:00Z')).open).toBe(true);
    expect(evaluateWindows(leap, at('2027-03-01T00:00:00Z')).opensAt).toBe('2028-02-29T00:00:00.000Z');
  });
});
