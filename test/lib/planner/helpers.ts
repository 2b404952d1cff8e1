// Builders for planner tests: targets as the scanner reports them, the real
// shipped catalog, and policies written as YAML like a user would.
import { loadShippedCatalog } from '../../../lib/node/files.ts';
import { catalogReleases } from '../../../lib/feed.ts';
import type { Release, Target } from '../../../lib/model.ts';
import { planUpgrade } from '../../../lib/planner/plan.ts';
import type { Plan, PlanInput } from '../../../lib/planner/types.ts';
import { EMPTY_POLICY, loadPolicy } from '../../../lib/policy/load.ts';
import type { Policy } from '../../../lib/policy/schema.ts';

export const catalog = loadShippedCatalog();
export const NOW = new Date('2026-11-21T09:00:00Z');

export function target(o: Partial<Target> & Pick<Target, 'id' | 'component' | 'current'>): Target {
  const role = o.role ?? (o.component.endsWith('operator') ? 'operator' : 'data-plane');
  return {
    kind: 'test',
    file: o.id.split('#')[0]!,
    line: 1,
    document: 0,
    field: 'spec.version',
    change: 'in-place',
    ...o,
    role,
  };
}

export function policy(yaml: string): Policy {
  return loadPolicy([
    { path: 'policies/test.yaml', text: `apiVersion: cairn.dev/v1alpha1\nkind: Policy\n${yaml}` },
  ]);
}

export function plan(targets: Target[], opts: Partial<Omit<PlanInput, 'inventory'>> = {}): Plan {
  return planUpgrade({
    inventory: { targets, problems: [] },
    releases: opts.releases ?? catalogReleases(catalog),
    clusters: opts.clusters ?? {},
    policy: opts.policy ?? EMPTY_POLICY,
    catalog: opts.catalog ?? catalog,
    now: opts.now ?? NOW,
  });
}

export function rel(...versions: string[]): Release[] {
  return versions.map((version) => ({ version, published: '2025-01-01' }));
}

export function path(p: Plan, targetId: string): string[] {
  const steps = p.steps.filter((s) => s.target.id === targetId);
  return steps.length ? [steps[0]!.from, ...steps.map((s) => s.to)] : [];
}
