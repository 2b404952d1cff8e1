// Ordering: the `after` edges between steps of different targets (operator
// before its data plane, CRDs before their operator, what each product adds,
// lower environment first) and the one deterministic order of all steps.
import { compareText } from './ids.ts';
import type { Catalog } from '../catalog/schema.ts';
import { InternalError } from '../errors.ts';
import type { ClusterFacts } from '../model.ts';
import type { PromotionDeps } from './promotion.ts';
import { PRODUCTS } from './products/index.ts';
import { catalogRule } from './rules.ts';
import { dedupeRules } from './steps.ts';
import type { Step } from './types.ts';
import type { Work } from './work.ts';

/** The generic order on one cluster: operator before the data planes it manages, CRDs before their operator. */
export function orderOnCluster(
  catalog: Catalog,
  ws: readonly Work[],
  stepsOf: ReadonlyMap<Work, Step[]>,
): void {
  const orderRule = catalogRule(catalog, 'operator-before-data-plane');
  for (const w of ws) {
    const steps = stepsOf.get(w)!;
    if (!steps.length) continue;
    const t = w.target;
    if (t.role === 'data-plane' && t.managedBy && !w.product?.ordersItself?.(t)) {
      const ops = ws.filter((o) => o.target.role === 'operator' && o.target.component === t.managedBy);
      const last = ops.map((o) => stepsOf.get(o)!.at(-1)).filter((s): s is Step => s !== undefined);
      if (last.length) {
        steps[0]!.after.push(...last.map((s) => s.id));
        for (const s of steps) s.rules.push(orderRule);
      }
    }
    if (t.role === 'operator') {
      const crds = ws.filter((o) => o.target.role === 'crds' && o.target.component.startsWith(t.component));
      for (const c of crds) {
        const cs = stepsOf.get(c)!;
        for (const s of steps) {
          const match = cs.find((x) => x.to === s.to);
          if (match) s.after.push(match.id);
        }
      }
    }
  }
}

/** Each product's own order among its steps on one cluster. */
export function productOrder(
  catalog: Catalog,
  facts: ClusterFacts | undefined,
  ws: readonly Work[],
  stepsOf: ReadonlyMap<Work, Step[]>,
): void {
  for (const p of PRODUCTS) {
    if (!p.order) continue;
    const own = ws.filter((w) => w.product === p);
    if (own.length) p.order({ catalog, facts, works: own, stepsOf });
  }
}

/**
 * Each promoted hop after the same hop in the environments before it. Promotion
 * shares one dependency list among every cluster of a workload, so each list's
 * ids are gathered and sorted once (a fleet's production step waits on hundreds).
 */
export function promotionOrder(deps: PromotionDeps, stepsOf: ReadonlyMap<Work, Step[]>): void {
  const idsOf = new Map<readonly { work: Work; hop: number }[], string[]>();
  for (const [w, byHop] of deps) {
    const steps = stepsOf.get(w)!;
    for (const [i, list] of byHop) {
      const s = steps[i];
      if (!s) continue;
      let ids = idsOf.get(list);
      if (!ids) {
        ids = [];
        for (const d of list) {
          const dep = stepsOf.get(d.work)![d.hop];
          if (dep) ids.push(dep.id);
        }
        ids.sort();
        idsOf.set(list, ids);
      }
      for (const id of ids) s.after.push(id);
    }
  }
}

/**
 * The ids in `ids` that name a step, sorted and each once. Sorting first makes the
 * dedupe one linear pass; lists built from sorted runs sort in near-linear time.
 */
function knownSorted(ids: string[], byId: ReadonlyMap<string, Step>): string[] {
  const out = ids.filter((id) => byId.has(id)).sort();
  let n = 0;
  for (let i = 0; i < out.length; i++) if (n === 0 || out[i] !== out[n - 1]) out[n++] = out[i]!;
  // A copy of exactly n: the filtered array grew by doubling, and a plan holds ~900k of these ids.
  return out.slice(0, n);
}

/** Topological order (dependencies first), ties broken by id, so output is deterministic. */
export function orderSteps(steps: Step[]): Step[] {
  const byId = new Map(steps.map((s) => [s.id, s]));
  for (const s of steps) {
    s.after = knownSorted(s.after, byId);
    // The steps are final now: each list at its exact length (a list grown by push keeps
    // spare room, and a fleet's plan holds tens of thousands of them).
    s.rules = dedupeRules(s.rules).slice();
    s.risks = s.risks.slice();
    s.preSteps = s.preSteps.slice();
    if (s.gate.conditions) s.gate.conditions = s.gate.conditions.slice();
  }
  const out: Step[] = [];
  // Ids finished, and ids entered (a step entered again before it finished is a cycle).
  const done = new Set<string>();
  const entered = new Set<string>();
  const visit = (s: Step) => {
    entered.add(s.id);
    for (const a of s.after) {
      if (done.has(a)) continue;
      if (entered.has(a)) throw new InternalError(`cycle in step dependencies at ${a}`);
      visit(byId.get(a)!);
    }
    done.add(s.id);
    out.push(s);
  };
  for (const s of [...steps].sort((a, b) => compareText(a.id, b.id))) if (!done.has(s.id)) visit(s);
  return out;
}
