// Journey 5 (issue 16): Alauda through OLM on Argo CD (journeys/alauda.ts): the
// operator by a manually approved InstallPlan, then Redis 6.0 -> 7.0 -> 7.4.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Journey5, journey5World } from './journeys/alauda.ts';
import { expectSeen, journeyLines, recordFigures, traceEvent } from './journeys/figures.ts';
import { stepPulls } from './journeys/reviewer.ts';

let j: Journey5;
let started = 0;
beforeAll(async () => {
  started = Date.now();
  j = await journey5World({ onEvent: traceEvent });
}, 60_000);
afterAll(async () => j?.world.stop());

describe('journey 5: Alauda through OLM on Argo CD', () => {
  it('the operator through a manually approved InstallPlan, then Redis 6.0 -> 7.0 -> 7.4', async () => {
    const world = j.world;
    await j.run();
    expect(world.openSteps()).toEqual([]);
    recordFigures('journey 5: Alauda through OLM', Date.now() - started, world.githubRequests);
    const seen = {
      steps: stepPulls(world).map((p) => `#${p.number} ${p.step.component} ${p.step.from} -> ${p.step.to}`),
      approvals: j.approvals,
      ...journeyLines(world),
    };
    expectSeen('journey5', 'alauda', seen);
  }, 60_000);
});
