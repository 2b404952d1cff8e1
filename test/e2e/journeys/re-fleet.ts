// The Redis Enterprise world of journeys 2 and 6: examples/argocd-fleet's
// operator, REC and REDB Applications, on Argo CD, rolled by the simulated
// Redis Enterprise operator (test/e2e/sim/operators/redis-enterprise.ts).
import type { KubeObject } from '../../../lib/cluster-state.ts';
import { redisEnterpriseOperator, type RedisEnterpriseOptions } from '../sim/operators/redis-enterprise.ts';
import { groupOf } from '../sim/rollout.ts';
import { settledObjects } from '../sim/settle.ts';
import { argoFleet, clustersPolicy, productOperator } from './argocd-fleet.ts';

export const RE_RESOURCES = [
  '/Pod',
  '/Node',
  'apps/Deployment',
  'app.redislabs.com/RedisEnterpriseCluster',
  'app.redislabs.com/RedisEnterpriseDatabase',
  'argoproj.io/Application',
];

export const rec = (tag: string) =>
  [
    'apiVersion: app.redislabs.com/v1',
    'kind: RedisEnterpriseCluster',
    'metadata:',
    '  name: rec',
    '  namespace: redis-enterprise',
    'spec:',
    '  nodes: 3',
    '  redisEnterpriseImageSpec:',
    '    repository: redislabs/redis',
    `    versionTag: ${tag}`,
    '',
  ].join('\n');

export const redb = (version: string) =>
  [
    'apiVersion: app.redislabs.com/v1alpha1',
    'kind: RedisEnterpriseDatabase',
    'metadata:',
    '  name: orders',
    '  namespace: redis-enterprise',
    'spec:',
    '  redisEnterpriseCluster:',
    '    name: rec',
    '  memorySize: 1GB',
    '  shardCount: 2',
    '  replication: true',
    `  redisVersion: "${version}"`,
    '',
  ].join('\n');

const minorOf = (kubelet: string) => kubelet.replace(/^v/, '').split('.').slice(0, 2).join('.');

export function reWorld(o: {
  recTag: string;
  redbVersion?: string;
  sim: RedisEnterpriseOptions;
  bundled?: string[];
  rules?: string[];
  /** The operator may move (default: frozen, so a journey sees only the REC or the REDB). */
  operatorMoves?: boolean;
  /** The cluster's Kubernetes: its Node's kubelet and the policy's declared minor (default v1.30.6). */
  kubelet?: string;
}) {
  const settle = (x: KubeObject): KubeObject[] => {
    const out = settledObjects(x);
    if (x.kind === 'RedisEnterpriseCluster' && o.bundled)
      (out[0] as { status: Record<string, unknown> }).status.bundledDatabaseVersions = o.bundled.map(
        (version) => ({
          dbType: 'redis',
          version,
        }),
      );
    return out;
  };
  const re = productOperator(
    'redis-enterprise',
    () => redisEnterpriseOperator(o.sim),
    (x) => groupOf(x) === 'app.redislabs.com' || x.metadata?.name === 'redis-enterprise-operator',
    { settle },
  );
  return argoFleet({
    keep: ['re-operator', 're'],
    envs: ['dev'],
    policy: [
      ...clustersPolicy(['dev'], { dev: minorOf(o.kubelet ?? 'v1.30.6') }),
      'rules:',
      ...(o.operatorMoves
        ? []
        : [
            '  - description: The operator is frozen in this journey (no release is old enough).',
            '    match: { components: [redis-enterprise-operator] }',
            '    minimumReleaseAge: 3650d',
          ]),
      '  - description: REDB values carry no release dates.',
      '    match: { components: [redis-enterprise-database] }',
      '    minimumReleaseAge: 0s',
      ...(o.rules ?? []),
    ],
    files: {
      'clusters/dev/redis-enterprise/rec.yaml': rec(o.recTag),
      ...(o.redbVersion ? { 'clusters/dev/redis-enterprise/redb.yaml': redb(o.redbVersion) } : {}),
    },
    operators: [re],
    clusters: { dev: { kubelet: o.kubelet ?? 'v1.30.6' } },
    resources: RE_RESOURCES,
    start: '2026-11-23T08:00:00Z',
  });
}
