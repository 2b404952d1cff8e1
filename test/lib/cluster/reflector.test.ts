// The reflector over client-node and the test API server: a stream the
// server ends cleanly (timeoutSeconds) is watched again from the same
// resourceVersion, without a relist and without a reported problem.
import { afterEach, describe, expect, it } from 'vitest';
import { findResource, Reflector } from '../../../lib/cluster/index.ts';
import { kubeTransport, loadKubeConfig } from '../../../lib/node/kube-client.ts';
import { redisCluster } from '../../support/gate-world.ts';
import { startKubeServer, type KubeTestServer } from '../../support/kube-server/index.ts';

async function until(ok: () => boolean): Promise<void> {
  while (!ok()) await new Promise((r) => setImmediate(r));
}

describe('Reflector', () => {
  let server: KubeTestServer;
  afterEach(() => server.stop());

  it('re-watches a cleanly closed stream from its resourceVersion, and still sees later changes', async () => {
    server = await startKubeServer([redisCluster('Healthy')]);
    server.watchTimeScale = 0.001; // timeoutSeconds 25 → 25 ms
    const states: string[] = [];
    const rc = new Reflector({
      resource: findResource('redis.io', 'RedisCluster')!,
      transport: kubeTransport(loadKubeConfig({ kubeconfigText: server.kubeconfig() })),
      sleep: () => Promise.resolve(),
      onChange: (r) => states.push(r.state),
    });
    const synced = rc.nextSync();
    rc.start();
    await synced;
    const watches = () => server.requests.filter((q) => q.query.includes('watch=true')).length;
    await until(() => watches() >= 3);
    server.update('redis.io', 'RedisCluster', 'redis', 'cache', (o) => {
      o.status!.phase = 'Updating';
    });
    await until(() => rc.objects()[0]?.status?.phase === 'Updating');
    rc.stop();
    expect(rc.lists).toBe(1);
    expect(rc.problem).toBeUndefined();
    expect(states.every((s) => s === 'synced')).toBe(true);
  });
});
