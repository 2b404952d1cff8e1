// The simulated operators walk their products' real status sequences, and
// cairn's own health evaluators (lib/health) read the end states as a user
// of the product would: healthy after a good rollout, degraded after a bad one.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../lib/cluster-state.ts';
import { evaluateHealth } from '../../../lib/health/index.ts';
import { MemoryCluster } from './memory-cluster.ts';
import { alaudaOperator, approveInstallPlan, OLM } from './operators/alauda.ts';
import { bitnamiRedis, renderBitnamiRedis } from './operators/bitnami.ts';
import { kubedbOperator } from './operators/kubedb.ts';
import { otOperator, otSettledPods } from './operators/ot.ts';
import { redisEnterpriseOperator } from './operators/redis-enterprise.ts';
import { pathOf, runUntilIdle, type SimCluster } from './rollout.ts';
import { settledPods } from './workloads.ts';

const T0 = Date.parse('2026-12-01T09:00:00Z');

function health(
  id: string,
  o: KubeObject | undefined,
  cluster: SimCluster,
  params: Record<string, string> = {},
) {
  return evaluateHealth(id, {
    object: o,
    related: cluster.list('', 'Pod'),
    params,
    context: { readAt: new Date(T0) },
  });
}

function change(
  cluster: SimCluster,
  group: string,
  kind: string,
  ns: string,
  name: string,
  f: (o: KubeObject) => void,
) {
  const o = cluster.get(group, kind, ns, name)!;
  f(o);
  cluster.apply(o);
}

const rec = (): KubeObject =>
  ({
    apiVersion: 'app.redislabs.com/v1',
    kind: 'RedisEnterpriseCluster',
    metadata: { name: 'rec', namespace: 'redis-enterprise' },
    spec: { nodes: 3, redisEnterpriseImageSpec: { repository: 'redislabs/redis', versionTag: '7.4.6-102' } },
    status: { state: 'Running', specStatus: 'Valid' },
  }) as KubeObject;

describe('Redis Enterprise', () => {
  it('a REC versionTag change: Upgrade, pods one by one in reverse order, then Running', () => {
    const c = new MemoryCluster([rec()]);
    const sim = redisEnterpriseOperator();
    sim.tick(c, T0);
    change(c, 'app.redislabs.com', 'RedisEnterpriseCluster', 'redis-enterprise', 'rec', (o) => {
      (
        o as { spec: { redisEnterpriseImageSpec: { versionTag: string } } }
      ).spec.redisEnterpriseImageSpec.versionTag = '7.8.6-13';
    });
    // Mid-roll, the gate's evaluator says progressing.
    sim.tick(c, T0);
    runUntilIdle([sim], c, T0, T0 + 200_000);
    const mid = c.get('app.redislabs.com', 'RedisEnterpriseCluster', 'redis-enterprise', 'rec');
    expect(pathOf(mid, 'status.state')).toBe('Upgrade');
    expect(health('redis-enterprise-cluster', mid, c).status).toBe('progressing');
    const { events } = runUntilIdle([sim], c, T0 + 200_000);
    expect(sim.events.map((e) => e.change)).toEqual([
      'status.state Upgrade',
      'pod rec-2 runs redislabs/redis:7.8.6-13',
      'pod rec-1 runs redislabs/redis:7.8.6-13',
      'pod rec-0 runs redislabs/redis:7.8.6-13',
      'status.state Running',
    ]);
    expect(events.at(-1)!.at - T0).toBe(1_000 + 3 * 120_000 + 10_000);
    const end = c.get('app.redislabs.com', 'RedisEnterpriseCluster', 'redis-enterprise', 'rec');
    expect(health('redis-enterprise-cluster', end, c, { version: '7.8.6-13' }).status).toBe('healthy');
  });

  it('degrades mid-roll: status.state Error after the first pod', () => {
    const c = new MemoryCluster([rec()]);
    const sim = redisEnterpriseOperator({ failRecAfterPods: 1 });
    sim.tick(c, T0);
    change(c, 'app.redislabs.com', 'RedisEnterpriseCluster', 'redis-enterprise', 'rec', (o) => {
      (
        o as { spec: { redisEnterpriseImageSpec: { versionTag: string } } }
      ).spec.redisEnterpriseImageSpec.versionTag = '7.8.6-13';
    });
    runUntilIdle([sim], c, T0);
    expect(sim.events.map((e) => e.change)).toEqual([
      'status.state Upgrade',
      'pod rec-2 runs redislabs/redis:7.8.6-13',
      'status.state Error (pod rec-1 did not rejoin the cluster)',
    ]);
    const end = c.get('app.redislabs.com', 'RedisEnterpriseCluster', 'redis-enterprise', 'rec');
    expect(health('redis-enterprise-cluster', end, c).status).toBe('degraded');
  });

  it('a REDB redisVersion change: active-change-pending with observedGeneration behind, then active', () => {
    const c = new MemoryCluster([
      {
        apiVersion: 'app.redislabs.com/v1alpha1',
        kind: 'RedisEnterpriseDatabase',
        metadata: { name: 'orders', namespace: 'redis-enterprise' },
        spec: { redisVersion: '7.2' },
        status: { status: 'active', observedGeneration: 1 },
      } as KubeObject,
    ]);
    const sim = redisEnterpriseOperator();
    sim.tick(c, T0);
    change(c, 'app.redislabs.com', 'RedisEnterpriseDatabase', 'redis-enterprise', 'orders', (o) => {
      (o as { spec: { redisVersion: string } }).spec.redisVersion = '7.4';
    });
    runUntilIdle([sim], c, T0, T0 + 10_000);
    const mid = c.get('app.redislabs.com', 'RedisEnterpriseDatabase', 'redis-enterprise', 'orders');
    expect(health('redis-enterprise-database', mid, c, { version: '7.4' }).status).toBe('progressing');
    runUntilIdle([sim], c, T0 + 10_000);
    const end = c.get('app.redislabs.com', 'RedisEnterpriseDatabase', 'redis-enterprise', 'orders');
    expect(pathOf(end, 'status.version')).toBe('7.4');
    expect(health('redis-enterprise-database', end, c, { version: '7.4' }).status).toBe('healthy');
  });
});

