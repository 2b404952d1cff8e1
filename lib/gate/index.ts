// The gate (pure): given a merged step (from its PR's step block), the merge
// commit, a cluster reading with its age, the policy's soak and timeout and
// `now`, one verdict: pass | wait (reason, retryAfter) | fail (reasons,
// rollback advice) | needs-approval. Unknown, stale or unreadable is closed.
// `checkPreSteps` proves a major's backup before its PR is un-gated.
export { evaluateConditions, evaluateGate, rollbackAdvice } from './gate.ts';
export { checkPreSteps, type PreStepResult } from './backup.ts';
export { appliersOf, groupOf, selectObjects } from './select.ts';
export * from './types.ts';
export { ancestryFromCompare, comparisonsNeeded, type CompareStatus } from './ancestry.ts';
export { decideStep, soakTimerKey, type DecideDeps, type DecideInput, type Decision } from './decide.ts';
