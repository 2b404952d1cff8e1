// Journey 2 (issue 16): Redis Enterprise on Argo CD, operator → REC → REDB, a goal
// blocked on Kubernetes until it is upgraded (journeys/redis-enterprise.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { World } from './world.ts';
import { dashboardBlocked, expectSeen, journeyLines, recordFigures, traceEvent } from './journeys/figures.ts';
import {
  journey2World,
  runJourney2AfterUpgrade,
  runJourney2BeforeUpgrade,
  upgradeKubernetes,
} from './journeys/redis-enterprise.ts';
import { stepPulls } from './journeys/reviewer.ts';

let world: World;
let started = 0;
let mark = 0;

beforeAll(async () => {
  started = Date.now();
  world = await journey2World({ onEvent: traceEvent });
}, 60_000);
afterAll(async () => world?.stop());

describe('journey 2: Redis Enterprise on Argo CD', () => {
  it('on Kubernetes 1.28: operator to an intermediate 7.8, REC to what it ships, REDB to 7.4; the 7.22 goal waits for Kubernetes', async () => {
    await runJourney2BeforeUpgrade(world);
    // Nothing else opens while Kubernetes is on 1.28.
    expect(world.openSteps()).toEqual([]);
    const seen = {
      steps: stepPulls(world).map((p) => `#${p.number} ${p.step.component} ${p.step.from} -> ${p.step.to}`),
      // The goal waits for Kubernetes, and says so.
      blocked: dashboardBlocked(world),
      ...journeyLines(world),
    };
    mark = world.timeline.length;
    expectSeen('journey2', 'before-kubernetes-upgrade', seen);
  }, 60_000);

  it('after the Kubernetes upgrade the goal resumes by itself: operator 7.22, then the REC', async () => {
    await upgradeKubernetes(world);
    const before = stepPulls(world).length;
    await runJourney2AfterUpgrade(world);
    expect(world.openSteps()).toEqual([]);
    const seen = {
      steps: stepPulls(world)
        .slice(before)
        .map((p) => `#${p.number} ${p.step.component} ${p.step.from} -> ${p.step.to}`),
      blocked: dashboardBlocked(world),
      ...journeyLines(world, mark),
    };
    recordFigures('journey 2: Redis Enterprise on Argo CD', Date.now() - started, world.githubRequests);
    expectSeen('journey2', 'after-kubernetes-upgrade', seen);
  }, 60_000);
});
