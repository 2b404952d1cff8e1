// Benchmark of the planner: a fleet of 1,000 targets over every component of
// the shipped catalog, planned against the full real release history
// (`catalogReleases`), on 24 clusters in 8 regions promoted dev -> staging ->
// prod. Requirement: a median under 1 ms per target, on one core.
//
// Each variant runs in a fresh child process (so its peak RSS is its own):
// warm-up plans first, then `runs` timed plans of the whole fleet; we report
// the median and p90 wall time per plan, the median per target, peak RSS and
// the largest heap seen after a plan.
//   age-0s:   the policy sets `minimumReleaseAge: 0s` (every release is a candidate)
//   defaults: shipped defaults (3 days; releases without a date are not candidates)
// Run: scripts/with-node.sh node bench/planner.ts
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadShippedCatalog } from '../lib/node/files.ts';
import type { Catalog } from '../lib/catalog/schema.ts';
import { catalogReleases } from '../lib/feed.ts';
import type { ComponentId, ComponentRole, ResourceRef, Target } from '../lib/model.ts';
import { planUpgrade } from '../lib/planner/plan.ts';
import type { Plan, PlanInput } from '../lib/planner/types.ts';
import { loadPolicy } from '../lib/policy/load.ts';
import { getScheme } from '../lib/versioning/index.ts';
import type { SchemeId } from '../lib/versioning/types.ts';
import type { BenchRow } from './targets.ts';

export const FLEET_SIZE = 1_000;
/** The instant every plan is computed for. */
export const BENCH_NOW = new Date('2026-11-21T09:00:00Z');

const REGIONS = ['eu', 'us', 'ap', 'sa', 'af', 'me', 'ca', 'in'];
const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
/** Kubernetes minor per environment, shifted by region: lower environments run newer clusters. */
const KUBERNETES = ['1.33', '1.32', '1.31', '1.30'];

type Variant = 'age-0s' | 'defaults';

/** Small deterministic PRNG (mulberry32): the fleet is the same on every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function clusterName(env: string, region: string): string {
  return `${env}-${region}`;
}

function kubernetesOf(envIndex: number, regionIndex: number): string {
  return KUBERNETES[Math.min(KUBERNETES.length - 1, envIndex + (regionIndex % 2))]!;
}

export function fleetPolicyYaml(variant: Variant): string {
  const clusters = REGIONS.flatMap((region, r) =>
    ENVIRONMENTS.map((env, e) => {
      const name = clusterName(env, region);
      return `  - { name: ${name}, environment: ${env}, kubernetes: "${kubernetesOf(e, r)}", paths: ["clusters/${name}/**"] }`;
    }),
  );
  return [
    'apiVersion: cairn.dev/v1alpha1',
    'kind: Policy',
    'clusters:',
    ...clusters,
    'environments:',
    '  - name: dev',
    '  - { name: staging, after: [dev], soak: 24h }',
    '  - { name: prod, after: [staging], soak: 72h }',
    ...(variant === 'age-0s' ? ['defaults:', '  minimumReleaseAge: 0s'] : []),
    'rules:',
    '  - match: { environments: [prod] }',
    '    maxMinorsBehind: 1',
    '  - match: { components: [redis], environments: [prod] }',
    '    deny: ["8.0.0"]',
    '  - match: { components: [bitnami-redis-chart] }',
    '    updateTypes: [patch, minor]',
    '',
  ].join('\n');
}

/** Stable releases of a component, oldest first, as the catalog lists them. */
function stableReleases(catalog: Catalog, id: ComponentId): string[] {
  const c = catalog.components.get(id);
  if (!c) throw new Error(`catalog has no component ${id}`);
  const scheme = getScheme(c.scheme as SchemeId);
  const kubedbNames = new Set(catalog.kubedbVersions.filter((k) => !k.deprecated).map((k) => k.name));
  return c.releases
    .map((r) => r.version)
    .filter((v) => scheme.isValid(v) && scheme.isStable(v))
    .filter((v) => id !== 'kubedb-redis' || kubedbNames.has(v));
}

interface Blueprint {
  component: ComponentId;
  role: ComponentRole;
  kind: string;
  resource: (name: string) => ResourceRef | undefined;
  field: string;
  file: (name: string) => string;
  managedBy?: ComponentId;
  image?: string;
  change?: Target['change'];
}

