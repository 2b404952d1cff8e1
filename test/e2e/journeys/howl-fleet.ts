// The world of journeys 1, 7 and 8: examples/flux-fleet reduced to its howl-cloud parts
// (the Bitnami release and the Redis Enterprise bundle are removed), with Redis 6.2.14
// and operator chart 0.2.3 in every environment, dev and staging unsupervised and
// production supervised, on Kubernetes 1.30, going to Redis 7.4 (the policy allows
// nothing newer).
import { fluxApplier } from '../sims/flux.ts';
import { howlOperator } from '../sims/howl.ts';
import { RESOURCES } from '../../../lib/cluster/resources.ts';
import type { WorldOptions } from '../world.ts';

/** What a howl-cloud cluster on Flux holds: the agents watch only these. */
export const HOWL_FLUX_RESOURCES = RESOURCES.filter(
  (r) =>
    [
      'Pod',
      'Node',
      'Deployment',
      'RedisCluster',
      'RedisBackup',
      'Kustomization',
      'HelmRelease',
      'GitRepository',
    ].includes(r.kind) && r.group !== 'redis.redis.opstreelabs.in',
);

const policy = (
  extra: string[] = [],
  soaks: Record<string, string> = { staging: '24h', production: '72h' },
) =>
  [
    'apiVersion: cairn.dev/v1alpha1',
    'kind: Policy',
    'clusters:',
    ...['dev', 'staging', 'production'].flatMap((name) => [
      `  - name: ${name}`,
      `    environment: ${name}`,
      '    kubernetes: "1.30"',
      `    paths: ["clusters/${name}/**", "infrastructure/${name}/**", "apps/${name}/**"]`,
    ]),
    'environments:',
    '  - name: dev',
    '  - name: staging',
    '    after: [dev]',
    ...(soaks.staging ? [`    soak: ${soaks.staging}`] : []),
    '  - name: production',
    '    after: [staging]',
    ...(soaks.production ? [`    soak: ${soaks.production}`] : []),
    'defaults:',
    '  minimumReleaseAge: 7d',
    'rules:',
    '  - description: This fleet goes to Redis 7.4, the last 7.x line.',
    '    match: { components: [redis] }',
    '    allowedVersions: "<7.5"',
    ...extra,
    '',
  ].join('\n');

const sessions = (strategy: 'supervised' | 'unsupervised') =>
  [
    'apiVersion: redis.io/v1',
    'kind: RedisCluster',
    'metadata:',
    '  name: sessions',
    '  namespace: sessions',
    'spec:',
    `  primaryUpdateStrategy: ${strategy}`,
    '  imageName: redis:6.2.14',
    '',
  ].join('\n');

const operatorRelease = (version: string) =>
  [
    'apiVersion: helm.toolkit.fluxcd.io/v2',
    'kind: HelmRelease',
    'metadata:',
    '  name: redis-operator',
    '  namespace: redis-system',
    'spec:',
    '  chart:',
    '    spec:',
    '      chart: redis-operator',
    `      version: "${version}"`,
    '      sourceRef:',
    '        kind: HelmRepository',
    '        name: howl-cloud',
    '        namespace: flux-system',
    '',
  ].join('\n');

export interface HowlFleetOptions {
  /** Extra policy lines (under `rules:`, or new top-level keys). */
  policy?: string[];
  start?: string;
  /** Soak per environment (default staging 24h, production 72h); an empty string: none. */
  soaks?: Record<string, string>;
  /** Short simulator delays (seconds, not minutes): for a world on the real clock. */
  fast?: boolean;
  /** Only these environments (the others' files are removed). */
  environments?: ('dev' | 'staging' | 'production')[];
}

export function howlFleet(o: HowlFleetOptions = {}): Pick<
  WorldOptions,
  'example' | 'files' | 'clusters' | 'applier' | 'operators' | 'start' | 'resources'
> & {
  howl: ReturnType<typeof howlOperator>;
} {
  const howl = howlOperator(o.fast ? { stepMs: 1_000 } : {});
  const envs = o.environments ?? ['dev', 'staging', 'production'];
  const files: Record<string, string | null> = {
    'infrastructure/production/redis-enterprise': null,
    'apps/production/cache': null,
    'cluster-state': null,
    'feed.yaml': null,
    'infrastructure/production/kustomization.yaml': [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'resources:',
      '  - ../base/sources',
      '  - ../base/howl-redis-operator',
      'patches:',
      '  - path: redis-operator.yaml',
      '    target:',
      '      kind: HelmRelease',
      '      name: redis-operator',
      '',
    ].join('\n'),
    'apps/production/kustomization.yaml': [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'resources:',
      '  - ../base/sessions',
      'patches:',
      '  - path: sessions.yaml',
      '    target:',
      '      kind: RedisCluster',
      '      name: sessions',
      '',
    ].join('\n'),
    'apps/base/sessions/rediscluster.yaml': [
      'apiVersion: redis.io/v1',
      'kind: RedisCluster',
      'metadata:',
      '  name: sessions',
      '  namespace: sessions',
      'spec:',
      '  instances: 3',
      '  mode: standalone',
      '  primaryUpdateStrategy: unsupervised',
      '  imageName: redis:6.2.14',
      '  storage:',
      '    size: 5Gi',
      '',
    ].join('\n'),
    '.cairn/policy.yaml': policy(o.policy, o.soaks),
  };
  for (const env of ['dev', 'staging', 'production'] as const) {
    if (!envs.includes(env)) {
      files[`clusters/${env}`] = null;
      files[`infrastructure/${env}`] = null;
      files[`apps/${env}`] = null;
      continue;
    }
    files[`apps/${env}/sessions.yaml`] = sessions(env === 'production' ? 'supervised' : 'unsupervised');
    files[`infrastructure/${env}/redis-operator.yaml`] = operatorRelease('0.2.3');
  }
  return {
    example: 'examples/flux-fleet',
    files,
    clusters: envs.map((name) => ({ name })),
    applier: fluxApplier(o.fast ? { fetchMs: 2_000, applyMs: 1_000, pollMs: 1_000 } : {}),
    operators: [howl],
    start: o.start ?? '2026-11-23T08:00:00Z',
    resources: HOWL_FLUX_RESOURCES,
    howl,
  };
}
