// howl-cloud redis-operator (seed 002): CRDs before the operator (Helm does
// not upgrade CRDs), a RedisBackup before a one-way hop, and the supervised
// primary switchover of a RedisCluster.
import { genericHealth } from '../gate-conditions.ts';
import { catalogRule } from '../rules.ts';
import type { StepAdditions, HopContext, ProductRules } from './types.ts';

const OPERATOR = 'howl-redis-operator';

const OP_ID = 'infra/operator.yaml#HelmRelease/redis-system/redis-operator:spec.chart.spec.version';
const CLUSTER_ID = 'apps/sessions.yaml#RedisCluster/sessions/sessions:spec.imageName';

export const howl: ProductRules = {
  id: 'howl-cloud',
  summary: 'howl-cloud redis-operator and its RedisCluster (seed 002: the upgrade guide)',
  components: [OPERATOR, 'howl-redis-operator-crds'],
  operators: [OPERATOR],
  rules: ['crds-before-operator', 'supervised-primary-update', 'backup-before-major'],

  backup: (t) => `create a RedisBackup of ${t.resource?.name ?? 'the cluster'} and wait for it to complete`,

  preSteps({ catalog, target: t, settings, hop }: HopContext): StepAdditions {
    const out: StepAdditions = { preSteps: [], rules: [] };
    if (t.role === 'operator' && t.component === OPERATOR) {
      out.preSteps.push({
        kind: 'crds',
        description: `apply the CRDs of ${hop.to} before the operator: Helm does not upgrade CRDs`,
        rule: 'crds-before-operator',
      });
      out.rules.push(catalogRule(catalog, 'crds-before-operator'));
    }
    if (t.managedBy === OPERATOR && t.resource?.kind === 'RedisCluster' && settings.supervisedPrimaryUpdate) {
      out.preSteps.push({
        kind: 'approve-primary',
        description: `replicas update first; then the cluster waits in WaitingForUser until someone runs kubectl annotate rediscluster ${t.resource.name} redis.io/approve-primary-update=true (one-shot: never put it in Git)`,
        rule: 'supervised-primary-update',
      });
      out.rules.push(catalogRule(catalog, 'supervised-primary-update'));
    }
    return out;
  },

  health(t) {
    if (t.component === OPERATOR)
      return [
        'the operator Deployment has rolled out the new image',
        'every RedisCluster still reports status.phase Healthy',
      ];
    if (t.component === 'howl-redis-operator-crds') return ['the CRDs are established at the new version'];
    if (t.resource?.kind === 'RedisCluster' && t.component === 'redis')
      return [
        'RedisCluster status.phase is Healthy',
        'status.readyInstances equals spec.instances',
        'status.currentPrimary is set and runs the new image',
      ];
    return genericHealth(t.component);
  },

  examples: [
    {
      summary: 'the operator with its CRDs first, then the RedisCluster with a backup and the approval',
      targets: [
        {
          id: OP_ID,
          component: OPERATOR,
          current: '0.2.3',
          role: 'operator',
          cluster: 'prod',
        },
        {
          id: CLUSTER_ID,
          component: 'redis',
          current: '7.2.4',
          managedBy: OPERATOR,
          resource: { kind: 'RedisCluster', namespace: 'sessions', name: 'sessions' },
          cluster: 'prod',
        },
      ],
      releases: {
        [OPERATOR]: ['0.2.3', '0.2.6'],
        redis: ['7.2.4', '7.4.2'],
      },
      paths: { [OP_ID]: ['0.2.3', '0.2.6'], [CLUSTER_ID]: ['7.2.4', '7.4.2'] },
      // 7.2 -> 7.4 raises the RDB format (one-way); supervised primary updates are the policy default.
      preSteps: { [OP_ID]: ['crds'], [CLUSTER_ID]: ['backup', 'approve-primary'] },
    },
  ],
};
