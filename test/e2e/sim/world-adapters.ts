// The simulators of this folder as the e2e world (test/e2e/world.ts) plugs
// them in: an operator as the world's OperatorSim (seed the settled objects,
// react to an apply, tick after every world event, say whether its objects
// are ready), and the Argo CD applier as its GitOpsApplier. The world's
// interfaces are restated structurally here, so this module does not depend
// on the harness's files.
import type { KubeObject } from '../../../lib/cluster-state.ts';
import { EVALUATORS } from '../../../lib/health/index.ts';
import { checkRollout } from '../../../lib/health/workloads.ts';
import { ArgoCdApplier, type ArgoCdOptions, type Tree } from './argocd.ts';
import { CompositeCluster, MemoryCluster, servedByKubeServer } from './memory-cluster.ts';
import { groupOf, type RolloutSimulator, type SimCluster, type SimEvent, type Simulator } from './rollout.ts';
import { settledObjects } from './settle.ts';

/** The world's SimContext, as far as these adapters use it. */
export interface WorldContext {
  cluster: string;
  kube: SimCluster;
  after(delayMs: number, what: string, fn: () => void): void;
  record(text: string): void;
  now(): Date;
}

export interface WorldFiles extends Tree {
  readonly commit: string;
}

export interface WorldOperator {
  readonly product: string;
  seed(c: WorldContext, rendered: readonly KubeObject[]): KubeObject[];
  applied(c: WorldContext, rendered: readonly KubeObject[]): void;
  tick?(c: WorldContext): void;
  ready(c: WorldContext): boolean;
}

export interface WorldApplier {
  readonly kind: 'flux' | 'argocd';
  seed(c: WorldContext, files: WorldFiles): KubeObject[];
  render(c: WorldContext, files: WorldFiles): KubeObject[];
  onRevision(c: WorldContext, files: WorldFiles, operators: readonly WorldOperator[]): void;
}

/** Wakes a simulator at its `nextAt` on the world's clock, once per instant. */
function scheduler(
  c: WorldContext,
  sim: Simulator,
  cluster: () => SimCluster,
  label: string,
  record: (e: SimEvent) => void,
): () => void {
  const planned = new Set<number>();
  const schedule = () => {
    const t = sim.nextAt();
    const now = c.now().getTime();
    if (t === undefined || planned.has(t)) return;
    planned.add(t);
    c.after(Math.max(0, t - now), label, () => {
      planned.delete(t);
      for (const e of sim.tick(cluster(), c.now().getTime())) record(e);
      schedule();
    });
  };
  return schedule;
}

/** Whether cairn's evaluator for each object (or the rollout check for a workload) calls it healthy. */
export function allHealthy(cluster: SimCluster, objects: readonly KubeObject[], now: number): boolean {
  const pods = cluster.list('', 'Pod');
  return objects.every((d) => {
    const o = cluster.get(groupOf(d), d.kind ?? '', d.metadata?.namespace, d.metadata?.name ?? '');
    if (!o) return false;
    if (groupOf(d) === 'apps') return checkRollout(o).status === 'healthy';
    const ev = Object.values(EVALUATORS).find((e) => e.kind === d.kind && e.group === groupOf(d));
    if (!ev) return true;
    return (
      ev.evaluate({ object: o, related: pods, params: {}, context: { readAt: new Date(now) } }).status ===
      'healthy'
    );
  });
}

export interface OperatorAdapterOptions {
  /** The rendered objects this product owns (its CRs, its operator Deployment). */
  owns: (o: KubeObject) => boolean;
  /** Objects the product's controllers create that the Kubernetes test server does not serve (OLM) live beside it. */
  olm?: boolean;
  /** The settled live form of a rendered object (default settle.ts's). */
  settle?: (o: KubeObject) => KubeObject[];
}

