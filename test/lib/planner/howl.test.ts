// howl-cloud planning rules (lib/planner/products/howl.ts): the approval of
// the primary switchover is a pre-step only for a supervised RedisCluster.
// The operator's default is unsupervised (seed 002 "Unsupervised (Default)";
// CRD fixture howl-redis-operator/config/crd/bases/redis.io_redisclusters.yaml,
// spec.primaryUpdateStrategy default unsupervised). Manifests below are the
// seed's own RedisCluster snippets, scanned as a repository.
import { describe, expect, it } from 'vitest';
import { readClusterState } from '../../../lib/cluster-state.ts';
import type { Target } from '../../../lib/model.ts';
import { memoryRepo } from '../../../lib/targets/repo.ts';
import { scanRepository } from '../../../lib/targets/scan.ts';
import { describeWithFixtures, readFixture } from '../../support/fixtures.ts';
import { plan, policy, rel } from './helpers.ts';

function rediscluster(strategy?: string): string {
  return [
    'apiVersion: redis.io/v1',
    'kind: RedisCluster',
    'metadata:',
    '  name: my-cluster',
    '  namespace: default',
    'spec:',
    '  instances: 3',
    '  imageName: redis:7.2.5',
    ...(strategy ? [`  primaryUpdateStrategy: ${strategy}`] : []),
    '  storage:',
    '    size: 10Gi',
    '',
  ].join('\n');
}

async function scan(files: Record<string, string>): Promise<Target[]> {
  const inv = await scanRepository(memoryRepo(files));
  return inv.targets.map((t) => ({ ...t, cluster: 'prod' }));
}

const releases = { redis: rel('7.2.5', '7.2.7') };
const kinds = (p: ReturnType<typeof plan>) => p.steps.flatMap((s) => s.preSteps.map((x) => x.kind));

describe('howl-cloud: supervised primary updates', () => {
  it('an unsupervised RedisCluster (no primaryUpdateStrategy: the default) gets no approval pre-step', async () => {
    const p = plan(await scan({ 'apps/cache.yaml': rediscluster() }), { releases });
    expect(p.steps).toHaveLength(1);
    expect(kinds(p)).toEqual([]);
    expect(p.steps[0]!.rules.map((r) => r.id)).not.toContain('supervised-primary-update');
  });

  it('primaryUpdateStrategy: supervised in the manifest gives the approval pre-step', async () => {
    const p = plan(await scan({ 'apps/cache.yaml': rediscluster('supervised') }), { releases });
    expect(kinds(p)).toEqual(['approve-primary']);
    expect(p.steps[0]!.preSteps[0]!.description).toContain('kubectl annotate rediscluster my-cluster');
  });

  it('a supervised live object counts when the manifest leaves the strategy unset', async () => {
    const live = readClusterState(rediscluster('supervised'), 'prod.yaml', 'prod');
    const p = plan(await scan({ 'apps/cache.yaml': rediscluster() }), {
      releases,
      clusters: { prod: live.facts },
    });
    expect(kinds(p)).toEqual(['approve-primary']);
  });

  it('an overlay that patches only the image inherits the base strategy', async () => {
    const p = plan(
      await scan({
        'apps/base/cache.yaml': rediscluster('supervised'),
        'apps/base/kustomization.yaml': 'resources:\n  - cache.yaml\n',
        'apps/prod/kustomization.yaml': 'resources:\n  - ../base\npatches:\n  - path: cache.yaml\n',
        'apps/prod/cache.yaml': rediscluster()
          .replace(/ {2}instances: 3\n/, '')
          .replace(/ {2}storage:\n.*\n/, ''),
      }),
      { releases },
    );
    const steps = p.steps.filter((s) => s.target.file === 'apps/prod/cache.yaml');
    expect(steps).toHaveLength(1);
    expect(steps[0]!.preSteps.map((x) => x.kind)).toEqual(['approve-primary']);
  });

  it('a policy that demands supervision for an unsupervised cluster is reported, not turned into instructions', async () => {
    const p = plan(await scan({ 'apps/cache.yaml': rediscluster('unsupervised') }), {
      releases,
      policy: policy('defaults:\n  supervisedPrimaryUpdate: true\n'),
    });
    expect(p.steps).toEqual([]);
    expect(p.blocked).toHaveLength(1);
    expect(p.blocked[0]!.reason).toContain('the policy requires supervised primary updates');
    expect(p.blocked[0]!.reason).toContain(
      'runs primaryUpdateStrategy unsupervised (set in apps/cache.yaml)',
    );
    expect(p.blocked[0]!.unblock).toContain('set spec.primaryUpdateStrategy: supervised in apps/cache.yaml');
    expect(p.blocked[0]!.rule?.id).toBe('unsupervised-primary-update-default');
  });
});

describeWithFixtures('howl-cloud: the CRD default is unsupervised', () => {
  it('the RedisCluster CRD defaults spec.primaryUpdateStrategy to unsupervised', () => {
    const crd = readFixture('howl-redis-operator/config/crd/bases/redis.io_redisclusters.yaml');
    const at = crd.indexOf('primaryUpdateStrategy:');
    expect(crd.slice(at, at + 400)).toMatch(/default: unsupervised/);
  });
});
