// An approval travels from `/cairn approve` to the live RedisCluster: the service (the
// Hono app over the GitHub test server) records it, the gate asks for the annotation,
// the answer to the agent's next signed message carries it, signed, and the agent (the
// real loop over client-node and the Kubernetes test server) patches it exactly once,
// even when it re-sends snapshots or restarts. Forged, replayed or foreign approvals
// are never applied.
import { afterEach, expect, it } from 'vitest';
import { APPROVAL_ANNOTATION, APPROVAL_ID_ANNOTATION, type Reply, signReply } from '../../lib/agent/index.ts';
import { readDeliveries } from '../../functions/approvals.ts';
import { directCluster } from '../../functions/node.ts';
import { evaluateGates } from '../../functions/use-cases.ts';
import { describeWithFixtures } from '../support/fixtures.ts';
import { AGENT_SECRET } from './helpers.ts';
import { world } from './cluster-world.ts';

const servers: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

describeWithFixtures('approvals delivered to the cluster agent', () => {
  it('WaitingForUser → /cairn approve → the agent patches the annotation once (re-sent snapshots, a restart) → Healthy → pass', async () => {
    const w = await world(servers);
    const first = w.agent();
    await first.pushSnapshot();
    expect(w.gate()).toMatchObject({ state: 'pending' });
    expect(w.gate()?.description).toContain('/cairn approve');

    expect((await w.approve('alice', 7001)).status).toBe(200);
    expect(w.gate()?.description).toContain('approved; waiting for the operator');
    const [queued] = Object.values(await readDeliveries(w.svc.cairn.services(w.svc.env), 'dev'));
    expect(queued).toMatchObject({
      state: 'pending',
      by: 'alice',
      target: { namespace: 'sessions', name: 'sessions' },
    });

    // The next heartbeat's answer carries the approval: the agent patches it.
    await first.pushHeartbeat();
    expect(first.approvals).toEqual([{ id: queued!.id, outcome: 'patched' }]);
    expect(w.annotations()).toEqual({ [APPROVAL_ANNOTATION]: 'true', [APPROVAL_ID_ANNOTATION]: queued!.id });
    // Never in Git: no commit on the GitOps repository carries the annotation.
    expect(JSON.stringify([...w.github.pulls.values()].map((p) => p.body))).not.toContain(
      APPROVAL_ID_ANNOTATION,
    );

    // The agent restarts before its acknowledgement got through: the service sends the
    // approval again, and the new agent (no memory) sees on the CR that it was used.
    w.svc.clock.advance(1_000);
    const second = w.agent();
    await second.pushSnapshot();
    expect(second.approvals).toEqual([{ id: queued!.id, outcome: 'already-used' }]);
    await second.pushHeartbeat(); // carries the acknowledgement
    expect((await readDeliveries(w.svc.cairn.services(w.svc.env), 'dev'))[queued!.id]?.state).toBe(
      'already-used',
    );
    // Snapshots and heartbeats go on: nothing is delivered or patched again.
    await second.pushSnapshot();
    await second.pushHeartbeat();
    expect(second.approvals).toHaveLength(1);
    expect(w.patches()).toHaveLength(1);

    // The operator consumes the annotation and updates the primary.
    w.kube.update('redis.io', 'RedisCluster', 'sessions', 'sessions', (o) => {
      delete o.metadata!.annotations![APPROVAL_ANNOTATION];
      o.status!.phase = 'Updating';
    });
    await second.pushSnapshot();
    expect(w.gate()).toMatchObject({ state: 'pending' });
    w.kube.update('redis.io', 'RedisCluster', 'sessions', 'sessions', (o) => {
      o.status!.phase = 'Healthy';
    });
    w.svc.clock.advance(60_000);
    await second.pushSnapshot();
    expect(w.gate()).toMatchObject({ state: 'success', description: 'applied, healthy and soaked' });
    expect(w.patches()).toHaveLength(1);
  });

  it('a forged, unsigned or replayed approval list is ignored; an approval for a CR the agent does not manage is refused', async () => {
    const w = await world(servers);
    const target = {
      group: 'redis.io',
      kind: 'RedisCluster',
      namespace: 'sessions',
      name: 'sessions',
      annotation: APPROVAL_ANNOTATION,
      value: 'true',
    } as const;
    const reply = (inReplyTo: number, over: Partial<Reply> = {}): Reply => ({
      version: 1,
      kind: 'approvals',
      cluster: 'dev',
      agent: 'agent-0',
      inReplyTo,
      approvals: [{ id: 'forged-1', cluster: 'dev', step: 'x', by: 'mallory', target }],
      ...over,
    });
    const now = () => new Date(w.svc.clock.now());
    const answers: ((sequence: number) => Promise<unknown>)[] = [
      // unsigned: the list in the clear
      async (n) => ({
        outcome: 'done',
        approvals: reply(n).approvals,
        reply: { body: JSON.stringify(reply(n)) },
      }),
      // signed with another secret
      async (n) => ({ reply: await signReply(reply(n), 'not-the-agent-secret-000000', now()) }),
      // a genuine reply to an earlier message, replayed
      async (n) => ({ reply: await signReply(reply(n - 1), AGENT_SECRET, now()) }),
      // for another agent's cluster
      async (n) => ({ reply: await signReply(reply(n, { cluster: 'prod' }), AGENT_SECRET, now()) }),
      // the body changed after signing
      async (n) => {
        const r = await signReply(reply(n, { approvals: [] }), AGENT_SECRET, now());
        return { reply: { ...r, body: JSON.stringify(reply(n)) } };
      },
    ];
    let answer = answers[0]!;
    const agent = w.agent({
      push: async (m) => answer((JSON.parse(m.body) as { sequence: number }).sequence),
    });
    for (const a of answers) {
      answer = a;
      await agent.pushHeartbeat();
    }
    expect(agent.approvals).toEqual([]);
    expect(w.patches()).toHaveLength(0);
    expect(w.warnings.filter((x) => x.includes('does not verify'))).toHaveLength(answers.length);

    // Genuinely signed, but for a CR this agent does not manage: refused, and said so in the next message.
    const sent: string[] = [];
    answer = async (n) => ({
      reply: await signReply(
        reply(n, {
          approvals: [
            { id: 'other-cluster', cluster: 'prod', step: 'x', by: 'alice', target },
            { id: 'other-namespace', cluster: 'dev', step: 'x', by: 'alice', target },
          ],
        }),
        AGENT_SECRET,
        now(),
      ),
    });
    const scoped = w.agent({
      approveNamespaces: ['cache'],
      push: async (m) => {
        sent.push(m.body);
        return answer((JSON.parse(m.body) as { sequence: number }).sequence);
      },
    });
    await scoped.pushHeartbeat();
    expect(scoped.approvals.map((a) => [a.id, a.outcome])).toEqual([
      ['other-cluster', 'refused'],
      ['other-namespace', 'refused'],
    ]);
    expect(scoped.approvals[1]?.message).toContain('outside the namespaces this agent approves in (cache)');
    answer = async () => ({});
    await scoped.pushHeartbeat();
    expect(JSON.parse(sent.at(-1)!).acks.map((a: { outcome: string }) => a.outcome)).toEqual([
      'refused',
      'refused',
    ]);
    expect(w.patches()).toHaveLength(0);
    expect(w.annotations()).toBeUndefined();
  });

  it('an approval refused by the agent is shown on the gate status, and is not re-sent', async () => {
    const w = await world(servers);
    const scoped = w.agent({ approveNamespaces: ['cache'] });
    await scoped.pushSnapshot();
    await w.approve('alice', 7002);
    await scoped.pushHeartbeat(); // delivered, refused
    await scoped.pushHeartbeat(); // the refusal acknowledged
    expect(scoped.approvals.map((a) => a.outcome)).toEqual(['refused']);
    await scoped.pushSnapshot(); // the gate re-reads
    expect(w.gate()?.description).toContain('the agent answered refused');
    expect(scoped.approvals).toHaveLength(1);
    expect(w.patches()).toHaveLength(0);
  });

  it('all-in-one (no agent): the service sets the annotation itself, once', async () => {
    const w = await world(servers);
    Object.assign(w.svc.runtime, directCluster(w.transport, w.svc.clock));
    const s = w.svc.cairn.services(w.svc.env);
    expect((await evaluateGates(s, s.repositories[0]!))[0]).toMatchObject({ verdict: 'needs-approval' });
    await w.approve('alice', 7003);
    expect(w.annotations()?.[APPROVAL_ANNOTATION]).toBe('true');
    expect(Object.values(await readDeliveries(s, 'dev')).map((d) => d.state)).toEqual(['patched']);
    for (let i = 0; i < 3; i++) await evaluateGates(s, s.repositories[0]!);
    expect(w.patches()).toHaveLength(1);
    w.kube.update('redis.io', 'RedisCluster', 'sessions', 'sessions', (o) => {
      delete o.metadata!.annotations![APPROVAL_ANNOTATION];
      o.status!.phase = 'Healthy';
    });
    await evaluateGates(s, s.repositories[0]!);
    expect(w.gate()).toMatchObject({ state: 'success' });
    expect(w.patches()).toHaveLength(1);
  });
});