describe('KubeDB', () => {
  const redis = {
    apiVersion: 'kubedb.com/v1',
    kind: 'Redis',
    metadata: { name: 'sessions', namespace: 'sessions' },
    spec: { version: '6.2.14', mode: 'Standalone' },
    status: { phase: 'Ready', observedGeneration: 1 },
  } as KubeObject;
  // The allowlist of the catalog's redis-6.2.14-official.yaml.
  const version = {
    apiVersion: 'catalog.kubedb.com/v1alpha1',
    kind: 'RedisVersion',
    metadata: { name: '6.2.14' },
    spec: { version: '6.2.14', updateConstraints: { allowlist: ['>= 6.2.14, < 7.0.15'] } },
  } as KubeObject;
  const ops = (target: string): KubeObject =>
    ({
      apiVersion: 'ops.kubedb.com/v1alpha1',
      kind: 'RedisOpsRequest',
      metadata: { name: `sessions-update-${target}`, namespace: 'sessions' },
      spec: {
        type: 'UpdateVersion',
        databaseRef: { name: 'sessions' },
        updateVersion: { targetVersion: target },
      },
    }) as KubeObject;

  it('an UpdateVersion ops request inside the allowlist: Progressing, the database updated, Successful and Ready', () => {
    const c = new MemoryCluster([redis, version]);
    const sim = kubedbOperator();
    sim.tick(c, T0);
    c.apply(ops('7.0.14'));
    runUntilIdle([sim], c, T0, T0 + 20_000);
    const mid = c.get('ops.kubedb.com', 'RedisOpsRequest', 'sessions', 'sessions-update-7.0.14');
    expect(health('kubedb-ops-request', mid, c).status).toBe('progressing');
    expect(
      health('kubedb-redis', c.get('kubedb.com', 'Redis', 'sessions', 'sessions'), c, { version: '7.0.14' })
        .status,
    ).toBe('progressing');
    runUntilIdle([sim], c, T0 + 20_000);
    expect(sim.events.map((e) => e.change)).toEqual([
      'status.phase Progressing',
      'Redis sessions/sessions spec.version 7.0.14, status.phase NotReady',
      'status.phase Successful',
    ]);
    const done = c.get('ops.kubedb.com', 'RedisOpsRequest', 'sessions', 'sessions-update-7.0.14');
    expect((pathOf(done, 'status.conditions') as { type: string }[]).map((x) => x.type)).toEqual([
      'Progressing',
      'UpdateVersion',
      'RestartPods',
      'Successful',
    ]);
    expect(health('kubedb-ops-request', done, c).status).toBe('healthy');
    expect(
      health('kubedb-redis', c.get('kubedb.com', 'Redis', 'sessions', 'sessions'), c, { version: '7.0.14' })
        .status,
    ).toBe('healthy');
  });

  it('an ops request outside updateConstraints is Denied, and the database is untouched', () => {
    const c = new MemoryCluster([redis, version]);
    const sim = kubedbOperator();
    sim.tick(c, T0);
    c.apply(ops('7.2.4'));
    runUntilIdle([sim], c, T0);
    const denied = c.get('ops.kubedb.com', 'RedisOpsRequest', 'sessions', 'sessions-update-7.2.4');
    expect(pathOf(denied, 'status.phase')).toBe('Denied');
    expect(health('kubedb-ops-request', denied, c).reasons.join(' ')).toContain(
      'not allowed by RedisVersion 6.2.14',
    );
    expect(pathOf(c.get('kubedb.com', 'Redis', 'sessions', 'sessions'), 'spec.version')).toBe('6.2.14');
  });
});

