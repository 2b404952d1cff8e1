// A simulated howl-cloud redis-operator (with the helm-controller that installs its
// chart), walking the phases its source and docs describe (../shared/fixtures
// howl-redis-operator/DERIVED-status-fields.md; seeds/002, the upgrade guide):
// - a chart upgrade replaces the CRDs (`crds: CreateReplace`) and rolls the operator
//   Deployment; no data pod restarts (the pods' spec hash does not change);
// - an `imageName` change: phase `Updating`, replicas recreated one at a time from the
//   highest ordinal, then, when `primaryUpdateStrategy: supervised`, `WaitingForUser`
//   with `PrimaryUpdateWaiting=True/AwaitingApproval` until the annotation
//   `redis.io/approve-primary-update: "true"` appears; the operator removes it
//   (`ApprovalConsumed`), switches over to an updated replica, recreates the old
//   primary and goes `Healthy`;
// - a `RedisBackup`: `Pending` → `Running` → `Completed`.
import type { KubeObject } from '../../../lib/cluster-state.ts';
import type { OperatorSim, SimContext } from './types.ts';

export const APPROVE = 'redis.io/approve-primary-update';
const OPERATOR_IMAGE = 'ghcr.io/howl-cloud/redis-operator';

export interface HowlOptions {
  /** Seconds of virtual time per rollout stage (default 15 s). */
  stepMs?: number;
}

const dig = (o: unknown, path: string): unknown =>
  path
    .split('.')
    .reduce<unknown>(
      (x, k) => (x && typeof x === 'object' ? (x as Record<string, unknown>)[k] : undefined),
      o,
    );

