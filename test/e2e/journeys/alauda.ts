// Journey 5 (issue 16): Alauda on Argo CD (examples/alauda-fleet). The operator
// 3.16.0 -> 3.18.0 through its OLM Subscription with manual approval: after the
// merge OLM makes an InstallPlan that waits in RequiresApproval, the gate stays
// pending until a person approves it and the CSV installs the new operator; then
// the Redis major through the earliest minor of the new major: 6.0 -> 7.0 -> 7.4.
import type { KubeObject } from '../../../lib/cluster-state.ts';
import { RESOURCES } from '../../../lib/cluster/resources.ts';
import { alaudaOperator, approveInstallPlan, OLM } from '../sim/operators/alauda.ts';
import { groupOf, pathOf } from '../sim/rollout.ts';
import { settledObjects } from '../sim/settle.ts';
import { worldArgoCd, worldOperator, type WorldContext } from '../sim/world-adapters.ts';
import { startWorld, type World, type WorldOptions } from '../world.ts';
import { DAY, HOUR } from './argocd-fleet.ts';
import { argoReviewer, liveGuarded } from './argo-reviewer.ts';
import { gateOn, stepPulls } from './reviewer.ts';

/** What OLM installed from the Subscription before the journey: its CSV and the operator Deployment. */
function settle(o: KubeObject): KubeObject[] {
  if (o.kind !== 'Subscription') return settledObjects(o);
  const csv = String(pathOf(o, 'spec.startingCSV'));
  const version = csv.replace(/^.*\.v/, '');
  const ns = o.metadata?.namespace;
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'redis-operator', namespace: ns },
    spec: {
      replicas: 1,
      selector: { matchLabels: { name: 'redis-operator' } },
      template: {
        metadata: { labels: { name: 'redis-operator' } },
        spec: { containers: [{ name: 'redis-operator', image: `alaudaos/redis-operator:v${version}` }] },
      },
    },
  } as KubeObject;
  return [
    { ...o, status: { state: 'AtLatestKnown', installedCSV: csv, currentCSV: csv } } as KubeObject,
    {
      apiVersion: `${OLM}/v1alpha1`,
      kind: 'ClusterServiceVersion',
      metadata: { name: csv, namespace: ns },
      spec: { version },
      status: { phase: 'Succeeded' },
    } as KubeObject,
    ...settledObjects(deployment),
  ];
}

export interface Journey5 {
  world: World;
  /** The platform team's InstallPlan approvals, `MM-DDTHH:MM:SS what`. */
  approvals: string[];
  run(): Promise<void>;
}

export async function journey5World(extra: Partial<WorldOptions> = {}): Promise<Journey5> {
  const alauda = worldOperator('alauda', () => alaudaOperator({ operatorImage: 'alaudaos/redis-operator' }), {
    owns: (o) => groupOf(o) === OLM || groupOf(o) === 'middleware.alauda.io',
    olm: true,
    settle,
  });
  const argo = worldArgoCd((cluster) => [`clusters/${cluster}/apps`], {
    root: (cluster) => `redis-${cluster}`,
    // Argo CD applies the Subscription too: OLM's kinds live beside the Kubernetes test server.
    clusterOf: (c) => alauda.clusterOf(c),
  });
  const world = await startWorld({
    example: 'examples/alauda-fleet',
    clusters: [{ name: 'dev' }],
    applier: argo,
    operators: [argo.monitor, alauda],
    resources: RESOURCES.filter((r) =>
      ['/Pod', '/Node', 'apps/Deployment', 'middleware.alauda.io/Redis', 'argoproj.io/Application'].includes(
        `${r.group}/${r.kind}`,
      ),
    ),
    start: '2026-11-23T08:00:00Z',
    cronEveryMs: HOUR,
    ...extra,
  });
  const approvals: string[] = [];
  const ctx = () => (world.clusters.get('dev') as unknown as { ctx: WorldContext }).ctx;
  let approvedAt: number | undefined;
  const reviewer = argoReviewer(world, {
    // The platform team approves the pending InstallPlan in the console, 30 minutes after it appears.
    extra: async () => {
      const olm = alauda.clusterOf(ctx());
      const plan = olm.list(OLM, 'InstallPlan').find((p) => pathOf(p, 'status.phase') === 'RequiresApproval');
      if (!plan) return false;
      approvedAt ??= world.clock.now() + 30 * 60_000;
      if (world.clock.now() < approvedAt) return false;
      approvedAt = undefined;
      // In the world's order of events, so the simulators and agents see it like any change.
      world.after(0, 'platform-team approves the InstallPlan', () => {
        approvals.push(
          `${world.clock.date().toISOString().slice(5, 19)} ${approveInstallPlan(olm, 'operators', 'redis-operator')}`,
        );
      });
      await world.advance(0);
      return true;
    },
  });
  const done = () => {
    const s = stepPulls(world);
    return (
      s.length === 3 &&
      s.every((p) => p.state === 'merged' && gateOn(world, p.mergeCommit)?.state === 'success')
    );
  };
  return {
    world,
    approvals,
    run: async () => {
      await liveGuarded(world, reviewer, 'journey 5', done, 5 * DAY);
      await world.advance(DAY);
    },
  };
}
