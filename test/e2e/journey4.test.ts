// Journey 4 (issue 16): the Bitnami Redis chart and the OT-Container-Kit
// operator on Argo CD (examples/argocd-fleet's cache and OT Applications,
// dev). Tag suffixes are kept (Bitnami's `-debian-12-rN`, OT's `v` prefix)
// and the chart version and the image it runs move in coherent steps.
//
// The chart's image override pins Redis on its own (a Bitnami `image.tag` in the
// Application's values), so the image path and the chart path are separate, each
// reported as such; the gate reads the chart's StatefulSets in the Application's
// destination namespace, and the OT operator step checks whichever OT data plane
// (RedisCluster, RedisReplication, Redis) the cluster runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../lib/cluster-state.ts';
import { otClusterPhases, otPodsPhases } from './sim/operators/ot.ts';
import { RolloutSimulator } from './sim/rollout.ts';
import { rollingUpdate, templateFingerprint } from './sim/workloads.ts';
import { startWorld, type World } from './world.ts';
import { argoFleet, clustersPolicy, DAY, HOUR, productOperator } from './journeys/argocd-fleet.ts';
import { argoReviewer, liveGuarded } from './journeys/argo-reviewer.ts';
import { dashboardBlocked, expectSeen, journeyLines, recordFigures } from './journeys/figures.ts';
import { gateOn, stepPulls } from './journeys/reviewer.ts';

const trace = (e: { at: string; kind: string; text: string }) =>
  process.env.E2E_TRACE && process.stderr.write(`${e.at} ${e.kind} ${e.text}\n`);

const G = 'redis.redis.opstreelabs.in';
const image = (o: KubeObject) =>
  JSON.stringify((o.spec as { kubernetesConfig?: unknown } | undefined)?.kubernetesConfig);

/** Kubernetes' controllers for the chart's StatefulSets and the operator's Deployment, and the OT operator. */
const controllers = () =>
  new RolloutSimulator('workloads', [
    { group: 'apps', kind: 'StatefulSet', fingerprint: templateFingerprint, phases: (o) => rollingUpdate(o) },
    { group: 'apps', kind: 'Deployment', fingerprint: templateFingerprint, phases: (o) => rollingUpdate(o) },
    { group: G, kind: 'RedisReplication', fingerprint: image, phases: (o) => otPodsPhases(o) },
    { group: G, kind: 'RedisCluster', fingerprint: image, phases: (o) => otClusterPhases(o) },
  ]);

let world: World;
let started = 0;
beforeAll(async () => {
  started = Date.now();
  const sims = productOperator(
    'workloads',
    controllers,
    (o) => o.kind === 'StatefulSet' || o.kind === 'Deployment' || o.apiVersion?.startsWith(G) === true,
  );
  world = await startWorld({
    ...argoFleet({
      keep: ['cache', 'ot-operator', 'ot'],
      envs: ['dev'],
      policy: [
        ...clustersPolicy(['dev']),
        'rules:',
        '  - description: The cache is a cache; a restart from empty is acceptable, so no backup pre-step.',
        '    match: { components: [bitnami-redis] }',
        '    backupBeforeMajor: false',
      ],
      operators: [sims],
      resources: [
        '/Pod',
        '/Node',
        'apps/Deployment',
        'apps/StatefulSet',
        `${G}/RedisReplication`,
        'argoproj.io/Application',
      ],
      start: '2026-11-23T08:00:00Z',
    }),
    cronEveryMs: HOUR,
    onEvent: trace,
  });
}, 60_000);
afterAll(async () => world?.stop());

describe('journey 4: Bitnami chart and OT-Container-Kit on Argo CD', () => {
  it('suffixes kept, chart and image coherent, every step proven', async () => {
    const allProven = () => {
      const s = stepPulls(world);
      return (
        s.length > 0 &&
        s.every((p) => p.state === 'merged' && gateOn(world, p.mergeCommit)?.state === 'success')
      );
    };
    let quietSince = 0;
    await liveGuarded(
      world,
      argoReviewer(world),
      'journey 4',
      () => {
        if (!allProven()) return ((quietSince = 0), false);
        quietSince ||= world.clock.now();
        return world.clock.now() - quietSince >= DAY;
      },
      10 * DAY,
    );
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
