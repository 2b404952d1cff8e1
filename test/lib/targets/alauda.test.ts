// Alauda on the real files of alauda/redis-operator (../shared/fixtures, read in
// place): a Redis CR's spec.version is the alauda-redis line (never a step to
// Redis 8.x), the operator's per-line default image map is not an upgrade
// target, and an OLM Subscription of the shared package name "redis-operator"
// is settled by an Alauda Redis in the same directory.
import { expect, it } from 'vitest';
import { catalogReleases } from '../../../lib/feed.ts';
import { planRepository } from '../../../lib/plan-repository.ts';
import { EMPTY_POLICY } from '../../../lib/policy/load.ts';
import { renderText } from '../../../lib/render/text.ts';
import { memoryRepo } from '../../../lib/targets/repo.ts';
import { scanRepository } from '../../../lib/targets/scan.ts';
import { describeWithFixtures, readFixture } from '../../support/fixtures.ts';
import { catalog } from '../planner/helpers.ts';

const NOW = new Date('2026-11-21T09:00:00Z');
const A = 'alauda-redis-operator';
const standalone = () => readFixture(`${A}/config/samples/middleware_v1_redis_standalone.yaml`);
// An OLM Subscription as OperatorHub writes one for the package of
// config/manifests/bases/redis-operator.clusterserviceversion.yaml, from a catalog source whose
// name does not say Alauda.
const subscription = [
  'apiVersion: operators.coreos.com/v1alpha1',
  'kind: Subscription',
  'metadata:',
  '  name: redis-operator',
  '  namespace: operators',
  'spec:',
  '  name: redis-operator',
  '  source: community-operators',
  '  sourceNamespace: openshift-marketplace',
  '  channel: stable',
  '  startingCSV: redis-operator.v3.18.0',
  '',
].join('\n');

describeWithFixtures('Alauda redis-operator', () => {
  it("plans a Redis CR's spec.version within the lines Alauda supports, never to Redis 8.x", async () => {
    // Lines dated by a feed (newer dates than the catalog's) plan the same way.
    const releases = {
      ...catalogReleases(catalog),
      'alauda-redis': ['6.0', '6.2', '7.0', '7.2', '7.4'].map((version) => ({
        version,
        published: '2025-01-01',
      })),
    };
    const { plan } = await planRepository(memoryRepo({ 'redis/standalone.yaml': standalone() }), {
      policy: EMPTY_POLICY,
      catalog,
      releases,
      clusters: {},
      now: NOW,
    });
    expect(plan.targets.map((t) => [t.component, t.current, t.goal])).toEqual([
      ['alauda-redis', '6.0', '7.4'],
    ]);
    expect(plan.steps.map((s) => s.to)).toEqual(['7.0', '7.4']);
    expect(plan.steps.some((s) => s.to.startsWith('8'))).toBe(false);
  });

  it('plans on the shipped defaults: the lines are dated by the commit that first listed them', async () => {
    const lines = catalog.components.get('alauda-redis')!.releases;
    expect(lines.map((r) => [r.version, r.published])).toEqual(
      ['6.0', '6.2', '7.0', '7.2', '7.4'].map((v) => [v, '2024-08-23']),
    );
    const { plan } = await planRepository(memoryRepo({ 'redis/standalone.yaml': standalone() }), {
      policy: EMPTY_POLICY,
      catalog,
      releases: catalogReleases(catalog),
      clusters: {},
      now: NOW,
    });
    expect(plan.steps.map((s) => [s.from, s.to])).toEqual([
      ['6.0', '7.0'],
      ['7.0', '7.4'],
    ]);
    expect(plan.blocked).toEqual([]);
  });

  it('spec.version takes only a minor line: no floating-tag risk, and the plan says why', async () => {
    const { plan } = await planRepository(memoryRepo({ 'redis/standalone.yaml': standalone() }), {
      policy: EMPTY_POLICY,
      catalog,
      releases: catalogReleases(catalog),
      clusters: {},
      now: NOW,
    });
    for (const s of plan.steps) {
      expect(s.risks.join('\n')).not.toMatch(/floating/);
      expect(s.rules.map((r) => r.id)).toContain('alauda-version-minor-only');
    }
    const text = renderText(plan, { repo: 'r', conventions: [], problems: [] }, { width: 400 });
    expect(text).toContain('alauda-version-minor-only: An Alauda Redis resource');
    expect(text).toContain('no floating-tag risk');
  });

  it("does not plan the operator's per-line default images, and says why", async () => {
    const inv = await scanRepository(
      memoryRepo({
        'values.yaml': readFixture(`${A}/values.yaml`),
        'charts/redis-operator/values.yaml': readFixture(`${A}/charts/redis-operator/values.yaml`),
        'charts/redis-operator/Chart.yaml': readFixture(`${A}/charts/redis-operator/Chart.yaml`),
      }),
    );
    expect(inv.targets.filter((t) => t.component === 'redis')).toEqual([]);
    const notes = inv.problems.filter((p) => /default image/.test(p.reason));
    expect(notes.map((p) => `${p.file}:${p.line}`)).toEqual([
      'charts/redis-operator/values.yaml:21',
      'charts/redis-operator/values.yaml:25',
      'charts/redis-operator/values.yaml:29',
      'charts/redis-operator/values.yaml:33',
      'values.yaml:6',
      'values.yaml:15',
      'values.yaml:18',
      'values.yaml:21',
      'values.yaml:24',
    ]);
    expect(notes.find((p) => p.line === 18 && p.file === 'values.yaml')!.reason).toContain('Redis 6.2');
  });

  it('settles an ambiguous OLM package from an Alauda Redis beside it, and asks for a marker without one', async () => {
    const alone = await scanRepository(memoryRepo({ 'olm/subscription.yaml': subscription }));
    expect(alone.targets).toEqual([]);
    expect(alone.problems[0]!.reason).toMatch(/more than one project.*# cairn: component=/);
    const beside = await scanRepository(
      memoryRepo({ 'olm/subscription.yaml': subscription, 'olm/redis.yaml': standalone() }),
    );
    expect(beside.problems).toEqual([]);
    expect(beside.targets.find((t) => t.kind === 'olm-subscription')).toMatchObject({
      component: 'alauda-redis-operator',
      current: '3.18.0',
    });
  });
});
