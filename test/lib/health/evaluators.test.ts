// Each evaluator on the real objects in ../shared/fixtures. Where upstream
// publishes no object with a status (howl-cloud, Redis Enterprise, OT,
// Alauda), the status is built from the field names and values their CRDs and
// API references declare, and a test checks the CRD really declares them.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EVALUATOR_IDS, EVALUATORS, evaluateHealth } from '../../../lib/health/index.ts';
import type { EvaluatorInput, HealthContext, KubeObject } from '../../../lib/health/index.ts';
import { describeWithFixtures, readFixture } from '../../support/fixtures.ts';
import { fixtureObject, markdownObjects, withFields } from '../../support/kube-objects.ts';

const readAt = new Date('2024-03-05T08:00:00Z');
function run(
  id: string,
  object: KubeObject | undefined,
  more: Partial<EvaluatorInput> = {},
  ctx: Partial<HealthContext> = {},
) {
  return evaluateHealth(id, { object, related: [], params: {}, ...more, context: { readAt, ...ctx } });
}

describe('the evaluator table', () => {
  it.each(EVALUATOR_IDS)('%s: a missing object is unknown, a malformed one does not throw', (id) => {
    expect(run(id, undefined).status).toBe('unknown');
    const weird = {
      kind: 'X',
      metadata: { name: 'x' },
      status: { phase: 42, conditions: 'no', state: [] },
    } as unknown as KubeObject;
    expect(['unknown', 'progressing', 'degraded']).toContain(
      run(id, weird, { params: { version: '1' } }).status,
    );
    expect(EVALUATORS[id].id).toBe(id);
  });

  it('an unknown evaluator id is unknown, not an exception', () => {
    expect(run('no-such', { kind: 'Pod' })).toMatchObject({
      status: 'unknown',
      reasons: ['no health evaluator is named no-such'],
    });
  });
});

/** Status property names the CRD declares for a version. */
function crdStatusFields(rel: string): string[] {
  const crd = parse(readFixture(rel)) as {
    spec: {
      versions: { schema: { openAPIV3Schema: { properties: { status?: { properties?: object } } } } }[];
    };
  };
  return Object.keys(crd.spec.versions[0]!.schema.openAPIV3Schema.properties.status?.properties ?? {});
}

