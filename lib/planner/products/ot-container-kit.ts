// OT-Container-Kit redis-operator (opstree): the operator chart and the
// Redis, RedisCluster, RedisReplication and RedisSentinel it reconciles.
import { genericHealth } from '../gate-conditions.ts';
import type { ProductRules } from './types.ts';

const OPERATOR = 'ot-redis-operator';

export const otContainerKit: ProductRules = {
  id: 'ot-container-kit',
  summary: 'OT-Container-Kit redis-operator and the data planes it reconciles (its chart and changelog)',
  components: [OPERATOR],
  operators: [OPERATOR],
  rules: [],
  health(t) {
    if (t.component === OPERATOR) return ['the operator Deployment has rolled out the new image'];
    if (t.resource?.kind === 'Redis')
      return ['the Redis custom resource reports Ready', 'every pod runs the new image'];
    return genericHealth(t.component);
  },
  examples: [
    {
      summary: 'the operator chart, keeping its v prefix',
      targets: [
        {
          id: 'ot/operator.yaml#Application/argocd/ot-redis-operator:spec.source.targetRevision',
          component: OPERATOR,
          current: 'v0.18.1',
          role: 'operator',
        },
      ],
      releases: { [OPERATOR]: ['v0.18.1', 'v0.19.0'] },
      paths: {
        'ot/operator.yaml#Application/argocd/ot-redis-operator:spec.source.targetRevision': [
          'v0.18.1',
          'v0.19.0',
        ],
      },
    },
  ],
};
