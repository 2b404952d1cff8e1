// The other webhooks: the agent's signed snapshots, Flux generic-hmac, Argo CD's token,
// registry pushes. Unauthenticated ones are 401 with nothing parsed; replays do nothing.
import { createHmac } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { signSnapshot, type Snapshot } from '../../lib/agent/snapshot.ts';
import { describeWithFixtures } from '../support/fixtures.ts';
import type { GitHubTestServer } from '../support/github-server/index.ts';
import { AGENT_SECRET, FLUX_SECRET, fleetServer, NOW, service, writes } from './helpers.ts';

const servers: GitHubTestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});
async function fleet() {
  const s = await fleetServer();
  servers.push(s);
  return s;
}

const snapshot = (sequence: number): Snapshot => ({
  version: 1,
  kind: 'snapshot',
  cluster: 'dev',
  agent: 'agent-0',
  sequence,
  readAt: new Date(NOW).toISOString(),
  objects: [],
  problems: [],
});

describeWithFixtures('the hint webhooks', () => {
  it('agent: a signed snapshot is kept as the cluster reading; a replay and a forgery change nothing', async () => {
    const server = await fleet();
    const { request, store } = service(server);
    const signed = await signSnapshot(snapshot(1), AGENT_SECRET, new Date(NOW));
    const init = { method: 'POST', headers: signed.headers, body: signed.body };
    const res = await request('/webhooks/agent', init);
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ outcome: 'done', cluster: 'dev', kind: 'snapshot' });
    expect(JSON.parse((await store.get('functions:agent:snapshot:dev'))!)).toMatchObject({ sequence: 1 });
    expect(await (await request('/webhooks/agent', init)).json()).toMatchObject({ outcome: 'duplicate' });
    const forged = await signSnapshot(snapshot(2), 'another-secret-entirely', new Date(NOW));
    const bad = await request('/webhooks/agent', {
      method: 'POST',
      headers: forged.headers,
      body: forged.body,
    });
    expect(bad.status).toBe(401);
    expect(JSON.parse((await store.get('functions:agent:snapshot:dev'))!)).toMatchObject({ sequence: 1 });
  });

  it('flux: generic-hmac X-Signature is required; a signed event makes the gates re-read', async () => {
    const server = await fleet();
    const { request } = service(server);
    const event = JSON.stringify({
      involvedObject: { kind: 'Kustomization', namespace: 'flux-system', name: 'apps' },
      severity: 'info',
      reason: 'ReconciliationSucceeded',
      metadata: { revision: 'main@sha1:0123' },
    });
    const mac = createHmac('sha256', FLUX_SECRET).update(event).digest('hex');
    expect((await request('/webhooks/flux', { method: 'POST', body: event })).status).toBe(401);
    expect(server.log).toHaveLength(0);
    const ok = await request('/webhooks/flux', {
      method: 'POST',
      headers: { 'x-signature': `sha256=${mac}` },
      body: event,
    });
    expect(ok.status).toBe(202);
    const again = await request('/webhooks/flux', {
      method: 'POST',
      headers: { 'x-signature': `sha256=${mac}` },
      body: event,
    });
    expect(await again.json()).toMatchObject({ outcome: 'duplicate' });
  });

  it('argocd and registry: refused (401) without their token, and when no token is configured at all', async () => {
    const server = await fleet();
    const { request } = service(server, { CAIRN_REGISTRY_WEBHOOK_TOKEN: 'registry-token-00000001' });
    expect(
      (
        await request('/webhooks/argocd', {
          method: 'POST',
          headers: { 'x-cairn-token': 'anything-at-all-123' },
          body: '{}',
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await request('/webhooks/registry', {
          method: 'POST',
          headers: { 'x-cairn-token': 'wrong-token-000000001' },
          body: '{}',
        })
      ).status,
    ).toBe(401);
    const push = JSON.stringify({
      push_data: { tag: '7.4.9' },
      repository: { repo_name: 'library/nothing-cairn-reads' },
    });
    const res = await request('/webhooks/registry?token=registry-token-00000001', {
      method: 'POST',
      body: push,
    });
    expect(await res.json()).toMatchObject({ outcome: 'ignored' });
    expect(writes(server)).toHaveLength(0);
  });
});
