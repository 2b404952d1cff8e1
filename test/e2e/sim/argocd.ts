// Argo CD, simulated: the application controller for the Applications a
// repository declares (e.g. examples/argocd-fleet/clusters/<env>/apps/).
// On a push to the tracked branch (`pushed(revision, tree, now)`, what
// Argo CD's Git webhook triggers), each Application is refreshed; one whose
// desired objects changed goes OutOfSync and, with automated sync, runs an
// operation: operationState.phase Running (operation.sync.revision the new
// commit), the objects applied to the cluster, then Succeeded with
// syncResult.revision and finishedAt, a history entry, sync.status Synced at
// the revision; health is then recomputed on every tick from the applied
// objects (cairn's own evaluators stand in for Argo CD's health checks:
// deploy/argocd ships the same as Lua) — Progressing while the operator
// rolls, Healthy or Degraded after. An Application whose objects did not
// change only moves status.sync.revision (no operation runs); objects a new
// revision no longer renders are pruned (automated prune). Shapes: the
// fixture Applications (gitops-status/argo-cd/controller/testdata,
// gitops-engine/pkg/health/testdata) and application-crd.yaml.
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../../lib/cluster-state.ts';
import { EVALUATORS } from '../../../lib/health/index.ts';
import { checkRollout } from '../../../lib/health/workloads.ts';
import { renderBitnamiRedis } from './operators/bitnami.ts';
import { settledObjects } from './settle.ts';
import {
  describeKubeObject,
  groupOf,
  pathOf,
  rfc3339,
  type SimCluster,
  type SimEvent,
  type Simulator,
  stable,
} from './rollout.ts';

export interface ArgoTiming {
  /** Push to refresh (the webhook; Argo CD's poll is 3 min without it). */
  refreshMs: number;
  /** Refresh to objects applied. */
  applyMs: number;
  /** Refresh to operation Succeeded. */
  finishMs: number;
}
export const ARGO_TIMING: ArgoTiming = { refreshMs: 5_000, applyMs: 8_000, finishMs: 12_000 };

/** Renders a Helm-chart source: the objects the chart would produce. Unknown charts render nothing. */
export type ChartRenderer = (
  app: KubeObject,
  chart: string,
  version: string,
  values: Record<string, unknown>,
) => KubeObject[] | undefined;

/** The charts the examples use: Bitnami redis, the Redis Enterprise operator, the OT operator. */
export const defaultCharts: ChartRenderer = (app, chart, version, values) => {
  const ns = (pathOf(app, 'spec.destination.namespace') as string | undefined) ?? 'default';
  const release =
    (pathOf(app, 'spec.source.helm.releaseName') as string | undefined) ?? app.metadata?.name ?? chart;
  const deployment = (name: string, image: string): KubeObject =>
    ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: ns, labels: { 'helm.sh/chart': `${chart}-${version}`, name } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { name } },
        template: { metadata: { labels: { name } }, spec: { containers: [{ name, image }] } },
      },
    }) as KubeObject;
  if (chart === 'redis') return renderBitnamiRedis({ release, namespace: ns, chartVersion: version, values });
  // The operator chart's version is the operator's (redis/docs operate/kubernetes/deployment/helm.md).
  if (chart === 'redis-enterprise-operator')
    return [deployment('redis-enterprise-operator', `redislabs/operator:${version}`)];
  if (chart === 'redis-operator') {
    const image = `${String(pathOf(values, 'redisOperator.imageName') ?? 'quay.io/opstree/redis-operator')}:${String(pathOf(values, 'redisOperator.imageTag') ?? `v${version}`)}`;
    return [deployment('redis-operator', image)];
  }
  return undefined;
};

interface AppState {
  app: KubeObject;
  desired: KubeObject[];
  fingerprint: string;
}

interface Operation {
  app: string;
  revision: string;
  startedAt: number;
  next: number;
  objects: KubeObject[];
  /** Objects the previous revision rendered and this one does not: pruned (`syncPolicy.automated.prune`). */
  prune: KubeObject[];
}

/** A repository's files at one commit (the harness's RevisionFiles has this shape). */
export interface Tree {
  read(path: string): string | undefined;
  /** Every file path under `dir` (recursive), sorted. */
  list(dir: string): string[];
}

