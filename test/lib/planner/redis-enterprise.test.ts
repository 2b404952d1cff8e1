// Redis Enterprise planning rules (lib/planner/products/redis-enterprise.ts):
// the order operator -> cluster (REC) -> databases (REDB) of the upgrade guide
// (seed 000; fixture redis-enterprise-k8s/redis-docs/content/operate/kubernetes/upgrade/upgrade-redis-cluster.md).
import { describe, expect, it } from 'vitest';
import { readClusterState } from '../../../lib/cluster-state.ts';
import { catalogReleases } from '../../../lib/feed.ts';
import { explain } from '../../../lib/planner/explain.ts';
import { EMPTY_POLICY } from '../../../lib/policy/load.ts';
import { planUpgrade } from '../../../lib/planner/plan.ts';
import { memoryRepo } from '../../../lib/targets/repo.ts';
import { scanRepository } from '../../../lib/targets/scan.ts';
import { describeWithFixtures, readFixture } from '../../support/fixtures.ts';
import { catalog, NOW, path, plan, rel, target } from './helpers.ts';

const OP_ID = 're/operator.yaml#Deployment/re/redis-enterprise-operator:image';
const REC_ID = 're/rec.yaml#RedisEnterpriseCluster/re/rec:spec.redisEnterpriseImageSpec.versionTag';

function operator(current: string) {
  return target({ id: OP_ID, component: 'redis-enterprise-operator', current, cluster: 'prod' });
}

function rec(current: string) {
  return target({
    id: REC_ID,
    component: 'redis-enterprise',
    current,
    cluster: 'prod',
    managedBy: 'redis-enterprise-operator',
    resource: { kind: 'RedisEnterpriseCluster', namespace: 're', name: 'rec' },
  });
}

const k8s = (v: string) => ({ clusters: { prod: { name: 'prod', kubernetesVersion: v } } });

describe('Redis Enterprise: the cluster follows its operator', () => {
  it('a REC on an older build of its line is not upgraded before the operator moves: one REC step, after it', () => {
    // Operator 7.4.6-2 ships REC 7.4.6-102 (its release notes); the REC runs 7.4.6-22.
    const p = plan([operator('7.4.6-2'), rec('7.4.6-22')], k8s('1.29'));
    const ops = p.steps.filter((s) => s.target.id === OP_ID);
    const recs = p.steps.filter((s) => s.target.id === REC_ID);
    expect(ops.length).toBeGreaterThan(0);
    expect(recs).toHaveLength(ops.length);
    // No hop to 7.4.6-102 first: the REC goes from its own build to what the new operator ships.
    expect(recs[0]!.from).toBe('7.4.6-22');
    expect(recs[0]!.to.startsWith('7.4.6-')).toBe(false);
    expect(recs[0]!.after).toContain(ops[0]!.id);
    // Nothing runs before the operator's first step.
    expect(ops[0]!.after).toEqual([]);
  });

  it('when the operator cannot move, the REC still catches up with what the running operator ships', () => {
    // Kubernetes 1.23: no newer operator supports it, so 7.4.6-2 stays and the REC follows it.
    const p = plan([operator('7.4.6-2'), rec('7.4.6-22')], k8s('1.23'));
    expect(p.steps.filter((s) => s.target.id === OP_ID)).toEqual([]);
    expect(path(p, REC_ID)).toEqual(['7.4.6-22', '7.4.6-102']);
  });
});

describe('Redis Enterprise: explain says why the direct hop was refused', () => {
  it('names the missing direct upgrade path that makes the operator stop on the way', () => {
    // The upgrade-path table (rs-upgrade-paths.md) has 6.2.10 -> 7.8.x supported, 6.2.10 -> 7.22.x not.
    const targets = [operator('6.2.10-45'), rec('6.2.10-107')];
    const input = {
      inventory: { targets, problems: [] },
      releases: catalogReleases(catalog),
      ...k8s('1.30'),
      policy: EMPTY_POLICY,
      catalog,
      now: NOW,
    };
    const goal = plan(targets, k8s('1.30'))
      .steps.filter((s) => s.target.id === OP_ID)
      .at(-1)!.to;
    const e = explain(input, OP_ID, goal);
    expect(e.reachable).toBe(true);
    expect(e.path.length).toBeGreaterThan(1);
    expect(e.direct).toMatch(
      /no direct upgrade path leads from 6\.2\.10-107 to it: the operator stops at 7\.8\./,
    );
    expect(e.checks.at(-1)!.detail).toContain('not in one hop: operator');
  });
});

