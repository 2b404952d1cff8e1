// Reads what `kubectl get ... -o yaml` printed for a cluster (a List or a
// multi-document file): the Kubernetes version from Node objects, the
// operators actually running from Deployments, and every object as-is for
// the health readers.
import { z } from 'zod';
import { type Issue, ValidationError } from './errors.ts';
import { type LocatedDocument, type PathKey, parseYamlDocuments, schemaIssues } from './input.ts';
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

/**
 * `kubectl get -o yaml` of a large cluster holds far more tokens than a
 * manifest; its size limit is the reader's (lib/node/files.ts MAX_INPUT_BYTES).
 */
const MAX_STATE_TOKENS = 8_000_000;

const text = z.string({ error: 'must be a string' });
const maybe = <S extends z.ZodType>(s: S) => s.optional().nullable();

/**
 * The fields cairn reads, with the types it relies on; everything else in an
 * object is kept as-is and not checked (it belongs to the health readers).
 */
const objectSchema = z.looseObject({
  apiVersion: maybe(text),
  kind: maybe(text),
  metadata: maybe(
    z.looseObject({
      name: maybe(text),
      namespace: maybe(text),
      annotations: maybe(z.record(z.string(), text)),
      labels: maybe(z.record(z.string(), text)),
    }),
  ),
});
const nodeSchema = z.looseObject({
  status: maybe(z.looseObject({ nodeInfo: maybe(z.looseObject({ kubeletVersion: maybe(text) })) })),
});
const containers = maybe(z.array(z.looseObject({ image: maybe(text) }), { error: 'must be a list' }));
const deploymentSchema = z.looseObject({
  spec: maybe(
    z.looseObject({
      template: maybe(
        z.looseObject({ spec: maybe(z.looseObject({ containers, initContainers: containers })) }),
      ),
    }),
  ),
});

function checkObject(
  v: unknown,
  d: LocatedDocument,
  file: string,
  prefix: PathKey[],
  issues: Issue[],
): boolean {
  const base = objectSchema.safeParse(v);
  if (!base.success) {
    issues.push(...schemaIssues(base.error, file, d.locate, prefix));
    return false;
  }
  const kind = base.data.kind;
  const specific = kind === 'Node' ? nodeSchema : kind === 'Deployment' ? deploymentSchema : undefined;
  const r = specific?.safeParse(v);
  if (r && !r.success) {
    issues.push(...schemaIssues(r.error, file, d.locate, prefix));
    return false;
  }
  return true;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function minor(kubeletVersion: string): string | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(kubeletVersion);
  return m ? `${m[1]}.${m[2]}` : undefined;
}

/** KubeDB kinds whose status.phase the planner reads: an ops request Successful, its database Ready. */
const KUBEDB_PHASES = new Set(['Redis', 'RedisSentinel', 'RedisOpsRequest', 'RedisSentinelOpsRequest']);

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

/**
 * Reads kubectl output. Every field cairn relies on is checked for its type
 * where it enters: a wrong one is a file:line:field error, all of them at once.
 */
export function readClusterState(source: string, file: string, name: string): ClusterState {
  const docs = parseYamlDocuments(source, file, { maxTokens: MAX_STATE_TOKENS });
  const objects: KubeObject[] = [];
  const issues: Issue[] = [];
  for (const d of docs) {
    if (!isObject(d.value)) {
      issues.push({ file, line: d.line, message: 'expected a Kubernetes object or List' });
      continue;
    }
    const v = d.value as KubeObject & { items?: unknown };
    if (typeof v.kind === 'string' && v.kind.endsWith('List') && v.items !== undefined) {
      if (!Array.isArray(v.items)) {
        const pos = d.locate(['items']);
        issues.push({ file, ...(pos ? { line: pos.line } : {}), field: 'items', message: 'must be a list' });
        continue;
      }
      v.items.forEach((item, i) => {
        if (!isObject(item)) {
          const pos = d.locate(['items', i]);
          issues.push({
            file,
            ...(pos ? { line: pos.line } : {}),
            field: `items[${i}]`,
            message: 'expected a Kubernetes object',
          });
        } else if (checkObject(item, d, file, ['items', i], issues)) objects.push(item as KubeObject);
      });
    } else if (checkObject(v, d, file, [], issues)) objects.push(v);
  }
  if (issues.length) throw new ValidationError(issues);
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
    // Types checked above (deploymentSchema).
    const spec = o.spec as
      { template?: { spec?: { containers?: { image?: string }[] | null } | null } | null } | null | undefined;
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
    // KubeDB: whether an ops request finished and its database is Ready (the planner records it).
    if (KUBEDB_PHASES.has(o.kind) && typeof o.status?.phase === 'string')
      fields['status.phase'] = o.status.phase;
    if (Object.keys(fields).length)
      resources[`${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`] =
        fields;
  }
  if (Object.keys(resources).length) facts.resources = resources;
  return { facts, notes };
}