/** Data-plane workloads, deployed in every environment of a region under the same name. */
const WORKLOADS: Blueprint[] = [
  {
    component: 'redis',
    role: 'data-plane',
    kind: 'howl-rediscluster',
    resource: (n) => ({ apiVersion: 'redis.io/v1', kind: 'RedisCluster', namespace: 'cache', name: n }),
    field: 'spec.imageName',
    file: (n) => `redis/${n}.yaml`,
    managedBy: 'howl-redis-operator',
    image: 'redis',
  },
  {
    // Not `ot-redis`: OT images are tagged `v7.0.15`, which the redis-image scheme refuses (unplannable).
    component: 'redis',
    role: 'data-plane',
    kind: 'kustomize',
    resource: () => undefined,
    field: 'images[name=redis].newTag',
    file: (n) => `kustomize/${n}/kustomization.yaml`,
    image: 'redis',
  },
  {
    component: 'redis',
    role: 'data-plane',
    kind: 'helm-values',
    resource: () => undefined,
    field: 'image.tag',
    file: (n) => `charts/${n}/values.yaml`,
    image: 'redis',
  },
  {
    component: 'bitnami-redis',
    role: 'data-plane',
    kind: 'helm-values',
    resource: () => undefined,
    field: 'image.tag',
    file: (n) => `bitnami/${n}/values.yaml`,
    image: 'bitnami/redis',
  },
  {
    component: 'bitnami-redis-chart',
    role: 'data-plane',
    kind: 'flux-helmrelease',
    resource: (n) => ({ kind: 'HelmRelease', namespace: 'apps', name: n }),
    field: 'spec.chart.spec.version',
    file: (n) => `apps/${n}/release.yaml`,
  },
  {
    component: 'kubedb-redis',
    role: 'data-plane',
    kind: 'kubedb',
    resource: (n) => ({ apiVersion: 'kubedb.com/v1', kind: 'Redis', namespace: 'db', name: n }),
    field: 'spec.version',
    file: (n) => `kubedb/${n}.yaml`,
    managedBy: 'kubedb-operator',
    change: 'ops-request',
  },
  {
    component: 'valkey',
    role: 'data-plane',
    kind: 'helm-values',
    resource: () => undefined,
    field: 'image.tag',
    file: (n) => `valkey/${n}/values.yaml`,
    image: 'appscode-images/valkey',
  },
  {
    component: 'alauda-redis',
    role: 'data-plane',
    kind: 'alauda-redis',
    resource: (n) => ({ kind: 'Redis', namespace: 'alauda', name: n }),
    field: 'spec.version',
    file: (n) => `alauda/${n}.yaml`,
    managedBy: 'alauda-redis-operator',
  },
  {
    component: 'redis-enterprise-database',
    role: 'data-plane',
    kind: 'redis-enterprise',
    resource: (n) => ({ kind: 'RedisEnterpriseDatabase', namespace: 'redis-enterprise', name: n }),
    field: 'spec.redisVersion',
    file: (n) => `redis-enterprise/${n}.yaml`,
    managedBy: 'redis-enterprise-operator',
  },
];