describe('Redis Enterprise: a database only moves to a Redis version its REC bundles', () => {
  const REDB_ID = 're/redb.yaml#RedisEnterpriseDatabase/re/orders:spec.redisVersion';
  const redb = target({
    id: REDB_ID,
    component: 'redis-enterprise-database',
    current: '7.2',
    cluster: 'prod',
    managedBy: 'redis-enterprise-operator',
    resource: { kind: 'RedisEnterpriseDatabase', namespace: 're', name: 'orders' },
  });
  const releases = { ...catalogReleases(catalog), 'redis-enterprise-database': rel('7.2', '7.4') };
  const upTo82 = {
    ...catalogReleases(catalog),
    'redis-enterprise-database': rel('7.2', '7.4', '8.0', '8.2'),
  };
  // What `kubectl get rec -o yaml` prints (fields of the REC CRD / API reference: status.bundledDatabaseVersions).
  const live = (versionTag: string, bundled: string[]) =>
    readClusterState(
      [
        'apiVersion: v1',
        'kind: List',
        'items:',
        '  - apiVersion: app.redislabs.com/v1',
        '    kind: RedisEnterpriseCluster',
        '    metadata: { name: rec, namespace: re }',
        `    spec: { nodes: 3, redisEnterpriseImageSpec: { repository: redislabs/redis, versionTag: ${versionTag} } }`,
        '    status:',
        '      state: Running',
        '      bundledDatabaseVersions:',
        ...bundled.map((v) => `        - { dbType: redis, version: ${v}, major: false }`),
        '',
      ].join('\n'),
      'prod.yaml',
      'prod',
    ).facts;

  it('the live REC bundles 6.2 and 7.2 only: 7.2 -> 7.4 is blocked with the bundled list', () => {
    const p = plan([rec('7.4.6-102'), redb], {
      releases,
      clusters: { prod: { ...live('7.4.6-102', ['6.2.13', '7.2.4']), kubernetesVersion: '1.23' } },
    });
    expect(p.steps.filter((s) => s.target.id === REDB_ID)).toEqual([]);
    const b = p.blocked.find((x) => x.target.id === REDB_ID)!;
    expect(b).toMatchObject({
      wanted: '7.4',
      rule: expect.objectContaining({ id: 're-redb-bundled-version' }),
    });
    expect(b.reason).toBe(
      'REC 7.4.6-102 bundles Redis 6.2, 7.2 (status.bundledDatabaseVersions on prod), not 7.4',
    );
  });

  it('a bundled version is planned, citing the rule', () => {
    const p = plan([rec('7.4.6-102'), redb], {
      releases,
      clusters: { prod: { ...live('7.4.6-102', ['7.2.4', '7.4.2']), kubernetesVersion: '1.23' } },
    });
    expect(path(p, REDB_ID)).toEqual(['7.2', '7.4']);
    const s = p.steps.find((x) => x.target.id === REDB_ID)!;
    expect(s.rules.map((r) => r.id)).toContain('re-redb-bundled-version');
  });

  it('without live state, the cited release notes of 8.0.2 say it bundles 8.0 and 8.2', () => {
    const p = plan([rec('8.0.2-17'), redb], { releases: upTo82, clusters: { prod: { name: 'prod' } } });
    expect(path(p, REDB_ID)).toEqual(['7.2', '8.0', '8.2']);
  });

  it('a REC version nobody vouches for blocks the database hop as unknown', () => {
    const p = plan([rec('7.22.2-14'), redb], { releases, clusters: { prod: { name: 'prod' } } });
    expect(path(p, REDB_ID)).toEqual([]);
    expect(p.blocked.find((x) => x.target.id === REDB_ID)!.reason).toContain(
      'whether REC 7.22.2-14 bundles Redis 7.4 is unknown',
    );
  });
});

describeWithFixtures('Redis Enterprise on OpenShift: the rhel suffix is kept where it was published', () => {
  // The vendor's openshift/ manifests, with the versions of the 7.4.6-2 release (its notes list
  // `redis-enterprise-operator:7.4.6-2` and `redis-enterprise:7.4.6-22.rhel8-openshift` as the OpenShift images).
  const dir = 'redis-enterprise-k8s/redis-enterprise-k8s-docs/openshift';
  const files = {
    'clusters/prod/re/operator.yaml': readFixture(`${dir}/operator_rhel.yaml`).replaceAll(
      ':8.0.20-23',
      ':7.4.6-2',
    ),
    'clusters/prod/re/rec.yaml': readFixture(`${dir}/rec_rhel.yaml`).replace(
      'versionTag: 8.0.20-44.23',
      'versionTag: 7.4.6-22.rhel8-openshift',
    ),
  };
  const REC = 'clusters/prod/re/rec.yaml#RedisEnterpriseCluster/rec:spec.redisEnterpriseImageSpec.versionTag';

  async function planOn(kubernetesVersion: string) {
    const repo = memoryRepo(files);
    const inventory = await scanRepository(repo, { locate: () => ({ cluster: 'prod' }) });
    return planUpgrade({
      inventory,
      releases: catalogReleases(catalog),
      clusters: { prod: { name: 'prod', kubernetesVersion } },
      policy: EMPTY_POLICY,
      catalog,
      now: NOW,
    });
  }

  it('the operator cannot move (Kubernetes 1.23): the REC catches up within 7.4.6, keeping .rhel8-openshift', async () => {
    const p = await planOn('1.23');
    expect(path(p, REC)).toEqual(['7.4.6-22.rhel8-openshift', '7.4.6-102.rhel8-openshift']);
  });

  it('past 7.8.2 the OpenShift image has the plain tag (RHEL9-based images): the REC hop writes it', async () => {
    const p = await planOn('1.29');
    const recPath = path(p, REC);
    expect(recPath[0]).toBe('7.4.6-22.rhel8-openshift');
    expect(recPath.at(-1)).toMatch(/^7\.8\.6-\d+$/);
  });
});
