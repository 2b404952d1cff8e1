// planRepository: ignorePaths (the policy's, else Renovate-like defaults) keep
// vendored copies out of the plan, and the plan says how many files it left out.
// The files are the real Bitnami redis chart values from ../shared/fixtures,
// laid out as `helm dependency build` + untar vendors a sub-chart.
import { expect, it } from 'vitest';
import { catalogReleases } from '../../lib/feed.ts';
import { planRepository } from '../../lib/plan-repository.ts';
import { EMPTY_POLICY, loadPolicy } from '../../lib/policy/load.ts';
import { memoryRepo } from '../../lib/targets/repo.ts';
import { describeWithFixtures, readFixture } from '../support/fixtures.ts';
import { catalog } from './planner/helpers.ts';

const NOW = new Date('2026-11-21T09:00:00Z');
const policyWith = (yaml: string) =>
  loadPolicy([{ path: '.cairn/policy.yaml', text: `apiVersion: cairn.dev/v1alpha1\nkind: Policy\n${yaml}` }]);

describeWithFixtures('ignorePaths', () => {
  const values = readFixture('bitnami-redis/chart-18.16.1/bitnami/redis/values.yaml');
  const repo = memoryRepo({
    'apps/cache/values.yaml': values,
    'charts/myapp/charts/redis/values.yaml': values,
    'tools/node_modules/some-pkg/values.yaml': values,
  });
  const run = (policy = EMPTY_POLICY) =>
    planRepository(repo, { policy, catalog, releases: catalogReleases(catalog), clusters: {}, now: NOW });
  const files = (r: Awaited<ReturnType<typeof run>>) => [...new Set(r.inventory.targets.map((t) => t.file))];

  it('skips vendored sub-charts and node_modules by default, and counts them', async () => {
    const r = await run();
    expect(files(r)).toEqual(['apps/cache/values.yaml']);
    expect(r.conventions.find((c) => c.startsWith('ignorePaths'))).toMatch(
      /^ignorePaths \(defaults\): 2 YAML files not scanned/,
    );
    expect(r.plan.targets.every((t) => t.target.file === 'apps/cache/values.yaml')).toBe(true);
  });

  it("replaces the defaults with the policy's globs, as Renovate does; [] scans everything", async () => {
    const own = await run(policyWith('ignorePaths: ["apps/**"]\n'));
    expect(files(own).sort()).toEqual([
      'charts/myapp/charts/redis/values.yaml',
      'tools/node_modules/some-pkg/values.yaml',
    ]);
    expect(own.conventions).toContain('ignorePaths: 1 YAML file not scanned (apps/**)');
    const all = await run(policyWith('ignorePaths: []\n'));
    expect(files(all)).toHaveLength(3);
    expect(all.conventions.some((c) => c.startsWith('ignorePaths'))).toBe(false);
  });

  it('rejects a glob that is not a string, naming the field', () => {
    expect(() => policyWith('ignorePaths: [1]\n')).toThrow(/ignorePaths\[0\]|ignorePaths\.0/);
  });
});
