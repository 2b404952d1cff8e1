// Golden tests on the real upstream files in ../shared/fixtures, read in place:
// every target found there is edited, and the output must equal the input
// with only that token replaced (expected text computed independently).
import { readFileSync } from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Inventory, Target } from '../../../lib/model.ts';
import { editTarget } from '../../../lib/targets/edit.ts';
import { nodeRepo } from '../../../lib/node/repo.ts';
import { createOpsRequestFiles } from '../../../lib/targets/ops-request.ts';
import { memoryRepo } from '../../../lib/targets/repo.ts';
import { scanRepository } from '../../../lib/targets/scan.ts';
import { describeWithFixtures, fixture, fixturesDir, readFixture } from '../../support/fixtures.ts';
import { bump, expectOneTokenEdit } from './helpers.ts';

describeWithFixtures('targets on real upstream fixtures', () => {
  let inv: Inventory;
  const byId = (id: string): Target => {
    const t = inv.targets.find((x) => x.id === id);
    if (!t) throw new Error(`missing ${id}; have:\n${inv.targets.map((x) => x.id).join('\n')}`);
    return t;
  };

  beforeAll(async () => {
    inv = await scanRepository(nodeRepo(fixturesDir), {
      locate: (file) => (file.includes('/staging/') ? { environment: 'staging' } : {}),
    });
  });

  it.each([
    ['bitnami-redis/bitnami/redis/values.yaml#values:image.tag', 'bitnami-redis', '8.2.1-debian-12-r0'],
    [
      'bitnami-redis/chart-18.16.1/bitnami/redis/values.yaml#values:image.tag',
      'bitnami-redis',
      '7.2.4-debian-12-r9',
    ],
    [
      'redis-enterprise-k8s/redis-enterprise-k8s-docs/branch-7.8.6-6/helm/redis-enterprise-operator/values.yaml#values:operator.image.tag',
      'redis-enterprise-operator',
      '7.8.6-6',
    ],
    ['ot-redis-operator/charts/redis-cluster/values.yaml#values:redisCluster.tag', 'ot-redis', 'v7.0.15'],
    [
      'ot-redis-operator/charts/redis-sentinel/values.yaml#values:redisSentinel.tag',
      'ot-redis-sentinel',
      'v7.0.15',
    ],
    [
      'alauda-redis-operator/charts/redis-operator/values.yaml#values:images.redisOperator.tag',
      'alauda-redis-operator',
      'latest',
    ],
    [
      'gitops-layouts/flux2-kustomize-helm-example/apps/base/podinfo/release.yaml#HelmRelease/podinfo/podinfo:spec.values.redis.tag',
      'redis',
      '8.6.2',
    ],
    [
      'kubedb/docs/docs/examples/redis/update-version/rd-cluster.yaml#Redis/demo/redis-cluster:spec.version',
      'kubedb-redis',
      '7.4.6',
    ],
    [
      'kubedb/docs/docs/examples/redis/update-version/sentinel.yaml#RedisSentinel/demo/sen-sample:spec.version',
      'kubedb-redis',
      '7.4.6',
    ],
    [
      'redis-enterprise-k8s/redis-enterprise-k8s-docs/openshift/rec_rhel.yaml#RedisEnterpriseCluster/rec:spec.redisEnterpriseImageSpec.versionTag',
      'redis-enterprise',
      '8.0.20-44.23',
    ],
    [
      'redis-enterprise-k8s/redis-enterprise-k8s-docs/operator.yaml#Deployment/redis-enterprise-operator:spec.template.spec.containers[name=redis-enterprise-operator].image',
      'redis-enterprise-operator',
      '8.0.20-23',
    ],
    [
      'ot-redis-operator/example/v1beta2/redis-replication.yaml#RedisReplication/redis-replication:spec.kubernetesConfig.image',
      'ot-redis',
      'latest',
    ],
    [
      'alauda-redis-operator/config/samples/middleware_v1_redis_standalone.yaml#Redis/redis-standalone:spec.version',
      'alauda-redis',
      '6.0',
    ],
  ])('finds %s', (id, component, current) => {
    const t = byId(id);
    expect(t.component).toBe(component);
    expect(t.current).toBe(current);
    expect(readFixture(t.file).split('\n')[t.line - 1]).toContain(current);
  });

  it('sets role and managedBy from the table', () => {
    expect(
      byId(
        'ot-redis-operator/example/v1beta2/redis-sentinel.yaml#RedisSentinel/redis-sentinel:spec.kubernetesConfig.image',
      ),
    ).toMatchObject({ role: 'data-plane', managedBy: 'ot-redis-operator' });
    expect(
      byId(
        'kubedb/docs/docs/examples/redis/update-version/rd-standalone.yaml#Redis/demo/redis-quickstart:spec.version',
      ),
    ).toMatchObject({ managedBy: 'kubedb-operator', change: 'ops-request' });
    expect(
      byId(
        'redis-enterprise-k8s/redis-enterprise-k8s-docs/openshift/rec_rhel.yaml#RedisEnterpriseCluster/rec:spec.redisEnterpriseImageSpec.versionTag',
      ),
    ).toMatchObject({ role: 'data-plane', managedBy: 'redis-enterprise-operator' });
  });

  it('edits every in-place target of every fixture, changing exactly one token on one line', () => {
    const inPlace = inv.targets.filter((t) => t.change === 'in-place');
    // (The Alauda operator's five per-line default images are not targets.)
    expect(inPlace.length).toBeGreaterThan(20);
    for (const t of inPlace) {
      const text = readFileSync(fixture(t.file), 'utf8');
      const next = bump(t.current);
      const out = editTarget(text, t, next);
      expectOneTokenEdit(text, out, t, next);
      expect(editTarget(text, t, next, { verify: true })).toBe(out);
    }
  });

  it('reports what it cannot read safely, with file and line', () => {
    const p = (file: string) => inv.problems.filter((x) => x.file === file);
    expect(p('howl-redis-operator/charts/redis-operator/values.yaml')).toEqual([
      expect.objectContaining({
        line: 13,
        field: 'image.tag',
        reason: expect.stringMatching(/empty.*appVersion/),
      }),
    ]);
    expect(p('alauda-redis-operator/charts/redis-operator/values.yaml').map((x) => x.line)).toEqual([
      21, 25, 29, 33,
    ]);
    // The Alauda operator's per-line default images (its own configuration) are not upgrade targets.
    for (const file of [
      'alauda-redis-operator/charts/redis-operator/values.yaml',
      'alauda-redis-operator/values.yaml',
    ])
      for (const x of p(file))
        expect(x.reason).toMatch(/Alauda operator's default image for Redis.*not an upgrade target/);
    expect(p('alauda-redis-operator/values.yaml').map((x) => x.line)).toEqual([6, 15, 18, 21, 24]);
    expect(p('gitops-layouts/argocd-example-apps/apps/templates/applications.yaml')[0]!.reason).toMatch(
      /cannot read safely/,
    );
  });

  it('writes the ops request of the KubeDB guide for a cluster and a sentinel', () => {
    const db = byId(
      'kubedb/docs/docs/examples/redis/update-version/rd-cluster.yaml#Redis/demo/redis-cluster:spec.version',
    );
    const [req] = createOpsRequestFiles(readFixture(db.file), db, '8.2.2');
    const ours = parse(req!.text);
    const upstream = parse(readFixture('kubedb/docs/docs/examples/redis/update-version/update-version.yaml'));
    expect(ours.apiVersion).toBe(upstream.apiVersion);
    expect(ours.kind).toBe(upstream.kind);
    expect(ours.spec).toEqual(upstream.spec);
    expect(ours.metadata.namespace).toBe('demo');
    expect(req!.path).toBe('kubedb/docs/docs/examples/redis/update-version/redis-cluster-update-8-2-2.yaml');

    const sen = byId(
      'kubedb/docs/docs/examples/redis/update-version/sentinel.yaml#RedisSentinel/demo/sen-sample:spec.version',
    );
    const [sreq] = createOpsRequestFiles(readFixture(sen.file), sen, '8.2.2');
    const sup = parse(readFixture('kubedb/docs/docs/examples/redis/update-version/upgrade-sentinel.yaml'));
    expect(parse(sreq!.text).kind).toBe(sup.kind);
    expect(parse(sreq!.text).spec).toEqual(sup.spec);
    // The database manifest has no final newline: neither has the request.
    expect(sreq!.text.endsWith('\n')).toBe(true);
    const [standalone] = createOpsRequestFiles(
      readFixture('kubedb/docs/docs/examples/redis/update-version/rd-standalone.yaml'),
      byId(
        'kubedb/docs/docs/examples/redis/update-version/rd-standalone.yaml#Redis/demo/redis-quickstart:spec.version',
      ),
      '8.2.2',
    );
    expect(standalone!.text.endsWith('\n')).toBe(false);
  });

  it('layers a staging HelmRelease patch over the Flux example base', async () => {
    const base = 'gitops-layouts/flux2-kustomize-helm-example/apps';
    const files: Record<string, string> = {};
    for (const f of [
      'base/podinfo/kustomization.yaml',
      'base/podinfo/release.yaml',
      'base/podinfo/repository.yaml',
      'base/podinfo/namespace.yaml',
      'staging/kustomization.yaml',
      'production/kustomization.yaml',
      'production/podinfo-values.yaml',
    ]) {
      files[`apps/${f}`] = readFixture(`${base}/${f}`);
    }
    // The real staging patch, plus a pinned Redis tag for staging only.
    files['apps/staging/podinfo-values.yaml'] =
      `${readFixture(`${base}/staging/podinfo-values.yaml`)}    redis:\n      tag: 8.6.3\n`;
    const layered = await scanRepository(memoryRepo(files), {
      locate: (f) => ({ environment: f.split('/')[1] ?? '' }),
    });
    const baseId = 'apps/base/podinfo/release.yaml#HelmRelease/podinfo/podinfo:spec.values.redis.tag';
    const stagingId = 'apps/staging/podinfo-values.yaml#HelmRelease/podinfo/podinfo:spec.values.redis.tag';
    const staging = layered.targets.find((t) => t.id === stagingId);
    expect(staging).toMatchObject({
      component: 'redis',
      current: '8.6.3',
      environment: 'staging',
      shadows: [baseId],
    });
    expect(layered.targets.find((t) => t.id === baseId)).toMatchObject({ shadowedBy: [stagingId] });
    expect(layered.problems).toEqual([]);
  });
});
