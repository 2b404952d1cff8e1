// OT-Container-Kit redis-operator, simulated (ot-redis-operator CRDs:
// RedisCluster status.state / reason / readyLeaderReplicas /
// readyFollowerReplicas; standalone Redis and RedisReplication report no
// phase, their pods decide, RedisReplication names status.masterNode):
// - RedisCluster: a spec.kubernetesConfig.image change rolls the
//   `<name>-leader-<n>` pods (state Initializing, "RedisCluster is
//   initializing leaders"), then the `<name>-follower-<n>` pods (state
//   Bootstrap), then Ready;
// - Redis / RedisReplication: the `<name>-<n>` pods roll in reverse order,
//   the master (ordinal 0) last, then status.masterNode is set again.
// `fail`: the pod at that position in the roll crash-loops, and a
// RedisCluster reports state Failed.
import type { KubeObject } from '../../../../lib/cluster-state.ts';
import { pathOf, type Phase, RolloutSimulator, statusOf } from '../rollout.ts';

export interface OtOptions {
  podMs?: number;
  fail?: { at: number; reason: string };
}

const G = 'redis.redis.opstreelabs.in';

function otPod(
  owner: KubeObject,
  name: string,
  role: string | undefined,
  image: string,
  broken?: string,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: owner.metadata?.namespace,
      labels: {
        app: role ? `${owner.metadata?.name}-${role}` : (owner.metadata?.name ?? ''),
        ...(role ? { role } : {}),
      },
    },
    spec: { containers: [{ name: owner.metadata?.name ?? 'redis', image }] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: broken ? 'False' : 'True' }],
      containerStatuses: [
        {
          name: owner.metadata?.name ?? 'redis',
          image,
          ready: !broken,
          restartCount: broken ? 5 : 0,
          ...(broken ? { state: { waiting: { reason: broken } } } : {}),
        },
      ],
    },
  } as KubeObject;
}

export function otClusterPhases(o: KubeObject, opts: OtOptions = {}): Phase[] {
  const image = String(pathOf(o, 'spec.kubernetesConfig.image') ?? '');
  const size = (pathOf(o, 'spec.clusterSize') as number | undefined) ?? 3;
  const leaders = (pathOf(o, 'spec.redisLeader.replicas') as number | undefined) ?? size;
  const followers = (pathOf(o, 'spec.redisFollower.replicas') as number | undefined) ?? size;
  const podMs = opts.podMs ?? 30_000;
  const name = o.metadata?.name ?? '';
  const phases: Phase[] = [
    {
      afterMs: 2_000,
      label: 'status.state Initializing',
      apply: (x) => {
        const s = statusOf(x);
        s.state = 'Initializing';
        s.reason = 'RedisCluster is initializing leaders';
        s.readyLeaderReplicas = leaders - 1;
      },
    },
  ];
  const roll: { role: string; ordinal: number }[] = [
    ...Array.from({ length: leaders }, (_, i) => ({ role: 'leader', ordinal: leaders - 1 - i })),
    ...Array.from({ length: followers }, (_, i) => ({ role: 'follower', ordinal: followers - 1 - i })),
  ];
  roll.forEach((p, i) => {
    const broken = opts.fail?.at === i ? opts.fail.reason : undefined;
    const podName = `${name}-${p.role}-${p.ordinal}`;
    phases.push({
      afterMs: 2_000 + (i + 1) * podMs,
      label: broken ? `pod ${podName} ${broken}, status.state Failed` : `pod ${podName} runs ${image}`,
      apply: (x, cluster) => {
        cluster.apply(otPod(x, podName, p.role, image, broken));
        const s = statusOf(x);
        if (broken) {
          s.state = 'Failed';
          s.reason = `pod ${podName} is in ${broken}`;
          return;
        }
        if (p.role === 'follower' && s.state !== 'Bootstrap') {
          s.state = 'Bootstrap';
          s.reason = 'RedisCluster is bootstrapping';
          s.readyLeaderReplicas = leaders;
        }
        if (p.role === 'follower') s.readyFollowerReplicas = followers - 1;
      },
    });
  });
  if (opts.fail) return phases.slice(0, opts.fail.at + 2);
  phases.push({
    afterMs: 2_000 + (roll.length + 1) * podMs,
    label: 'status.state Ready',
    apply: (x) => {
      const s = statusOf(x);
      s.state = 'Ready';
      s.reason = 'RedisCluster is ready';
      s.readyLeaderReplicas = leaders;
      s.readyFollowerReplicas = followers;
    },
  });
  return phases;
}

export function otPodsPhases(o: KubeObject, opts: OtOptions = {}): Phase[] {
  const image = String(pathOf(o, 'spec.kubernetesConfig.image') ?? '');
  const size = (pathOf(o, 'spec.clusterSize') as number | undefined) ?? 1;
  const podMs = opts.podMs ?? 30_000;
  const name = o.metadata?.name ?? '';
  const replication = o.kind === 'RedisReplication';
  const phases: Phase[] = [];
  for (let i = 0; i < size; i++) {
    const ordinal = size - 1 - i;
    const broken = opts.fail?.at === i ? opts.fail.reason : undefined;
    const podName = `${name}-${ordinal}`;
    phases.push({
      afterMs: 2_000 + i * podMs,
      label: broken ? `pod ${podName} ${broken}` : `pod ${podName} runs ${image}`,
      apply: (x, cluster) => {
        cluster.apply(otPod(x, podName, undefined, image, broken));
        // The master restarts last; while it does, no master is reported.
        if (replication && ordinal === 0) delete statusOf(x).masterNode;
      },
    });
    if (broken) return phases;
  }
  if (replication)
    phases.push({
      afterMs: 2_000 + size * podMs,
      label: `status.masterNode ${name}-0`,
      apply: (x) => void (statusOf(x).masterNode = `${name}-0`),
    });
  return phases;
}

/** Pods for an OT object as it runs before any step (the cluster the example describes). */
export function otSettledPods(o: KubeObject): KubeObject[] {
  const image = String(pathOf(o, 'spec.kubernetesConfig.image') ?? '');
  const size = (pathOf(o, 'spec.clusterSize') as number | undefined) ?? 1;
  const name = o.metadata?.name ?? '';
  if (o.kind === 'RedisCluster')
    return ['leader', 'follower'].flatMap((role) =>
      Array.from({ length: size }, (_, i) => otPod(o, `${name}-${role}-${i}`, role, image)),
    );
  return Array.from({ length: size }, (_, i) => otPod(o, `${name}-${i}`, undefined, image));
}

const image = (o: KubeObject) => String(pathOf(o, 'spec.kubernetesConfig.image') ?? '');

export function otOperator(opts: OtOptions = {}): RolloutSimulator {
  return new RolloutSimulator('ot-container-kit', [
    { group: G, kind: 'RedisCluster', fingerprint: image, phases: (o) => otClusterPhases(o, opts) },
    { group: G, kind: 'Redis', fingerprint: image, phases: (o) => otPodsPhases(o, opts) },
    { group: G, kind: 'RedisReplication', fingerprint: image, phases: (o) => otPodsPhases(o, opts) },
  ]);
}
