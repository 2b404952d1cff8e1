// A step's gate conditions are data the gate can check: every evaluator id
// exists in lib/health's table, and each names the object the step changes.
import { describe, expect, it } from 'vitest';
import { EVALUATORS } from '../../../lib/health/index.ts';
import { gateConditions } from '../../../lib/planner/gate-conditions.ts';
import { plan, rel, target } from './helpers.ts';

describe('gate conditions', () => {
  const howl = target({
    id: 'redis/cache.yaml#RedisCluster/redis/cache:spec.imageName',
    component: 'redis',
    current: '7.2.4',
    image: 'redis',
    managedBy: 'howl-redis-operator',
    resource: { apiVersion: 'redis.io/v1', kind: 'RedisCluster', namespace: 'redis', name: 'cache' },
  });

  it('a howl-cloud RedisCluster step checks that very RedisCluster, on the target image', () => {
    expect(gateConditions(howl, '7.4.1')).toEqual([
      {
        evaluator: 'howl-redis-cluster',
        object: { group: 'redis.io', kind: 'RedisCluster', namespace: 'redis', name: 'cache' },
        params: { image: 'redis:7.4.1' },
        text: expect.stringContaining('every instance runs redis:7.4.1'),
      },
    ]);
  });

  it('a KubeDB step checks the ops request cairn adds and the database', () => {
    const t = target({
      id: 'db.yaml#Redis/demo/rd:spec.version',
      component: 'kubedb-redis',
      current: '7.2.4',
      resource: { kind: 'Redis', namespace: 'demo', name: 'rd' },
    });
    const c = gateConditions(t, '7.4.1');
    expect(c.map((x) => [x.evaluator, x.object.name])).toEqual([
      ['kubedb-ops-request', 'rd-update-7-4-1'],
      ['kubedb-redis', 'rd'],
    ]);
  });

  it('an operator step checks its Deployment rollout and that every cluster it runs stays healthy', () => {
    const t = target({
      id: 'op.yaml#HelmRelease/x/op:spec.chart.spec.version',
      component: 'howl-redis-operator',
      current: 'v0.2.5',
    });
    expect(gateConditions(t, 'v0.2.6').map((c) => [c.evaluator, c.params])).toEqual([
      ['operator-rollout', { component: 'howl-redis-operator', version: 'v0.2.6' }],
      ['howl-redis-cluster', {}],
    ]);
  });

  it("a chart's image set in an Argo CD Application is checked where the Application deploys it, not in argocd", async () => {
    const { memoryRepo } = await import('../../../lib/targets/repo.ts');
    const { scanRepository } = await import('../../../lib/targets/scan.ts');
    const app = [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Application',
      'metadata: { name: cache, namespace: argocd }',
      'spec:',
      '  destination: { server: https://kubernetes.default.svc, namespace: cache }',
      '  source:',
      '    repoURL: https://charts.bitnami.com/bitnami',
      '    chart: redis',
      '    targetRevision: 20.13.4',
      '    helm:',
      '      valuesObject:',
      '        image: { registry: docker.io, repository: bitnami/redis, tag: 7.4.3-debian-12-r0 }',
      '',
    ].join('\n');
    const inv = await scanRepository(memoryRepo({ 'apps/cache.yaml': app }));
    const image = inv.targets.find((t) => t.component === 'bitnami-redis')!;
    expect(image.resource?.namespace).toBe('argocd');
    expect(gateConditions(image, '8.0.3-debian-12-r3').map((c) => [c.evaluator, c.object])).toEqual([
      ['statefulset-rollout', { group: 'apps', kind: 'StatefulSet', namespace: 'cache' }],
    ]);
  });

  it('plans record conditions whose evaluators all exist', () => {
    const p = plan([howl], { releases: { redis: rel('7.4.1') } });
    const conditions = p.steps.flatMap((s) => s.gate.conditions ?? []);
    expect(conditions.length).toBeGreaterThan(0);
    for (const c of conditions) expect(Object.keys(EVALUATORS)).toContain(c.evaluator);
  });
});
