import { describe, expect, it } from 'vitest';
import { planLocalRepository } from '../../../lib/node/plan-local.ts';
import { planJsonChunks, toPlanJson } from '../../../lib/render/json.ts';

const ROOT = new URL('../../..', import.meta.url).pathname;

async function fluxPlan() {
  const local = await planLocalRepository({
    repo: 'examples/flux-fleet',
    cwd: ROOT,
    env: {},
    now: new Date('2026-11-21T09:00:00Z'),
  });
  const ctx = {
    repo: 'examples/flux-fleet',
    conventions: local.conventions,
    problems: local.inventory.problems,
  };
  return { plan: local.plan, ctx };
}

describe('planJsonChunks', () => {
  it('writes exactly JSON.stringify(toPlanJson(plan), null, 2), item by item', async () => {
    const { plan, ctx } = await fluxPlan();
    expect(plan.steps.length).toBeGreaterThan(1);
    const chunks = [...planJsonChunks(plan, ctx)];
    expect(chunks.length).toBeGreaterThan(plan.steps.length);
    expect(chunks.join('')).toBe(JSON.stringify(toPlanJson(plan, ctx), null, 2));
  });

  it('still checks every step against the published schema', async () => {
    const { plan, ctx } = await fluxPlan();
    const broken = { ...plan, steps: [...plan.steps, { ...plan.steps[0]!, rules: [] }] };
    expect(() => [...planJsonChunks(broken, ctx)]).toThrow();
  });
});
