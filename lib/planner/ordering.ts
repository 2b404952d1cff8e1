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
 * shares one dependency list among every cluster of a workload (a fleet's production
 * step waits on hundreds), so each list's ids are gathered and sorted once and the list
 * is kept shared: `orderSteps` merges it into each step's `after` and walks it once.
 */
export function promotionOrder(
  deps: PromotionDeps,
  stepsOf: ReadonlyMap<Work, Step[]>,
): Map<Step, readonly string[]> {
  const idsOf = new Map<readonly { work: Work; hop: number }[], string[]>();
  const shared = new Map<Step, readonly string[]>();
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
        ids = dedupeSorted(ids.sort());
        idsOf.set(list, ids);
      }
      if (ids.length) shared.set(s, ids);
    }
  }
  return shared;
}

/** A sorted list with each item once (in place). */
function dedupeSorted(out: string[]): string[] {
  let n = 0;
  for (let i = 0; i < out.length; i++) if (n === 0 || out[i] !== out[n - 1]) out[n++] = out[i]!;
  out.length = n;
  return out;
}

/** The ids in `ids` that name a step, sorted and each once. */
function knownSorted(ids: readonly string[], byId: ReadonlyMap<string, Step>): string[] {
  return dedupeSorted(ids.filter((id) => byId.has(id)).sort());
}

/** Index of the first item of sorted `list` that is not below `id` (code-unit order, as `sort()`). */
function lowerBound(list: readonly string[], id: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Two sorted, deduplicated lists as one (a few own ids into a long shared list: a search per own id). */
function mergeSorted(own: readonly string[], list: readonly string[]): string[] {
  if (!own.length) return list.slice();
  const out: string[] = [];
  let from = 0;
  for (const id of own) {
    const at = lowerBound(list, id); // never below `from`: `own` is sorted
    for (let i = from; i < at; i++) out.push(list[i]!);
    from = at;
    if (list[at] === id) continue; // in both: the list's copy follows
    out.push(id);
  }
  for (let i = from; i < list.length; i++) out.push(list[i]!);
  return out;
}

/**
 * Topological order (dependencies first), ties broken by id, so output is deterministic.
 * `shared` gives steps a dependency list shared with other steps (promotion's): it is
 * merged into the step's `after`, and once every step of a shared list is placed, later
 * steps that wait on the same list skip it whole (a fleet has ~900k such edges).
 */
export function orderSteps(steps: Step[], shared: ReadonlyMap<Step, readonly string[]> = new Map()): Step[] {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const own = new Map<Step, string[]>();
  const listOf = new Map<Step, readonly string[]>();
  const knownLists = new Map<readonly string[], readonly string[]>();
  for (const s of steps) {
    const mine = knownSorted(s.after, byId);
    const list = shared.get(s);
    if (list) {
      let known = knownLists.get(list);
      if (!known)
        knownLists.set(list, (known = list.every((id) => byId.has(id)) ? list : knownSorted(list, byId)));
      own.set(s, mine);
      listOf.set(s, known);
      s.after = mergeSorted(mine, known);
    } else s.after = mine;
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
  // Shared lists whose every step is finished.
  const finished = new Set<readonly string[]>();
  const visit = (s: Step) => {
    entered.add(s.id);
    const list = listOf.get(s);
    // With its shared list finished, only the step's own ids can still be unvisited.
    for (const a of list && finished.has(list) ? own.get(s)! : s.after) {
      if (done.has(a)) continue;
      if (entered.has(a)) throw new InternalError(`cycle in step dependencies at ${a}`);
      visit(byId.get(a)!);
    }
    if (list) finished.add(list);
    done.add(s.id);
    out.push(s);
  };
  for (const s of [...steps].sort((a, b) => compareText(a.id, b.id))) if (!done.has(s.id)) visit(s);
  return out;
}