describe('OT-Container-Kit', () => {
  const replication = {
    apiVersion: 'redis.redis.opstreelabs.in/v1beta2',
    kind: 'RedisReplication',
    metadata: { name: 'checkout', namespace: 'checkout' },
    spec: { clusterSize: 3, kubernetesConfig: { image: 'mirror.example.com/opstree/redis:v7.0.15' } },
    status: { masterNode: 'checkout-0' },
  } as KubeObject;

  it('a RedisReplication image change rolls the pods, the master last, then reports the master again', () => {
    const c = new MemoryCluster([replication, ...otSettledPods(replication)]);
    const sim = otOperator();
    sim.tick(c, T0);
    change(c, 'redis.redis.opstreelabs.in', 'RedisReplication', 'checkout', 'checkout', (o) => {
      (o as { spec: { kubernetesConfig: { image: string } } }).spec.kubernetesConfig.image =
        'mirror.example.com/opstree/redis:v7.2.7';
    });
    const image = { image: 'mirror.example.com/opstree/redis:v7.2.7' };
    const o = () => c.get('redis.redis.opstreelabs.in', 'RedisReplication', 'checkout', 'checkout');
    runUntilIdle([sim], c, T0, T0 + 40_000);
    expect(health('ot-redis-replication', o(), c, image).status).toBe('progressing');
    runUntilIdle([sim], c, T0 + 40_000);
    expect(sim.events.map((e) => e.change)).toEqual([
      'pod checkout-2 runs mirror.example.com/opstree/redis:v7.2.7',
      'pod checkout-1 runs mirror.example.com/opstree/redis:v7.2.7',
      'pod checkout-0 runs mirror.example.com/opstree/redis:v7.2.7',
      'status.masterNode checkout-0',
    ]);
    expect(health('ot-redis-replication', o(), c, image).status).toBe('healthy');
  });

  it('a RedisCluster rolls leaders then followers (Initializing, Bootstrap, Ready); a crash-looping pod makes it Failed', () => {
    const cluster = {
      apiVersion: 'redis.redis.opstreelabs.in/v1beta2',
      kind: 'RedisCluster',
      metadata: { name: 'cart', namespace: 'cart' },
      spec: { clusterSize: 2, kubernetesConfig: { image: 'quay.io/opstree/redis:v7.0.15' } },
      status: { state: 'Ready', readyLeaderReplicas: 2, readyFollowerReplicas: 2 },
    } as KubeObject;
    for (const fail of [undefined, { at: 2, reason: 'CrashLoopBackOff' }]) {
      const c = new MemoryCluster([cluster]);
      const sim = otOperator(fail ? { fail } : {});
      sim.tick(c, T0);
      change(c, 'redis.redis.opstreelabs.in', 'RedisCluster', 'cart', 'cart', (o) => {
        (o as { spec: { kubernetesConfig: { image: string } } }).spec.kubernetesConfig.image =
          'quay.io/opstree/redis:v7.2.7';
      });
      runUntilIdle([sim], c, T0);
      const end = c.get('redis.redis.opstreelabs.in', 'RedisCluster', 'cart', 'cart');
      if (!fail) {
        expect(sim.events.map((e) => e.change)).toEqual([
          'status.state Initializing',
          'pod cart-leader-1 runs quay.io/opstree/redis:v7.2.7',
          'pod cart-leader-0 runs quay.io/opstree/redis:v7.2.7',
          'pod cart-follower-1 runs quay.io/opstree/redis:v7.2.7',
          'pod cart-follower-0 runs quay.io/opstree/redis:v7.2.7',
          'status.state Ready',
        ]);
        expect(health('ot-redis-cluster', end, c).status).toBe('healthy');
      } else {
        expect(sim.events.at(-1)!.change).toBe('pod cart-follower-1 CrashLoopBackOff, status.state Failed');
        expect(health('ot-redis-cluster', end, c).status).toBe('degraded');
      }
    }
  });
});

