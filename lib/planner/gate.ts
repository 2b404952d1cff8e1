// What the status function must observe before a step counts as done, per
// component. These are the health signals each operator documents.
import type { ComponentId } from '../model.ts';

const HEALTH: Record<ComponentId, string[]> = {
  redis: ['every pod runs the new image and is Ready'],
  valkey: ['every pod runs the new image and is Ready'],
  'bitnami-redis': ['every pod runs the new image and is Ready'],
  'bitnami-redis-chart': [
    'the HelmRelease / Application is Ready for the new chart version',
    'every pod is Ready',
  ],
  'howl-redis-operator': [
    'the operator Deployment has rolled out the new image',
    'every RedisCluster still reports status.phase Healthy',
  ],
  'howl-redis-operator-crds': ['the CRDs are established at the new version'],
  'redis-enterprise-operator': [
    'the operator Deployment has rolled out the new image',
    'RedisEnterpriseCluster status.state is Running',
  ],
  'redis-enterprise': [
    'RedisEnterpriseCluster status.state is Running (not Upgrade or InvalidUpgrade)',
    'every REC pod runs the new version',
  ],
  'redis-enterprise-database': [
    'RedisEnterpriseDatabase status.status is active',
    'status.redisVersion reports the new version',
  ],
  'kubedb-redis': ['the RedisOpsRequest status.phase is Successful', 'the Redis status.phase is Ready'],
  'ot-redis-operator': ['the operator Deployment has rolled out the new image'],
  'alauda-redis-operator': [
    'the operator Deployment has rolled out the new image',
    'every Redis reports status.phase Ready',
  ],
};

/** Health conditions for a step; RedisCluster (howl) data planes have their own. */
export function healthFor(component: ComponentId, resourceKind: string | undefined): string[] {
  if (resourceKind === 'RedisCluster' && component === 'redis') {
    return [
      'RedisCluster status.phase is Healthy',
      'status.readyInstances equals spec.instances',
      'status.currentPrimary is set and runs the new image',
    ];
  }
  if (resourceKind === 'Redis' && component === 'redis')
    return ['the Redis custom resource reports Ready', 'every pod runs the new image'];
  return HEALTH[component] ?? ['every workload of the component reports Ready'];
}
