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
import type { KubeObject } from '../../../lib/cluster-state.ts';
import { otClusterPhases, otPodsPhases } from '../sim/operators/ot.ts';
import { RolloutSimulator } from '../sim/rollout.ts';
import { rollingUpdate, templateFingerprint } from '../sim/workloads.ts';
import { startWorld, type World, type WorldOptions } from '../world.ts';
import { argoFleet, clustersPolicy, DAY, HOUR, productOperator } from './argocd-fleet.ts';
import { argoReviewer, liveGuarded } from './argo-reviewer.ts';
import { gateOn, stepPulls } from './reviewer.ts';

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

export function journey4World(extra: Partial<WorldOptions> = {}): Promise<World> {
  const sims = productOperator(
    'workloads',
    controllers,
    (o) => o.kind === 'StatefulSet' || o.kind === 'Deployment' || o.apiVersion?.startsWith(G) === true,
  );
  return startWorld({
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
    ...extra,
  });
}

/** Every step merged and proven, then a quiet day with nothing new. */
export async function runJourney4(w: World): Promise<void> {
  const allProven = () => {
    const s = stepPulls(w);
    return (
      s.length > 0 && s.every((p) => p.state === 'merged' && gateOn(w, p.mergeCommit)?.state === 'success')
    );
  };
  let quietSince = 0;
  await liveGuarded(
    w,
    argoReviewer(w),
    'journey 4',
    () => {
      if (!allProven()) return ((quietSince = 0), false);
      quietSince ||= w.clock.now();
      return w.clock.now() - quietSince >= DAY;
    },
    10 * DAY,
  );
}
