// Cluster readings for the gate and the planner, over a KubeTransport.
// `ClusterWatcher` keeps every resource in sync (list + watch, relist on 410)
// to know *when* to look; `readForStep` and `readSnapshot` read directly
// (GET or a fresh LIST) so that no decision rests on a cache alone.
import type { KubeObject } from '../cluster-state.ts';
import { clusterFactsFrom } from '../cluster-state.ts';
import type { ClusterReading, ReadProblem } from '../gate/types.ts';
import type { ClusterFacts } from '../model.ts';
import type { Step } from '../planner/types.ts';
import { problemOf, Reflector } from './reflector.ts';
import { findResource, RESOURCES, type ResourceType } from './resources.ts';
import { KubeApiError, type KubeTransport } from './transport.ts';

export interface WatcherOptions {
  transport: KubeTransport;
  clock: () => Date;
  sleep: (ms: number) => Promise<void>;
  resources?: readonly ResourceType[];
  /** Called whenever any cached resource changes (the agent pushes a snapshot then). */
  onChange?: () => void;
  retryMs?: number;
}

/** Keeps every resource cairn reads in sync with list + watch. */
export class ClusterWatcher {
  readonly reflectors: Reflector[];
  private readonly opts: WatcherOptions;

  constructor(opts: WatcherOptions) {
    this.opts = opts;
    this.reflectors = (opts.resources ?? RESOURCES).map(
      (resource) =>
        new Reflector({
          resource,
          transport: opts.transport,
          sleep: opts.sleep,
          ...(opts.retryMs !== undefined ? { retryMs: opts.retryMs } : {}),
          onChange: () => opts.onChange?.(),
        }),
    );
  }

  start(): void {
    for (const r of this.reflectors) r.start();
  }

  stop(): void {
    for (const r of this.reflectors) r.stop();
  }

  reflector(group: string, kind: string): Reflector | undefined {
    return this.reflectors.find((r) => r.resource.group === group && r.resource.kind === kind);
  }

  /** What the caches hold now. Unsynced resources are problems: a cached reading never proves health. */
  cached(): ClusterReading {
    const problems: ReadProblem[] = [];
    for (const r of this.reflectors) {
      if (r.problem) problems.push(r.problem);
      else if (r.state === 'starting')
        problems.push({ resource: r.label, kind: 'unavailable', message: 'not listed yet' });
    }
    return { readAt: this.opts.clock(), objects: this.reflectors.flatMap((r) => r.objects()), problems };
  }
}

function objectKey(o: KubeObject): string {
  return `${o.apiVersion ?? ''}/${o.kind ?? ''}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

class DirectReads {
  objects = new Map<string, KubeObject>();
  problems: ReadProblem[] = [];
  private readonly transport: KubeTransport;
  constructor(transport: KubeTransport) {
    this.transport = transport;
  }

  private label(r: ResourceType, namespace?: string, name?: string): string {
    return `${r.group ? `${r.group}/` : ''}${r.kind}${name ? ` ${namespace ? `${namespace}/` : ''}${name}` : namespace ? ` in ${namespace}` : ''}`;
  }

  async get(r: ResourceType, namespace: string | undefined, name: string): Promise<void> {
    try {
      const o = await this.transport.get(r, namespace, name);
      if (o) this.objects.set(objectKey(o), o);
    } catch (e) {
      this.problems.push(problemOf(this.label(r, namespace, name), e));
    }
  }

  async list(r: ResourceType, namespace?: string): Promise<void> {
    try {
      for (const o of (await this.transport.list(r, namespace)).items) this.objects.set(objectKey(o), o);
    } catch (e) {
      // A kind whose CRD is not installed has no objects; anything else is a problem.
      if (!(e instanceof KubeApiError && e.code === 404))
        this.problems.push(problemOf(this.label(r, namespace), e));
    }
  }
}

const need = (group: string, kind: string): ResourceType => {
  const r = findResource(group, kind);
  if (!r) throw new KubeApiError(`cairn has no reader for ${group}/${kind}`, undefined);
  return r;
};

/**
 * Everything the gate needs for one step, read directly now: each named
 * object by GET, unnamed ones and the Pods/StatefulSets/Deployments around
 * them by a fresh LIST, and the Argo CD Applications and Flux Kustomizations
 * that may apply the step's file.
 */
export async function readForStep(
  transport: KubeTransport,
  step: Step,
  clock: () => Date,
): Promise<ClusterReading> {
  const readAt = clock();
  const reads = new DirectReads(transport);
  const parts = step.target.name.split('/');
  const targetNs = parts.length === 3 ? parts[1] : undefined;
  const jobs: Promise<void>[] = [
    reads.list(need('argoproj.io', 'Application')),
    reads.list(need('kustomize.toolkit.fluxcd.io', 'Kustomization')),
  ];
  const namespaces = new Set<string | undefined>([targetNs]);
  for (const c of step.gate.conditions ?? []) {
    const r = findResource(c.object.group, c.object.kind);
    if (!r) {
      reads.problems.push({
        resource: `${c.object.group}/${c.object.kind}`,
        kind: 'error',
        message: 'cairn has no reader for this kind',
      });
      continue;
    }
    if (c.evaluator === 'operator-rollout') jobs.push(reads.list(need('apps', 'Deployment')));
    else if (c.object.name) jobs.push(reads.get(r, c.object.namespace, c.object.name));
    else jobs.push(reads.list(r, c.object.namespace));
    namespaces.add(c.object.namespace);
  }
  for (const ns of namespaces) {
    if (ns === undefined && namespaces.size > 1) continue;
    jobs.push(reads.list(need('', 'Pod'), ns), reads.list(need('apps', 'StatefulSet'), ns));
  }
  await Promise.all(jobs);
  return { readAt, objects: [...reads.objects.values()], problems: reads.problems };
}

/** A direct LIST of every resource (what the agent pushes). */
export async function readSnapshot(
  transport: KubeTransport,
  clock: () => Date,
  resources: readonly ResourceType[] = RESOURCES,
): Promise<ClusterReading> {
  const readAt = clock();
  const reads = new DirectReads(transport);
  await Promise.all(resources.map((r) => reads.list(r)));
  return { readAt, objects: [...reads.objects.values()], problems: reads.problems };
}

/**
 * The same facts a `--cluster-state` file gives (lib/cluster-state.ts), from
 * a live cluster: the Kubernetes version from the Nodes' kubelets and the
 * operators from their Deployments.
 */
export async function readClusterFacts(
  transport: KubeTransport,
  name: string,
): Promise<{ facts: ClusterFacts; notes: string[]; problems: ReadProblem[] }> {
  const reads = new DirectReads(transport);
  await Promise.all([reads.list(need('', 'Node')), reads.list(need('apps', 'Deployment'))]);
  return { ...clusterFactsFrom([...reads.objects.values()], name), problems: reads.problems };
}
