// The gate's scenarios from issue 13, end to end: the test Kubernetes API
// server, the real @kubernetes/client-node, the readers, the evaluators and
// the gate. Time is injected; nothing here sleeps.
import { systemClock } from '../../../lib/node/clock.ts';
import { afterEach, expect, it } from 'vitest';
import {
  ClusterWatcher,
  ensurePrimaryUpdateApproved,
  findResource,
  readForStep,
} from '../../../lib/cluster/index.ts';
import type { KubeTransport } from '../../../lib/cluster/transport.ts';
import { DEFAULT_GATE_POLICY, evaluateGate, type GateInput } from '../../../lib/gate/index.ts';
import { kubeTransport, loadKubeConfig } from '../../../lib/node/kube-client.ts';
import { memoryStore } from '../../../lib/store/index.ts';
import { describeWithFixtures } from '../../support/fixtures.ts';
import {
  argoApp,
  howlStep,
  MERGE,
  MERGED_AT,
  PRE_MERGE,
  pods,
  redisCluster,
} from '../../support/gate-world.ts';
import { fixtureObject, withFields } from '../../support/kube-objects.ts';
import { startKubeServer, type KubeTestServer } from '../../support/kube-server/index.ts';
import type { KubeObject } from '../../../lib/cluster-state.ts';

const at = (min: number) => new Date(MERGED_AT.getTime() + min * 60_000);
const policy = { ...DEFAULT_GATE_POLICY, soakMs: 30 * 60_000 };

/** Yields to the event loop until `ok()` holds (no timers: the test's own timeout bounds it). */
async function until(ok: () => boolean): Promise<void> {
  while (!ok()) await new Promise((r) => setImmediate(r));
}

let server: KubeTestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function world(objects: KubeObject[]): Promise<{ server: KubeTestServer; kube: KubeTransport }> {
  server = await startKubeServer(objects);
  return { server, kube: kubeTransport(loadKubeConfig({ kubeconfigText: server.kubeconfig() })) };
}

