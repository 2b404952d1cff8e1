// What the status function must observe before a step counts as done: the
// health conditions of its gate. A product's module names its own (the
// signals each operator documents); plain Redis and Valkey use these.
import { EVALUATORS, type EvaluatorId } from '../health/index.ts';
import type { ComponentId, Target } from '../model.ts';
import { opsRequestName } from '../targets/ops-request.ts';
import type { ProductRules } from './products/types.ts';
import type { GateCondition, GateObject } from './types.ts';

/** Pods of a plain workload (Deployment, StatefulSet, chart) after an image change. */
export const PODS_READY = ['every pod runs the new image and is Ready'];

/** Any component nobody has described yet: fail closed on every workload being Ready. */
export const WORKLOADS_READY = ['every workload of the component reports Ready'];

const GENERIC: Record<ComponentId, string[]> = {
  redis: PODS_READY,
  valkey: PODS_READY,
};

/** Health conditions of a component no product claims, or that its product leaves generic. */
export function genericHealth(component: ComponentId): string[] {
  return GENERIC[component] ?? WORKLOADS_READY;
}

/** Health conditions for a step of a target: its product's, or the generic ones. */
export function healthFor(t: Target, product: ProductRules | undefined): string[] {
  return [...(product ? product.health(t) : genericHealth(t.component))];
}

/**
 * The health conditions of a step as data the gate can check: an evaluator
 * id (lib/health), the object it reads and its parameters, with the sentence
 * people read. An empty list means the applied revision is the whole proof
 * (CRDs: the GitOps tool reports them applied).
 */
export function gateConditions(t: Target, to: string): GateCondition[] {
  const out: GateCondition[] = [];
  const add = (evaluator: EvaluatorId, object: GateObject, params: GateCondition['params'] = {}) =>
    out.push({ evaluator, object, params, text: EVALUATORS[evaluator].describe(params) });
  const r = t.resource;
  const ns = r?.namespace ? { namespace: r.namespace } : {};
  const own = (evaluator: EvaluatorId, params: GateCondition['params'] = {}) => {
    const e = EVALUATORS[evaluator];
    add(evaluator, { group: e.group, kind: e.kind, ...ns, ...(r ? { name: r.name } : {}) }, params);
  };
  const every = (evaluator: EvaluatorId, params: GateCondition['params'] = {}, anyOf?: string) => {
    add(evaluator, { group: EVALUATORS[evaluator].group, kind: EVALUATORS[evaluator].kind }, params);
    if (anyOf) out[out.length - 1]!.anyOf = anyOf;
  };
  const image = t.image ? `${t.image}:${to}` : to;
  const operator = () =>
    add('operator-rollout', { group: 'apps', kind: 'Deployment' }, { component: t.component, version: to });

  switch (t.component) {
    case 'howl-redis-operator':
      operator();
      every('howl-redis-cluster');
      return out;
    case 'redis-enterprise-operator':
      operator();
      every('redis-enterprise-cluster');
      return out;
    case 'alauda-redis-operator':
      operator();
      every('alauda-redis');
      return out;
    case 'ot-redis-operator':
      // OT runs clusters, replications and standalone instances; a cluster may run any of them.
      operator();
      every('ot-redis-cluster', {}, 'ot-data-plane');
      every('ot-redis-replication', {}, 'ot-data-plane');
      every('ot-redis', {}, 'ot-data-plane');
      return out;
    case 'howl-redis-operator-crds':
      return out;
    case 'redis-enterprise':
      own('redis-enterprise-cluster', { version: to });
      return out;
    case 'redis-enterprise-database':
      own('redis-enterprise-database', { version: to });
      return out;
    case 'kubedb-redis':
      if (r) {
        const ops = EVALUATORS['kubedb-ops-request'];
        add('kubedb-ops-request', {
          group: ops.group,
          kind: ops.kind,
          ...ns,
          name: opsRequestName(r.name, to),
        });
      }
      own('kubedb-redis', { version: to });
      return out;
    case 'bitnami-redis-chart':
      if (r?.kind === 'HelmRelease') own('flux-helmrelease', { chartVersion: to });
      else if (r?.kind === 'Application') own('argocd-application');
      return out;
  }
  // Data planes: by the custom resource that holds the version, else by the pods' image.
  if (r?.kind === 'RedisCluster' && t.managedBy === 'howl-redis-operator')
    own('howl-redis-cluster', { image });
  else if (r?.kind === 'RedisCluster' && t.managedBy === 'ot-redis-operator') own('ot-redis-cluster');
  else if (r?.kind === 'RedisReplication') own('ot-redis-replication', { image });
  else if (r?.kind === 'Redis' && t.managedBy === 'alauda-redis-operator')
    own('alauda-redis', { version: to });
  else if (r?.kind === 'Redis' && t.managedBy === 'ot-redis-operator') own('ot-redis', { image });
  else if (r?.kind === 'StatefulSet') own('statefulset-rollout', { image });
  else if (t.image) {
    // A chart's pods run where its release deploys them (an Argo CD destination, a Flux
    // targetNamespace), which need not be the release manifest's own namespace.
    const deployed = t.fields?.['spec.destination.namespace'] ?? t.fields?.['spec.targetNamespace'];
    add(
      'statefulset-rollout',
      { group: 'apps', kind: 'StatefulSet', ...(deployed ? { namespace: deployed } : ns) },
      { image, imageRepository: t.image },
    );
  }
  return out;
}
