// A Flux HelmRelease `spec.chartRef` (helm-controller docs, spec/v2/helmreleases.md "Chart
// reference": an OCIRepository or a HelmChart holds the chart and its version) whose source is
// kept apart from the release, in a sources folder no cluster's Kustomization applies: the
// version pin (OCIRepository `spec.ref.tag`, HelmChart `spec.version`) is found and deploys
// where the releases that name it do.
import { describe, expect, it } from 'vitest';
import { catalogReleases } from '../../../lib/feed.ts';
import { planRepository } from '../../../lib/plan-repository.ts';
import { EMPTY_POLICY } from '../../../lib/policy/load.ts';
import { memoryRepo } from '../../../lib/targets/repo.ts';
import { catalog, NOW } from '../planner/helpers.ts';

const kustomization = (cluster: string) => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 10m
  path: ./apps/${cluster}
  sourceRef:
    kind: GitRepository
    name: flux-system
`;

const release = (kind: string, name: string, values = '') => `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: cache
  namespace: cache
spec:
  interval: 10m
  chartRef:
    kind: ${kind}
    name: ${name}
    namespace: flux-system
${values}`;

// The docs' OCIRepository reference example, pointed at Bitnami's chart.
const ociRepository = (name: string, tag: string) => `apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata:
  name: ${name}
  namespace: flux-system
spec:
  interval: 10m
  layerSelector:
    mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
    operation: copy
  url: oci://registry-1.docker.io/bitnamicharts/redis
  ref:
    tag: ${tag}
`;

const plan = (files: Record<string, string>) =>
  planRepository(
    memoryRepo({
      'clusters/dev/apps.yaml': kustomization('dev'),
      'clusters/prod/apps.yaml': kustomization('prod'),
      ...files,
    }),
    {
      policy: EMPTY_POLICY,
      catalog,
      releases: catalogReleases(catalog),
      clusters: {},
      now: NOW,
    },
  );

describe('HelmRelease chartRef to a source kept apart', () => {
  it('an OCIRepository tag is placed on the cluster of the release that names it, and promoted dev first', async () => {
    const { plan: p, inventory } = await plan({
      'apps/dev/cache.yaml': release('OCIRepository', 'redis-dev'),
      'apps/prod/cache.yaml': release('OCIRepository', 'redis-prod'),
      'sources/redis-dev.yaml': ociRepository('redis-dev', '20.6.1'),
      'sources/redis-prod.yaml': ociRepository('redis-prod', '20.6.1'),
    });
    expect(inventory.targets.map((t) => [t.file, t.field, t.component, t.cluster, t.environment])).toEqual([
      ['sources/redis-dev.yaml', 'spec.ref.tag', 'bitnami-redis-chart', 'dev', 'dev'],
      ['sources/redis-prod.yaml', 'spec.ref.tag', 'bitnami-redis-chart', 'prod', 'prod'],
    ]);
    const first = (cluster: string) => p.steps.find((s) => s.cluster === cluster)!;
    expect(first('prod').after).toContain(first('dev').id);
  });

  it('one OCIRepository that releases of dev and prod both name is shared: blocked until each has its own', async () => {
    const { plan: p, inventory } = await plan({
      'apps/dev/cache.yaml': release('OCIRepository', 'redis'),
      'apps/prod/cache.yaml': release('OCIRepository', 'redis'),
      'sources/redis.yaml': ociRepository('redis', '20.6.1'),
    });
    expect(inventory.targets[0]!.sharedBy).toEqual([
      { cluster: 'dev', environment: 'dev' },
      { cluster: 'prod', environment: 'prod' },
    ]);
    expect(p.steps).toEqual([]);
    expect(p.blocked.map((b) => b.reason)).toContainEqual(expect.stringContaining('shared by dev and prod'));
  });

  it('a HelmChart reference: its spec.version is the chart pin, and the release values take its chart', async () => {
    // The docs' HelmChart reference example (chart, sourceRef HelmRepository, version), for Bitnami.
    const helmChart = `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmChart
metadata:
  name: redis
  namespace: flux-system
spec:
  interval: 10m
  chart: redis
  sourceRef:
    kind: HelmRepository
    name: bitnami
  version: "20.6.1"
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: bitnami
  namespace: flux-system
spec:
  type: oci
  url: oci://registry-1.docker.io/bitnamicharts
`;
    const { inventory } = await plan({
      'apps/prod/cache.yaml': release(
        'HelmChart',
        'redis',
        '  values:\n    image:\n      tag: 7.4.1-debian-12-r0\n',
      ),
      'sources/redis.yaml': helmChart,
    });
    expect(inventory.targets.map((t) => [t.file, t.field, t.component, t.cluster])).toEqual([
      ['apps/prod/cache.yaml', 'spec.values.image.tag', 'bitnami-redis', 'prod'],
      ['sources/redis.yaml', 'spec.version', 'bitnami-redis-chart', 'prod'],
    ]);
  });
});

describe('HelmRelease chartRef to a source in another repository', () => {
  it('the release values are planned and the plan notes that the chart pin lives elsewhere', async () => {
    const { inventory } = await plan({
      'apps/prod/cache.yaml': release(
        'OCIRepository',
        'redis',
        '  values:\n    image:\n      repository: bitnami/redis\n      tag: 7.4.1-debian-12-r0\n',
      ),
    });
    expect(inventory.targets.map((t) => [t.field, t.component])).toEqual([
      ['spec.values.image.tag', 'bitnami-redis'],
    ]);
    expect(inventory.problems).toEqual([
      {
        file: 'apps/prod/cache.yaml',
        line: 8,
        field: 'spec.chartRef',
        reason: expect.stringContaining(
          'pinned by OCIRepository flux-system/redis, which is not in this repository',
        ),
      },
    ]);
  });
});