/** Operators (and CRDs) installed once per cluster. */
const PER_CLUSTER: Blueprint[] = [
  {
    component: 'howl-redis-operator',
    role: 'operator',
    kind: 'flux-helmrelease',
    resource: () => ({ kind: 'HelmRelease', namespace: 'redis-system', name: 'redis-operator' }),
    field: 'spec.chart.spec.version',
    file: () => 'infra/redis-operator/release.yaml',
  },
  {
    component: 'howl-redis-operator-crds',
    role: 'crds',
    kind: 'kustomize',
    resource: () => undefined,
    field: 'resources[0]',
    file: () => 'infra/redis-operator/kustomization.yaml',
  },
  {
    component: 'ot-redis-operator',
    role: 'operator',
    kind: 'workload',
    resource: () => ({ kind: 'Deployment', namespace: 'ot', name: 'redis-operator' }),
    field: 'spec.template.spec.containers[name=redis-operator].image',
    file: () => 'infra/ot/operator.yaml',
    image: 'opstree/redis-operator',
  },
  {
    component: 'alauda-redis-operator',
    role: 'operator',
    kind: 'olm-subscription',
    resource: () => ({ kind: 'Subscription', namespace: 'operators', name: 'redis-operator' }),
    field: 'spec.startingCSV',
    file: () => 'infra/alauda/subscription.yaml',
  },
  {
    component: 'redis-enterprise-operator',
    role: 'operator',
    kind: 'workload',
    resource: () => ({
      kind: 'Deployment',
      namespace: 'redis-enterprise',
      name: 'redis-enterprise-operator',
    }),
    field: 'spec.template.spec.containers[name=redis-enterprise-operator].image',
    file: () => 'infra/redis-enterprise/operator.yaml',
    image: 'redislabs/operator',
  },
  {
    component: 'redis-enterprise',
    role: 'data-plane',
    kind: 'redis-enterprise',
    resource: () => ({ kind: 'RedisEnterpriseCluster', namespace: 'redis-enterprise', name: 'rec' }),
    field: 'spec.redisEnterpriseImageSpec.versionTag',
    file: () => 'infra/redis-enterprise/rec.yaml',
    managedBy: 'redis-enterprise-operator',
  },
];

function makeTarget(b: Blueprint, cluster: string, env: string, name: string, current: string): Target {
  const file = `clusters/${cluster}/${b.file(name)}`;
  const resource = b.resource(name);
  const where = resource ? `${resource.kind}/${resource.namespace ?? ''}/${resource.name}` : 'values';
  return {
    id: `${file}#${where}:${b.field}`,
    kind: b.kind,
    file,
    line: 1,
    document: 0,
    ...(resource ? { resource } : {}),
    field: b.field,
    component: b.component,
    role: b.role,
    ...(b.managedBy ? { managedBy: b.managedBy } : {}),
    current,
    ...(b.image ? { image: b.image } : {}),
    cluster,
    environment: env,
    change: b.change ?? 'in-place',
  };
}

/**
 * The fleet: per cluster, one of each operator (the Redis Enterprise operator
 * on a version that supports the cluster's Kubernetes, its REC on what that
 * operator ships); then data-plane workloads in every environment of a region,
 * prod furthest behind. Current versions are drawn from the newer two thirds
 * of each component's real release list.
 */
export function buildFleet(catalog: Catalog, size: number = FLEET_SIZE): Target[] {
  const rand = random(0xca1a);
  const stable = new Map<ComponentId, string[]>();
  const releasesOf = (id: ComponentId) => {
    let list = stable.get(id);
    if (!list) {
      list = stableReleases(catalog, id);
      stable.set(id, list);
    }
    return list;
  };
  /** A release index biased to recent ones, then one index newer per environment closer to dev. */
  const pick = (list: string[], envIndex: number, base: number) =>
    list[Math.min(list.length - 1, base + (ENVIRONMENTS.length - 1 - envIndex))]!;
  const baseIndex = (list: string[]) => {
    const from = Math.floor(list.length / 3);
    return from + Math.floor(rand() * Math.max(1, list.length - from - 2));
  };

  const out: Target[] = [];
  REGIONS.forEach((region, r) => {
    ENVIRONMENTS.forEach((env, e) => {
      const cluster = clusterName(env, region);
      const k8s = kubernetesOf(e, r);
      const reOps = catalog.platformSupport.filter(
        (p) =>
          p.component === 'redis-enterprise-operator' &&
          p.kubernetes?.supported.includes(k8s) &&
          p.ships.some((s) => s.component === 'redis-enterprise'),
      );
      const reOp = reOps[Math.floor(rand() * Math.max(1, reOps.length - 2))];
      for (const b of PER_CLUSTER) {
        let current: string | undefined;
        if (b.component === 'redis-enterprise-operator') current = reOp?.version;
        else if (b.component === 'redis-enterprise')
          current = reOp?.ships.find((s) => s.component === 'redis-enterprise')?.version;
        else if (b.component === 'howl-redis-operator-crds') {
          current = out.find((t) => t.cluster === cluster && t.component === 'howl-redis-operator')?.current;
        } else {
          const list = releasesOf(b.component);
          current = pick(list, e, baseIndex(list));
        }
        if (current) out.push(makeTarget(b, cluster, env, b.component, current));
      }
    });
  });
  for (let w = 0; out.length < size; w++) {
    const b = WORKLOADS[w % WORKLOADS.length]!;
    const region = REGIONS[Math.floor(w / WORKLOADS.length) % REGIONS.length]!;
    const name = `${b.component}-${w}`;
    const list = releasesOf(b.component);
    const base = baseIndex(list);
    ENVIRONMENTS.forEach((env, e) => {
      if (out.length < size)
        out.push(makeTarget(b, clusterName(env, region), env, name, pick(list, e, base)));
    });
  }
  return out;
}