describe('Bitnami chart', () => {
  it('renders master and replicas StatefulSets from the values, and a chart bump rolls both, replicas in reverse order', () => {
    const values = {
      architecture: 'replication',
      image: { registry: 'mirror.example.com', repository: 'bitnami/redis', tag: '7.4.3-debian-12-r0' },
      replica: { replicaCount: 2 },
    };
    const before = renderBitnamiRedis({
      release: 'cache',
      namespace: 'cache',
      chartVersion: '20.13.4',
      values,
    });
    expect(before.map((o) => `${o.metadata?.name} ${String(pathOf(o, 'spec.replicas'))}`)).toEqual([
      'cache-master 1',
      'cache-replicas 2',
    ]);
    const c = new MemoryCluster([...before, ...before.flatMap(settledPods)]);
    const sim = bitnamiRedis();
    sim.tick(c, T0);
    const after = renderBitnamiRedis({
      release: 'cache',
      namespace: 'cache',
      chartVersion: '21.2.14',
      values: { ...values, image: { ...values.image, tag: '8.0.3-debian-12-r2' } },
    });
    for (const o of after) {
      const live = c.get('apps', 'StatefulSet', 'cache', o.metadata!.name!)!;
      c.apply({
        ...o,
        metadata: { ...live.metadata, labels: o.metadata?.labels, generation: 2 },
        status: (live as { status?: unknown }).status,
      } as KubeObject);
    }
    runUntilIdle([sim], c, T0);
    const replicas = sim.events
      .filter((e) => e.object === 'StatefulSet cache/cache-replicas')
      .map((e) => e.change);
    expect(replicas).toEqual([
      'status.updatedReplicas 0/2',
      'pod cache-replicas-1 runs mirror.example.com/bitnami/redis:8.0.3-debian-12-r2',
      'pod cache-replicas-0 runs mirror.example.com/bitnami/redis:8.0.3-debian-12-r2',
      'status.readyReplicas 2/2',
    ]);
    for (const name of ['cache-master', 'cache-replicas']) {
      const sts = c.get('apps', 'StatefulSet', 'cache', name);
      expect(sts?.metadata?.labels?.['helm.sh/chart']).toBe('redis-21.2.14');
      expect(
        health('statefulset-rollout', sts, c, {
          image: 'mirror.example.com/bitnami/redis:8.0.3-debian-12-r2',
        }).status,
      ).toBe('healthy');
    }
  });
});

