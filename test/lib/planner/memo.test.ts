// Re-planning with a memo (the PR engine after each push): the plan is always exactly the
// plan a fresh run makes, and a run whose input did not change plans nothing.
import { describe, expect, it } from 'vitest';
import { catalogReleases } from '../../../lib/feed.ts';
import type { Target } from '../../../lib/model.ts';
import { createPlanMemo, planWithMemo } from '../../../lib/planner/memo.ts';
import type { PlanInput } from '../../../lib/planner/types.ts';
import { environmentFromName } from '../../../lib/policy/environments.ts';
import { EMPTY_POLICY } from '../../../lib/policy/load.ts';
import { catalog, NOW, plan, rel, target } from './helpers.ts';

const on = (cluster: string, current = '7.2.4'): Target =>
  target({
    id: `clusters/${cluster}/cache.yaml#RedisCluster/cache/cache:spec.imageName`,
    component: 'redis',
    current,
    cluster,
    environment: environmentFromName(cluster)!,
    resource: { kind: 'RedisCluster', namespace: 'cache', name: 'cache' },
    span: { offset: 120, style: 'plain', whole: true },
    fingerprint: 'f1',
  });

const releases = { redis: rel('7.2.5', '7.4.1') };
const input = (targets: Target[], more: Partial<PlanInput> = {}): PlanInput => ({
  inventory: { targets, problems: [] },
  releases,
  clusters: {},
  policy: EMPTY_POLICY,
  catalog,
  now: NOW,
  ...more,
});
const fresh = (i: PlanInput) => plan(i.inventory.targets, i);

describe('re-planning with a memo', () => {
  it('gives the plan a fresh run gives after each change, promotion across environments included', () => {
    const memo = createPlanMemo();
    const fleet = () => [on('dev-1'), on('staging-2'), on('prod-eu')];
    const first = input(fleet());
    expect(planWithMemo(first, memo)).toEqual(fresh(first));
    const step = (p: ReturnType<typeof fresh>, c: string) => p.steps.find((s) => s.cluster === c);
    expect(step(fresh(first), 'staging-2')!.after).toEqual([step(fresh(first), 'dev-1')!.id]);

    // Dev reaches 7.4.1 on its own: staging no longer waits for a dev step.
    const devDone = input([on('dev-1', '7.4.1'), on('staging-2'), on('prod-eu')]);
    const replanned = planWithMemo(devDone, memo);
    expect(replanned).toEqual(fresh(devDone));
    expect(step(replanned, 'dev-1')).toBeUndefined();
    expect(step(replanned, 'staging-2')!.after).toEqual([]);
    expect(step(replanned, 'prod-eu')!.after).toEqual([step(replanned, 'staging-2')!.id]);

    // Staging moves back behind dev's 7.2.4 -> the prod hop to 7.4.1 must wait again.
    const stagingBack = input([on('dev-1'), on('staging-2', '7.2.5'), on('prod-eu')]);
    expect(planWithMemo(stagingBack, memo)).toEqual(fresh(stagingBack));
    expect(memo.stats).toEqual({ reused: 0, planned: 3 });
  });

  it('plans nothing when the input is the same, even where an edit would write moved', () => {
    const memo = createPlanMemo();
    const first = planWithMemo(input([on('dev-1'), on('prod-eu')]), memo);
    // New objects, the same data; a comment above the token moved its offset and the file's fingerprint.
    const moved = [on('dev-1'), on('prod-eu')].map((t) => ({
      ...t,
      span: { ...t.span!, offset: 140 },
      fingerprint: 'f2',
    }));
    const again = input(moved);
    expect(planWithMemo(again, memo)).toBe(first);
    expect(first).toEqual(fresh(again));
    expect(memo.stats).toEqual({ reused: 1, planned: 1 });
  });

  it('a line added above the tokens moves their lines in the last plan instead of planning again', () => {
    const memo = createPlanMemo();
    const first = input([on('dev-1'), on('staging-2'), on('prod-eu')]);
    planWithMemo(first, memo);
    // Three lines added at the top of dev's file: its target moved from line 1 to line 4.
    const shifted = input([{ ...on('dev-1'), line: 4 }, on('staging-2'), on('prod-eu')]);
    const again = planWithMemo(shifted, memo);
    expect(again).toEqual(fresh(shifted));
    expect(again.steps.find((s) => s.cluster === 'dev-1')!.target.line).toBe(4);
    expect(memo.stats).toEqual({ reused: 1, planned: 1 });
    // The memo compares the next run with the moved lines.
    expect(planWithMemo(shifted, memo)).toEqual(fresh(shifted));
    expect(memo.stats).toEqual({ reused: 2, planned: 1 });
  });

  it('plans again when anything else the planner reads changed', () => {
    const targets = [on('dev-1'), on('prod-eu')];
    const changes: Partial<PlanInput>[] = [
      { releases: { redis: rel('7.2.5') } },
      { clusters: { 'dev-1': { name: 'dev-1', kubernetesVersion: '1.31' } } },
      { releases: catalogReleases(catalog) },
    ];
    for (const change of changes) {
      const memo = createPlanMemo();
      planWithMemo(input(targets), memo);
      const next = input(targets, change);
      expect(planWithMemo(next, memo)).toEqual(fresh(next));
      expect(memo.stats.planned).toBe(2);
    }
  });

  it('on a moving clock, reuses the plan until a release reaches its minimum age, then plans again', () => {
    // 7.2.5 is old enough; 7.4.1 came out two days before NOW, and the default minimum age is longer.
    const fresher = { redis: [...rel('7.2.5'), { version: '7.4.1', published: '2026-11-19' }] };
    const memo = createPlanMemo();
    const targets = [on('dev-1'), on('prod-eu')];
    const at = (iso: string) => input(targets, { releases: fresher, now: new Date(iso) });
    const first = planWithMemo(at('2026-11-21T09:00:00Z'), memo);
    expect(first.steps.map((s) => s.to)).toEqual(['7.2.5', '7.2.5']);
    // An hour later nothing has come of age: the same plan, at the new instant.
    const later = at('2026-11-21T10:00:00Z');
    expect(planWithMemo(later, memo)).toEqual(fresh(later));
    expect(memo.stats).toEqual({ reused: 1, planned: 1 });
    // A month later 7.4.1 is old enough: planned again, and the plan moves on.
    const month = at('2026-12-21T09:00:00Z');
    const moved = planWithMemo(month, memo);
    expect(moved).toEqual(fresh(month));
    expect(moved.steps.map((s) => s.to)).toEqual(['7.4.1', '7.4.1']);
    expect(memo.stats).toEqual({ reused: 1, planned: 2 });
  });

  it('is not fooled by a caller that changes its target objects in place', () => {
    const memo = createPlanMemo();
    const targets = [on('dev-1'), on('prod-eu')];
    planWithMemo(input(targets), memo);
    targets[0]!.current = '7.2.5';
    targets[1]!.fields = { 'spec.extra': 'x' };
    const next = input(targets);
    expect(planWithMemo(next, memo)).toEqual(fresh(next));
    expect(memo.stats).toEqual({ reused: 0, planned: 2 });
  });
});
