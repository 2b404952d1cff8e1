// Health evaluators (pure): one per kind, registered in one table. Objects in,
// `healthy | progressing | degraded | unknown` with reasons out, never a throw.
// The gate (lib/gate/) runs them over a cluster reading; gate conditions in a
// plan name them by id.
import { argoApplication, fluxHelmRelease, fluxKustomization } from './gitops.ts';
import {
  alaudaRedis,
  howlRedisBackup,
  howlRedisCluster,
  kubedbOpsRequest,
  kubedbRedis,
  kubestashBackupSession,
  otRedis,
  otRedisCluster,
  otRedisReplication,
  redisEnterpriseCluster,
  redisEnterpriseDatabase,
} from './operators.ts';
import { unknown } from './read.ts';
import type { Evaluator, EvaluatorInput, HealthResult } from './types.ts';
import { operatorRollout, statefulSetRollout } from './workloads.ts';

export const EVALUATOR_IDS = [
  'howl-redis-cluster',
  'howl-redis-backup',
  'kubestash-backup-session',
  'redis-enterprise-cluster',
  'redis-enterprise-database',
  'kubedb-redis',
  'kubedb-ops-request',
  'ot-redis-cluster',
  'ot-redis',
  'ot-redis-replication',
  'alauda-redis',
  'statefulset-rollout',
  'operator-rollout',
  'argocd-application',
  'flux-kustomization',
  'flux-helmrelease',
] as const;
export type EvaluatorId = (typeof EVALUATOR_IDS)[number];

export const EVALUATORS: Readonly<Record<EvaluatorId, Evaluator>> = {
  'howl-redis-cluster': howlRedisCluster,
  'howl-redis-backup': howlRedisBackup,
  'kubestash-backup-session': kubestashBackupSession,
  'redis-enterprise-cluster': redisEnterpriseCluster,
  'redis-enterprise-database': redisEnterpriseDatabase,
  'kubedb-redis': kubedbRedis,
  'kubedb-ops-request': kubedbOpsRequest,
  'ot-redis-cluster': otRedisCluster,
  'ot-redis': otRedis,
  'ot-redis-replication': otRedisReplication,
  'alauda-redis': alaudaRedis,
  'statefulset-rollout': statefulSetRollout,
  'operator-rollout': operatorRollout,
  'argocd-application': argoApplication,
  'flux-kustomization': fluxKustomization,
  'flux-helmrelease': fluxHelmRelease,
};

/** Runs one evaluator. Never throws: an unknown id or an evaluator bug is `unknown` (the gate stays closed). */
export function evaluateHealth(id: string, input: EvaluatorInput): HealthResult {
  const evaluator = (EVALUATORS as Record<string, Evaluator | undefined>)[id];
  if (!evaluator) return unknown(`no health evaluator is named ${id}`);
  try {
    return evaluator.evaluate(input);
  } catch (e) {
    return unknown(
      `evaluator ${id} could not read the object: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

export { commitOf, ARGO_SETTLE_MS } from './gitops.ts';
export { worst } from './read.ts';
export type * from './types.ts';
