// howl-cloud redis-operator (seed 002): CRDs before the operator (Helm does
// not upgrade CRDs), a RedisBackup before a one-way hop, and the supervised
// primary switchover of a RedisCluster.
import { genericHealth } from '../gate-conditions.ts';
import { catalogRule } from '../rules.ts';
import type { ClusterFacts, Target } from '../../model.ts';
import type { ClusterContext, HopContext, ProductRules, StepAdditions } from './types.ts';

const OPERATOR = 'howl-redis-operator';
const STRATEGY = 'spec.primaryUpdateStrategy';

function isRedisCluster(t: Target): boolean {
  return t.managedBy === OPERATOR && t.resource?.kind === 'RedisCluster';
}

/**
 * A RedisCluster's primaryUpdateStrategy: the manifest's (what Git applies),
 * else the live object's, else the CRD default `unsupervised`.
 */
export function primaryUpdateStrategy(
  t: Target,
  facts: ClusterFacts | undefined,
): { value: string; from: string } {
  const inManifest = t.fields?.[STRATEGY];
  if (inManifest) return { value: inManifest, from: `set in ${t.file}` };
  const r = t.resource;
  const live = r
    ? facts?.resources?.[`${r.kind}/${r.namespace ? `${r.namespace}/` : ''}${r.name}`]?.[STRATEGY]
    : undefined;
  if (live) return { value: live, from: `the live object on ${facts!.name}` };
  return { value: 'unsupervised', from: "unset: the operator's default" };
}

const OP_ID = 'infra/operator.yaml#HelmRelease/redis-system/redis-operator:spec.chart.spec.version';
const CLUSTER_ID = 'apps/sessions.yaml#RedisCluster/sessions/sessions:spec.imageName';

export const howl: ProductRules = {
  id: 'howl-cloud',
  summary: 'howl-cloud redis-operator and its RedisCluster (seed 002: the upgrade guide)',
  components: [OPERATOR, 'howl-redis-operator-crds'],
  operators: [OPERATOR],
  rules: ['crds-before-operator', 'supervised-primary-update', 'unsupervised-primary-update-default'],

  backup: (t) => `create a RedisBackup of ${t.resource?.name ?? 'the cluster'} and wait for it to complete`,

  couple({ catalog, facts, works }: ClusterContext) {
    // A policy that requires supervision is reported for a cluster that is not supervised: never silently
    // turned into an approval instruction the operator would not wait for.
    for (const w of works) {
      const t = w.target;
      if (!isRedisCluster(t) || w.settings.supervisedPrimaryUpdate !== true || !w.hops.length) continue;
      const s = primaryUpdateStrategy(t, facts);
      if (s.value === 'supervised') continue;
      w.blocks.push({
        wanted: w.hops.at(-1)!.to,
        reason: `the policy requires supervised primary updates (supervisedPrimaryUpdate: true), but RedisCluster ${t.resource!.name} runs primaryUpdateStrategy ${s.value} (${s.from}): its primary would switch over with no approval`,
        unblock: `set spec.primaryUpdateStrategy: supervised in ${t.file}, or drop supervisedPrimaryUpdate from the policy`,
        rule: catalogRule(catalog, 'unsupervised-primary-update-default'),
      });
      w.hops = [];
    }
  },

  preSteps({ catalog, facts, target: t, hop }: HopContext): StepAdditions {
    const out: StepAdditions = { preSteps: [], rules: [] };
    if (t.role === 'operator' && t.component === OPERATOR) {
      out.preSteps.push({
        kind: 'crds',
        description: `apply the CRDs of ${hop.to} before the operator: Helm does not upgrade CRDs`,
        rule: 'crds-before-operator',
      });
      out.rules.push(catalogRule(catalog, 'crds-before-operator'));
    }
    // The approval is an instruction only where the operator will wait for it: a supervised cluster.
    if (isRedisCluster(t) && primaryUpdateStrategy(t, facts).value === 'supervised') {
      out.preSteps.push({
        kind: 'approve-primary',
        description: `replicas update first; then the cluster waits in WaitingForUser until someone runs kubectl annotate rediscluster ${t.resource!.name} redis.io/approve-primary-update=true (one-shot: never put it in Git)`,
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
      summary:
        'the operator with its CRDs first, then a supervised RedisCluster with a backup and the approval',
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
          fields: { [STRATEGY]: 'supervised' },
          cluster: 'prod',
        },
      ],
      releases: {
        [OPERATOR]: ['0.2.3', '0.2.6'],
        redis: ['7.2.4', '7.4.2'],
      },
      paths: { [OP_ID]: ['0.2.3', '0.2.6'], [CLUSTER_ID]: ['7.2.4', '7.4.2'] },
      // 7.2 -> 7.4 raises the RDB format (one-way); the cluster is supervised, so the approval is a pre-step.
      preSteps: { [OP_ID]: ['crds'], [CLUSTER_ID]: ['backup', 'approve-primary'] },
    },
  ],
};
