// Alauda Cache Service for Redis OSS (seed 004): the operator and its `Redis`
// custom resource (middleware.alauda.io), whose spec.version is a Redis line.
import { genericHealth } from '../gate-conditions.ts';
import type { ProductRules } from './types.ts';

const OPERATOR = 'alauda-redis-operator';
const MINOR_ONLY = 'alauda-version-minor-only';

export const alauda: ProductRules = {
  id: 'alauda',
  summary: 'Alauda redis-operator and its Redis custom resource (seed 004: the Alauda upgrade guide)',
  components: [OPERATOR, 'alauda-redis'],
  operators: [OPERATOR],
  rules: [MINOR_ONLY],
  // The Redis CR's spec.version is a line the operator maps to an image, not a tag (CRD enum).
  minorOnly: (t) => (t.component === 'alauda-redis' && t.resource?.kind === 'Redis' ? MINOR_ONLY : undefined),
  health(t) {
    if (t.component === OPERATOR)
      return [
        'the operator Deployment has rolled out the new image',
        'every Redis reports status.phase Ready',
      ];
    if (t.resource?.kind === 'Redis' && t.component === 'alauda-redis')
      return ['the Redis custom resource reports Ready', 'every pod runs the new image'];
    return genericHealth(t.component);
  },
  examples: [
    {
      summary: 'the operator, then its Redis to the next line',
      targets: [
        {
          id: 'alauda/operator.yaml#Subscription/operators/redis-operator:spec.startingCSV',
          component: OPERATOR,
          current: '3.16.0',
          role: 'operator',
        },
        {
          id: 'alauda/redis.yaml#Redis/cache/cache:spec.version',
          component: 'alauda-redis',
          current: '6.0',
          managedBy: OPERATOR,
          resource: { kind: 'Redis', namespace: 'cache', name: 'cache' },
        },
      ],
      releases: { [OPERATOR]: ['3.16.0', '3.18.0'], 'alauda-redis': ['6.0', '6.2'] },
      paths: {
        'alauda/operator.yaml#Subscription/operators/redis-operator:spec.startingCSV': ['3.16.0', '3.18.0'],
        'alauda/redis.yaml#Redis/cache/cache:spec.version': ['6.0', '6.2'],
      },
    },
  ],
};
