// The one table of target kinds. The scanner runs every kind that accepts a
// document; a new kind is one module plus one line here (and its examples run
// in the contract test, test/lib/targets/registry.test.ts).
import type { TargetKind } from './kind.ts';
import { alaudaRedis } from './kinds/alauda.ts';
import { argocdApplication } from './kinds/argocd.ts';
import { fluxHelmRelease } from './kinds/flux-helmrelease.ts';
import { fluxSource } from './kinds/flux-source.ts';
import { fluxValuesConfigMap } from './kinds/flux-values-configmap.ts';
import { helmChart } from './kinds/helm-chart.ts';
import { helmValues } from './kinds/helm-values.ts';
import { howlRedisCluster } from './kinds/howl.ts';
import { kubedb } from './kinds/kubedb.ts';
import { kustomize } from './kinds/kustomize.ts';
import { markers } from './kinds/markers.ts';
import { olmSubscription } from './kinds/olm.ts';
import { otRedis } from './kinds/ot-redis.ts';
import { redisEnterprise } from './kinds/redis-enterprise.ts';
import { workload } from './kinds/workload.ts';

export const TARGET_KINDS: readonly TargetKind[] = [
  helmValues,
  helmChart,
  fluxHelmRelease,
  fluxSource,
  fluxValuesConfigMap,
  argocdApplication,
  kustomize,
  howlRedisCluster,
  redisEnterprise,
  kubedb,
  otRedis,
  alaudaRedis,
  olmSubscription,
  workload,
  // Last: a marker on a value another kind found only overrides its identity.
  markers,
];

export function targetKind(id: string): TargetKind | undefined {
  return TARGET_KINDS.find((k) => k.id === id);
}