export function fleetInput(catalog: Catalog, variant: Variant): PlanInput {
  return {
    inventory: { targets: buildFleet(catalog), problems: [] },
    releases: catalogReleases(catalog),
    clusters: {},
    policy: loadPolicy([{ path: `.cairn/fleet-${variant}.yaml`, text: fleetPolicyYaml(variant) }]),
    catalog,
    now: BENCH_NOW,
  };
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

interface ChildResult {
  variant: Variant;
  targets: number;
  runs: number;
  medianMs: number;
  p90Ms: number;
  maxRssMb: number;
  maxHeapMb: number;
  planned: number;
  blocked: number;
  steps: number;
}

function summarize(plan: Plan): { planned: number; blocked: number; steps: number } {
  return {
    planned: plan.targets.filter((t) => t.status === 'planned').length,
    blocked: plan.blocked.length,
    steps: plan.steps.length,
  };
}

function measure(variant: Variant, runs: number, warmup: number): ChildResult {
  const catalog = loadShippedCatalog();
  const input = fleetInput(catalog, variant);
  const targets = input.inventory.targets.length;
  if (targets !== FLEET_SIZE) throw new Error(`built ${targets} targets, expected ${FLEET_SIZE}`);
  let last = planUpgrade(input);
  for (let i = 1; i < warmup; i++) last = planUpgrade(input);
  const times: number[] = [];
  let maxHeap = 0;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    last = planUpgrade(input);
    times.push(performance.now() - start);
    maxHeap = Math.max(maxHeap, process.memoryUsage().heapUsed);
  }
  return {
    variant,
    targets,
    runs,
    medianMs: quantile(times, 0.5),
    p90Ms: quantile(times, 0.9),
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    maxHeapMb: maxHeap / 2 ** 20,
    ...summarize(last),
  };
}

export async function runPlannerBench(opts: { runs?: number; warmup?: number } = {}): Promise<BenchRow[]> {
  const runs = Math.max(15, opts.runs ?? 15);
  const warmup = opts.warmup ?? 3;
  const self = fileURLToPath(import.meta.url);
  const rows: BenchRow[] = [];
  for (const variant of ['age-0s', 'defaults'] as const) {
    const out = execFileSync(process.execPath, [self, '--child', variant, String(runs), String(warmup)], {
      encoding: 'utf8',
    });
    const r = JSON.parse(out) as ChildResult;
    const label = `plan ${r.targets.toLocaleString('en')} targets, ${variant === 'age-0s' ? 'minimumReleaseAge 0s' : 'default release age'}`;
    rows.push(
      {
        name: `${label}: wall (${r.planned} planned, ${r.steps} steps, ${r.blocked} blocked)`,
        median: r.medianMs,
        p90: r.p90Ms,
        unit: 'ms',
        limit: r.targets,
        runs: r.runs,
      },
      {
        name: `${label}: per target`,
        median: r.medianMs / r.targets,
        p90: r.p90Ms / r.targets,
        unit: 'ms',
        limit: 1,
        runs: r.runs,
      },
      { name: `${label}: peak RSS`, median: r.maxRssMb, unit: 'MB', limit: Number.NaN, runs: r.runs },
      {
        name: `${label}: heap used after a plan (max)`,
        median: r.maxHeapMb,
        unit: 'MB',
        limit: Number.NaN,
        runs: r.runs,
      },
    );
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === '--child') {
    const variant = process.argv[3] as Variant;
    process.stdout.write(
      JSON.stringify(measure(variant, Number(process.argv[4]), Number(process.argv[5] ?? 3))),
    );
  } else {
    const { formatBenchTable } = await import('./targets.ts');
    console.log(formatBenchTable(await runPlannerBench()));
  }
}
