// Argo CD ApplicationSet generators (lib/targets/kinds/argocd-generators.ts): the list
// generator of the Argo CD docs (Generators-List.md: `elements: [{cluster: engineering-dev,
// url: …}]`, template `'{{.cluster}}-guestbook'`) with Redis chart versions and image tags as
// element keys. The element value is the target; each element's cluster is its own.
import { describe, expect, it } from 'vitest';
import { catalogReleases } from '../../../lib/feed.ts';
import type { Inventory } from '../../../lib/model.ts';
import { planRepository } from '../../../lib/plan-repository.ts';
import { EMPTY_POLICY } from '../../../lib/policy/load.ts';
import { editTarget } from '../../../lib/targets/edit.ts';
import { memoryRepo } from '../../../lib/targets/repo.ts';
import { scanRepository } from '../../../lib/targets/scan.ts';
import { catalog, NOW } from '../planner/helpers.ts';
import { expectOneTokenEdit } from './helpers.ts';

const LIST = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: cache
  namespace: argocd
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
  - list:
      elements:
      - cluster: engineering-dev
        url: https://kubernetes.default.svc
        chartVersion: 18.16.1
        redisTag: 7.2.4-debian-12-r9
      - cluster: engineering-prod
        url: https://prod.example.com
        chartVersion: "18.6.1" # prod lags one release
        redisTag: 7.2.3-debian-11-r2
  template:
    metadata:
      name: '{{.cluster}}-cache'
    spec:
      project: default
      source:
        repoURL: registry-1.docker.io/bitnamicharts
        chart: redis
        targetRevision: '{{.chartVersion}}'
        helm:
          valuesObject:
            image:
              repository: bitnami/redis
              tag: '{{.redisTag}}'
      destination:
        server: '{{.url}}'
        namespace: cache
