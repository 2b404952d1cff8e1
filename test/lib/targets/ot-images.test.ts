// OT-Container-Kit data planes on the real files of OT-CONTAINER-KIT/redis-operator
// (../shared/fixtures/ot-redis-operator, read in place): OT's own Redis and
// Sentinel images are their own components with OT's `v` tags, never "Redis with
// a wrong prefix", and a RedisReplication's sentinel sidecar is a target too.
import { expect, it } from 'vitest';
import { catalogReleases } from '../../../lib/feed.ts';
import { planRepository } from '../../../lib/plan-repository.ts';
import { EMPTY_POLICY } from '../../../lib/policy/load.ts';
import { memoryRepo } from '../../../lib/targets/repo.ts';
import { describeWithFixtures, readFixture } from '../../support/fixtures.ts';
import { catalog } from '../planner/helpers.ts';

const NOW = new Date('2026-11-21T09:00:00Z');
const CHARTS = ['redis', 'redis-cluster', 'redis-replication', 'redis-sentinel'];

describeWithFixtures('OT-Container-Kit images', () => {
  const files = Object.fromEntries(
    CHARTS.map((c) => [`charts/${c}/values.yaml`, readFixture(`ot-redis-operator/charts/${c}/values.yaml`)]),
  );
  // The upstream RedisReplication example, pinned as a user would (it ships `latest`), with the
  // sentinel sidecar its CRD defines (spec.sentinel.image).
  files['apps/replication.yaml'] = readFixture('ot-redis-operator/example/v1beta2/redis-replication.yaml')
    .replace('quay.io/opstree/redis:latest', 'quay.io/opstree/redis:v7.0.15')
    .replace(/^spec:\n/m, 'spec:\n  sentinel:\n    image: quay.io/opstree/redis-sentinel:v7.0.15\n');
  const run = (releases = catalogReleases(catalog)) =>
    planRepository(memoryRepo(files), { policy: EMPTY_POLICY, catalog, releases, clusters: {}, now: NOW });

  it('reads every v7.0.15 data-plane pin as an OT image, plannable, not a misprefixed Redis tag', async () => {
    const { plan } = await run();
    const ot = plan.targets.filter((t) => t.current === 'v7.0.15');
    expect(ot.map((t) => `${t.target.file} ${t.target.field} ${t.component}`).sort()).toEqual([
      'apps/replication.yaml spec.kubernetesConfig.image ot-redis',
      'apps/replication.yaml spec.sentinel.image ot-redis-sentinel',
      'charts/redis-cluster/values.yaml redisCluster.tag ot-redis',
      'charts/redis-replication/values.yaml redisReplication.tag ot-redis',
      'charts/redis-replication/values.yaml sentinel.tag ot-redis-sentinel',
      'charts/redis-sentinel/values.yaml redisSentinel.tag ot-redis-sentinel',
      'charts/redis/values.yaml redisStandalone.tag ot-redis',
    ]);
    // v7.0.15 is the newest tag OT's changelog names (v0.18.1: "Upgrade redis/sentinel image to 7.0.15").
    for (const t of ot) expect(t.status).toBe('up-to-date');
    expect(JSON.stringify(plan.blocked)).not.toMatch(/prefix/);
    // Redis 8.x exists upstream, but OT never published it: no step towards it.
    expect(plan.steps).toEqual([]);
  });

  it('plans only tags OT publishes, keeping the v, with the Redis line rules of the server inside', async () => {
    const releases = {
      ...catalogReleases(catalog),
      'ot-redis': [
        { version: 'v7.0.15', published: '2024-11-07' },
        { version: 'v7.2.4', published: '2025-01-10' },
      ],
    };
    const { plan } = await run(releases);
    const step = plan.steps.find((s) => s.target.file === 'charts/redis-cluster/values.yaml')!;
    expect(step).toMatchObject({ component: 'ot-redis', from: 'v7.0.15', to: 'v7.2.4', oneWay: true });
    expect(step.risks.join(' ')).toMatch(/RDB format from 10 to 11/);
    // The sentinel image has no newer OT tag: it stays.
    expect(plan.steps.some((s) => s.component === 'ot-redis-sentinel')).toBe(false);
  });
});