describeWithFixtures('howl-cloud RedisCluster', () => {
  const crd = 'howl-redis-operator/config/crd/bases/redis.io_redisclusters.yaml';
  const base: KubeObject = {
    apiVersion: 'redis.io/v1',
    kind: 'RedisCluster',
    metadata: { name: 'cache', namespace: 'redis' },
    spec: { instances: 3, imageName: 'redis:7.4.1', primaryUpdateStrategy: 'supervised' },
    status: {
      phase: 'Healthy',
      instances: 3,
      readyInstances: 3,
      currentPrimary: 'cache-0',
      instancesStatus: {
        'cache-0': { role: 'master', connected: true },
        'cache-1': { role: 'slave', connected: true, masterLinkStatus: 'up' },
        'cache-2': { role: 'slave', connected: true, masterLinkStatus: 'up' },
      },
    },
  };
  const pod = (n: number, image: string): KubeObject =>
    ({
      kind: 'Pod',
      metadata: {
        name: `cache-${n}`,
        namespace: 'redis',
        labels: { 'redis.io/cluster': 'cache', 'redis.io/workload': 'data' },
      },
      spec: { containers: [{ name: 'redis', image }] },
      status: {
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ name: 'redis', image }],
      },
    }) as KubeObject;

  it('reads only status fields the CRD declares', () => {
    expect(crdStatusFields(crd)).toEqual(
      expect.arrayContaining(['phase', 'readyInstances', 'currentPrimary', 'instancesStatus', 'instances']),
    );
  });

  it('is healthy when Healthy, all instances ready, a primary, every pod on the target image', () => {
    const pods = [0, 1, 2].map((n) => pod(n, 'redis:7.4.1'));
    expect(run('howl-redis-cluster', base, { related: pods, params: { image: 'redis:7.4.1' } }).status).toBe(
      'healthy',
    );
  });

  it('is progressing while a pod still runs the old image', () => {
    const pods = [pod(0, 'redis:7.2.4'), pod(1, 'redis:7.4.1'), pod(2, 'redis:7.4.1')];
    const r = run('howl-redis-cluster', base, { related: pods, params: { image: 'redis:7.4.1' } });
    expect(r.status).toBe('progressing');
    expect(r.reasons.join()).toContain('redis/cache-0 runs redis:7.2.4');
  });

  it('a pod stuck in CrashLoopBackOff or ImagePullBackOff is degraded, not progressing', () => {
    const stuck = (reason: string) =>
      withFields(pod(1, 'redis:7.4.1'), {
        'status.containerStatuses': [{ name: 'redis', image: 'redis:7.4.1', state: { waiting: { reason } } }],
        'status.conditions': [{ type: 'Ready', status: 'False' }],
      });
    for (const reason of ['CrashLoopBackOff', 'ImagePullBackOff']) {
      const r = run('howl-redis-cluster', base, {
        related: [pod(0, 'redis:7.4.1'), stuck(reason), pod(2, 'redis:7.4.1')],
        params: { image: 'redis:7.4.1' },
      });
      expect(r.status).toBe('degraded');
      expect(r.reasons.join()).toContain(`redis/cache-1: a container is in ${reason}`);
    }
  });

  it('without pods to check the image, is unknown rather than healthy', () => {
    expect(run('howl-redis-cluster', base, { params: { image: 'redis:7.4.1' } }).status).toBe('unknown');
  });

  it('WaitingForUser needs approval', () => {
    const r = run('howl-redis-cluster', withFields(base, { 'status.phase': 'WaitingForUser' }));
    expect(r).toMatchObject({ status: 'progressing', needsApproval: true });
    expect(r.reasons[0]).toContain('redis.io/approve-primary-update');
  });

  it.each([
    [{ 'status.readyInstances': 2 }, 'progressing'],
    [{ 'status.currentPrimary': undefined }, 'progressing'],
    [{ 'status.phase': 'Updating' }, 'progressing'],
    [{ 'status.phase': 'Degraded' }, 'degraded'],
    [{ 'status.instancesStatus.cache-2.masterLinkStatus': 'down' }, 'degraded'],
    [{ 'status.phase': 'SomethingNew' }, 'unknown'],
    [{ status: undefined }, 'unknown'],
  ])('%o is %s', (fields, status) => {
    expect(run('howl-redis-cluster', withFields(base, fields)).status).toBe(status);
  });

  it('RedisBackup phases (Completed / Failed / Running) from the CRD', () => {
    expect(crdStatusFields('howl-redis-operator/config/crd/bases/redis.io_redisbackups.yaml')).toEqual(
      expect.arrayContaining(['phase', 'completedAt', 'error']),
    );
    const b = {
      kind: 'RedisBackup',
      metadata: { name: 'pre', namespace: 'redis' },
      spec: { clusterName: 'cache' },
    };
    expect(run('howl-redis-backup', { ...b, status: { phase: 'Completed' } }).status).toBe('healthy');
    expect(run('howl-redis-backup', { ...b, status: { phase: 'Failed', error: 'disk full' } })).toMatchObject(
      {
        status: 'degraded',
        reasons: ['RedisBackup redis/pre Failed: disk full'],
      },
    );
    expect(run('howl-redis-backup', { ...b, status: { phase: 'Running' } }).status).toBe('progressing');
  });
});