`;

const rows = (inv: Inventory) =>
  inv.targets.map((t) => ({
    field: t.field,
    component: t.component,
    current: t.current,
    cluster: t.cluster,
    environment: t.environment,
  }));

describe('ApplicationSet generators', () => {
  it('a list element value is the target, on the cluster the element names', async () => {
    const inv = await scanRepository(memoryRepo({ 'argocd/cache.yaml': LIST }));
    expect(rows(inv)).toEqual([
      {
        field: 'spec.generators[0].list.elements[0].chartVersion',
        component: 'bitnami-redis-chart',
        current: '18.16.1',
        cluster: 'engineering-dev',
        environment: 'dev',
      },
      {
        field: 'spec.generators[0].list.elements[0].redisTag',
        component: 'bitnami-redis',
        current: '7.2.4-debian-12-r9',
        cluster: 'engineering-dev',
        environment: 'dev',
      },
      {
        field: 'spec.generators[0].list.elements[1].chartVersion',
        component: 'bitnami-redis-chart',
        current: '18.6.1',
        cluster: 'engineering-prod',
        environment: 'prod',
      },
      {
        field: 'spec.generators[0].list.elements[1].redisTag',
        component: 'bitnami-redis',
        current: '7.2.3-debian-11-r2',
        cluster: 'engineering-prod',
        environment: 'prod',
      },
    ]);
    for (const t of inv.targets) {
      expectOneTokenEdit(LIST, editTarget(LIST, t, '99.0.0', { verify: true }), t, '99.0.0');
    }
    // No template placeholder is reported as a version.
    expect(inv.problems).toEqual([]);
  });

  it('the elements are one workload: a prod element waits for the dev element, by the cluster names', async () => {
    const { plan } = await planRepository(memoryRepo({ 'argocd/cache.yaml': LIST }), {
      policy: EMPTY_POLICY,
      catalog,
      releases: catalogReleases(catalog),
      clusters: {},
      now: NOW,
    });
    const chart = plan.steps.filter((s) => s.component === 'bitnami-redis-chart');
    const dev = chart.filter((s) => s.cluster === 'engineering-dev');
    const prod = chart.filter((s) => s.cluster === 'engineering-prod');
    expect(dev.length).toBeGreaterThan(0);
    expect(prod.length).toBeGreaterThan(0);
    // Each prod hop waits for the dev hop to the same chart version.
    for (const p of prod) {
      const d = dev.find((x) => x.to === p.to)!;
      expect(p.after).toContain(d.id);
    }
  });

  it('a cluster generator inside a matrix: its values.<key> are the target; helm.parameters too', async () => {
    const text = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: cache
  namespace: argocd
spec:
  generators:
    - matrix:
        generators:
          - clusters:
              selector:
                matchLabels:
                  tier: cache
              values:
                redisTag: "7.2.4"
          - list:
              elements:
                - app: cache
  template:
    metadata:
      name: '{{name}}-{{app}}'
    spec:
      project: default
      source:
        repoURL: https://charts.example.com
        chart: cache
        targetRevision: 1.0.0
        helm:
          parameters:
            - name: redis.image.repository
              value: redis
            - name: redis.image.tag
              value: '{{values.redisTag}}'
      destination:
        server: '{{server}}'
        namespace: cache
`;
    const inv = await scanRepository(memoryRepo({ 'argocd/cache.yaml': text }));
    expect(rows(inv)).toEqual([
      {
        field: 'spec.generators[0].matrix.generators[0].clusters.values.redisTag',
        component: 'redis',
        current: '7.2.4',
        cluster: undefined,
        environment: undefined,
      },
    ]);
    const t = inv.targets[0]!;
    expectOneTokenEdit(text, editTarget(text, t, '7.4.1'), t, '7.4.1');
  });

  it('a parameter no generator in the file sets (a git generator) is reported, not taken as a version', async () => {
    const text = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: cache
  namespace: argocd
spec:
  generators:
    - git:
        repoURL: https://github.com/example/fleet
        revision: HEAD
        files:
          - path: clusters/*/cache.json
  template:
    metadata:
      name: '{{cluster}}-cache'
    spec:
      project: default
      source:
        repoURL: registry-1.docker.io/bitnamicharts
        chart: redis
        targetRevision: '{{chartVersion}}'
      destination:
        server: '{{url}}'
        namespace: cache
`;
    const inv = await scanRepository(memoryRepo({ 'argocd/cache.yaml': text }));
    expect(inv.targets).toEqual([]);
    expect(inv.problems).toEqual([
      expect.objectContaining({
        file: 'argocd/cache.yaml',
        field: 'spec.template.spec.source.targetRevision',
        reason: expect.stringContaining('generator parameter {{chartVersion}}'),
      }),
    ]);
  });

  it("an element's name is its cluster only when the template's destination.name takes it", async () => {
    const set = (destination: string) => `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: cache
  namespace: argocd
spec:
  generators:
    - list:
        elements:
          - name: green
            redisTag: "7.2.4"
  template:
    metadata:
      name: 'cache-{{name}}'
    spec:
      project: default
      source:
        repoURL: https://charts.example.com
        chart: cache
        targetRevision: 1.0.0
        helm:
          valuesObject:
            image:
              repository: redis
              tag: '{{redisTag}}'
      destination:
${destination}        namespace: cache
`;
    const byName = await scanRepository(memoryRepo({ 'a.yaml': set("        name: '{{name}}'\n") }));
    expect(byName.targets.map((t) => t.cluster)).toEqual(['green']);
    const byServer = await scanRepository(
      memoryRepo({ 'a.yaml': set('        server: https://kubernetes.default.svc\n') }),
    );
    expect(byServer.targets.map((t) => [t.current, t.cluster])).toEqual([['7.2.4', undefined]]);
  });

  it('a git files generator: each matching config file (JSON or YAML) holds the target, on the cluster it names', async () => {
    // Argo CD docs (Generators-Git.md, files generator): cluster-config/**/config.json with a
    // `cluster` object; the template reads {{.cluster.name}} and, here, the Redis chart version.
    const set = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: cache
  namespace: argocd
spec:
  goTemplate: true
  generators:
    - git:
        repoURL: https://github.com/example/fleet.git
        revision: HEAD
        files:
          - path: "cluster-config/**/config.json"
  template:
    metadata:
      name: '{{.cluster.name}}-cache'
    spec:
      project: default
      source:
        repoURL: registry-1.docker.io/bitnamicharts
        chart: redis
        targetRevision: '{{.redis.chartVersion}}'
      destination:
        name: '{{.cluster.name}}'
        namespace: cache
`;
    const dev =
      '{\n  "cluster": {\n    "owner": "cluster-admin@company.com",\n    "name": "engineering-dev",\n    "address": "https://1.2.3.4"\n  },\n  "redis": { "chartVersion": "18.16.1" }\n}\n';
    const prod = dev.replace('engineering-dev', 'engineering-prod').replace('18.16.1', '18.6.1');
    const inv = await scanRepository(
      memoryRepo({
        'argocd/cache.yaml': set,
        'cluster-config/engineering/dev/config.json': dev,
        'cluster-config/engineering/prod/config.json': prod,
      }),
    );
    expect(inv.problems).toEqual([]);
    expect(
      inv.targets.map((t) => [t.file, t.field, t.component, t.current, t.cluster, t.environment]),
    ).toEqual([
      [
        'cluster-config/engineering/dev/config.json',
        'redis.chartVersion',
        'bitnami-redis-chart',
        '18.16.1',
        'engineering-dev',
        'dev',
      ],
      [
        'cluster-config/engineering/prod/config.json',
        'redis.chartVersion',
        'bitnami-redis-chart',
        '18.6.1',
        'engineering-prod',
        'prod',
      ],
    ]);
    const t = inv.targets[1]!;
    expectOneTokenEdit(prod, editTarget(prod, t, '18.16.1', { verify: true }), t, '18.16.1');
  });
});
