// Target groups (lib/targets/groups.ts): the operator and admission containers of
// the Redis Enterprise operator Deployment pin one image, so they are one target and
// every step changes both tokens in the same commit. Built from the vendor's
// operator.yaml (redis-enterprise-k8s-docs), read in place.
import { describe, expect, it } from 'vitest';
import { catalogReleases } from '../../../lib/feed.ts';
import { planUpgrade } from '../../../lib/planner/plan.ts';
import { EMPTY_POLICY } from '../../../lib/policy/load.ts';
import { commitMessage, pullRequestBody } from '../../../lib/render/pull-request.ts';
import { stepLines } from '../../../lib/render/text.ts';
import { stepFileChanges } from '../../../lib/steps/changes.ts';
import { editTarget } from '../../../lib/targets/edit.ts';
import { memoryRepo } from '../../../lib/targets/repo.ts';
import { scanRepository } from '../../../lib/targets/scan.ts';
import { describeWithFixtures, readFixture } from '../../support/fixtures.ts';
import { catalog, NOW } from '../planner/helpers.ts';
import { changedLines } from './helpers.ts';

const OPERATOR = 'redis-enterprise-k8s/redis-enterprise-k8s-docs/operator.yaml';
const OPERATOR_FIELD = 'spec.template.spec.containers[name=redis-enterprise-operator].image';
const ADMISSION_FIELD = 'spec.template.spec.containers[name=admission].image';

async function scanOperator(text: string) {
  const repo = memoryRepo({ 'clusters/prod/re/operator.yaml': text });
  const inv = await scanRepository(repo, { locate: () => ({ cluster: 'prod', environment: 'prod' }) });
  return { repo, inv };
}

describeWithFixtures('Redis Enterprise operator Deployment: one target group', () => {
  const text = readFixture(OPERATOR);

  it('the operator and admission containers are one target with the admission token as its sibling', async () => {
    const { inv } = await scanOperator(text);
    const ops = inv.targets.filter((t) => t.component === 'redis-enterprise-operator');
    expect(ops).toHaveLength(1);
    expect(ops[0]!.field).toBe(OPERATOR_FIELD);
    expect(ops[0]!.line).toBe(44);
    expect(ops[0]!.siblings?.map((s) => [s.field, s.line])).toEqual([[ADMISSION_FIELD, 100]]);
  });

  it('the plan makes one step per hop, and the step writes both tokens in one file change', async () => {
    const { repo, inv } = await scanOperator(text);
    const p = planUpgrade({
      inventory: inv,
      releases: catalogReleases(catalog),
      clusters: { prod: { name: 'prod', kubernetesVersion: '1.33' } },
      policy: EMPTY_POLICY,
      catalog,
      now: NOW,
    });
    const steps = p.steps.filter((s) => s.component === 'redis-enterprise-operator');
    expect(steps.length).toBeGreaterThan(0);
    expect(new Set(steps.map((s) => s.target.id)).size).toBe(1);
    const first = steps[0]!;
    expect(first.target.also).toEqual([{ field: ADMISSION_FIELD, line: 100 }]);
    const target = inv.targets.find((t) => t.id === first.target.id)!;
    const changes = await stepFileChanges(repo, target, first);
    expect(changes).toHaveLength(1);
    expect(changedLines(text, changes[0]!.text)).toEqual([44, 100]);
    expect(changes[0]!.text).toBe(
      text.replaceAll('redislabs/operator:8.0.20-23', `redislabs/operator:${first.to}`),
    );
    // A reader sees both containers in the plan and the pull request.
    expect(stepLines(first, 0, 1).join('\n')).toContain(ADMISSION_FIELD);
    expect(pullRequestBody(first, p)).toContain(ADMISSION_FIELD);
    expect(commitMessage(first)).toContain(OPERATOR_FIELD);
  });

  it('the fast edit (same text) and the verified edit (re-read) give the same file', async () => {
    const { inv } = await scanOperator(text);
    const t = inv.targets.find((x) => x.component === 'redis-enterprise-operator')!;
    expect(editTarget(text, t, '8.2.0-13')).toBe(editTarget(text, t, '8.2.0-13', { verify: true }));
  });

  it('containers on different tags are not grouped: each is its own target', async () => {
    const lines = text.split('\n');
    lines[99] = lines[99]!.replace('8.0.20-23', '8.0.18-23');
    const { inv } = await scanOperator(lines.join('\n'));
    const ops = inv.targets.filter((t) => t.component === 'redis-enterprise-operator');
    expect(ops.map((t) => [t.line, t.current, t.siblings])).toEqual([
      [44, '8.0.20-23', undefined],
      [100, '8.0.18-23', undefined],
    ]);
  });

  it('an edit whose sibling token moved since the scan is refused, not half-applied', async () => {
    const { inv } = await scanOperator(text);
    const t = inv.targets.find((x) => x.component === 'redis-enterprise-operator')!;
    const lines = text.split('\n');
    lines[99] = lines[99]!.replace('8.0.20-23', '8.0.20-24');
    expect(() => editTarget(lines.join('\n'), t, '8.2.0-13')).toThrow(/version is now "8\.0\.20-24"/);
  });
});

describe('groups need the same manifest', () => {
  it('two Deployments pinning the same image stay two targets', async () => {
    const dep = (name: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  template:\n    spec:\n      containers:\n        - name: op\n          image: redislabs/operator:7.4.6-2\n`;
    const inv = await scanRepository(memoryRepo({ 'a.yaml': `${dep('a')}---\n${dep('b')}` }));
    expect(inv.targets.map((t) => [t.line, t.siblings])).toEqual([
      [10, undefined],
      [21, undefined],
    ]);
  });
});
