// Reads what `kubectl get ... -o yaml` printed for a cluster (a List or a
// multi-document file): the Kubernetes version from Node objects, the
// operators actually running from Deployments, and every object as-is for
// the health readers.
import { ValidationError } from './errors.ts';
import { parseYamlDocuments } from './input.ts';
import type { ClusterFacts } from './model.ts';
import { identifyImage } from './targets/identify.ts';
import { parseImageRef } from './targets/tokens.ts';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
    generation?: number;
    resourceVersion?: string;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    uid?: string;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export interface ClusterState {
  facts: ClusterFacts;
  objects: KubeObject[];
  /** Things worth telling the user, e.g. version skew between nodes. */
  notes: string[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function minor(kubeletVersion: string): string | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(kubeletVersion);
  return m ? `${m[1]}.${m[2]}` : undefined;
}

/** A REC's running version and the Redis versions it bundles (status.bundledDatabaseVersions, dbType redis). */
function recFields(o: KubeObject): Record<string, string> {
  const out: Record<string, string> = {};
  const image = o.spec?.redisEnterpriseImageSpec;
  if (isObject(image) && typeof image.versionTag === 'string')
    out['spec.redisEnterpriseImageSpec.versionTag'] = image.versionTag;
  const bundled = o.status?.bundledDatabaseVersions;
  if (Array.isArray(bundled)) {
    const versions = bundled
      .filter((b): b is Record<string, unknown> => isObject(b) && b.dbType === 'redis')
      .map((b) => String(b.version));
    out['status.bundledDatabaseVersions'] = versions.join(',');
  }
  return out;
}

export function readClusterState(text: string, file: string, name: string): ClusterState {
  const docs = parseYamlDocuments(text, file);
  const objects: KubeObject[] = [];
  for (const d of docs) {
    if (!isObject(d.value))
      throw new ValidationError([{ file, line: d.line, message: 'expected a Kubernetes object or List' }]);
    const v = d.value as KubeObject & { items?: unknown[] };
    if (v.kind === 'List' || (v.kind?.endsWith('List') && Array.isArray(v.items))) {
      for (const item of v.items ?? []) if (isObject(item)) objects.push(item as KubeObject);
    } else objects.push(v);
  }
  return { ...clusterFactsFrom(objects, name), objects };
}

/**
 * The facts the planner takes from a cluster's objects, however they were
 * read (a `kubectl get -o yaml` file, or the live readers in lib/cluster/).
 */
export function clusterFactsFrom(
  objects: readonly KubeObject[],
  name: string,
): { facts: ClusterFacts; notes: string[] } {
  const notes: string[] = [];
  const facts: ClusterFacts = { name };
  const nodeMinors = objects
    .filter((o) => o.kind === 'Node')
    .map((o) => {
      const info = isObject(o.status) && isObject(o.status.nodeInfo) ? o.status.nodeInfo : undefined;
      return typeof info?.kubeletVersion === 'string' ? minor(info.kubeletVersion) : undefined;
    })
    .filter((m): m is string => m !== undefined)
    .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
  if (nodeMinors.length) {
    // The oldest kubelet is what an operator must still support.
    facts.kubernetesVersion = nodeMinors[0]!;
    if (new Set(nodeMinors).size > 1)
      notes.push(
        `${name}: nodes run different Kubernetes minors (${[...new Set(nodeMinors)].join(', ')}); planning for ${nodeMinors[0]}`,
      );
  }
  const operators: Record<string, string> = {};
  for (const o of objects.filter((x) => x.kind === 'Deployment')) {
    const spec = o.spec as { template?: { spec?: { containers?: { image?: string }[] } } } | undefined;
    for (const c of spec?.template?.spec?.containers ?? []) {
      if (!c.image) continue;
      // The same image table the repository scan uses (lib/targets/identify.ts).
      const identity = identifyImage(c.image);
      const { tag } = parseImageRef(c.image);
      const id = identity?.role === 'operator' ? identity.component : undefined;
      if (id && tag) operators[id] = tag;
    }
  }
  if (Object.keys(operators).length) facts.operators = operators;
  // Scalar spec fields of custom resources (e.g. a RedisCluster's primaryUpdateStrategy) for planning rules.
  const resources: Record<string, Record<string, string>> = {};
  for (const o of objects) {
    if (!o.kind || !o.metadata?.name || !isObject(o.spec) || !o.apiVersion?.includes('/')) continue;
    if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Pod', 'Node'].includes(o.kind)) continue;
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(o.spec))
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
        fields[`spec.${k}`] = String(v);
    if (o.kind === 'RedisEnterpriseCluster') Object.assign(fields, recFields(o));
    if (Object.keys(fields).length)
      resources[`${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`] =
        fields;
  }
  if (Object.keys(resources).length) facts.resources = resources;
  return { facts, notes };
}
