// Contract test: every product module registered in lib/planner/products
// claims its own components only, cites rules the catalog has, and plans its
// examples (with the shipped catalog's facts) to the paths it states, with its
// own gate conditions on every step of its targets.
import { describe, expect, it } from 'vitest';
import { catalogReleases } from '../../../lib/feed.ts';
import { PRODUCTS, productFor } from '../../../lib/planner/products/index.ts';
import type { ProductExample } from '../../../lib/planner/products/types.ts';
import { catalogRule } from '../../../lib/planner/rules.ts';
import { EMPTY_POLICY } from '../../../lib/policy/load.ts';
import { catalog, path, plan, policy, rel, target } from './helpers.ts';

function planExample(ex: ProductExample, reverse = false) {
  const targets = ex.targets.map(target);
  const releases = { ...catalogReleases(catalog) };
  for (const [c, versions] of Object.entries(ex.releases ?? {})) releases[c] = rel(...versions);
  return {
    targets,
    plan: plan(reverse ? [...targets].reverse() : targets, {
      releases,
      clusters: ex.clusters ?? {},
      policy: ex.policy ? policy(ex.policy) : EMPTY_POLICY,
    }),
  };
}

describe('product rules registry', () => {
  it('has unique ids, and no component or operator is claimed by two products', () => {
    const ids = PRODUCTS.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const components = PRODUCTS.flatMap((p) => p.components);
    expect(new Set(components).size).toBe(components.length);
    const operators = PRODUCTS.flatMap((p) => p.operators);
    expect(new Set(operators).size).toBe(operators.length);
  });

  for (const product of PRODUCTS) {
    describe(product.id, () => {
      it('names catalog components and catalog rules, and has an example', () => {
        expect(product.summary.length).toBeGreaterThan(10);
        for (const c of product.components) expect(catalog.components.has(c), c).toBe(true);
        for (const r of product.rules) expect(catalogRule(catalog, r).source).not.toBe('');
        expect(product.examples.length).toBeGreaterThan(0);
      });

      for (const ex of product.examples) {
        it(`plans its example: ${ex.summary}`, () => {
          const { targets, plan: p } = planExample(ex);
          for (const t of targets) expect(productFor(t)?.id, t.id).toBe(product.id);
          for (const [id, want] of Object.entries(ex.paths)) expect(path(p, id), id).toEqual(want);
          for (const t of targets) {
            const kinds = p.steps
              .filter((s) => s.target.id === t.id)
              .flatMap((s) => s.preSteps.map((x) => x.kind));
            expect(kinds, t.id).toEqual(ex.preSteps?.[t.id] ?? []);
          }
          const own = p.steps.filter((s) => targets.some((t) => t.id === s.target.id));
          expect(own.length).toBeGreaterThan(0);
          for (const s of own) {
            const t = targets.find((x) => x.id === s.target.id)!;
            expect(s.gate.health.length, s.id).toBeGreaterThan(0);
            expect(s.gate.health).toEqual(product.health(t));
            for (const r of s.rules) expect(r.source, `${s.id} ${r.id}`).not.toBe('');
          }
          // Input order does not change the plan.
          expect(planExample(ex, true).plan).toEqual(p);
        });
      }
    });
  }
});
