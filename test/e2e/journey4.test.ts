// Journey 4 (issue 16): the Bitnami Redis chart and the OT-Container-Kit operator
// on Argo CD (journeys/bitnami-ot.ts): suffixes kept, chart and image coherent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { World } from './world.ts';
import { journey4World, runJourney4 } from './journeys/bitnami-ot.ts';
import { dashboardBlocked, expectSeen, journeyLines, recordFigures, traceEvent } from './journeys/figures.ts';
import { stepPulls } from './journeys/reviewer.ts';

let world: World;
let started = 0;
beforeAll(async () => {
  started = Date.now();
  world = await journey4World({ onEvent: traceEvent });
}, 60_000);
afterAll(async () => world?.stop());

describe('journey 4: Bitnami chart and OT-Container-Kit on Argo CD', () => {
  it('suffixes kept, chart and image coherent, every step proven', async () => {
    await runJourney4(world);
    expect(world.openSteps()).toEqual([]);
    recordFigures(
      'journey 4: Bitnami chart and OT-Container-Kit',
      Date.now() - started,
      world.githubRequests,
    );
    const seen = {
      steps: stepPulls(world).map((p) => `#${p.number} ${p.step.component} ${p.step.from} -> ${p.step.to}`),
      blocked: dashboardBlocked(world),
      ...journeyLines(world),
    };
    expectSeen('journey4', 'bitnami-ot', seen);
  }, 240_000);
});