describeWithFixtures('Redis Enterprise REC and REDB', () => {
  const rec = fixtureObject(
    'redis-enterprise-k8s/redis-enterprise-k8s-docs/examples/v1/rec.yaml',
    'RedisEnterpriseCluster',
  );
  const redb = fixtureObject(
    'redis-enterprise-k8s/redis-enterprise-k8s-docs/examples/v1alpha1/redb.yaml',
    'RedisEnterpriseDatabase',
  );
  const api = readFixture('redis-enterprise-k8s/redis-enterprise-k8s-docs/redis_enterprise_cluster_api.md');
  const onTag = (state: string) =>
    withFields(rec, { 'spec.redisEnterpriseImageSpec.versionTag': '7.8.6-6', 'status.state': state });

  it.each([
    ['Running', 'healthy'],
    ['RunningRollingUpdate', 'progressing'],
    ['Upgrade', 'progressing'],
    ['InvalidUpgrade', 'degraded'],
    ['Error', 'degraded'],
  ])('REC state %s (a ClusterState the API reference lists) is %s', (state, status) => {
    expect(api).toContain(`| "${state}" |`);
    expect(run('redis-enterprise-cluster', onTag(state), { params: { version: '7.8.6-6' } }).status).toBe(
      status,
    );
  });

  it('a Running REC still on the old versionTag is not yet on the target', () => {
    const r = run(
      'redis-enterprise-cluster',
      withFields(onTag('Running'), { 'spec.redisEnterpriseImageSpec.versionTag': '7.4.6-2' }),
      {
        params: { version: '7.8.6-6' },
      },
    );
    expect(r.status).toBe('progressing');
  });

  it('REDB active is healthy; creation-failed is degraded; an unobserved generation is progressing', () => {
    const dbApi = readFixture(
      'redis-enterprise-k8s/redis-enterprise-k8s-docs/redis_enterprise_database_api.md',
    );
    expect(dbApi).toContain('| "active" |');
    expect(run('redis-enterprise-database', withFields(redb, { 'status.status': 'active' })).status).toBe(
      'healthy',
    );
    expect(
      run('redis-enterprise-database', withFields(redb, { 'status.status': 'creation-failed' })).status,
    ).toBe('degraded');
    expect(
      run(
        'redis-enterprise-database',
        withFields(redb, {
          'status.status': 'active',
          'metadata.generation': 3,
          'status.observedGeneration': 2,
        }),
      ).status,
    ).toBe('progressing');
  });
});

describeWithFixtures('KubeDB Redis and RedisOpsRequest', () => {
  const ops = markdownObjects('kubedb/docs/docs/guides/redis/concepts/redisopsrequest.md').find(
    (o) => o.kind === 'RedisOpsRequest' && o.status,
  )!;
  const redis = markdownObjects('kubedb/docs/docs/guides/redis/quickstart/overview/redis.md').find(
    (o) => o.kind === 'Redis' && o.status,
  )!;

  it('the documented Successful ops request and Ready Redis are healthy', () => {
    expect(run('kubedb-ops-request', ops).status).toBe('healthy');
    expect(run('kubedb-redis', redis, { params: { version: '8.2.2' } }).status).toBe('healthy');
  });

  it.each(['Failed', 'Denied'])('an ops request %s is degraded', (phase) => {
    expect(run('kubedb-ops-request', withFields(ops, { 'status.phase': phase })).status).toBe('degraded');
  });

  it('a Ready Redis whose spec.version is not the target yet is progressing', () => {
    expect(run('kubedb-redis', redis, { params: { version: '8.2.3' } }).status).toBe('progressing');
  });

  it.each([
    ['Critical', 'degraded'],
    ['NotReady', 'degraded'],
    ['Provisioning', 'progressing'],
  ])('Redis phase %s (in the CRD enum) is %s', (phase, status) => {
    expect(readFixture('kubedb/installer/charts/kubedb-crds/crds/kubedb.com_redises.yaml')).toContain(
      `- ${phase}`,
    );
    expect(run('kubedb-redis', withFields(redis, { 'status.phase': phase })).status).toBe(status);
  });
});

describeWithFixtures('OT-Container-Kit RedisCluster and Alauda Redis', () => {
  const ot = fixtureObject('ot-redis-operator/example/v1beta2/redis-cluster.yaml', 'RedisCluster');
  const alauda = fixtureObject(
    'alauda-redis-operator/config/samples/middleware_v1_redis_failover.yaml',
    'Redis',
  );

  it('OT reads the status fields its CRD declares', () => {
    expect(
      crdStatusFields('ot-redis-operator/config/crd/bases/redis.redis.opstreelabs.in_redisclusters.yaml'),
    ).toEqual(expect.arrayContaining(['state', 'readyLeaderReplicas', 'readyFollowerReplicas', 'reason']));
  });

  it('OT Ready with every leader and follower ready is healthy; missing followers is progressing', () => {
    const ready = withFields(ot, {
      'status.state': 'Ready',
      'status.readyLeaderReplicas': 3,
      'status.readyFollowerReplicas': 3,
    });
    expect(run('ot-redis-cluster', ready).status).toBe('healthy');
    expect(run('ot-redis-cluster', withFields(ready, { 'status.readyFollowerReplicas': 2 })).status).toBe(
      'progressing',
    );
    expect(run('ot-redis-cluster', withFields(ready, { 'status.state': 'Failed' })).status).toBe('degraded');
  });

  it.each([
    ['Ready', 'healthy'],
    ['Initializing', 'progressing'],
    ['Error', 'degraded'],
  ])('Alauda phase %s (documented in the CRD) is %s', (phase, status) => {
    expect(readFixture('alauda-redis-operator/config/crd/bases/middleware.alauda.io_redis.yaml')).toMatch(
      new RegExp(`${phase}\\s+-`),
    );
    expect(run('alauda-redis', withFields(alauda, { 'status.phase': phase })).status).toBe(status);
  });
});