describeWithFixtures('gate scenarios against a Kubernetes API', () => {
  const step = howlStep();
  async function gateAt(kube: KubeTransport, min: number, more: Partial<GateInput> = {}) {
    const reading = await readForStep(kube, step, () => at(min));
    return evaluateGate({
      step,
      mergeCommit: MERGE,
      mergedAt: MERGED_AT,
      reading,
      policy,
      now: at(min),
      ...more,
    });
  }

  it('Argo CD Healthy on the pre-merge SHA: closed', async () => {
    const { kube } = await world([
      argoApp(PRE_MERGE, at(5).toISOString()),
      redisCluster('Healthy'),
      ...pods('redis:7.4.1'),
    ]);
    const r = await gateAt(kube, 10, { isAncestor: () => false });
    expect(r.verdict).toBe('wait');
    expect(r.verdict === 'wait' && r.reason).toContain(
      `has applied ${PRE_MERGE}, which does not contain merge commit`,
    );
  });

  it('Flux Ready with a stale observedGeneration: closed', async () => {
    const ks = withFields(
      fixtureObject('gitops-status/flux/flux2/cmd/flux/testdata/trace/helmrelease.yaml', 'Kustomization'),
      {
        'metadata.namespace': 'flux-system',
        'metadata.generation': 5,
        'status.observedGeneration': 4,
        'spec.path': './clusters/prod',
        'spec.wait': true,
        'status.lastAppliedRevision': `main@sha1:${MERGE}`,
      },
    );
    const { kube } = await world([ks, redisCluster('Healthy'), ...pods('redis:7.4.1')]);
    const r = await gateAt(kube, 10);
    expect(r.verdict).toBe('wait');
    expect(r.verdict === 'wait' && r.reason).toContain('observedGeneration 4 is not metadata.generation 5');
  });

  it('the API server down: closed, and reported', async () => {
    const { server, kube } = await world([
      argoApp(MERGE, at(5).toISOString()),
      redisCluster('Healthy'),
      ...pods('redis:7.4.1'),
    ]);
    server.setDown(true);
    const r = await gateAt(kube, 10);
    expect(r.verdict).toBe('wait');
    expect(r.verdict === 'wait' && r.reason).toMatch(/^the cluster could not be read: .*unavailable/);
  });

  it('RBAC 403 on the RedisCluster: closed, and the 403 is in the reasons', async () => {
    const { server, kube } = await world([
      argoApp(MERGE, at(5).toISOString()),
      redisCluster('Healthy'),
      ...pods('redis:7.4.1'),
    ]);
    server.forbid('redis.io', 'redisclusters');
    const r = await gateAt(kube, 10);
    expect(r).toMatchObject({
      verdict: 'wait',
      reason: 'the cluster could not be read: redis.io/RedisCluster redis/cache: forbidden',
    });
    expect(r.verdict === 'wait' && r.reasons[0]).toContain(
      'cannot get resource "redisclusters" in API group "redis.io"',
    );
  });

  it('a watch 410 mid-stream: relist, with no false progress from the stale cache', async () => {
    const { server, kube } = await world([
      argoApp(MERGE, at(5).toISOString()),
      redisCluster('Healthy'),
      ...pods('redis:7.4.1'),
    ]);
    // Hold the relist until the test lets it go, to look at the gap.
    let release!: () => void;
    let relistAsked!: () => void;
    const asked = new Promise<void>((r) => (relistAsked = r));
    const held = new Promise<void>((r) => (release = r));
    let lists = 0;
    const gated: KubeTransport = {
      ...kube,
      list: async (r, ns) => {
        if (r.kind === 'RedisCluster' && ++lists === 2) {
          relistAsked();
          await held;
        }
        return kube.list(r, ns);
      },
    };
    const watcher = new ClusterWatcher({
      transport: gated,
      clock: () => at(10),
      sleep: () => Promise.resolve(),
      resources: [findResource('redis.io', 'RedisCluster')!],
    });
    const rc = watcher.reflectors[0]!;
    const firstSync = rc.nextSync();
    watcher.start();
    await firstSync;
    const firstRv = rc.resourceVersion;
    await until(() => server.openWatches === 1);

    server.compact(); // the open watch gets ERROR 410 and closes
    await asked;
    // While the operator's change falls in the gap, the cache still says Healthy…
    server.update('redis.io', 'RedisCluster', 'redis', 'cache', (o) => {
      o.status!.phase = 'Degraded';
    });
    expect(rc.state).toBe('relisting');
    expect(rc.objects()[0]?.status?.phase).toBe('Healthy');
    // …but a cached reading is closed while relisting, and a decision reads directly.
    const cachedVerdict = evaluateGate({
      step,
      mergeCommit: MERGE,
      mergedAt: MERGED_AT,
      reading: watcher.cached(),
      policy,
      now: at(10),
    });
    expect(cachedVerdict).toMatchObject({
      verdict: 'wait',
      reason: 'the cluster could not be read: redis.io/RedisCluster: error',
      reasons: ['redis.io/RedisCluster: error: the watch expired (410 Gone); relisting'],
    });
    expect((await gateAt(kube, 10)).verdict).toBe('fail');

    const relisted = rc.nextSync();
    release();
    await relisted;
    await until(() => server.openWatches === 1);
    watcher.stop();
    expect(rc.lists).toBe(2);
    expect(rc.objects()[0]?.status?.phase).toBe('Degraded');
    const watches = server.requests.filter(
      (q) => q.query.includes('watch=true') && q.path.endsWith('/redisclusters'),
    );
    expect(watches.map((q) => new URLSearchParams(q.query).get('resourceVersion'))).toEqual([
      firstRv,
      rc.resourceVersion,
    ]);
  });

  it('WaitingForUser, approval, the annotation patched exactly once, then Healthy: pass', async () => {
    const { server, kube } = await world([
      argoApp(MERGE, at(5).toISOString()),
      redisCluster('WaitingForUser'),
      ...pods('redis:7.4.1'),
    ]);
    const first = await gateAt(kube, 10);
    expect(first.verdict).toBe('needs-approval');
    if (first.verdict !== 'needs-approval') return;

    // `/cairn approve` arrived; the agent applies it (twice, as a retry would).
    const store = memoryStore(systemClock);
    const outcomes = [
      await ensurePrimaryUpdateApproved(kube, store, first.approve, `${step.id}#approve`),
      await ensurePrimaryUpdateApproved(kube, store, first.approve, `${step.id}#approve`),
    ];
    expect(outcomes).toEqual(['patched', 'already-used']);
    expect(server.get('redis.io', 'RedisCluster', 'redis', 'cache')?.metadata?.annotations).toEqual({
      'redis.io/approve-primary-update': 'true',
      'cairn.dev/approval-id': `${step.id}#approve`,
    });
    // A restarted agent (a fresh store) finds the approval's id on the CR and writes nothing.
    expect(
      await ensurePrimaryUpdateApproved(kube, memoryStore(systemClock), first.approve, `${step.id}#approve`),
    ).toBe('already-used');

    // The operator consumes the annotation and updates the primary.
    server.update('redis.io', 'RedisCluster', 'redis', 'cache', (o) => {
      delete o.metadata!.annotations!['redis.io/approve-primary-update'];
      o.status!.phase = 'Updating';
    });
    expect(await gateAt(kube, 11, { approved: true })).toMatchObject({
      verdict: 'wait',
      reason: 'RedisCluster redis/cache status.phase is Updating',
    });
    server.update('redis.io', 'RedisCluster', 'redis', 'cache', (o) => {
      o.status!.phase = 'Healthy';
    });
    // A later run of the agent must not approve again.
    expect(await ensurePrimaryUpdateApproved(kube, store, first.approve, `${step.id}#approve`)).toBe(
      'already-used',
    );

    const soaking = await gateAt(kube, 12, { approved: true });
    expect(soaking).toMatchObject({ verdict: 'wait', healthySince: at(12) });
    const done = await gateAt(kube, 45, { approved: true, healthySince: soaking.healthySince! });
    expect(done.verdict).toBe('pass');
    expect(server.requests.filter((q) => q.method === 'PATCH')).toHaveLength(1);
  });

  it('Degraded after the soak began: fail, with the rollback advice that matches the RDB rule', async () => {
    const { server, kube } = await world([
      argoApp(MERGE, at(5).toISOString()),
      redisCluster('Healthy'),
      ...pods('redis:7.4.1'),
    ]);
    const soaking = await gateAt(kube, 10);
    expect(soaking).toMatchObject({ verdict: 'wait', healthySince: at(10) });
    server.update('redis.io', 'RedisCluster', 'redis', 'cache', (o) => {
      o.status!.phase = 'Degraded';
    });
    const r = await gateAt(kube, 20, { healthySince: soaking.healthySince! });
    expect(r.verdict).toBe('fail');
    if (r.verdict !== 'fail') return;
    expect(step.oneWay).toBe(true); // 7.2 -> 7.4 raises the RDB format 11 -> 12
    expect(r.rollback).toMatchObject({ kind: 'restore-backup', backup: { kind: 'backup' } });
    const twoWay = { ...step, oneWay: false };
    const reading = await readForStep(kube, twoWay, () => at(20));
    const r2 = evaluateGate({
      step: twoWay,
      mergeCommit: MERGE,
      mergedAt: MERGED_AT,
      reading,
      policy,
      now: at(20),
    });
    expect(r2).toMatchObject({ verdict: 'fail', rollback: { kind: 'revert' } });
  });
});
