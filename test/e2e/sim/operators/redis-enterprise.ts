// Redis Enterprise for Kubernetes, simulated (seeds 000/001: operator, then
// REC, then REDB; the REC rolls its pods one by one; redis_enterprise_cluster_api.md
// ClusterState and redis_enterprise_database_api.md DatabaseStatus):
// - the operator Deployment rolls like any Deployment;
// - a REC whose spec.redisEnterpriseImageSpec.versionTag changes goes
//   status.state Upgrade, replaces its pods `<rec>-<n>` one at a time, then
//   Running (or Error mid-roll when `fail` is set);
// - a REDB whose spec.redisVersion changes goes status.status
//   active-change-pending with observedGeneration behind, then active with
//   status.version and observedGeneration caught up.
import type { KubeObject } from '../../../../lib/cluster-state.ts';
import { pathOf, type Phase, RolloutSimulator, type SimCluster, statusOf } from '../rollout.ts';
import { rollingUpdate, templateFingerprint } from '../workloads.ts';

export interface RedisEnterpriseOptions {
  /** ms per REC pod (default 120 s: each node's shards are migrated first). */
  recPodMs?: number;
  /** The REC degrades after this many pods are replaced: status.state Error. */
  failRecAfterPods?: number;
  /** ms for a REDB version change (default 45 s). */
  redbMs?: number;
  /** The Redis versions each REC version bundles, reported in status.bundledDatabaseVersions once it runs. */
  bundles?: (versionTag: string) => string[] | undefined;
  /** A REDB version change breaks the cluster: the REC goes status.state Error and the REDB stays active-change-pending. */
  failRedbUpgrade?: boolean;
}

const G = 'app.redislabs.com';

export function recPhases(o: KubeObject, opts: RedisEnterpriseOptions = {}): Phase[] {
  const nodes = (pathOf(o, 'spec.nodes') as number | undefined) ?? 3;
  const tag = pathOf(o, 'spec.redisEnterpriseImageSpec.versionTag') as string | undefined;
  const repo =
    (pathOf(o, 'spec.redisEnterpriseImageSpec.repository') as string | undefined) ?? 'redislabs/redis';
  const podMs = opts.recPodMs ?? 120_000;
  const name = o.metadata?.name ?? 'rec';
  const phases: Phase[] = [
    {
      afterMs: 1_000,
      label: 'status.state Upgrade',
      apply: (x) => {
        const s = statusOf(x);
        s.state = 'Upgrade';
        s.specStatus = 'Valid';
      },
    },
  ];
  // Pods in reverse ordinal order (a StatefulSet rolling update).
  for (let i = 0; i < nodes; i++) {
    const ordinal = nodes - 1 - i;
    if (opts.failRecAfterPods !== undefined && i === opts.failRecAfterPods) {
      phases.push({
        afterMs: 1_000 + (i + 1) * podMs,
        label: `status.state Error (pod ${name}-${ordinal} did not rejoin the cluster)`,
        apply: (x, cluster) => {
          statusOf(x).state = 'Error';
          cluster.apply(recPod(x, ordinal, `${repo}:${tag}`, false));
        },
      });
      return phases;
    }
    phases.push({
      afterMs: 1_000 + (i + 1) * podMs,
      label: `pod ${name}-${ordinal} runs ${repo}:${tag}`,
      apply: (x, cluster) => void cluster.apply(recPod(x, ordinal, `${repo}:${tag}`, true)),
    });
  }
  phases.push({
    afterMs: 1_000 + nodes * podMs + 10_000,
    label: 'status.state Running',
    apply: (x) => {
      const s = statusOf(x);
      s.state = 'Running';
      s.specStatus = 'Valid';
      const bundled = tag ? opts.bundles?.(tag) : undefined;
      if (bundled) s.bundledDatabaseVersions = bundled.map((version) => ({ dbType: 'redis', version }));
    },
  });
  return phases;
}

function recPod(rec: KubeObject, ordinal: number, image: string, ready: boolean): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${rec.metadata?.name}-${ordinal}`,
      namespace: rec.metadata?.namespace,
      labels: {
        app: 'redis-enterprise',
        'redis.io/role': 'node',
        'redis.io/cluster': rec.metadata?.name ?? '',
      },
    },
    spec: { containers: [{ name: 'redis-enterprise-node', image }] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: [{ name: 'redis-enterprise-node', image, ready, restartCount: ready ? 0 : 3 }],
    },
  } as KubeObject;
}

export function redbPhases(o: KubeObject, opts: RedisEnterpriseOptions = {}): Phase[] {
  const ms = opts.redbMs ?? 45_000;
  const version = pathOf(o, 'spec.redisVersion') as string | undefined;
  return [
    {
      afterMs: 1_000,
      label: 'status.status active-change-pending',
      apply: (x) => {
        const s = statusOf(x);
        s.status = 'active-change-pending';
        s.lastActionStatus = 'pending';
        // The operator has not yet acted on the new generation.
        s.observedGeneration = Math.max(0, (x.metadata?.generation ?? 1) - 1);
      },
    },
    ...(opts.failRedbUpgrade
      ? [
          {
            afterMs: 1_000 + ms / 2,
            label: `REC ${String(pathOf(o, 'spec.redisEnterpriseCluster.name') ?? 'rec')} status.state Error (shard upgrade to ${version ?? '?'} failed)`,
            apply: (x: KubeObject, cluster: SimCluster) => {
              statusOf(x).lastActionStatus = 'failed';
              const name = String(pathOf(x, 'spec.redisEnterpriseCluster.name') ?? 'rec');
              const rec = cluster.get(G, 'RedisEnterpriseCluster', x.metadata?.namespace, name);
              if (!rec) return;
              statusOf(rec).state = 'Error';
              cluster.apply(rec);
            },
          },
        ]
      : [
          {
            afterMs: 1_000 + ms,
            label: `status.status active (version ${version ?? '?'})`,
            apply: (x: KubeObject) => {
              const s = statusOf(x);
              s.status = 'active';
              s.lastActionStatus = 'completed';
              if (version) s.version = version;
              s.observedGeneration = x.metadata?.generation ?? 1;
            },
          },
        ]),
  ];
}

/** The operator (Deployment `redis-enterprise-operator`), its REC and its REDBs. */
export function redisEnterpriseOperator(opts: RedisEnterpriseOptions = {}): RolloutSimulator {
  return new RolloutSimulator('redis-enterprise', [
    {
      group: 'apps',
      kind: 'Deployment',
      fingerprint: (o) =>
        o.metadata?.name === 'redis-enterprise-operator' ? templateFingerprint(o) : 'other',
      phases: (o) => (o.metadata?.name === 'redis-enterprise-operator' ? rollingUpdate(o) : []),
    },
    {
      group: G,
      kind: 'RedisEnterpriseCluster',
      fingerprint: (o) => String(pathOf(o, 'spec.redisEnterpriseImageSpec.versionTag') ?? ''),
      phases: (o) => recPhases(o, opts),
    },
    {
      group: G,
      kind: 'RedisEnterpriseDatabase',
      fingerprint: (o) => String(pathOf(o, 'spec.redisVersion') ?? ''),
      phases: (o) => redbPhases(o, opts),
    },
  ]);
}
