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

/** Each promoted hop after the same hop in the environments before it. */
export function promotionOrder(deps: PromotionDeps, stepsOf: ReadonlyMap<Work, Step[]>): void {
  for (const [w, byHop] of deps) {
    const steps = stepsOf.get(w)!;
    for (const [i, list] of byHop) {
      const s = steps[i];
      if (!s) continue;
      for (const d of list) {
        const dep = stepsOf.get(d.work)![d.hop];
        if (dep) s.after.push(dep.id);
      }
    }
  }
}

/** Topological order (dependencies first), ties broken by id, so output is deterministic. */
export function orderSteps(steps: Step[]): Step[] {
  const byId = new Map(steps.map((s) => [s.id, s]));
  for (const s of steps) {
    s.after = [...new Set(s.after)].filter((id) => byId.has(id)).sort();
    s.rules = dedupeRules(s.rules);
  }
  const out: Step[] = [];
  const state = new Map<string, number>();
  const visit = (s: Step) => {
    if (state.get(s.id) === 2) return;
    if (state.get(s.id) === 1) throw new InternalError(`cycle in step dependencies at ${s.id}`);
    state.set(s.id, 1);
    for (const a of s.after) visit(byId.get(a)!);
    state.set(s.id, 2);
    out.push(s);
  };
  for (const s of [...steps].sort((a, b) => compareText(a.id, b.id))) visit(s);
  return out;
}