function pod(
  cluster: string,
  ns: string,
  i: number,
  image: string,
  role: string,
  ready: boolean,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${cluster}-${i}`,
      namespace: ns,
      labels: {
        'redis.io/cluster': cluster,
        'redis.io/workload': 'data',
        'redis.io/instance': `${cluster}-${i}`,
        'redis.io/role': role,
      },
    },
    spec: { containers: [{ name: 'redis', image }] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: [{ name: 'redis', image, ready, restartCount: 0 }],
    },
  };
}

function operatorDeployment(
  version: string,
  replicas: number,
  generation: number,
  updated: number,
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'redis-operator', namespace: 'redis-system', generation },
    spec: {
      replicas,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'redis-operator' } },
      template: {
        spec: { containers: [{ name: 'manager', image: `${OPERATOR_IMAGE}:v${version.replace(/^v/, '')}` }] },
      },
    },
    status: {
      observedGeneration: generation,
      replicas,
      updatedReplicas: updated,
      readyReplicas: replicas,
      availableReplicas: replicas,
    },
  };
}

const isOperatorRelease = (o: KubeObject) =>
  o.kind === 'HelmRelease' && dig(o, 'spec.chart.spec.chart') === 'redis-operator';

export function howlOperator(opts: HowlOptions = {}): OperatorSim & {
  /** Every approval annotation the operator consumed, per cluster. */
  consumed: { cluster: string; object: string; at: string }[];
} {
  const stepMs = opts.stepMs ?? 15_000;
  /** RedisClusters waiting for the approval annotation: cluster/ns/name → continue. */
  const waiting = new Map<string, () => void>();
  const backups = new Set<string>();
  const consumed: { cluster: string; object: string; at: string }[] = [];

  const statusOf = (c: SimContext, ns: string, name: string) =>
    c.kube.get('redis.io', 'RedisCluster', ns, name)!;

  const setStatus = (c: SimContext, ns: string, name: string, change: (s: Record<string, unknown>) => void) =>
    c.kube.update('redis.io', 'RedisCluster', ns, name, (o) => {
      const s = structuredClone(o.status ?? {}) as Record<string, unknown>;
      change(s);
      o.status = s;
    });

  const recreatePod = (c: SimContext, name: string, ns: string, i: number, image: string, role: string) => {
    c.kube.remove('', 'Pod', ns, `${name}-${i}`);
    c.kube.apply(pod(name, ns, i, image, role, false));
    setStatus(c, ns, name, (s) => {
      s.readyInstances = Number(s.instances) - 1;
      const inst = (s.instancesStatus ?? {}) as Record<string, Record<string, unknown>>;
      inst[`${name}-${i}`] = { ...inst[`${name}-${i}`], connected: false };
      s.instancesStatus = inst;
    });
    c.record(`${c.cluster}: pod ${ns}/${name}-${i} recreated on ${image}`);
  };

  const podReady = (c: SimContext, name: string, ns: string, i: number, image: string, role: string) => {
    c.kube.apply(pod(name, ns, i, image, role, true));
    setStatus(c, ns, name, (s) => {
      s.readyInstances = s.instances;
      const inst = (s.instancesStatus ?? {}) as Record<string, Record<string, unknown>>;
      inst[`${name}-${i}`] = {
        role: role === 'primary' ? 'master' : 'slave',
        connected: true,
        ...(role === 'primary' ? {} : { masterLinkStatus: 'up' }),
      };
      s.instancesStatus = inst;
    });
  };

  /** The imageName rollout of one RedisCluster. */
  const rollout = (c: SimContext, rc: KubeObject) => {
    const ns = rc.metadata!.namespace!;
    const name = rc.metadata!.name!;
    const image = String(rc.spec!.imageName);
    const instances = Number(rc.spec!.instances ?? 1);
    const supervised = rc.spec!.primaryUpdateStrategy === 'supervised';
    const primary = String(statusOf(c, ns, name).status?.currentPrimary ?? `${name}-0`);
    const primaryIndex = Number(primary.slice(name.length + 1));
    const replicas = Array.from({ length: instances }, (_, i) => instances - 1 - i).filter(
      (i) => i !== primaryIndex,
    );
    let t = 5_000;
    c.after(t, `${c.cluster}: howl sees ${name} on ${image}`, () => {
      setStatus(c, ns, name, (s) => {
        s.phase = 'Updating';
        s.conditions = [
          { type: 'Ready', status: 'False', reason: 'RollingUpdate', message: 'rolling update in progress' },
        ];
      });
      c.record(`${c.cluster}: RedisCluster ${ns}/${name} Updating to ${image}`);
    });
    for (const i of replicas) {
      t += stepMs;
      c.after(t, `${c.cluster}: replica ${i}`, () => recreatePod(c, name, ns, i, image, 'replica'));
      t += stepMs;
      c.after(t, `${c.cluster}: replica ${i} ready`, () => podReady(c, name, ns, i, image, 'replica'));
    }
    const newPrimary = replicas[0] ?? primaryIndex;
    const finish = () => {
      let u = 5_000;
      c.after(u, `${c.cluster}: switchover`, () => {
        setStatus(c, ns, name, (s) => {
          s.currentPrimary = `${name}-${newPrimary}`;
        });
        c.record(`${c.cluster}: RedisCluster ${ns}/${name} switched over to ${name}-${newPrimary}`);
        recreatePod(c, name, ns, primaryIndex, image, 'replica');
      });
      u += stepMs;
      c.after(u, `${c.cluster}: old primary ready`, () => {
        podReady(c, name, ns, primaryIndex, image, 'replica');
        c.kube.update('', 'Pod', ns, `${name}-${newPrimary}`, (p) => {
          p.metadata!.labels!['redis.io/role'] = 'primary';
        });
        setStatus(c, ns, name, (s) => {
          s.phase = 'Healthy';
          const inst = s.instancesStatus as Record<string, Record<string, unknown>>;
          inst[`${name}-${newPrimary}`] = { role: 'master', connected: true };
          s.conditions = [
            { type: 'Ready', status: 'True', reason: 'ClusterHealthy', message: 'cluster is healthy' },
          ];
        });
        c.record(`${c.cluster}: RedisCluster ${ns}/${name} Healthy on ${image}`);
      });
    };
    t += stepMs;
    c.after(t, `${c.cluster}: replicas done`, () => {
      if (!supervised || primaryIndex === newPrimary) return finish();
      setStatus(c, ns, name, (s) => {
        s.phase = 'WaitingForUser';
        s.conditions = [
          { type: 'Ready', status: 'False', reason: 'RollingUpdate', message: 'rolling update in progress' },
          {
            type: 'PrimaryUpdateWaiting',
            status: 'True',
            reason: 'AwaitingApproval',
            message: `Replicas are updated. Set annotation ${APPROVE}="true" to continue.`,
          },
        ];
      });
      c.record(`${c.cluster}: RedisCluster ${ns}/${name} WaitingForUser (replicas updated)`);
      waiting.set(`${c.cluster}/${ns}/${name}`, () => {
        c.kube.update('redis.io', 'RedisCluster', ns, name, (o) => {
          delete o.metadata!.annotations![APPROVE];
          const s = o.status as Record<string, unknown>;
          s.phase = 'Updating';
          s.conditions = [
            {
              type: 'Ready',
              status: 'False',
              reason: 'RollingUpdate',
              message: 'rolling update in progress',
            },
            {
              type: 'PrimaryUpdateWaiting',
              status: 'False',
              reason: 'ApprovalConsumed',
              message: 'approval consumed',
            },
          ];
        });
        consumed.push({ cluster: c.cluster, object: `${ns}/${name}`, at: c.now().toISOString() });
        c.record(`${c.cluster}: RedisCluster ${ns}/${name} approval consumed (annotation removed)`);
        finish();
      });
    });
  };

  return {
    product: 'howl-cloud',
    consumed,
    seed(c, rendered) {
      const out: KubeObject[] = [];
      for (const o of rendered) {
        if (isOperatorRelease(o)) {
          const version = String(dig(o, 'spec.chart.spec.version'));
          const replicas = Number(dig(o, 'spec.values.replicaCount') ?? 1);
          out.push(operatorDeployment(version, replicas, 1, replicas));
          out.push({
            ...o,
            status: {
              observedGeneration: 1,
              lastAppliedRevision: version,
              conditions: [
                {
                  type: 'Ready',
                  status: 'True',
                  reason: 'UpgradeSucceeded',
                  message: `Helm upgrade succeeded for release redis-system/redis-operator.v1 with chart redis-operator@${version}`,
                },
              ],
            },
          });
        }
        if (o.kind === 'RedisCluster' && o.apiVersion === 'redis.io/v1') {
          const name = o.metadata!.name!;
          const ns = o.metadata!.namespace!;
          const n = Number(o.spec?.instances ?? 1);
          const image = String(o.spec?.imageName);
          const inst: Record<string, unknown> = {};
          for (let i = 0; i < n; i++) {
            inst[`${name}-${i}`] =
              i === 0
                ? { role: 'master', connected: true }
                : { role: 'slave', connected: true, masterLinkStatus: 'up' };
            out.push(pod(name, ns, i, image, i === 0 ? 'primary' : 'replica', true));
          }
          out.push({
            ...o,
            status: {
              phase: 'Healthy',
              instances: n,
              readyInstances: n,
              currentPrimary: `${name}-0`,
              instancesStatus: inst,
              conditions: [
                { type: 'Ready', status: 'True', reason: 'ClusterHealthy', message: 'cluster is healthy' },
              ],
            },
          });
        }
      }
      return out;
    },
    applied(c, changed) {
      for (const o of changed) {
        if (isOperatorRelease(o)) {
          const version = String(dig(o, 'spec.chart.spec.version'));
          c.after(5_000, `${c.cluster}: helm upgrade`, () => {
            c.record(
              `${c.cluster}: CRDs redisclusters, redisbackups, redisscheduledbackups.redis.io replaced from chart ${version} (crds: CreateReplace)`,
            );
            const d = c.kube.get('apps', 'Deployment', 'redis-system', 'redis-operator')!;
            const replicas = Number(d.spec?.replicas ?? 1);
            const gen = (d.metadata?.generation ?? 1) + 1;
            c.kube.apply({
              ...operatorDeployment(version, replicas, gen, 0),
              metadata: { ...d.metadata, generation: gen },
            });
            c.record(`${c.cluster}: Deployment redis-system/redis-operator rolling to v${version}`);
            for (let k = 1; k <= replicas; k++)
              c.after(stepMs * k, `${c.cluster}: operator pod ${k}`, () => {
                c.kube.update('apps', 'Deployment', 'redis-system', 'redis-operator', (x) => {
                  (x.status as Record<string, unknown>).updatedReplicas = k;
                });
                if (k === replicas) {
                  c.kube.update(
                    'helm.toolkit.fluxcd.io',
                    'HelmRelease',
                    o.metadata!.namespace!,
                    o.metadata!.name!,
                    (h) => {
                      h.status = {
                        observedGeneration: h.metadata?.generation ?? 1,
                        lastAppliedRevision: version,
                        conditions: [
                          {
                            type: 'Ready',
                            status: 'True',
                            reason: 'UpgradeSucceeded',
                            message: `Helm upgrade succeeded with chart redis-operator@${version}`,
                          },
                        ],
                      };
                    },
                  );
                  c.record(`${c.cluster}: Deployment redis-system/redis-operator rolled out v${version}`);
                }
              });
          });
        }
        if (o.kind === 'RedisCluster' && o.apiVersion === 'redis.io/v1') {
          const live = c.kube.get('redis.io', 'RedisCluster', o.metadata!.namespace, o.metadata!.name!)!;
          rollout(c, live);
        }
      }
    },
    tick(c) {
      for (const [key, go] of waiting) {
        const [cluster, ns, name] = key.split('/') as [string, string, string];
        if (cluster !== c.cluster) continue;
        const rc = c.kube.get('redis.io', 'RedisCluster', ns, name);
        if (rc?.metadata?.annotations?.[APPROVE] === 'true') {
          waiting.delete(key);
          c.after(2_000, `${c.cluster}: approval seen`, go);
        }
      }
      for (const b of c.kube.list('redis.io', 'RedisBackup')) {
        const key = `${c.cluster}/${b.metadata?.namespace}/${b.metadata?.name}`;
        if (backups.has(key) || b.status?.phase) continue;
        backups.add(key);
        const ns = b.metadata!.namespace!;
        const name = b.metadata!.name!;
        const update = (status: Record<string, unknown>) =>
          c.kube.update('redis.io', 'RedisBackup', ns, name, (x) => {
            x.status = { ...x.status, ...status };
          });
        c.after(2_000, `${c.cluster}: backup starts`, () => {
          const rc = c.kube.get('redis.io', 'RedisCluster', ns, String(b.spec?.clusterName));
          update({
            phase: 'Running',
            targetPod: `${String(b.spec?.clusterName)}-${rc ? '1' : '0'}`,
            startedAt: c.now().toISOString(),
          });
          c.record(`${c.cluster}: RedisBackup ${ns}/${name} Running`);
        });
        c.after(32_000, `${c.cluster}: backup completes`, () => {
          update({ phase: 'Completed', completedAt: c.now().toISOString(), artifactType: 'rdb' });
          c.record(`${c.cluster}: RedisBackup ${ns}/${name} Completed`);
        });
      }
    },
    ready(c) {
      const d = c.kube.get('apps', 'Deployment', 'redis-system', 'redis-operator');
      if (!d) return true;
      const s = (d.status ?? {}) as Record<string, unknown>;
      return s.observedGeneration === d.metadata?.generation && s.updatedReplicas === d.spec?.replicas;
    },
  };
}
