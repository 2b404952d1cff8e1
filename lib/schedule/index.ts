// Maintenance windows and freezes: whether the policy's windows let a step be
// merged or un-gated at an instant, when that changes, and a one-line text for
// statuses and Slack. Pure: the instant is passed in; time zones come from Intl.
export {
  evaluateWindows,
  evaluateCompiled,
  compileWindow,
  HORIZON_MS,
  type WindowVerdict,
  type WindowReason,
  type WindowScope,
  type CompiledWindow,
  type PolicyWindow,
} from './windows.ts';
export { compileCron, compileRRule, type LocalRecurrence } from './recurrence.ts';
export { isTimeZone, toLocal, fromLocal, offsetAt, describeInstant, formatLocalIso } from './zone.ts';
