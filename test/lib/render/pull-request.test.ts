import { describe, expect, it } from 'vitest';
import {
  pullRequestBody,
  pullRequestTitle,
  STEP_BLOCK_START,
  STEP_BLOCK_VERSION,
  stepFromPullRequestBody,
} from '../../../lib/render/pull-request.ts';
import { plan, rel, target } from '../planner/helpers.ts';

describe('pull request body', () => {
  const t = target({
    id: 'apps/v.yaml#values:image.tag',
    component: 'redis',
    current: '7.2.4',
    cluster: 'prod',
  });
  const p = plan([t], { releases: { redis: rel('7.4.1') } });
  const step = p.steps[0]!;

  it('titles the PR by component, hop and cluster', () => {
    expect(pullRequestTitle(step)).toBe('chore(deps): upgrade redis 7.2.4 -> 7.4.1 on prod');
  });

  it('lists the rules, the backup to take first and the gate', () => {
    const body = pullRequestBody(step, p);
    expect(body).toContain('- [ ] take a backup and check that it can be restored');
    expect(body).toContain('**Rollback:** this hop is one-way');
    expect(body).toContain('- Argo CD / Flux reports a revision that contains this merge commit');
    expect(body).toMatch(/- `patch-minor-direct`: .* _\(seeds\/004_/);
  });

  it('shows each gate condition with the evaluator and object that check it', () => {
    const q = plan([{ ...t, image: 'redis' }], { releases: { redis: rel('7.4.1') } });
    const body = pullRequestBody(q.steps[0]!, q);
    const c = q.steps[0]!.gate.conditions![0]!;
    expect(c.evaluator).toBe('statefulset-rollout');
    expect(body).toContain(`- ${c.text} (\`statefulset-rollout\` on every StatefulSet)`);
  });

  it('records the step so it can be read back from the PR alone, even if a field holds "-->"', () => {
    expect(stepFromPullRequestBody(pullRequestBody(step, p))).toEqual(step);
    const tricky = { ...step, risks: ['a --> b'] };
    expect(stepFromPullRequestBody(pullRequestBody(tricky, p))).toEqual(tricky);
    expect(stepFromPullRequestBody('no block here')).toBeUndefined();
    expect(stepFromPullRequestBody('<!-- cairn:step {"id": 1} -->')).toBeUndefined();
  });

  it('versions the block, and does not guess at a version it does not know', () => {
    const body = pullRequestBody(step, p);
    const block = body.slice(
      body.lastIndexOf(STEP_BLOCK_START) + STEP_BLOCK_START.length,
      body.lastIndexOf('-->'),
    );
    expect(JSON.parse(block)).toEqual({ v: STEP_BLOCK_VERSION, step });
    const newer = body.replace(`{"v":${STEP_BLOCK_VERSION},`, `{"v":${STEP_BLOCK_VERSION + 1},`);
    expect(newer).not.toBe(body);
    expect(stepFromPullRequestBody(newer)).toBeUndefined();
  });
});
