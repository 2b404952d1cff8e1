// Rendering deploy/kubernetes with the real `kubectl kustomize`, and validating
// every rendered object against the Kubernetes OpenAPI: types, required fields,
// enums and formats through kubernetes-models (ajv validators generated from the
// Kubernetes OpenAPI document), unknown fields through @kubernetes/client-node's
// models (generated from the same document), and custom resources through the
// real CRDs in ../shared/fixtures or the npm models generated from their CRDs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { Ajv } from 'ajv';
import { describe, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseFile } from '../../lib/targets/yaml-file.ts';
import { readFixture, repoRoot } from './fixtures.ts';

export const kustomizeDir = join(repoRoot, 'deploy/kubernetes');

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

/** kubectl's embedded kustomize version, or why it cannot render the package (components need >= 4). */
function kubectlState(): { ok: true; version: string } | { ok: false; why: string } {
  const r = spawnSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8' });
  if (r.error || r.status !== 0)
    return { ok: false, why: 'kubectl is not installed (Debian package kubectl)' };
  const version = String((JSON.parse(r.stdout) as { kustomizeVersion?: string }).kustomizeVersion ?? '');
  const major = Number(/^v(\d+)/.exec(version)?.[1] ?? 0);
  if (major < 4)
    return { ok: false, why: `kubectl's kustomize ${version || '(none)'} has no components (>= v4)` };
  return { ok: true, version };
}

export const kubectl = kubectlState();

/** `describe` that runs only with a kubectl able to render the package, and says so by name otherwise. */
export function describeWithKubectl(name: string, fn: () => void): void {
  if (kubectl.ok) {
    describe(name, fn);
    return;
  }
  process.stderr.write(`SKIP "${name}": ${kubectl.why}\n`);
  describe.skip(name, () => {
    it.skip(`needs kubectl: ${kubectl.why}`, () => {});
  });
}

/** Runs `kubectl kustomize` on a directory; throws with kubectl's own message on failure. */
export function kustomize(dir: string): Manifest[] {
  const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.status !== 0) throw new Error(`kubectl kustomize ${dir}: ${r.stderr}`);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as Manifest | null)
    .filter((o): o is Manifest => !!o);
}

/**
 * Renders a kustomization a user would write: `resources` and `components` are
 * paths under deploy/kubernetes, plus any extra fields.
 */
export function renderCombination(
  resources: string[],
  components: string[],
  extra: Record<string, unknown> = {},
): Manifest[] {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-kustomize-'));
  try {
    const rel = (p: string) => relative(dir, join(kustomizeDir, p));
    const k = {
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: resources.map(rel),
      components: components.map(rel),
      ...extra,
    };
    writeFileSync(join(dir, 'kustomization.yaml'), JSON.stringify(k));
    return kustomize(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Validated {
  validate(): void;
}
type ModelClass = new (data: unknown) => Validated;

/** npm packages whose models were generated from each API group's CRDs or OpenAPI. */
function modelModule(apiVersion: string): string {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
  if (group === 'monitoring.coreos.com') return `@kubernetes-models/prometheus-operator/${apiVersion}`;
  if (group.endsWith('.toolkit.fluxcd.io')) return `@kubernetes-models/flux-cd/${apiVersion}`;
  return `kubernetes-models/${apiVersion}`;
}

/** CRDs from ../shared/fixtures, by apiVersion and kind. */
const FIXTURE_CRDS: Record<string, string> = {
  'argoproj.io/v1alpha1 Application': 'gitops-status/argo-cd/manifests/crds/application-crd.yaml',
  'redis.io/v1 RedisCluster': 'howl-redis-operator/config/crd/bases/redis.io_redisclusters.yaml',
  'app.redislabs.com/v1 RedisEnterpriseCluster':
    'redis-enterprise-k8s/redis-enterprise-k8s-docs/crds/rec_crd.yaml',
  'app.redislabs.com/v1alpha1 RedisEnterpriseDatabase':
    'redis-enterprise-k8s/redis-enterprise-k8s-docs/crds/redb_crd.yaml',
  'kubedb.com/v1 Redis': 'kubedb/installer/charts/kubedb-crds/crds/kubedb.com_redises.yaml',
  'ops.kubedb.com/v1alpha1 RedisOpsRequest':
    'kubedb/installer/charts/kubedb-crds/crds/ops.kubedb.com_redisopsrequests.yaml',
  'redis.redis.opstreelabs.in/v1beta2 RedisCluster':
    'ot-redis-operator/config/crd/bases/redis.redis.opstreelabs.in_redisclusters.yaml',
  'redis.redis.opstreelabs.in/v1beta2 RedisReplication':
    'ot-redis-operator/config/crd/bases/redis.redis.opstreelabs.in_redisreplications.yaml',
};

interface CrdVersion {
  name: string;
  schema: { openAPIV3Schema: Record<string, unknown> };
}

/** Strict JSON schema from a CRD's structural schema: no field it does not declare. */
function strictCrdSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strictCrdSchema);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith('x-kubernetes-')) continue;
    out[k] =
      k === 'properties'
        ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, strictCrdSchema(s)]))
        : strictCrdSchema(v);
  }
  const preserve = (node as Record<string, unknown>)['x-kubernetes-preserve-unknown-fields'] === true;
  if (out.properties && out.additionalProperties === undefined && !preserve) out.additionalProperties = false;
  return out;
}

