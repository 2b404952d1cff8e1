// The cluster before a journey starts: each object as its controller last
// reported it, settled and healthy, with the pods it runs. A journey's
// starting state is the example repository applied and settled.
import type { KubeObject } from '../../../lib/cluster-state.ts';
import { otSettledPods } from './operators/ot.ts';
import { groupOf, pathOf } from './rollout.ts';
import { podFor, templateImage } from './workloads.ts';

export function settledObjects(input: KubeObject): KubeObject[] {
  const o = structuredClone(input) as KubeObject & { status?: Record<string, unknown> };
  const gen = o.metadata?.generation ?? 1;
  const g = groupOf(o);
  if (g === 'apps' && (o.kind === 'Deployment' || o.kind === 'StatefulSet')) {
    const replicas = (pathOf(o, 'spec.replicas') as number | undefined) ?? 1;
    o.status = {
      observedGeneration: gen,
      replicas,
      readyReplicas: replicas,
      updatedReplicas: replicas,
      availableReplicas: replicas,
      ...(o.kind === 'StatefulSet'
        ? { currentRevision: `${o.metadata?.name}-0`, updateRevision: `${o.metadata?.name}-0` }
        : {}),
    };
    const image = templateImage(o);
    return [o, ...Array.from({ length: replicas }, (_, i) => podFor(o, i, image))];
  }
  if (g === 'app.redislabs.com' && o.kind === 'RedisEnterpriseCluster') {
    o.status = { state: 'Running', specStatus: 'Valid' };
    const nodes = (pathOf(o, 'spec.nodes') as number | undefined) ?? 3;
    const image = `${String(pathOf(o, 'spec.redisEnterpriseImageSpec.repository') ?? 'redislabs/redis')}:${String(pathOf(o, 'spec.redisEnterpriseImageSpec.versionTag') ?? '')}`;
    const pods = Array.from({ length: nodes }, (_, i) => {
      const p = podFor(
        {
          ...o,
          kind: 'StatefulSet',
          spec: { selector: { matchLabels: { app: 'redis-enterprise' } } },
        } as KubeObject,
        i,
        image,
      );
      return p;
    });
    return [o, ...pods];
  }
  if (g === 'app.redislabs.com' && o.kind === 'RedisEnterpriseDatabase') {
    o.status = {
      status: 'active',
      specStatus: 'Valid',
      observedGeneration: gen,
      version: pathOf(o, 'spec.redisVersion'),
    };
    return [o];
  }
  if (g === 'kubedb.com' && o.kind === 'Redis') {
    o.status = { phase: 'Ready', observedGeneration: gen };
    return [o];
  }
  if (g === 'redis.redis.opstreelabs.in') {
    const size = (pathOf(o, 'spec.clusterSize') as number | undefined) ?? 1;
    if (o.kind === 'RedisCluster')
      o.status = {
        state: 'Ready',
        reason: 'RedisCluster is ready',
        readyLeaderReplicas: size,
        readyFollowerReplicas: size,
      };
    if (o.kind === 'RedisReplication') o.status = { masterNode: `${o.metadata?.name}-0` };
    return [o, ...otSettledPods(o)];
  }
  if (g === 'middleware.alauda.io' && o.kind === 'Redis') {
    o.status = { phase: 'Ready', message: '' };
    return [o];
  }
  return [o];
}
