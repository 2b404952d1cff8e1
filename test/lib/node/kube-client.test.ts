// The real @kubernetes/client-node against the test Kubernetes API server:
// the wire format, resourceVersion semantics and the failures the gate must
// report (403, 404, 409, 410, API down).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../lib/cluster-state.ts';
import { findResource } from '../../../lib/cluster/resources.ts';
import { KubeApiError, type WatchEventType } from '../../../lib/cluster/transport.ts';
import { kubeTransport, loadKubeConfig } from '../../../lib/node/kube-client.ts';
import { pods, redisCluster } from '../../support/gate-world.ts';
import { startKubeServer, type KubeTestServer } from '../../support/kube-server/index.ts';

const RC = findResource('redis.io', 'RedisCluster')!;
const POD = findResource('', 'Pod')!;

describe('client-node against the test server', () => {
  let server: KubeTestServer;
  let kube: ReturnType<typeof kubeTransport>;
  beforeEach(async () => {
    server = await startKubeServer([redisCluster('Healthy'), ...pods('redis:7.4.1')]);
    kube = kubeTransport(loadKubeConfig({ kubeconfigText: server.kubeconfig() }));
  });
  afterEach(() => server.stop());

  it('lists custom resources and pods with the collection resourceVersion, and GETs one', async () => {
    const rcs = await kube.list(RC, 'redis');
    expect(rcs.items.map((o) => o.metadata?.name)).toEqual(['cache']);
    expect(Number(rcs.resourceVersion)).toBe(server.resourceVersion);
    const ps = await kube.list(POD, 'redis');
    expect(ps.items).toHaveLength(3);
    expect(ps.items[0]).toMatchObject({ kind: 'Pod', apiVersion: 'v1' });
    expect((await kube.get(RC, 'redis', 'cache'))?.status?.phase).toBe('Healthy');
    expect(await kube.get(RC, 'redis', 'nope')).toBeUndefined();
  });

  it('merge-patches an annotation, with a resourceVersion precondition (409 when stale)', async () => {
    const before = (await kube.get(RC, 'redis', 'cache'))!;
    const rv = before.metadata!.resourceVersion!;
    const after = await kube.mergePatch(RC, 'redis', 'cache', {
      metadata: { resourceVersion: rv, annotations: { 'redis.io/approve-primary-update': 'true' } },
    });
    expect(after.metadata?.annotations?.['redis.io/approve-primary-update']).toBe('true');
    expect(after.spec).toEqual(before.spec);
    expect(server.requests.at(-1)?.contentType).toBe('application/merge-patch+json');
    await expect(
      kube.mergePatch(RC, 'redis', 'cache', { metadata: { resourceVersion: rv, annotations: { a: 'b' } } }),
    ).rejects.toMatchObject({ code: 409 });
  });

  it('watches from a resourceVersion: only later events arrive, in order', async () => {
    const { resourceVersion } = await kube.list(RC, 'redis');
    server.update('redis.io', 'RedisCluster', 'redis', 'cache', (o) => {
      o.status!.phase = 'Updating';
    });
    const events: [WatchEventType, string | undefined][] = [];
    let resolveSeen: () => void;
    const seen = new Promise<void>((r) => (resolveSeen = r));
    const handle = await kube.watch(
      RC,
      'redis',
      resourceVersion,
      (type, o: KubeObject) => {
        events.push([type, o.status?.phase as string | undefined]);
        if (o.status?.phase === 'Healthy') resolveSeen();
      },
      () => {},
    );
    server.update('redis.io', 'RedisCluster', 'redis', 'cache', (o) => {
      o.status!.phase = 'Healthy';
    });
    await seen;
    handle.stop();
    expect(events).toEqual([
      ['MODIFIED', 'Updating'],
      ['MODIFIED', 'Healthy'],
    ]);
  });

  it('a compacted resourceVersion ends the watch with 410 Gone', async () => {
    const { resourceVersion } = await kube.list(RC, 'redis');
    server.update('redis.io', 'RedisCluster', 'redis', 'cache', (o) => {
      o.status!.phase = 'Updating';
    });
    server.compact();
    const err = await new Promise<unknown>((resolve) => {
      void kube.watch(RC, 'redis', resourceVersion, () => {}, resolve);
    });
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).code).toBe(410);
  });

  it('RBAC 403 and API down are errors that say so', async () => {
    server.forbid('redis.io', 'redisclusters');
    const forbidden = await kube.list(RC, 'redis').catch((e: unknown) => e);
    expect(forbidden).toMatchObject({ code: 403, kind: 'forbidden' });
    expect((forbidden as Error).message).toContain(
      'cannot list resource "redisclusters" in API group "redis.io"',
    );
    server.setDown(true);
    await expect(kube.list(POD, 'redis')).rejects.toMatchObject({ kind: 'unavailable' });
  });
});
