// A small cluster for gate tests: a howl-cloud RedisCluster upgraded from
// redis 7.2.4 to 7.4.1 (a step planned by the real planner), applied by the
// real Argo CD Application from the fixtures, pointed at the step's folder.
import type { KubeObject } from '../../lib/cluster-state.ts';
import type { Plan, Step } from '../../lib/planner/types.ts';
import { plan, rel, target } from '../lib/planner/helpers.ts';
import { fixtureObject, withFields } from './kube-objects.ts';

export const MERGE = 'c0ffee0000000000000000000000000000000001';
export const PRE_MERGE = 'bead000000000000000000000000000000000000';
export const MERGED_AT = new Date('2026-12-01T09:00:00Z');

export function howlStep(): Step {
  return howlPlan().step;
}

/** The plan with the howl-cloud step, as the PR engine would render its PR from. */
export function howlPlan(): { plan: Plan; step: Step } {
  const t = target({
    id: 'clusters/prod/redis/cache.yaml#RedisCluster/redis/cache:spec.imageName',
    component: 'redis',
    current: '7.2.4',
    image: 'redis',
    field: 'spec.imageName',
    managedBy: 'howl-redis-operator',
    resource: { apiVersion: 'redis.io/v1', kind: 'RedisCluster', namespace: 'redis', name: 'cache' },
  });
  const p = plan([t], { releases: { redis: rel('7.4.1') } });
  const step = p.steps[0]!;
  if (!step) throw new Error('the planner planned no step');
  return { plan: p, step };
}

/** The fixture Application (diff-cache.yaml), now applying `clusters/prod` at `revision`, finished at `finishedAt`. */
export function argoApp(revision: string, finishedAt: string, health = 'Healthy'): KubeObject {
  const app = fixtureObject('gitops-status/argo-cd/controller/testdata/diff-cache.yaml', 'Application');
  return withFields(app, {
    'metadata.namespace': 'argocd',
    'metadata.name': 'redis-prod',
    'spec.source': {
      repoURL: 'https://example.invalid/gitops.git',
      path: 'clusters/prod',
      targetRevision: 'main',
    },
    'status.sync.revision': revision,
    'status.operationState.syncResult.revision': revision,
    'status.operationState.operation.sync.revision': revision,
    'status.operationState.finishedAt': finishedAt,
    'status.health.status': health,
  });
}

/** The approval of the supervised update of `redisCluster()` (redis/cache), as the gate asks for it. */
export const cacheApproval = {
  group: 'redis.io',
  kind: 'RedisCluster',
  namespace: 'redis',
  name: 'cache',
  annotation: 'redis.io/approve-primary-update',
  value: 'true',
} as const;

export function redisCluster(phase: string, extra: Record<string, unknown> = {}): KubeObject {
  return withFields(
    {
      apiVersion: 'redis.io/v1',
      kind: 'RedisCluster',
      metadata: { name: 'cache', namespace: 'redis', generation: 2 },
      spec: { instances: 3, imageName: 'redis:7.4.1', primaryUpdateStrategy: 'supervised' },
      status: {
        phase,
        instances: 3,
        readyInstances: 3,
        currentPrimary: 'cache-0',
        instancesStatus: {
          'cache-0': { role: 'master', connected: true },
          'cache-1': { role: 'slave', connected: true, masterLinkStatus: 'up' },
          'cache-2': { role: 'slave', connected: true, masterLinkStatus: 'up' },
        },
      },
    },
    extra,
  );
}

export function pods(image: string, n = 3): KubeObject[] {
  return Array.from({ length: n }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `cache-${i}`,
      namespace: 'redis',
      labels: { 'redis.io/cluster': 'cache', 'redis.io/workload': 'data', 'redis.io/instance': `cache-${i}` },
    },
    spec: { containers: [{ name: 'redis', image }] },
    status: {
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [{ name: 'redis', image, restartCount: 0 }],
    },
  }));
}

export function redisBackup(phase: string, completedAt: string): KubeObject {
  return {
    apiVersion: 'redis.io/v1',
    kind: 'RedisBackup',
    metadata: { name: 'cache-pre-upgrade', namespace: 'redis', creationTimestamp: completedAt },
    spec: { clusterName: 'cache' },
    status: { phase, completedAt, artifactType: 'rdb' },
  };
}