describeWithFixtures('Argo CD Application', () => {
  // A real Application with a full status: operationState Succeeded at 07:33:04Z, Synced, Healthy.
  const app = fixtureObject('gitops-status/argo-cd/controller/testdata/diff-cache.yaml', 'Application');
  const applied = 'ea8759964626a583667a2bfd08f334ec2070040a';
  // Its status.sync.revision is the placeholder `rev1`; this test puts the synced SHA there.
  const synced = withFields(app, { 'status.sync.revision': applied });
  const merge = '1111111111111111111111111111111111111111';

  it('the fixture placeholder revision is not a commit: unknown, not healthy', () => {
    expect(run('argocd-application', app, {}, { mergeCommit: applied }).status).toBe('unknown');
  });

  it('Healthy on the merge commit itself is healthy', () => {
    expect(run('argocd-application', synced, {}, { mergeCommit: applied })).toMatchObject({
      status: 'healthy',
    });
  });

  it('Healthy on a later commit whose ancestry includes the merge commit is healthy', () => {
    const isAncestor = (a: string, d: string) => a === merge && d === applied;
    expect(run('argocd-application', synced, {}, { mergeCommit: merge, isAncestor }).status).toBe('healthy');
  });

  it('Healthy on a pre-merge commit is not applied (closed)', () => {
    const r = run('argocd-application', synced, {}, { mergeCommit: merge, isAncestor: () => false });
    expect(r.status).toBe('progressing');
    expect(r.reasons[0]).toContain('does not contain merge commit 111111111111');
  });

  it('when the ancestry is not known yet, unknown (closed)', () => {
    expect(
      run('argocd-application', synced, {}, { mergeCommit: merge, isAncestor: () => undefined }).status,
    ).toBe('unknown');
  });

  it('Healthy read within 10 s of finishedAt is re-read, not trusted', () => {
    const r = run(
      'argocd-application',
      synced,
      {},
      { mergeCommit: applied, readAt: new Date('2024-03-05T07:33:10Z') },
    );
    expect(r.status).toBe('progressing');
    expect(r.reasons[0]).toContain('re-read');
  });

  it('the fixture Degraded health is degraded; a Running operation is progressing', () => {
    const deg = fixtureObject(
      'gitops-status/argo-cd/gitops-engine/pkg/health/testdata/application-degraded.yaml',
    );
    expect(
      run(
        'argocd-application',
        withFields(synced, { 'status.health': deg.status!.health }),
        {},
        { mergeCommit: applied },
      ).status,
    ).toBe('degraded');
    expect(
      run(
        'argocd-application',
        withFields(synced, { 'status.operationState.phase': 'Running' }),
        {},
        { mergeCommit: applied },
      ).status,
    ).toBe('progressing');
  });
});

