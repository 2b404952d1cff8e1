// A SimCluster held in memory: any kind (the Kubernetes test server serves
// only lib/cluster/resources.ts, so OLM's Subscription / InstallPlan /
// ClusterServiceVersion live here), resourceVersion and generation as the
// apiserver keeps them (generation moves on a spec change only).
import type { KubeObject } from '../../../lib/cluster-state.ts';
import { findResource } from '../../../lib/cluster/resources.ts';
import { groupOf, stable, type SimCluster } from './rollout.ts';

export class MemoryCluster implements SimCluster {
  private objects = new Map<string, KubeObject>();
  private rv = 100;

  constructor(objects: KubeObject[] = []) {
    for (const o of objects) this.apply(o);
  }

  private key(group: string, kind: string, namespace: string | undefined, name: string): string {
    return `${group}/${kind}/${namespace ?? ''}/${name}`;
  }

  get(group: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const o = this.objects.get(this.key(group, kind, namespace, name));
    return o ? structuredClone(o) : undefined;
  }

  list(group: string, kind: string): KubeObject[] {
    return [...this.objects.values()]
      .filter((o) => groupOf(o) === group && o.kind === kind)
      .sort((a, b) =>
        `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(
          `${b.metadata?.namespace}/${b.metadata?.name}`,
        ),
      )
      .map((o) => structuredClone(o));
  }

  apply(o: KubeObject): KubeObject {
    const key = this.key(groupOf(o), o.kind ?? '', o.metadata?.namespace, o.metadata?.name ?? '');
    const prev = this.objects.get(key);
    const stored = structuredClone(o);
    const specChanged =
      prev && stable((prev as { spec?: unknown }).spec) !== stable((o as { spec?: unknown }).spec);
    stored.metadata = {
      ...stored.metadata,
      resourceVersion: String(++this.rv),
      generation: (prev?.metadata?.generation ?? stored.metadata?.generation ?? 1) + (specChanged ? 1 : 0),
    };
    this.objects.set(key, stored);
    return structuredClone(stored);
  }

  remove(group: string, kind: string, namespace: string | undefined, name: string): void {
    this.objects.delete(this.key(group, kind, namespace, name));
  }
}

/** Reads and writes go to the first cluster that serves the kind (`serves`), else to the second. */
export class CompositeCluster implements SimCluster {
  private readonly primary: SimCluster;
  private readonly serves: (group: string, kind: string) => boolean;
  readonly rest: SimCluster;

  constructor(
    primary: SimCluster,
    serves: (group: string, kind: string) => boolean,
    rest: SimCluster = new MemoryCluster(),
  ) {
    this.primary = primary;
    this.serves = serves;
    this.rest = rest;
  }

  private pick(group: string, kind: string): SimCluster {
    return this.serves(group, kind) ? this.primary : this.rest;
  }

  get(group: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.pick(group, kind).get(group, kind, namespace, name);
  }

  list(group: string, kind: string): KubeObject[] {
    return this.pick(group, kind).list(group, kind);
  }

  apply(o: KubeObject): KubeObject {
    return this.pick(groupOf(o), o.kind ?? '').apply(o);
  }

  remove(group: string, kind: string, namespace: string | undefined, name: string): void {
    this.pick(group, kind).remove?.(group, kind, namespace, name);
  }
}

/** The kinds the Kubernetes test server (test/support/kube-server) serves: lib/cluster/resources.ts. */
export function servedByKubeServer(group: string, kind: string): boolean {
  return findResource(group, kind) !== undefined;
}
