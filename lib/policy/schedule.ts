// Syntax checks for maintenance-window schedules, as loadPolicy reports them.
// They use the same libraries that evaluate the windows (lib/schedule/), so a
// policy that validates is one cairn can evaluate.
import { compileCron, compileRRule } from '../schedule/recurrence.ts';

export { isTimeZone } from '../schedule/zone.ts';

/** Returns a reason the five-field cron expression is invalid, or undefined when it is valid. */
export function checkCron(expr: string): string | undefined {
  const c = compileCron(expr);
  return c.ok ? undefined : c.reason;
}

/** Returns a reason the RRULE (RFC 5545 subset, optional DTSTART line) is invalid, or undefined. */
export function checkRRule(rule: string): string | undefined {
  const c = compileRRule(rule);
  return c.ok ? undefined : c.reason;
}
