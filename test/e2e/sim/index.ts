// Simulated cluster actors for the end-to-end journeys (test/e2e/): each is
// a deterministic state machine on a virtual clock (rollout.ts) that the
// harness ticks after advancing the clock. Operators (operators/) walk the
// real status sequences of their products; the Argo CD applier (argocd.ts)
// moves Applications through a sync; workloads.ts is Kubernetes' own
// Deployment / StatefulSet rollout; kubernetes.ts upgrades the nodes.
export * from './rollout.ts';
export * from './memory-cluster.ts';
export * from './workloads.ts';
export * from './argocd.ts';
export * from './kubernetes.ts';
export * from './operators/redis-enterprise.ts';
export * from './operators/kubedb.ts';
export * from './operators/ot.ts';
export * from './operators/bitnami.ts';
export * from './operators/alauda.ts';
export * from './settle.ts';
export * from './world-adapters.ts';
