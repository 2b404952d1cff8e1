// The agent loop against the test Kubernetes API server, through the real
// client-node: it pushes a signed snapshot when something changes, a signed
// heartbeat between changes, and reports what it cannot read.
import { systemClock } from '../../../lib/node/clock.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { type SignedMessage, type Snapshot, verifySnapshot } from '../../../lib/agent/index.ts';
import { findResource } from '../../../lib/cluster/resources.ts';
import { ClusterAgent } from '../../../lib/node/agent.ts';
import { kubeTransport, loadKubeConfig } from '../../../lib/node/kube-client.ts';
import { memoryStore } from '../../../lib/store/index.ts';
import { pods, redisCluster } from '../../support/gate-world.ts';
import { startKubeServer, type KubeTestServer } from '../../support/kube-server/index.ts';

const SECRET = 'agent-secret-for-tests-0123456789';
const NOW = new Date('2026-12-01T09:10:00Z');

async function until(ok: () => boolean): Promise<void> {
  while (!ok()) await new Promise((r) => setImmediate(r));
}

describe('cairn agent loop', () => {
  let server: KubeTestServer;
  let agent: ClusterAgent | undefined;
  afterEach(async () => {
    agent?.stop();
    await server.stop();
  });

  it('pushes signed snapshots on change and heartbeats between, and reports a 403', async () => {
    server = await startKubeServer([redisCluster('Healthy'), ...pods('redis:7.4.1')]);
    const messages: SignedMessage[] = [];
    const received: Snapshot[] = [];
    const seen = memoryStore(systemClock);
    let beat!: () => void;
    const HEARTBEAT = 30_000;
    agent = new ClusterAgent({
      transport: kubeTransport(loadKubeConfig({ kubeconfigText: server.kubeconfig() })),
      cluster: 'prod',
      agentId: 'agent-0',
      secret: SECRET,
      push: async (m) => {
        messages.push(m);
        const v = await verifySnapshot(m.body, m.headers, SECRET, NOW, seen);
        if (!v.ok) throw new Error(v.reason);
        received.push(v.snapshot);
      },
      clock: () => NOW,
      // The debounce passes at once; a heartbeat waits until the test beats.
      sleep: (ms) =>
        ms === HEARTBEAT ? new Promise<void>((r) => (beat = r)) : new Promise((r) => setImmediate(r)),
      heartbeatMs: HEARTBEAT,
      resources: [findResource('redis.io', 'RedisCluster')!, findResource('', 'Pod')!],
    });
    const phaseIn = (s: Snapshot | undefined) =>
      (s?.objects.find((o) => o.kind === 'RedisCluster') as { status?: { phase?: string } } | undefined)
        ?.status?.phase;
    const lastSnapshot = () => received.filter((s) => s.kind === 'snapshot').at(-1);

    agent.start();
    await until(() => phaseIn(lastSnapshot()) === 'Healthy');
    expect(lastSnapshot()).toMatchObject({
      cluster: 'prod',
      agent: 'agent-0',
      problems: [],
      readAt: NOW.toISOString(),
    });
    expect(lastSnapshot()!.objects.filter((o) => o.kind === 'Pod')).toHaveLength(3);

    server.update('redis.io', 'RedisCluster', 'redis', 'cache', (o) => {
      o.status!.phase = 'Updating';
    });
    await until(() => phaseIn(lastSnapshot()) === 'Updating');

    await until(() => beat !== undefined && !agent!.pending);
    beat();
    await until(() => received.at(-1)?.kind === 'heartbeat');
    expect(received.at(-1)).toMatchObject({
      kind: 'heartbeat',
      basedOn: lastSnapshot()!.sequence,
      objects: [],
      problems: [],
    });

    // RBAC is taken away: the next snapshot says so instead of going quiet.
    server.forbid('redis.io', 'redisclusters');
    server.compact();
    await until(() => (lastSnapshot()?.problems.length ?? 0) > 0);
    expect(lastSnapshot()!.problems[0]).toMatchObject({
      resource: 'redis.io/RedisCluster',
      kind: 'forbidden',
    });

    // Every message verified, in increasing sequence, and none can be replayed.
    const seqs = received.map((s) => s.sequence);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const replay = await verifySnapshot(messages[0]!.body, messages[0]!.headers, SECRET, NOW, seen);
    expect(replay).toEqual({ ok: false, reason: 'replayed message' });
  });
});