describe('Alauda through OLM', () => {
  const sub = {
    apiVersion: `${OLM}/v1alpha1`,
    kind: 'Subscription',
    metadata: { name: 'redis-operator', namespace: 'operators' },
    spec: {
      channel: 'stable',
      name: 'redis-operator',
      source: 'platform',
      sourceNamespace: 'cpaas-system',
      installPlanApproval: 'Manual',
      startingCSV: 'redis-operator.v3.16.0',
    },
    status: {
      state: 'AtLatestKnown',
      installedCSV: 'redis-operator.v3.16.0',
      currentCSV: 'redis-operator.v3.16.0',
    },
  } as KubeObject;
  const operator = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'redis-operator', namespace: 'operators' },
    spec: {
      replicas: 1,
      template: {
        spec: {
          containers: [
            { name: 'redis-operator', image: 'registry.example.com/middleware/redis-operator:v3.16.0' },
          ],
        },
      },
    },
  } as KubeObject;

  it('a Subscription change waits for approval of its InstallPlan, then the CSV installs and the operator runs the new version', () => {
    const c = new MemoryCluster([sub, operator]);
    const sim = alaudaOperator();
    sim.tick(c, T0);
    change(c, OLM, 'Subscription', 'operators', 'redis-operator', (o) => {
      (o as { spec: { startingCSV: string } }).spec.startingCSV = 'redis-operator.v3.18.0';
    });
    const idle = runUntilIdle([sim], c, T0);
    const pendingSub = c.get(OLM, 'Subscription', 'operators', 'redis-operator');
    expect(pathOf(pendingSub, 'status.state')).toBe('UpgradePending');
    const planName = pathOf(pendingSub, 'status.installPlanRef.name') as string;
    expect(pathOf(c.get(OLM, 'InstallPlan', 'operators', planName), 'status.phase')).toBe('RequiresApproval');
    // Nothing happens without approval, however long we wait.
    expect(sim.nextAt()).toBeUndefined();
    expect(approveInstallPlan(c, 'operators', 'redis-operator')).toBe(planName);
    runUntilIdle([sim], c, idle.now + 3_600_000);
    expect(sim.events.map((e) => e.change)).toEqual([
      `InstallPlan ${planName} for redis-operator.v3.18.0, status.phase RequiresApproval; status.state UpgradePending`,
      'status.phase Installing; ClusterServiceVersion redis-operator.v3.18.0 Pending, redis-operator.v3.16.0 Replacing',
      'ClusterServiceVersion redis-operator.v3.18.0 InstallReady',
      'ClusterServiceVersion redis-operator.v3.18.0 Installing; operator Deployment runs 3.18.0',
      'ClusterServiceVersion redis-operator.v3.18.0 Succeeded; status.phase Complete; Subscription AtLatestKnown',
    ]);
    expect(pathOf(c.get(OLM, 'Subscription', 'operators', 'redis-operator'), 'status.installedCSV')).toBe(
      'redis-operator.v3.18.0',
    );
    const dep = c.get('apps', 'Deployment', 'operators', 'redis-operator');
    expect(pathOf(dep, 'spec.template.spec.containers.0.image')).toBe(
      'registry.example.com/middleware/redis-operator:v3.18.0',
    );
  });

  it('a Redis version change: Initializing, then Ready (or Error)', () => {
    const r = {
      apiVersion: 'middleware.alauda.io/v1',
      kind: 'Redis',
      metadata: { name: 'orders', namespace: 'orders' },
      spec: { arch: 'sentinel', version: '6.0' },
      status: { phase: 'Ready' },
    } as KubeObject;
    for (const failRedis of [undefined, 'sentinel failover did not complete']) {
      const c = new MemoryCluster([r]);
      const sim = alaudaOperator(failRedis ? { failRedis } : {});
      sim.tick(c, T0);
      change(c, 'middleware.alauda.io', 'Redis', 'orders', 'orders', (o) => {
        (o as { spec: { version: string } }).spec.version = '7.2';
      });
      runUntilIdle([sim], c, T0);
      const end = c.get('middleware.alauda.io', 'Redis', 'orders', 'orders');
      expect(sim.events[0]!.change).toBe('status.phase Initializing (upgrading to 7.2)');
      expect(health('alauda-redis', end, c, { version: '7.2' }).status).toBe(
        failRedis ? 'degraded' : 'healthy',
      );
    }
  });
});