/** A Tree over a path → text map. */
export function mapTree(files: ReadonlyMap<string, string>): Tree {
  const all = [...files.keys()].sort();
  return {
    read: (p) => files.get(p),
    list: (dir) => all.filter((p) => p.startsWith(`${dir.replace(/\/$/, '')}/`)),
  };
}

/** Plain manifests under `dir` of a tree; a kustomization.yaml's `resources` (files only) decides which. */
export function manifestsIn(tree: Tree, dir: string): KubeObject[] {
  const base = dir.replace(/\/+$/, '');
  const kustomization = tree.read(`${base}/kustomization.yaml`);
  let files: string[];
  let namespace: string | undefined;
  if (kustomization) {
    const k = parseAllDocuments(kustomization)[0]?.toJS() as
      { resources?: string[]; namespace?: string } | undefined;
    files = (k?.resources ?? []).map((r) => `${base}/${r}`).filter((f) => tree.read(f) !== undefined);
    namespace = k?.namespace;
  } else files = tree.list(base).filter((f) => !f.slice(base.length + 1).includes('/') && /\.ya?ml$/.test(f));
  const out: KubeObject[] = [];
  for (const f of files)
    for (const d of parseAllDocuments(tree.read(f)!)) {
      const o = d.toJS() as KubeObject | null;
      if (!o?.kind) continue;
      if (namespace) o.metadata = { ...o.metadata, namespace };
      out.push(o);
    }
  return out;
}

export interface ArgoCdOptions {
  /** Folders of the tree that hold Application manifests (an app-of-apps renders them). */
  appDirs: string[];
  namespace?: string;
  charts?: ChartRenderer;
  timing?: ArgoTiming;
  /** Kinds the cluster can hold; others in a source are skipped (the test server serves a fixed list). */
  serves?: (group: string, kind: string) => boolean;
  /** The name of an app-of-apps root Application that syncs the Applications of `appDirs` (Argo CD's pattern). */
  root?: string;
  /** Told the objects a sync changed, after it applied them (operators that react to an apply). */
  onApplied?: (changed: KubeObject[]) => void;
}

export class ArgoCdApplier implements Simulator {
  readonly name = 'argocd';
  readonly events: SimEvent[] = [];
  private apps = new Map<string, AppState>();
  private ops: Operation[] = [];
  private pending: { revision: string; tree: Tree; at: number }[] = [];
  private readonly timing: ArgoTiming;
  private readonly charts: ChartRenderer;

  private readonly opts: ArgoCdOptions;

  constructor(opts: ArgoCdOptions) {
    this.opts = opts;
    this.timing = opts.timing ?? ARGO_TIMING;
    this.charts = opts.charts ?? defaultCharts;
  }

  /** The tracked branch moved to `revision` (a merge); Argo CD refreshes after the webhook delay. */
  pushed(revision: string, tree: Tree, now: number): void {
    this.pending.push({ revision, tree, at: now + this.timing.refreshMs });
  }

  /**
   * The cluster as it was before the journey: every Application synced and
   * healthy at `revision`, its objects applied (with `settle` giving each its
   * settled status, e.g. a Running REC).
   */
  /**
   * The Applications as they stand before the journey: synced and healthy at
   * `revision` (finished an hour before `now`). Their objects are `render`'s.
   */
  seed(tree: Tree, revision: string, now: number): KubeObject[] {
    return this.applications(tree).map((app) => {
      const desired = this.render(app, tree);
      this.apps.set(app.metadata!.name!, { app, desired, fingerprint: stable(desired) });
      return this.withStatus(app, revision, now - 3_600_000, 'Succeeded', 'Healthy');
    });
  }

  /** Every object the Applications of `tree` render (what the cluster should hold). */
  renderAll(tree: Tree): KubeObject[] {
    return this.applications(tree).flatMap((app) => this.render(app, tree));
  }

  /** `seed` and `renderAll` applied to `cluster`, each object settled (`settle`: its status and pods). */
  bootstrap(
    cluster: SimCluster,
    revision: string,
    tree: Tree,
    now: number,
    settle: (o: KubeObject) => KubeObject[] = settledObjects,
  ): void {
    for (const o of this.renderAll(tree)) for (const x of settle(structuredClone(o))) cluster.apply(x);
    for (const app of this.seed(tree, revision, now)) cluster.apply(app);
  }

