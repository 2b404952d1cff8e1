// The simulated Argo CD applies examples/argocd-fleet as Argo CD would: a
// push runs a sync operation only for the Applications whose objects
// changed, through Running to Succeeded at the pushed revision, and health
// follows the operator's rollout. cairn's own Argo CD evaluator and cluster
// reader read the result through the Kubernetes test server.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { evaluateHealth } from '../../../lib/health/index.ts';
import { repoRoot } from '../../support/fixtures.ts';
import { type KubeTestServer, startKubeServer } from '../../support/kube-server/index.ts';
import { ArgoCdApplier, mapTree } from './argocd.ts';
import { CompositeCluster, MemoryCluster, servedByKubeServer } from './memory-cluster.ts';
import { redisEnterpriseOperator } from './operators/redis-enterprise.ts';
import { pathOf, runUntilIdle, type SimCluster } from './rollout.ts';

const T0 = Date.parse('2026-12-01T09:00:00Z');
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

const exampleFiles = () => tree(join(repoRoot, 'examples/argocd-fleet'));
const example = () => mapTree(exampleFiles());

function bumpRec(): ReturnType<typeof mapTree> {
  const t = exampleFiles();
  const next = new Map(t);
  const f = 'clusters/dev/redis-enterprise/rec.yaml';
  next.set(f, t.get(f)!.replace('versionTag: 7.4.6-102', 'versionTag: 7.8.6-13'));
  return mapTree(next);
}

function argoHealth(cluster: SimCluster, name: string, merge: string, now: number) {
  return evaluateHealth('argocd-application', {
    object: cluster.get('argoproj.io', 'Application', 'argocd', name),
    related: [],
    params: {},
    context: { readAt: new Date(now), mergeCommit: merge, isAncestor: () => false },
  });
}

describe('the simulated Argo CD on examples/argocd-fleet', () => {
  let server: KubeTestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('a push syncs only the changed Application: Running, applied, Succeeded, then health follows the REC', () => {
    const cluster = new MemoryCluster();
    const argo = new ArgoCdApplier({ appDirs: ['clusters/dev/apps'], serves: servedByKubeServer });
    argo.bootstrap(cluster, A, example(), T0);
    const operator = redisEnterpriseOperator({ recPodMs: 60_000 });
    operator.tick(cluster, T0);
    expect(argoHealth(cluster, 'redis-enterprise-dev', A, T0).status).toBe('healthy');

    argo.pushed(B, bumpRec(), T0);
    const { now } = runUntilIdle([argo, operator], cluster, T0);
    const rec = cluster.get('app.redislabs.com', 'RedisEnterpriseCluster', 'redis-enterprise', 'rec');
    expect(pathOf(rec, 'spec.redisEnterpriseImageSpec.versionTag')).toBe('7.8.6-13');
    expect(rec?.metadata?.generation).toBe(2);
    expect(argo.events.map((e) => `${e.object}: ${e.change}`)).toEqual([
      'Application argocd/redis-enterprise-dev: status.sync OutOfSync at bbbbbbb; operationState.phase Running',
      'Application argocd/redis-enterprise-dev: applied RedisEnterpriseCluster redis-enterprise/rec',
      'Application argocd/redis-enterprise-dev: operationState.phase Succeeded; status.sync Synced at bbbbbbb',
      'Application argocd/redis-enterprise-dev: status.health Progressing (RedisEnterpriseCluster redis-enterprise/rec status.state is Upgrade)',
      'Application argocd/redis-enterprise-dev: status.health Healthy',
    ]);
    expect(argoHealth(cluster, 'redis-enterprise-dev', B, now + 60_000).status).toBe('healthy');
    // The other Applications moved to the new revision without an operation.
    const cache = cluster.get('argoproj.io', 'Application', 'argocd', 'cache-dev');
    expect(pathOf(cache, 'status.sync.revision')).toBe(B);
    expect(pathOf(cache, 'status.operationState.syncResult.revision')).toBe(A);
  });

  it('prunes what a new revision no longer renders (automated prune), and only that', () => {
    const cluster = new MemoryCluster();
    const argo = new ArgoCdApplier({ appDirs: ['clusters/dev/apps'], serves: servedByKubeServer });
    argo.bootstrap(cluster, A, example(), T0);
    const extra = [
      'apiVersion: ops.kubedb.com/v1alpha1',
      'kind: RedisOpsRequest',
      'metadata: { name: sessions-update-7-0-14, namespace: sessions }',
      'spec: { type: UpdateVersion, databaseRef: { name: sessions }, updateVersion: { targetVersion: 7.0.14 } }',
      '',
    ].join('\n');
    const k = 'clusters/dev/kubedb/kustomization.yaml';
    const withRequest = new Map(exampleFiles());
    withRequest.set('clusters/dev/kubedb/sessions-update-7-0-14.yaml', extra);
    withRequest.set(k, `${withRequest.get(k)!.trimEnd()}\n  - sessions-update-7-0-14.yaml\n`);
    argo.pushed(B, mapTree(withRequest), T0);
    runUntilIdle([argo], cluster, T0);
    expect(
      cluster.get('ops.kubedb.com', 'RedisOpsRequest', 'sessions', 'sessions-update-7-0-14'),
    ).toBeDefined();
    const C = 'c'.repeat(40);
    argo.pushed(C, example(), T0 + 60_000);
    runUntilIdle([argo], cluster, T0 + 60_000);
    expect(
      cluster.get('ops.kubedb.com', 'RedisOpsRequest', 'sessions', 'sessions-update-7-0-14'),
    ).toBeUndefined();
    expect(cluster.get('kubedb.com', 'Redis', 'sessions', 'sessions')).toBeDefined();
    expect(
      argo.events.filter((e) => e.change.startsWith('pruned')).map((e) => `${e.object}: ${e.change}`),
    ).toEqual([
      'Application argocd/kubedb-sessions-dev: pruned RedisOpsRequest sessions/sessions-update-7-0-14',
    ]);
  });

  it('runs against the Kubernetes test server (OLM-free kinds), as cairn agent would read it', async () => {
    server = await startKubeServer();
    const cluster = new CompositeCluster(server, servedByKubeServer);
    const argo = new ArgoCdApplier({ appDirs: ['clusters/dev/apps'], serves: servedByKubeServer });
    argo.bootstrap(cluster, A, example(), T0);
    const operator = redisEnterpriseOperator({ recPodMs: 60_000 });
    operator.tick(cluster, T0);
    argo.pushed(B, bumpRec(), T0);
    // Mid-rollout, as the gate would read it.
    runUntilIdle([argo, operator], cluster, T0, T0 + 60_000);
    const res = await fetch(
      `${server.url}/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/redis-enterprise-dev`,
    );
    const app = (await res.json()) as unknown;
    expect(pathOf(app, 'status.operationState.phase')).toBe('Succeeded');
    expect(pathOf(app, 'status.health.status')).toBe('Progressing');
    runUntilIdle([argo, operator], cluster, T0 + 60_000);
    expect(
      pathOf(
        server.get('argoproj.io', 'Application', 'argocd', 'redis-enterprise-dev'),
        'status.health.status',
      ),
    ).toBe('Healthy');
    expect(server.list('app.redislabs.com', 'RedisEnterpriseCluster')).toHaveLength(1);
  });
});
