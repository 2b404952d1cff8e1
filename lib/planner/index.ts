// The planner: from an inventory, releases, cluster facts, policy and catalog
// to a Plan (`planUpgrade`), and `explain` for one target. Generic passes live
// in this folder; each product's rules in ./products, behind one interface.
export { explain, type Explanation } from './explain.ts';
export { createPlanMemo, type PlanMemo, planWithMemo } from './memo.ts';
export { planUpgrade, shortHash, stepId } from './plan.ts';
export type { Blocked, Plan, PlanInput, Step, TargetSummary } from './types.ts';
