import { systemClock } from '../../../lib/node/clock.ts';
import { describe, expect, it } from 'vitest';
import {
  agentClusterRole,
  ensurePrimaryUpdateApproved,
  readForStep,
  readSnapshot,
  RESOURCES,
} from '../../../lib/cluster/index.ts';
import { kubeTransport, loadKubeConfig } from '../../../lib/node/kube-client.ts';
import { memoryStore } from '../../../lib/store/index.ts';
import { howlStep, pods, redisCluster } from '../../support/gate-world.ts';
import { startKubeServer } from '../../support/kube-server/index.ts';

describe('the agent ClusterRole', () => {
  const role = agentClusterRole();
  const rules = role.rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[];

  it('can read every resource the readers read', () => {
    for (const r of RESOURCES)
      expect(
        rules.some(
          (x) => x.apiGroups.includes(r.group) && x.resources.includes(r.plural) && x.verbs.includes('watch'),
        ),
      ).toBe(true);
  });

  it('writes nothing but a patch of howl-cloud RedisClusters, and never reads secrets', () => {
    const writes = rules.filter((x) => x.verbs.some((v) => !['get', 'list', 'watch'].includes(v)));
    expect(writes).toEqual([{ apiGroups: ['redis.io'], resources: ['redisclusters'], verbs: ['patch'] }]);
    expect(rules.flatMap((x) => x.resources)).not.toContain('secrets');
  });
});

describe('the agent ClusterRole, enforced by the test API server', () => {
  it('is enough for a gate reading and the approval, and nothing more is needed', async () => {
    const server = await startKubeServer([redisCluster('WaitingForUser'), ...pods('redis:7.4.1')]);
    try {
      server.enforceRole(agentClusterRole().rules as never);
      const kube = kubeTransport(loadKubeConfig({ kubeconfigText: server.kubeconfig() }));
      const now = () => new Date('2026-12-01T09:00:00Z');
      expect((await readForStep(kube, howlStep(), now)).problems).toEqual([]);
      expect((await readSnapshot(kube, now)).problems).toEqual([]);
      const approve = { group: 'redis.io', kind: 'RedisCluster', namespace: 'redis', name: 'cache' } as const;
      const target = { ...approve, annotation: 'redis.io/approve-primary-update', value: 'true' } as const;
      expect(await ensurePrimaryUpdateApproved(kube, memoryStore(systemClock), target, 'a')).toBe('patched');
      // Without the one write rule, the approval is refused by RBAC.
      server.enforceRole(
        (agentClusterRole().rules as { verbs: string[] }[]).filter(
          (x) => !x.verbs.includes('patch'),
        ) as never,
      );
      server.update('redis.io', 'RedisCluster', 'redis', 'cache', (o) => {
        delete o.metadata!.annotations;
      });
      await expect(
        ensurePrimaryUpdateApproved(kube, memoryStore(systemClock), target, 'b'),
      ).rejects.toMatchObject({
        code: 403,
      });
    } finally {
      await server.stop();
    }
  });
});