  tick(cluster: SimCluster, now: number): SimEvent[] {
    const out: SimEvent[] = [];
    const log = (at: number, o: KubeObject | string, change: string) => {
      const ev = { at, object: typeof o === 'string' ? o : describeKubeObject(o), change };
      out.push(ev);
      this.events.push(ev);
    };
    for (;;) {
      // Earliest due event first: a refresh, or an operation's next phase.
      const refresh = this.pending[0] && this.pending[0].at <= now ? this.pending[0] : undefined;
      const op = this.ops
        .filter((o) => o.startedAt + this.phaseAt(o.next) <= now)
        .sort(
          (a, b) =>
            a.startedAt + this.phaseAt(a.next) - (b.startedAt + this.phaseAt(b.next)) ||
            a.app.localeCompare(b.app),
        )[0];
      const opAt = op ? op.startedAt + this.phaseAt(op.next) : Infinity;
      if (refresh && refresh.at <= opAt) {
        this.pending.shift();
        this.refresh(cluster, refresh, log);
        continue;
      }
      if (!op) break;
      this.advance(cluster, op, opAt, log);
    }
    this.recomputeHealth(cluster, now, log);
    return out;
  }

  nextAt(): number | undefined {
    const times = [
      ...this.pending.map((p) => p.at),
      ...this.ops.map((o) => o.startedAt + this.phaseAt(o.next)),
    ];
    return times.length ? Math.min(...times) : undefined;
  }

  private phaseAt(i: number): number {
    return (
      [0, this.timing.applyMs - this.timing.refreshMs, this.timing.finishMs - this.timing.refreshMs][i] ??
      Infinity
    );
  }

  private applications(tree: Tree): KubeObject[] {
    const ns = this.opts.namespace ?? 'argocd';
    // The app-of-apps root (the example's apps/ chart renders one per environment): it syncs the child
    // Applications themselves, so a change to a child's manifest is applied by the root.
    const roots: KubeObject[] = this.opts.root
      ? this.opts.appDirs.map(
          (path, i) =>
            ({
              apiVersion: 'argoproj.io/v1alpha1',
              kind: 'Application',
              metadata: { name: i ? `${this.opts.root}-${i}` : this.opts.root, namespace: ns },
              spec: {
                project: 'default',
                destination: { namespace: ns, server: 'https://kubernetes.default.svc' },
                source: {
                  repoURL: 'https://git.example.com/platform/redis-fleet.git',
                  targetRevision: 'main',
                  path,
                },
                syncPolicy: { automated: { prune: true, selfHeal: true } },
              },
            }) as KubeObject,
        )
      : [];
    return [
      ...roots,
      ...this.opts.appDirs
        .flatMap((d) => manifestsIn(tree, d))
        .filter((o) => o.kind === 'Application' && groupOf(o) === 'argoproj.io')
        .map((o) => ({ ...o, metadata: { ...o.metadata, namespace: o.metadata?.namespace ?? ns } })),
    ].sort((a, b) => (a.metadata!.name ?? '').localeCompare(b.metadata!.name ?? ''));
  }

  private render(app: KubeObject, tree: Tree): KubeObject[] {
    const src = pathOf(app, 'spec.source') as Record<string, unknown> | undefined;
    const ns = pathOf(app, 'spec.destination.namespace') as string | undefined;
    let objects: KubeObject[] = [];
    if (typeof src?.path === 'string') objects = manifestsIn(tree, src.path);
    else if (typeof src?.chart === 'string')
      objects =
        this.charts(
          app,
          src.chart,
          String(src.targetRevision ?? ''),
          (pathOf(src, 'helm.valuesObject') as Record<string, unknown> | undefined) ?? {},
        ) ?? [];
    return objects
      .map((o) => ({ ...o, metadata: { ...o.metadata, namespace: o.metadata?.namespace ?? ns } }))
      .filter((o) => !this.opts.serves || this.opts.serves(groupOf(o), o.kind ?? ''));
  }