describeWithFixtures('Flux Kustomization and HelmRelease', () => {
  const dir =
    'gitops-status/argo-cd/resource_customizations/kustomize.toolkit.fluxcd.io/Kustomization/testdata';
  const sha = '696f056df216eea4f9401adbee0ff744d4df390f';
  const ks = fixtureObject(
    'gitops-status/flux/flux2/cmd/flux/testdata/trace/helmrelease.yaml',
    'Kustomization',
  );
  // The flux testdata carries no generations; an API read always does.
  const current = withFields(ks, { 'metadata.generation': 4, 'status.observedGeneration': 4 });

  it('Ready on main@sha1:<merge commit> at the current generation is applied, and the missing wait is a configuration problem', () => {
    const r = run('flux-kustomization', current, {}, { mergeCommit: sha });
    expect(r.status).toBe('healthy');
    expect(r.configProblem).toBe(true);
    expect(r.reasons.join('\n')).toContain('neither spec.wait nor spec.healthChecks');
  });

  it('with spec.wait there is no configuration problem', () => {
    expect(
      run('flux-kustomization', withFields(current, { 'spec.wait': true }), {}, { mergeCommit: sha })
        .configProblem,
    ).toBeUndefined();
  });

  it('Ready with a stale observedGeneration is closed', () => {
    const r = run(
      'flux-kustomization',
      withFields(current, { 'metadata.generation': 5 }),
      {},
      { mergeCommit: sha },
    );
    expect(r.status).toBe('progressing');
    expect(r.reasons[0]).toContain('observedGeneration 4 is not metadata.generation 5');
  });

  it('without generations to compare, unknown', () => {
    expect(run('flux-kustomization', ks, {}, { mergeCommit: sha }).status).toBe('unknown');
  });

  it('a revision without the merge commit is not applied', () => {
    expect(
      run('flux-kustomization', current, {}, { mergeCommit: 'a'.repeat(40), isAncestor: () => false }).status,
    ).toBe('progressing');
  });

  it('the upstream degraded and progressing Kustomizations', () => {
    const deg = withFields(fixtureObject(`${dir}/degraded.yaml`), {
      'metadata.generation': 1,
      'status.observedGeneration': 1,
      'status.lastAppliedRevision': `main@sha1:${sha}`,
    });
    expect(run('flux-kustomization', deg, {}, { mergeCommit: sha }).status).toBe('degraded');
    const prog = withFields(fixtureObject(`${dir}/progressing.yaml`), {
      'metadata.generation': 3,
      'status.observedGeneration': 3,
      'status.lastAppliedRevision': `main@sha1:${sha}`,
    });
    expect(run('flux-kustomization', prog, {}, { mergeCommit: sha }).status).toBe('progressing');
  });

  it('HelmRelease: Ready on the wanted chart is healthy; another chart version is progressing', () => {
    const hr = withFields(
      fixtureObject('gitops-status/flux/flux2/cmd/flux/testdata/trace/helmrelease.yaml', 'HelmRelease'),
      {
        'metadata.generation': 2,
        'status.observedGeneration': 2,
      },
    );
    expect(run('flux-helmrelease', hr, { params: { chartVersion: '6.3.5' } }).status).toBe('healthy');
    expect(run('flux-helmrelease', hr, { params: { chartVersion: '6.4.0' } }).status).toBe('progressing');
    const prog = fixtureObject(
      'gitops-status/argo-cd/resource_customizations/helm.toolkit.fluxcd.io/HelmRelease/testdata/progressing.yaml',
    );
    expect(
      run('flux-helmrelease', withFields(prog, { 'metadata.generation': 3, 'status.observedGeneration': 3 }))
        .status,
    ).toBe('progressing');
  });
});

describe('operator rollout', () => {
  const deployment = (image: string, ready: number): KubeObject =>
    ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'redis-operator', namespace: 'redis-system', generation: 3 },
      spec: { replicas: 1, template: { spec: { containers: [{ name: 'manager', image }] } } },
      status: { observedGeneration: 3, replicas: 1, updatedReplicas: 1, readyReplicas: ready },
    }) as KubeObject;
  const params = { component: 'howl-redis-operator', version: 'v0.2.6' };

  it('is healthy when the operator image is on the version, with or without the v prefix, and rolled out', () => {
    for (const image of [
      'ghcr.io/howl-cloud/redis-operator:0.2.6',
      'ghcr.io/howl-cloud/redis-operator:v0.2.6',
    ])
      expect(run('operator-rollout', undefined, { related: [deployment(image, 1)], params }).status).toBe(
        'healthy',
      );
  });

  it('an old image or an unready replica is progressing; no operator Deployment at all is unknown', () => {
    expect(
      run('operator-rollout', undefined, {
        related: [deployment('ghcr.io/howl-cloud/redis-operator:0.2.5', 1)],
        params,
      }).status,
    ).toBe('progressing');
    expect(
      run('operator-rollout', undefined, {
        related: [deployment('ghcr.io/howl-cloud/redis-operator:0.2.6', 0)],
        params,
      }).status,
    ).toBe('progressing');
    expect(run('operator-rollout', undefined, { related: [], params }).status).toBe('unknown');
  });
});
