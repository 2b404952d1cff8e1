// Worlds on examples/argocd-fleet for journeys 2–6: the example reduced to
// one product (every other Application and its folder removed), with a
// policy written for the journey, applied by the simulated Argo CD
// (test/e2e/sim/argocd.ts) and rolled by that product's simulated operator.
import { RESOURCES, type ResourceType } from '../../../lib/cluster/resources.ts';
import type { KubeObject } from '../../../lib/cluster-state.ts';
import { worldArgoCd, worldOperator, type WorldOperator } from '../sim/world-adapters.ts';
import type { RolloutSimulator } from '../sim/rollout.ts';
import type { ClusterSpec, WorldOptions } from '../world.ts';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

const ENVS = ['dev', 'staging', 'prod'] as const;
export type Env = (typeof ENVS)[number];

/** The Applications of each environment in the example, and the folders they sync. */
const APPS: Record<string, { app: string; dir?: string }> = {
  cache: { app: 'cache.yaml' },
  kubedb: { app: 'kubedb-sessions.yaml', dir: 'kubedb' },
  'ot-operator': { app: 'ot-redis-operator.yaml' },
  ot: { app: 'ot-redis.yaml', dir: 'ot-redis' },
  're-operator': { app: 'redis-enterprise-operator.yaml' },
  re: { app: 'redis-enterprise.yaml', dir: 'redis-enterprise' },
};

export interface ArgoFleetOptions {
  /** The parts of the example kept (keys of APPS). */
  keep: (keyof typeof APPS)[];
  envs: readonly Env[];
  /** The policy, as lines. */
  policy: string[];
  /** Extra edits to the copy. */
  files?: Record<string, string | null>;
  clusters?: Partial<Record<Env, Omit<ClusterSpec, 'name'>>>;
  operators: WorldOperator[];
  resources: readonly string[];
  start: string;
}

export function argoFleet(o: ArgoFleetOptions): Pick<
  WorldOptions,
  'example' | 'files' | 'clusters' | 'applier' | 'operators' | 'start' | 'resources'
> & {
  argo: ReturnType<typeof worldArgoCd>;
} {
  const files: Record<string, string | null> = {
    'cluster-state': null,
    'feed.yaml': null,
    // The app-of-apps chart: Argo CD's root Applications, not simulated here.
    apps: null,
    '.cairn/policy.yaml': [...o.policy, ''].join('\n'),
  };
  for (const env of ENVS) {
    if (!o.envs.includes(env)) {
      files[`clusters/${env}`] = null;
      continue;
    }
    for (const [key, { app, dir }] of Object.entries(APPS)) {
      if (o.keep.includes(key)) continue;
      files[`clusters/${env}/apps/${app}`] = null;
      if (dir) files[`clusters/${env}/${dir}`] = null;
    }
  }
  Object.assign(files, o.files);
  // The root Application of each environment, as the example's apps/ chart names it.
  const argo = worldArgoCd((cluster) => [`clusters/${cluster}/apps`], {
    root: (cluster) => `redis-${cluster}`,
  });
  const resources: ResourceType[] = RESOURCES.filter((r) => o.resources.includes(`${r.group}/${r.kind}`));
  return {
    example: 'examples/argocd-fleet',
    files,
    clusters: o.envs.map((name) => ({ name, ...o.clusters?.[name] })),
    applier: argo,
    operators: [argo.monitor, ...o.operators],
    start: o.start,
    resources,
    argo,
  };
}

/** A product's operator in the world: it owns the rendered objects `owns` picks. */
export function productOperator(
  product: string,
  make: () => RolloutSimulator,
  owns: (o: KubeObject) => boolean,
  extra: { olm?: boolean; settle?: (o: KubeObject) => KubeObject[] } = {},
) {
  return worldOperator(product, make, { owns, ...extra });
}

/** The policy's clusters and environments block for `envs`, each on Kubernetes `k8s` unless given. */
export function clustersPolicy(
  envs: readonly Env[],
  k8s: Partial<Record<Env, string>> = {},
  soak = '24h',
): string[] {
  return [
    'apiVersion: cairn.dev/v1alpha1',
    'kind: Policy',
    'clusters:',
    ...envs.flatMap((name) => [
      `  - name: ${name}`,
      `    environment: ${name}`,
      `    kubernetes: "${k8s[name] ?? '1.30'}"`,
      `    paths: ["clusters/${name}/**"]`,
    ]),
    'environments:',
    ...envs.flatMap((name, i) =>
      i === 0
        ? [`  - name: ${name}`]
        : [`  - name: ${name}`, `    after: [${envs[i - 1]}]`, `    soak: ${soak}`],
    ),
  ];
}
