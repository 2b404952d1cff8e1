// Evaluators for the Redis operators' own status, one per kind. Each states
// the fields it reads and where they are documented (fixture paths under
// ../shared/fixtures).
import {
  at,
  condition,
  describeObject,
  degraded,
  healthy,
  isRecord,
  num,
  progressing,
  str,
  unknown,
  worst,
} from './read.ts';
import type { Evaluator, HealthResult } from './types.ts';
import { checkPods, podsLabelled } from './workloads.ts';

function param(p: Record<string, unknown>, key: string): string | undefined {
  const v = p[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Observed generation behind the spec: the status describes an older spec, so it proves nothing yet. */
function staleGeneration(o: unknown, what: string): HealthResult | undefined {
  const generation = num(o, 'metadata.generation');
  const observed = num(o, 'status.observedGeneration');
  if (generation !== undefined && observed !== undefined && observed < generation)
    return progressing(
      `${what}: status.observedGeneration ${observed} is behind metadata.generation ${generation}`,
    );
  return undefined;
}

// howl-redis-operator/DERIVED-status-fields.md; config/crd/bases/redis.io_redisclusters.yaml.
const HOWL_TRANSITIONAL = ['Creating', 'Replicating', 'FailingOver', 'Scaling', 'Updating'];

export const howlRedisCluster: Evaluator = {
  id: 'howl-redis-cluster',
  kind: 'RedisCluster',
  group: 'redis.io',
  describe: (p) =>
    `RedisCluster status.phase is Healthy, status.readyInstances equals spec.instances, status.currentPrimary is set${p.image ? ` and every instance runs ${String(p.image)}` : ''}, no replication link down`,
  evaluate({ object, related, params }) {
    if (!object) return unknown('the RedisCluster was not found');
    const name = describeObject(object);
    const phase = str(object, 'status.phase');
    if (phase === undefined) return unknown(`${name} reports no status.phase yet`);
    if (phase === 'WaitingForUser') {
      const waiting = condition(object, 'PrimaryUpdateWaiting');
      return {
        status: 'progressing',
        needsApproval: true,
        reasons: [
          `${name} is WaitingForUser: replicas are updated and the primary update waits for approval (annotation redis.io/approve-primary-update: "true")${waiting?.message ? ` — ${waiting.message}` : ''}`,
        ],
      };
    }
    if (phase === 'Degraded') return degraded(`${name} status.phase is Degraded`);
    if (phase === 'Hibernating' || phase === 'Deleting') return degraded(`${name} status.phase is ${phase}`);
    if (phase !== 'Healthy')
      return HOWL_TRANSITIONAL.includes(phase)
        ? progressing(`${name} status.phase is ${phase}`)
        : unknown(`${name} status.phase is ${phase}, which cairn does not know`);
    const instances = num(object, 'spec.instances') ?? num(object, 'status.instances');
    const ready = num(object, 'status.readyInstances');
    if (instances === undefined || ready === undefined)
      return unknown(`${name} does not report status.readyInstances and spec.instances`);
    if (ready !== instances) return progressing(`${name}: ${ready}/${instances} instances ready`);
    const primary = str(object, 'status.currentPrimary');
    if (!primary) return progressing(`${name}: status.currentPrimary is not set`);
    const instancesStatus = at(object, 'status.instancesStatus');
    const down: string[] = [];
    if (isRecord(instancesStatus))
      for (const [pod, s] of Object.entries(instancesStatus)) {
        if (!isRecord(s)) continue;
        if (s.masterLinkStatus === 'down') down.push(`${pod} (master link down)`);
        else if (s.connected === false) down.push(`${pod} (not reachable)`);
      }
    if (down.length) return degraded(`${name}: replication problem on ${down.join(', ')}`);
    const results: HealthResult[] = [
      healthy(`${name} is Healthy, ${ready}/${instances} ready, primary ${primary}`),
    ];
    const image = param(params, 'image');
    if (image) {
      const pods = podsLabelled(related, { 'redis.io/cluster': object.metadata?.name ?? '' }).filter(
        (p) =>
          p.metadata?.namespace === object.metadata?.namespace &&
          p.metadata?.labels?.['redis.io/workload'] !== 'sentinel',
      );
      results.push(checkPods(pods, image, name));
    }
    return worst(results);
  },
};

// howl-redis-operator/config/crd/bases/redis.io_redisbackups.yaml; phases in DERIVED-status-fields.md.
export const howlRedisBackup: Evaluator = {
  id: 'howl-redis-backup',
  kind: 'RedisBackup',
  group: 'redis.io',
  describe: () => 'the RedisBackup taken before the step reports status.phase Completed',
  evaluate({ object }) {
    if (!object) return unknown('no RedisBackup was found');
    const name = describeObject(object);
    const phase = str(object, 'status.phase');
    if (phase === 'Completed')
      return healthy(
        `${name} Completed${str(object, 'status.completedAt') ? ` at ${str(object, 'status.completedAt')}` : ''}`,
      );
    if (phase === 'Failed')
      return degraded(
        `${name} Failed${str(object, 'status.error') ? `: ${str(object, 'status.error')}` : ''}`,
      );
    if (phase === 'Pending' || phase === 'Running') return progressing(`${name} is ${phase}`);
    return unknown(`${name} reports no known status.phase`);
  },
};

// KubeStash BackupSession (core.kubestash.com): status.phase Succeeded / Failed / Running / Pending / Skipped.
// No fixture carries this object; the phases follow KubeStash's published API.
export const kubestashBackupSession: Evaluator = {
  id: 'kubestash-backup-session',
  kind: 'BackupSession',
  group: 'core.kubestash.com',
  describe: () => 'the KubeStash BackupSession taken before the step reports status.phase Succeeded',
  evaluate({ object }) {
    if (!object) return unknown('no BackupSession was found');
    const name = describeObject(object);
    const phase = str(object, 'status.phase');
    if (phase === 'Succeeded') return healthy(`${name} Succeeded`);
    if (phase === 'Failed' || phase === 'Skipped') return degraded(`${name} ${phase}`);
    if (phase === 'Pending' || phase === 'Running') return progressing(`${name} is ${phase}`);
    return unknown(`${name} reports no known status.phase`);
  },
};

// redis-enterprise-k8s/redis-enterprise-k8s-docs/redis_enterprise_cluster_api.md (ClusterState).
const REC_PROGRESSING = [
  'PendingCreation',
  'BootstrappingFirstPod',
  'Initializing',
  'Upgrade',
  'RunningRollingUpdate',
  'RecoveringFirstPod',
  'RecoveryReset',
  'ClusterRecreating',
];
const REC_DEGRADED = ['Error', 'Invalid', 'InvalidUpgrade', 'Deleting'];

export const redisEnterpriseCluster: Evaluator = {
  id: 'redis-enterprise-cluster',
  kind: 'RedisEnterpriseCluster',
  group: 'app.redislabs.com',
  describe: (p) =>
    `RedisEnterpriseCluster status.state is Running (not Upgrade or InvalidUpgrade)${p.version ? ` on ${String(p.version)}` : ''}`,
  evaluate({ object, params }) {
    if (!object) return unknown('the RedisEnterpriseCluster was not found');
    const name = describeObject(object);
    const state = str(object, 'status.state');
    const version = param(params, 'version');
    const specTag = str(object, 'spec.redisEnterpriseImageSpec.versionTag');
    if (version && specTag && specTag !== version)
      return progressing(
        `${name} spec.redisEnterpriseImageSpec.versionTag is ${specTag}, not yet ${version}`,
      );
    if (state === undefined) return unknown(`${name} reports no status.state`);
    if (REC_DEGRADED.includes(state)) return degraded(`${name} status.state is ${state}`);
    if (str(object, 'status.specStatus') === 'Invalid')
      return degraded(`${name} status.specStatus is Invalid`);
    if (REC_PROGRESSING.includes(state)) return progressing(`${name} status.state is ${state}`);
    if (state !== 'Running') return unknown(`${name} status.state is ${state}, which cairn does not know`);
    return healthy(`${name} is Running${version ? ` with versionTag ${version}` : ''}`);
  },
};

// redis-enterprise-k8s/redis-enterprise-k8s-docs/redis_enterprise_database_api.md (DatabaseStatus).
export const redisEnterpriseDatabase: Evaluator = {
  id: 'redis-enterprise-database',
  kind: 'RedisEnterpriseDatabase',
  group: 'app.redislabs.com',
  describe: (p) =>
    `RedisEnterpriseDatabase status.status is active and the spec is fully acted upon${p.version ? ` (redisVersion ${String(p.version)})` : ''}`,
  evaluate({ object, params }) {
    if (!object) return unknown('the RedisEnterpriseDatabase was not found');
    const name = describeObject(object);
    const version = param(params, 'version');
    const specVersion = str(object, 'spec.redisVersion');
    if (version && specVersion && specVersion !== version)
      return progressing(`${name} spec.redisVersion is ${specVersion}, not yet ${version}`);
    const stale = staleGeneration(object, name);
    if (stale) return stale;
    const status = str(object, 'status.status');
    if (status === 'active') return healthy(`${name} is active`);
    if (status === 'creation-failed' || str(object, 'status.specStatus') === 'Invalid')
      return degraded(
        `${name} status is ${status === 'creation-failed' ? 'creation-failed' : 'an invalid spec'}`,
      );
    if (
      status === 'active-change-pending' ||
      status === 'pending' ||
      status === 'recovery' ||
      status === 'import-pending'
    )
      return progressing(`${name} status.status is ${status}`);
    return unknown(`${name} reports status.status ${status ?? '(none)'}`);
  },
};

// kubedb/docs/docs/guides/redis/concepts/redisopsrequest.md (status.phase Successful / Failed / Denied).
export const kubedbOpsRequest: Evaluator = {
  id: 'kubedb-ops-request',
  kind: 'RedisOpsRequest',
  group: 'ops.kubedb.com',
  describe: () => 'the RedisOpsRequest status.phase is Successful',
  evaluate({ object }) {
    if (!object) return unknown('the RedisOpsRequest was not found');
    const name = describeObject(object);
    const phase = str(object, 'status.phase');
    if (phase === 'Successful') return healthy(`${name} is Successful`);
    if (phase === 'Failed' || phase === 'Denied') {
      const why = condition(object, 'Failure')?.message ?? condition(object, 'Denied')?.message;
      return degraded(`${name} is ${phase}${why ? `: ${why}` : ''}`);
    }
    if (phase === undefined) return progressing(`${name} has not been picked up yet (no status.phase)`);
    return progressing(`${name} is ${phase}`);
  },
};

// kubedb/installer/charts/kubedb-crds/crds/kubedb.com_redises.yaml (phase enum);
// kubedb/docs/docs/guides/redis/quickstart/overview/redis.md (a Ready Redis).
export const kubedbRedis: Evaluator = {
  id: 'kubedb-redis',
  kind: 'Redis',
  group: 'kubedb.com',
  describe: (p) =>
    `the Redis status.phase is Ready${p.version ? ` with spec.version ${String(p.version)}` : ''}`,
  evaluate({ object, params }) {
    if (!object) return unknown('the KubeDB Redis was not found');
    const name = describeObject(object);
    const version = param(params, 'version');
    const specVersion = str(object, 'spec.version');
    if (version && specVersion !== version)
      return progressing(`${name} spec.version is ${specVersion ?? '(none)'}, not yet ${version}`);
    const stale = staleGeneration(object, name);
    if (stale) return stale;
    const phase = str(object, 'status.phase');
    if (phase === 'Ready') return healthy(`${name} is Ready`);
    if (phase === 'Critical' || phase === 'NotReady' || phase === 'Halted')
      return degraded(`${name} status.phase is ${phase}`);
    if (phase === 'Provisioning' || phase === 'DataRestoring')
      return progressing(`${name} status.phase is ${phase}`);
    return unknown(`${name} status.phase is ${phase ?? '(none)'}`);
  },
};

// ot-redis-operator/config/crd/bases/redis.redis.opstreelabs.in_redisclusters.yaml
// (printer columns: .status.state, .status.readyLeaderReplicas, .status.readyFollowerReplicas).
export const otRedisCluster: Evaluator = {
  id: 'ot-redis-cluster',
  kind: 'RedisCluster',
  group: 'redis.redis.opstreelabs.in',
  describe: () => 'the RedisCluster status.state is Ready with every leader and follower ready',
  evaluate({ object }) {
    if (!object) return unknown('the RedisCluster was not found');
    const name = describeObject(object);
    const state = str(object, 'status.state');
    if (state === undefined) return unknown(`${name} reports no status.state`);
    const reason = str(object, 'status.reason');
    if (state === 'Failed') return degraded(`${name} status.state is Failed${reason ? `: ${reason}` : ''}`);
    if (state !== 'Ready')
      return progressing(`${name} status.state is ${state}${reason ? ` (${reason})` : ''}`);
    const size = num(object, 'spec.clusterSize');
    const leaders = num(object, 'spec.redisLeader.replicas') ?? size;
    const followers = num(object, 'spec.redisFollower.replicas') ?? size;
    const readyLeaders = num(object, 'status.readyLeaderReplicas') ?? 0;
    const readyFollowers = num(object, 'status.readyFollowerReplicas') ?? 0;
    if (leaders === undefined) return unknown(`${name} has no spec.clusterSize`);
    if (readyLeaders < leaders || readyFollowers < (followers ?? 0))
      return progressing(
        `${name}: ${readyLeaders}/${leaders} leaders and ${readyFollowers}/${followers} followers ready`,
      );
    return healthy(`${name} is Ready with ${readyLeaders} leaders and ${readyFollowers} followers`);
  },
};

/** OT standalone `Redis` and `RedisReplication` report (almost) no status: their pods decide. */
function otPods(id: string, kind: string): Evaluator {
  return {
    id,
    kind,
    group: 'redis.redis.opstreelabs.in',
    describe: (p) => `every pod of the ${kind} is Ready${p.image ? ` on ${String(p.image)}` : ''}`,
    evaluate({ object, related, params }) {
      if (!object) return unknown(`the ${kind} was not found`);
      const name = object.metadata?.name ?? '';
      const pods = related.filter(
        (o) =>
          o.kind === 'Pod' &&
          o.metadata?.namespace === object.metadata?.namespace &&
          (o.metadata?.labels?.app === name || o.metadata?.name?.startsWith(`${name}-`)),
      );
      const results = [checkPods(pods, param(params, 'image'), describeObject(object))];
      if (kind === 'RedisReplication' && !str(object, 'status.masterNode'))
        results.push(progressing(`${describeObject(object)} reports no status.masterNode`));
      return worst(results);
    },
  };
}
export const otRedis = otPods('ot-redis', 'Redis');
export const otRedisReplication = otPods('ot-redis-replication', 'RedisReplication');

// alauda-redis-operator/config/crd/bases/middleware.alauda.io_redis.yaml (status.phase Initializing / Ready / Error).
export const alaudaRedis: Evaluator = {
  id: 'alauda-redis',
  kind: 'Redis',
  group: 'middleware.alauda.io',
  describe: (p) =>
    `every Redis reports status.phase Ready${p.version ? ` on version ${String(p.version)}` : ''}`,
  evaluate({ object, params }) {
    if (!object) return unknown('the Alauda Redis was not found');
    const name = describeObject(object);
    const version = param(params, 'version');
    const specVersion = str(object, 'spec.version');
    if (version && specVersion && specVersion !== version)
      return progressing(`${name} spec.version is ${specVersion}, not yet ${version}`);
    const phase = str(object, 'status.phase');
    const message = str(object, 'status.message');
    if (phase === 'Ready') return healthy(`${name} is Ready`);
    if (phase === 'Error') return degraded(`${name} status.phase is Error${message ? `: ${message}` : ''}`);
    if (phase === 'Initializing') return progressing(`${name} is Initializing`);
    return unknown(`${name} status.phase is ${phase ?? '(none)'}`);
  },
};
