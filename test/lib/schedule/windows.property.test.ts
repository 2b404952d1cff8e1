// Whatever instant is asked about, the answer's own promises hold: the state
// flips exactly at opensAt / closesAt, and nothing is merged while closed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateWindows, type PolicyWindow } from '../../../lib/schedule/index.ts';

const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Sydney'];
type Schedule = Partial<Record<'kind' | 'cron' | 'rrule' | 'duration' | 'start' | 'end', string>>;
const schedules: Schedule[] = [
  { kind: 'allow', cron: '30 2 * * *', duration: '1h' },
  { kind: 'allow', cron: '0 22 * * 1-4', duration: '3h' },
  { kind: 'allow', rrule: 'FREQ=WEEKLY;BYDAY=SA,SU;BYHOUR=2', duration: '4h' },
  { kind: 'allow', rrule: 'FREQ=MONTHLY;BYDAY=1SU;BYHOUR=3', duration: '3h' },
  { kind: 'deny', cron: '0 9 * * 1-5', duration: '8h' },
  { kind: 'deny', rrule: 'FREQ=DAILY;BYHOUR=2;BYMINUTE=45', duration: '30m' },
  { kind: 'deny', start: '2026-10-24T12:00', end: '2026-11-02' },
];

const windowSet = fc.uniqueArray(
  fc.record({ schedule: fc.integer({ min: 0, max: schedules.length - 1 }), zone: fc.constantFrom(...zones) }),
  { minLength: 1, maxLength: 4, selector: (w) => w.schedule },
);
// 2026 and 2027, on whole minutes, so both DST changes of each zone are covered.
const instant = fc
  .integer({ min: Date.UTC(2026, 0, 1) / 60_000, max: Date.UTC(2027, 11, 31) / 60_000 })
  .map((m) => m * 60_000);

describe('window verdicts keep their own promises', () => {
  it('flips exactly at opensAt / closesAt, and closed never means merge or un-gate', () => {
    fc.assert(
      fc.property(windowSet, instant, (set, t) => {
        const windows = set.map(
          ({ schedule, zone }, i) =>
            ({ ...schedules[schedule]!, name: `w${i}`, timezone: zone }) as unknown as PolicyWindow,
        );
        const v = evaluateWindows(windows, t);
        expect(v.mayMerge).toBe(v.open);
        expect(v.mayUngate).toBe(v.open);
        const edge = v.open ? v.closesAt : v.opensAt;
        if (edge === undefined) return;
        const at = Date.parse(edge);
        expect(at).toBeGreaterThan(t);
        expect(evaluateWindows(windows, at).open).toBe(!v.open);
        expect(evaluateWindows(windows, at - 1).open).toBe(v.open);
        // Half way to the edge nothing has changed yet.
        expect(evaluateWindows(windows, Math.floor((t + at) / 2)).open).toBe(v.open);
      }),
      { numRuns: 300, seed: 14 },
    );
  });
});