/** One of this folder's operators as the world's OperatorSim (one simulator per cluster). */
export function worldOperator(
  product: string,
  make: () => RolloutSimulator,
  opts: OperatorAdapterOptions,
): WorldOperator & { sims: Map<string, RolloutSimulator>; clusterOf(c: WorldContext): SimCluster } {
  const sims = new Map<string, RolloutSimulator>();
  const side = new Map<string, MemoryCluster>();
  const owned = new Map<string, KubeObject[]>();
  const schedules = new Map<string, () => void>();
  const clusterOf = (c: WorldContext): SimCluster => {
    if (!opts.olm) return c.kube;
    if (!side.has(c.cluster)) side.set(c.cluster, new MemoryCluster());
    return new CompositeCluster(c.kube, servedByKubeServer, side.get(c.cluster));
  };
  const simOf = (c: WorldContext) => {
    if (!sims.has(c.cluster)) sims.set(c.cluster, make());
    return sims.get(c.cluster)!;
  };
  const schedule = (c: WorldContext) => {
    if (!schedules.has(c.cluster))
      schedules.set(
        c.cluster,
        scheduler(
          c,
          simOf(c),
          () => clusterOf(c),
          `${product}: ${c.cluster}`,
          (e) => c.record(`${c.cluster}: ${product}: ${e.object} ${e.change}`),
        ),
      );
    schedules.get(c.cluster)!();
  };
  const run = (c: WorldContext) => {
    for (const e of simOf(c).tick(clusterOf(c), c.now().getTime()))
      c.record(`${c.cluster}: ${product}: ${e.object} ${e.change}`);
    schedule(c);
  };
  return {
    product,
    sims,
    clusterOf,
    seed(c, rendered) {
      const mine = rendered.filter(opts.owns);
      owned.set(c.cluster, mine);
      const out = mine.flatMap((o) => (opts.settle ?? settledObjects)(o));
      simOf(c).prime(out);
      // Objects the Kubernetes test server cannot hold (OLM's) go beside it.
      const cluster = clusterOf(c);
      return out.filter((o) => {
        if (servedByKubeServer(groupOf(o), o.kind ?? '')) return true;
        cluster.apply(o);
        return false;
      });
    },
    applied(c, rendered) {
      const mine = rendered.filter(opts.owns);
      if (mine.length) {
        const known = owned.get(c.cluster) ?? [];
        const key = (o: KubeObject) =>
          `${o.apiVersion}/${o.kind}/${o.metadata?.namespace}/${o.metadata?.name}`;
        owned.set(c.cluster, [...known.filter((k) => !mine.some((m) => key(m) === key(k))), ...mine]);
      }
      run(c);
    },
    tick: run,
    ready(c) {
      return allHealthy(clusterOf(c), owned.get(c.cluster) ?? [], c.now().getTime());
    },
  };
}

/**
 * The Argo CD applier as the world's GitOpsApplier, one per cluster, with the
 * Applications of `appDirs(cluster)`. Its `monitor` must be in the world's
 * operators too (first): Argo CD recomputes health on every change it
 * watches, which the world signals through the operators' `tick`.
 */
export function worldArgoCd(
  appDirs: (cluster: string) => string[],
  opts: Omit<ArgoCdOptions, 'appDirs' | 'onApplied' | 'root'> & {
    root?: (cluster: string) => string;
    /** Where Argo CD applies (default the cluster's Kubernetes test server); a CompositeCluster for kinds it does not serve (OLM). */
    clusterOf?: (c: WorldContext) => SimCluster;
  } = {},
): WorldApplier & { monitor: WorldOperator; appliers: Map<string, ArgoCdApplier> } {
  const appliers = new Map<string, ArgoCdApplier>();
  const operators = new Map<string, readonly WorldOperator[]>();
  const schedules = new Map<string, () => void>();
  const ctxs = new Map<string, WorldContext>();
  const of = (c: WorldContext) => {
    ctxs.set(c.cluster, c);
    if (!appliers.has(c.cluster))
      appliers.set(
        c.cluster,
        new ArgoCdApplier({
          serves: opts.clusterOf ? () => true : servedByKubeServer,
          ...opts,
          root: opts.root?.(c.cluster),
          appDirs: appDirs(c.cluster),
          onApplied: (changed) => {
            const ctx = ctxs.get(c.cluster)!;
            for (const op of operators.get(c.cluster) ?? []) op.applied(ctx, changed);
          },
        }),
      );
    return appliers.get(c.cluster)!;
  };
  const schedule = (c: WorldContext) => {
    if (!schedules.has(c.cluster))
      schedules.set(
        c.cluster,
        scheduler(
          c,
          of(c),
          () => target(c),
          `argocd: ${c.cluster}`,
          (e) => c.record(`${c.cluster}: argocd: ${e.object} ${e.change}`),
        ),
      );
    schedules.get(c.cluster)!();
  };
  const target = (c: WorldContext) => opts.clusterOf?.(c) ?? c.kube;
  const monitor: WorldOperator = {
    product: 'argocd',
    seed: () => [],
    applied: () => undefined,
    tick(c) {
      for (const e of of(c).tick(target(c), c.now().getTime()))
        c.record(`${c.cluster}: argocd: ${e.object} ${e.change}`);
      schedule(c);
    },
    ready: () => true,
  };
  return {
    kind: 'argocd',
    appliers,
    monitor,
    seed: (c, files) => of(c).seed(files, files.commit, c.now().getTime()),
    render: (c, files) => of(c).renderAll(files),
    onRevision(c, files, ops) {
      operators.set(
        c.cluster,
        ops.filter((o) => o !== monitor),
      );
      of(c).pushed(files.commit, files, c.now().getTime());
      schedule(c);
    },
  };
}
