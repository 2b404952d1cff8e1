// Window schedules are checked by the libraries that evaluate them, and the
// problems reach the user with file, line and field.
import { describe, expect, it } from 'vitest';
import { formatLocation, ValidationError } from '../../../lib/errors.ts';
import { loadPolicy } from '../../../lib/policy/load.ts';

const head = 'apiVersion: cairn.dev/v1alpha1\nkind: Policy\n';

function problems(windows: string): string[] {
  try {
    loadPolicy([{ path: '.cairn/policy.yaml', text: `${head}windows:\n${windows}` }]);
    return [];
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    return e.issues.map((i) => `${formatLocation(i)}: ${i.message}`);
  }
}

describe('window schedule checks', () => {
  it('accepts the forms the docs show', () => {
    expect(
      problems(`  - { name: a, kind: allow, timezone: Europe/Berlin, cron: "0 22 * * 1-4", duration: 3h }
  - { name: b, kind: allow, timezone: UTC, cron: "0 2 L * *", duration: 3h }
  - { name: c, kind: allow, timezone: UTC, rrule: "RRULE:FREQ=MONTHLY;BYDAY=1SU;BYHOUR=3", duration: 3h }
  - name: d
    kind: allow
    timezone: UTC
    duration: 3h
    rrule: |
      DTSTART:20260103T020000
      RRULE:FREQ=WEEKLY;INTERVAL=2
  - { name: e, kind: deny, timezone: UTC, start: "2026-12-20", end: "2027-01-04T09:00", openPullRequests: false }
`),
    ).toEqual([]);
  });

  it('names file, line and field for each bad schedule', () => {
    expect(
      problems(`  - { name: a, kind: allow, timezone: UTC, cron: "0 0 32 * *", duration: 1h }
  - { name: b, kind: allow, timezone: UTC, cron: "0 2 30 2 *", duration: 1h }
  - { name: c, kind: allow, timezone: UTC, cron: "0 0 0 * * *", duration: 1h }
  - { name: d, kind: allow, timezone: UTC, rrule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA", duration: 1h }
  - { name: e, kind: allow, timezone: UTC, rrule: "FREQ=DAILY;BYHOUR=24", duration: 1h }
  - { name: f, kind: allow, timezone: UTC, rrule: "FREQ=WEEKLY", duration: 1h }
`),
    ).toEqual([
      '.cairn/policy.yaml:4:50 windows[0].cron: day of month value "32" is outside 1-31',
      '.cairn/policy.yaml:5:50 windows[1].cron: "0 2 30 2 *" never matches a date',
      ".cairn/policy.yaml:6:50 windows[2].cron: mode '5-part' requires exactly 5 parts, but pattern '0 0 0 * * *' has 6 parts.",
      '.cairn/policy.yaml:7:51 windows[3].rrule: INTERVAL and COUNT count from the first occurrence: add a DTSTART line (DTSTART:20260103T020000)',
      '.cairn/policy.yaml:8:51 windows[4].rrule: BYHOUR value "24" is out of range',
      '.cairn/policy.yaml:9:51 windows[5].rrule: say which day a weekly rule falls on: add BYDAY (e.g. BYDAY=SA)',
    ]);
  });

  it('refuses a freeze date that does not exist', () => {
    expect(
      problems(`  - { name: g, kind: deny, timezone: UTC, start: "2026-02-30", end: "2026-03-02" }\n`),
    ).toEqual(['.cairn/policy.yaml:4:50 windows[0].start: is not a real date and time']);
  });
});
