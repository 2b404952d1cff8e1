// deploy/kubernetes/base/admission-policy.yaml: the cairn ServiceAccount may set the
// approval annotation and its id, and change nothing else on a RedisCluster. The
// policy's own CEL runs on the Kubernetes test server against cairn's real approval
// (lib/cluster/approve.ts through @kubernetes/client-node) and against the writes a
// stolen token would try.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ensurePrimaryUpdateApproved } from '../../lib/cluster/index.ts';
import { findResource } from '../../lib/cluster/resources.ts';
import { systemClock } from '../../lib/node/clock.ts';
import { kubeTransport, loadKubeConfig } from '../../lib/node/kube-client.ts';
import { memoryStore } from '../../lib/store/index.ts';
import { repoRoot } from '../support/fixtures.ts';
import { cacheApproval, redisCluster } from '../support/gate-world.ts';
import { type AdmissionPolicy, type KubeTestServer, startKubeServer } from '../support/kube-server/index.ts';

const manifests = parseAllDocuments(
  readFileSync(join(repoRoot, 'deploy/kubernetes/base/admission-policy.yaml'), 'utf8'),
).map((d) => d.toJS() as { kind: string; metadata: { name: string }; spec: Record<string, unknown> });
const policy = manifests.find((m) => m.kind === 'ValidatingAdmissionPolicy') as unknown as AdmissionPolicy;

const servers: KubeTestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

async function cluster(username?: string) {
  const server = await startKubeServer([
    redisCluster('WaitingForUser', {
      'metadata.labels': { team: 'cache' },
      'metadata.annotations': { 'example.com/owner': 'cache-team' },
    }),
  ]);
  servers.push(server);
  server.enforceAdmission([policy], username);
  const kube = kubeTransport(loadKubeConfig({ kubeconfigText: server.kubeconfig() }));
  const patch = (body: object) =>
    kube.mergePatch(findResource('redis.io', 'RedisCluster')!, 'redis', 'cache', body);
  const read = async () => (await kube.get(findResource('redis.io', 'RedisCluster')!, 'redis', 'cache'))!;
  return { server, kube, patch, read };
}

describe('the approval admission policy', () => {
  it('is bound with Deny to the policy of the same name', () => {
    const binding = manifests.find((m) => m.kind === 'ValidatingAdmissionPolicyBinding')!;
    expect(binding.spec).toEqual({ policyName: policy.metadata.name, validationActions: ['Deny'] });
    expect(policy.spec.failurePolicy).toBe('Fail');
  });

  it("lets cairn's own approval through", async () => {
    const { kube, read } = await cluster();
    expect(await ensurePrimaryUpdateApproved(kube, memoryStore(systemClock), cacheApproval, 'step-1')).toBe(
      'patched',
    );
    const o = await read();
    expect(o.metadata?.annotations).toEqual({
      'example.com/owner': 'cache-team',
      'redis.io/approve-primary-update': 'true',
      'cairn.dev/approval-id': 'step-1',
    });
  });

  it.each([
    ['a new image', { spec: { imageName: 'evil/redis:latest' } }, "may not change a RedisCluster's spec"],
    ['a label', { metadata: { labels: { team: 'other' } } }, 'labels, finalizers or owners'],
    ['a finalizer', { metadata: { finalizers: ['example.com/hold'] } }, 'labels, finalizers or owners'],
    ['another annotation', { metadata: { annotations: { 'example.com/x': 'y' } } }, 'may only set'],
    ['a removed annotation', { metadata: { annotations: { 'example.com/owner': null } } }, 'may only set'],
    [
      'the approval set to another value',
      { metadata: { annotations: { 'redis.io/approve-primary-update': 'false' } } },
      'to "true"',
    ],
  ])('refuses cairn %s, with the reason, and writes nothing', async (_name, body, reason) => {
    const { patch, read } = await cluster();
    const before = await read();
    const err = (await patch(body).catch((e: unknown) => e)) as { code?: number; message: string };
    expect(err.code).toBe(422);
    expect(err.message).toContain("ValidatingAdmissionPolicy 'cairn-approve-only'");
    expect(err.message).toContain(reason);
    expect(await read()).toEqual(before);
  });

  it('leaves other users alone', async () => {
    const { patch, read } = await cluster('alice@example.com');
    await patch({ spec: { imageName: 'redis:7.4.2' } });
    expect((await read()).spec?.imageName).toBe('redis:7.4.2');
  });
});
