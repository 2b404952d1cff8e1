// The least-privilege ClusterRole the readers and the agent need, derived
// from the one resources table: get / list / watch on every resource cairn
// reads, and one write, `patch` on howl-cloud RedisClusters (the one-shot
// approval annotation). Nothing else: no secrets, no create, no delete.
import type { KubeObject } from '../cluster-state.ts';
import { RESOURCES } from './resources.ts';

export function agentClusterRole(name = 'cairn-agent'): KubeObject & { rules: unknown[] } {
  const byGroup = new Map<string, string[]>();
  for (const r of RESOURCES) byGroup.set(r.group, [...(byGroup.get(r.group) ?? []), r.plural]);
  const rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] = [...byGroup]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([group, plurals]) => ({
      apiGroups: [group],
      resources: [...new Set(plurals)].sort(),
      verbs: ['get', 'list', 'watch'],
    }));
  rules.push({ apiGroups: ['redis.io'], resources: ['redisclusters'], verbs: ['patch'] });
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules };
}
