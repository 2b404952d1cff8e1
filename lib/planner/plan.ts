// planUpgrade: the heart of cairn. Pure: all data and the clock come in, a
// plan comes out, and the same input always gives the same plan. It runs the
// generic passes in order and calls each product's rules (./products) where
// they plug in: paths, couplings, pre-steps, ordering and gate conditions.
import { assessTargets } from './assess.ts';
import { orderOnCluster, orderSteps, productOrder, promotionOrder } from './ordering.ts';
import { PRODUCTS } from './products/index.ts';
import { promote } from './promotion.ts';
import { stepsFor } from './steps.ts';
import { reportUnplanned } from './unplanned.ts';
import { byTarget, checkMinimumVersions, summarize } from './summaries.ts';
import type { Plan, PlanInput, Step } from './types.ts';
import { byCluster, clusterFacts, type Work } from './work.ts';

export { shortHash, stepId, stepTarget } from './ids.ts';
export { workloadName } from './promotion.ts';
export { matchesPattern } from './products/redis-enterprise.ts';

export function planUpgrade(input: PlanInput): Plan {
  return planWithWork(input).plan;
}

/** The plan and the planner's working records behind it (for `explain`, which reports their reasons). */
export function planWithWork(input: PlanInput): { plan: Plan; works: readonly Work[] } {
  const { catalog, policy, now } = input;
  // 1. Each target on its own: status, candidates, path.
  const { summaries, blocked, works } = assessTargets(input);
  const clusters = byCluster(works);

  // 2. Products couple their targets on each cluster (e.g. the REC follows its operator).
  for (const ws of clusters.values()) {
    const facts = clusterFacts(input, ws[0]!.target.cluster);
    for (const p of PRODUCTS) {
      if (!p.couple) continue;
      const own = ws.filter((w) => w.product === p);
      if (own.length) p.couple({ catalog, facts, works: own });
    }
  }

  // 3. Promotion across environments, then the policy's minimum versions.
  const promotion = promote(catalog, policy, works);
  checkMinimumVersions(works);
  // Nothing newer is ever up-to-date: a newer release the plan does not reach is reported with the unblock.
  reportUnplanned(catalog, works, now);

  // 4. Steps, and the order between them.
  const stepsOf = new Map<Work, Step[]>(works.map((w) => [w, stepsFor(input, w)]));
  for (const ws of clusters.values()) {
    orderOnCluster(catalog, ws, stepsOf);
    productOrder(catalog, clusterFacts(input, ws[0]!.target.cluster), ws, stepsOf);
  }
  const shared = promotionOrder(promotion, stepsOf);

  // 5. Summaries and blocked entries.
  summarize(works, stepsOf, summaries, blocked);
  const steps = orderSteps([...stepsOf.values()].flat(), shared);
  return {
    plan: { at: now.toISOString(), targets: [...summaries.values()], steps, blocked: blocked.sort(byTarget) },
    works,
  };
}