// Formats (int64, date-time) are not checked: Kubernetes' own are looser than JSON Schema's.
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, logger: false });

function validateWithFixtureCrd(o: Manifest, rel: string): string[] {
  // lib/targets' parser reads controller-gen's multi-line quoted descriptions as kubectl does
  const read = parseFile(rel, readFixture(rel));
  if (!read.ok) return [`${rel}: ${read.problem.reason}`];
  const crd = read.parsed.docs[0]!.doc.toJS() as { spec: { versions: CrdVersion[] } };
  const version = o.apiVersion.split('/')[1];
  const v = crd.spec.versions.find((x) => x.name === version);
  if (!v) return [`${rel} serves no version ${version}`];
  const schema = strictCrdSchema(v.schema.openAPIV3Schema) as Record<string, unknown>;
  // metadata is the API server's ObjectMeta, not described by the CRD.
  const props = { ...(schema.properties as Record<string, unknown>), metadata: { type: 'object' } };
  const check = ajv.compile({ ...schema, properties: props });
  if (check(o)) return [];
  return (check.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
  );
}

/** client-node's model name for a built-in apiVersion and kind (`V1Deployment`). */
function clientNodeType(apiVersion: string, kind: string): string | undefined {
  const version = apiVersion.split('/').pop()!;
  const name = `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
  return name in k8s ? name : undefined;
}

interface Attribute {
  baseName: string;
  type: string;
}

/** Every field path the client-node model for `type` does not declare. */
function unknownFields(value: unknown, type: string, path: string, out: string[]): void {
  if (value === null || value === undefined) return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (Array.isArray(value)) value.forEach((v, i) => unknownFields(v, array[1]!, `${path}[${i}]`, out));
    return;
  }
  const map = /^\{ \[key: string\]: (.+?);? \}$/.exec(type);
  if (map) {
    if (typeof value === 'object')
      for (const [k, v] of Object.entries(value)) unknownFields(v, map[1]!, `${path}.${k}`, out);
    return;
  }
  const model = (k8s as unknown as Record<string, { getAttributeTypeMap?: () => Attribute[] }>)[type];
  if (!model?.getAttributeTypeMap || typeof value !== 'object' || Array.isArray(value)) return;
  const attributes = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  for (const [k, v] of Object.entries(value)) {
    const t = attributes.get(k);
    if (t === undefined) out.push(`${path}.${k}`);
    else unknownFields(v, t, `${path}.${k}`, out);
  }
}

/**
 * Problems with one object against its schema (empty when valid). An object of an
 * API nobody ships a schema for is a problem too: nothing goes unvalidated.
 */
export async function validateManifest(o: Manifest): Promise<string[]> {
  const where = `${o.kind} ${o.metadata?.name ?? '(no name)'}`;
  const crd = FIXTURE_CRDS[`${o.apiVersion} ${o.kind}`];
  if (crd) return validateWithFixtureCrd(o, crd).map((p) => `${where}: ${p}`);
  let Model: ModelClass | undefined;
  try {
    const mod = (await import(modelModule(o.apiVersion))) as Record<string, ModelClass>;
    Model = mod[o.kind];
  } catch {
    Model = undefined;
  }
  if (!Model) return [`${where}: no schema for ${o.apiVersion} ${o.kind}`];
  const problems: string[] = [];
  try {
    new Model(o).validate();
  } catch (e) {
    const errors = (e as { errors?: { instancePath: string; message?: string }[] }).errors;
    if (errors?.length) for (const x of errors) problems.push(`${x.instancePath || '/'} ${x.message ?? ''}`);
    else problems.push(e instanceof Error ? e.message : String(e));
  }
  const type = clientNodeType(o.apiVersion, o.kind);
  if (type && !o.apiVersion.includes('.coreos.com') && !o.apiVersion.includes('.fluxcd.io')) {
    const unknown: string[] = [];
    unknownFields(o, type, '', unknown);
    problems.push(...unknown.map((p) => `${p.slice(1)}: unknown field`));
  }
  return problems.map((p) => `${where}: ${p}`);
}
