// KubeDB on the real kubedb/docs update-version examples (../shared/fixtures,
// read in place): databases plan on the shipped defaults (each RedisVersion is
// dated by the installer release that first shipped it), an ops request already
// in the repository is read as the database's pending change (waiting or
// conflicting, never a second request beside it), and a RedisSentinel moves by
// a RedisSentinelOpsRequest whose gate reads the RedisSentinel.
import { expect, it } from 'vitest';
import { catalogReleases } from '../../../lib/feed.ts';
import { planRepository } from '../../../lib/plan-repository.ts';
import { EMPTY_POLICY } from '../../../lib/policy/load.ts';
import { renderText } from '../../../lib/render/text.ts';
import { memoryRepo } from '../../../lib/targets/repo.ts';
import { describeWithFixtures, readFixture } from '../../support/fixtures.ts';
import { catalog } from '../planner/helpers.ts';

const NOW = new Date('2026-11-21T09:00:00Z');
const DIR = 'kubedb/docs/docs/examples/redis/update-version';
const file = (name: string) => readFixture(`${DIR}/${name}`);
const plan = (files: Record<string, string>) =>
  planRepository(memoryRepo(files), {
    policy: EMPTY_POLICY,
    catalog,
    releases: catalogReleases(catalog),
    clusters: {},
    now: NOW,
  });

describeWithFixtures('KubeDB databases', () => {
  it('dates every shipped RedisVersion, citing the installer release that first shipped it', () => {
    const releases = catalog.components.get('kubedb-redis')!.releases;
    expect(releases.length).toBeGreaterThan(30);
    for (const r of releases) {
      expect(r.published, r.version).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(r.source, r.version).toMatch(/^kubedb-installer-v20\d\d\.\d+\.\d+$/);
    }
    // The three files of installer tag v2025.1.9 in the fixtures shipped by that release (2025-02-05).
    for (const v of ['6.2.16', '7.2.4', '7.4.1'])
      expect(releases.find((r) => r.version === v)!.published! <= '2025-02-05').toBe(true);
  });

  it('plans a database on the shipped defaults (no release-age override)', async () => {
    const { plan: p } = await plan({ 'db/rd-standalone.yaml': file('rd-standalone.yaml') });
    expect(p.steps.map((s) => [s.from, s.to, s.change])).toEqual([['7.4.6', '8.0.4', 'ops-request']]);
    expect(p.targets[0]!.status).toBe('planned');
  });

  it('reads an ops request already in the repository: a conflicting one blocks, and no second is planned', async () => {
    // The upstream request asks for 8.2.2, which 7.4.6's allowlist does not admit.
    const { plan: p, inventory } = await plan({
      'db/rd-standalone.yaml': file('rd-standalone.yaml'),
      'db/update-standalone.yaml': file('update-standalone.yaml'),
    });
    expect(inventory.targets.map((t) => t.file)).toEqual(['db/rd-standalone.yaml']);
    expect(p.steps).toEqual([]);
    const b = p.blocked.find((x) => x.reason.includes('update-standalone'))!;
    expect(b.reason).toContain(
      'RedisOpsRequest update-standalone (db/update-standalone.yaml:11) asks for 8.2.2',
    );
    expect(b.reason).toContain('KubeDB will refuse it');
    expect(b.unblock).toContain('remove db/update-standalone.yaml');
  });

  it('reads a pending request for the next hop as the current position: the next request waits for it', async () => {
    const { plan: p } = await plan({
      'db/rd-standalone.yaml': file('rd-standalone.yaml'),
      'db/update-standalone.yaml': file('update-standalone.yaml').replace(
        'targetVersion: 8.2.2',
        'targetVersion: 8.0.4',
      ),
    });
    expect(p.steps).toEqual([]);
    const b = p.blocked.find((x) => x.wanted === '8.0.4')!;
    expect(b.reason).toMatch(/already moves Redis redis-quickstart from 7\.4\.6 to 8\.0\.4/);
    expect(b.unblock).toMatch(/once it reports Successful, set spec.version to 8\.0\.4/);
  });

  it('moves a RedisSentinel by a RedisSentinelOpsRequest, gated on the RedisSentinel', async () => {
    const r = await plan({ 'db/sentinel.yaml': file('sentinel.yaml') });
    const step = r.plan.steps[0]!;
    expect(step.gate.health).toEqual([
      'the RedisSentinelOpsRequest status.phase is Successful',
      'the RedisSentinel status.phase is Ready',
    ]);
    const text = renderText(r.plan, { repo: 'r', conventions: [], problems: [] });
    expect(text).toContain('(via a KubeDB RedisSentinelOpsRequest)');
    expect(text).not.toMatch(/RedisOpsRequest status|the Redis status/);
  });
});