  private refresh(
    cluster: SimCluster,
    p: { revision: string; tree: Tree; at: number },
    log: (at: number, o: KubeObject | string, change: string) => void,
  ): void {
    for (const app of this.applications(p.tree)) {
      const name = app.metadata!.name!;
      const desired = this.render(app, p.tree);
      const fingerprint = stable(desired);
      const known = this.apps.get(name);
      const live = cluster.get('argoproj.io', 'Application', app.metadata!.namespace, name);
      if (known && known.fingerprint === fingerprint && live) {
        // Nothing to apply: the tracked branch moved, the comparison is at the new revision.
        const next = structuredClone(live);
        (next as { spec?: unknown }).spec = app.spec;
        const st = next as { status: Record<string, unknown> };
        st.status = {
          ...st.status,
          sync: { ...(st.status.sync as object), status: 'Synced', revision: p.revision },
        };
        cluster.apply(next);
        continue;
      }
      const id = (o: KubeObject) =>
        `${groupOf(o)}/${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
      const kept = new Set(desired.map(id));
      const prune = (known?.desired ?? []).filter((o) => !kept.has(id(o)));
      this.apps.set(name, { app, desired, fingerprint });
      const base = live ?? this.withStatus(app, p.revision, p.at, undefined, 'Healthy');
      const next = structuredClone(base);
      (next as { spec?: unknown }).spec = app.spec;
      const st = next as { status: Record<string, unknown> };
      st.status = {
        ...st.status,
        sync: { status: 'OutOfSync', revision: p.revision },
        operationState: {
          phase: 'Running',
          message: 'one or more tasks are running',
          startedAt: rfc3339(p.at),
          operation: { sync: { revision: p.revision }, initiatedBy: { automated: true } },
        },
      };
      cluster.apply(next);
      log(p.at, next, `status.sync OutOfSync at ${p.revision.slice(0, 7)}; operationState.phase Running`);
      this.ops = this.ops.filter((o) => o.app !== `${app.metadata!.namespace}/${name}`);
      this.ops.push({
        app: `${app.metadata!.namespace}/${name}`,
        revision: p.revision,
        startedAt: p.at,
        next: 1,
        objects: desired,
        prune,
      });
    }
  }

  private advance(
    cluster: SimCluster,
    op: Operation,
    at: number,
    log: (at: number, o: KubeObject | string, change: string) => void,
  ): void {
    const [ns, name] = op.app.split('/') as [string, string];
    const live = cluster.get('argoproj.io', 'Application', ns, name);
    if (!live) {
      this.ops = this.ops.filter((o) => o !== op);
      return;
    }
    if (op.next === 1) {
      const objects = op.objects.filter((o) => this.applyObject(cluster, o));
      const changed = objects.map(describeKubeObject);
      log(at, live, `applied ${changed.length ? changed.join(', ') : 'no changes'}`);
      for (const o of op.prune) {
        if (!cluster.get(groupOf(o), o.kind ?? '', o.metadata?.namespace, o.metadata?.name ?? '')) continue;
        cluster.remove?.(groupOf(o), o.kind ?? '', o.metadata?.namespace, o.metadata?.name ?? '');
        log(at, live, `pruned ${describeKubeObject(o)}`);
      }
      this.opts.onApplied?.(objects);
      op.next = 2;
      return;
    }
    const next = structuredClone(live) as KubeObject & { status: Record<string, unknown> };
    const history = (next.status.history as unknown[] | undefined) ?? [];
    next.status = {
      ...next.status,
      sync: { status: 'Synced', revision: op.revision },
      health: { status: 'Progressing', lastTransitionTime: rfc3339(at) },
      reconciledAt: rfc3339(at),
      operationState: {
        ...(next.status.operationState as object),
        phase: 'Succeeded',
        message: 'successfully synced (all tasks run)',
        finishedAt: rfc3339(at),
        syncResult: { revision: op.revision },
      },
      history: [
        ...history,
        {
          id: history.length,
          revision: op.revision,
          deployStartedAt: rfc3339(op.startedAt),
          deployedAt: rfc3339(at),
        },
      ].slice(-10),
    };
    cluster.apply(next);
    log(at, next, `operationState.phase Succeeded; status.sync Synced at ${op.revision.slice(0, 7)}`);
    this.ops = this.ops.filter((o) => o !== op);
  }

  /** kubectl apply: the spec from Git, the status and identity kept; generation moves on a spec change. */
  private applyObject(cluster: SimCluster, o: KubeObject): boolean {
    const live = cluster.get(groupOf(o), o.kind ?? '', o.metadata?.namespace, o.metadata?.name ?? '');
    const specOf = (x: KubeObject | undefined) => stable((x as { spec?: unknown } | undefined)?.spec);
    if (live && specOf(live) === specOf(o)) return false;
    const next = structuredClone(o);
    next.metadata = {
      ...live?.metadata,
      ...o.metadata,
      generation: (live?.metadata?.generation ?? 0) + 1,
    };
    if (live && 'status' in live)
      (next as { status?: unknown }).status = (live as { status?: unknown }).status;
    cluster.apply(next);
    return true;
  }

  private recomputeHealth(
    cluster: SimCluster,
    now: number,
    log: (at: number, o: KubeObject | string, change: string) => void,
  ): void {
    const pods = cluster.list('', 'Pod');
    for (const [name, state] of this.apps) {
      if (this.ops.some((o) => o.app.endsWith(`/${name}`))) continue;
      const live = cluster.get('argoproj.io', 'Application', state.app.metadata!.namespace, name);
      if (!live || pathOf(live, 'status.operationState.phase') !== 'Succeeded') continue;
      const health = this.healthOf(cluster, state.desired, pods, now);
      const current = pathOf(live, 'status.health.status');
      if (current === health.status && pathOf(live, 'status.health.message') === health.message) continue;
      const next = structuredClone(live) as KubeObject & { status: Record<string, unknown> };
      next.status = {
        ...next.status,
        health: {
          status: health.status,
          ...(health.message ? { message: health.message } : {}),
          lastTransitionTime: rfc3339(now),
        },
      };
      cluster.apply(next);
      log(now, next, `status.health ${health.status}${health.message ? ` (${health.message})` : ''}`);
    }
  }

  /** Argo CD's aggregate: the worst of the objects' health (Degraded > Progressing > Healthy). */
  private healthOf(
    cluster: SimCluster,
    desired: KubeObject[],
    pods: KubeObject[],
    now: number,
  ): { status: string; message?: string } {
    let worst: { status: string; message?: string } = { status: 'Healthy' };
    const rank = { Healthy: 0, Progressing: 1, Degraded: 2 } as Record<string, number>;
    for (const d of desired) {
      const o = cluster.get(groupOf(d), d.kind ?? '', d.metadata?.namespace, d.metadata?.name ?? '');
      if (!o) continue;
      // Argo CD's built-in Deployment / StatefulSet checks: the rollout status.
      const builtIn = groupOf(d) === 'apps' ? checkRollout(o) : undefined;
      const ev = Object.values(EVALUATORS).find(
        (e) =>
          e.kind === d.kind &&
          e.group === groupOf(d) &&
          e.id !== 'argocd-application' &&
          !e.id.startsWith('flux'),
      );
      if (!builtIn && !ev) continue;
      const r =
        builtIn ?? ev!.evaluate({ object: o, related: pods, params: {}, context: { readAt: new Date(now) } });
      const status =
        r.status === 'healthy' ? 'Healthy' : r.status === 'degraded' ? 'Degraded' : 'Progressing';
      if (rank[status]! > rank[worst.status]!)
        worst = { status, ...(status === 'Healthy' ? {} : { message: r.reasons[0] }) };
    }
    return worst;
  }

  private withStatus(
    app: KubeObject,
    revision: string,
    at: number,
    phase: string | undefined,
    health: string,
  ): KubeObject {
    return {
      ...structuredClone(app),
      status: {
        sync: { status: 'Synced', revision },
        health: { status: health },
        ...(phase
          ? {
              operationState: {
                phase,
                message: 'successfully synced (all tasks run)',
                startedAt: rfc3339(at),
                finishedAt: rfc3339(at),
                operation: { sync: { revision } },
                syncResult: { revision },
              },
            }
          : {}),
        history: [{ id: 0, revision, deployStartedAt: rfc3339(at), deployedAt: rfc3339(at) }],
      },
    } as KubeObject;
  }
}
