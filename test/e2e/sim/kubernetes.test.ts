// The simulated Kubernetes upgrade moves every node's kubelet, one node at a
// time, and cairn reads the cluster's minor from the oldest node: the new
// minor shows only once the last node is upgraded.
import { describe, expect, it } from 'vitest';
import { clusterFactsFrom, type KubeObject } from '../../../lib/cluster-state.ts';
import { KubernetesUpgrade } from './kubernetes.ts';
import { MemoryCluster } from './memory-cluster.ts';
import { runUntilIdle } from './rollout.ts';

const T0 = Date.parse('2026-12-01T09:00:00Z');
const node = (name: string): KubeObject =>
  ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    status: { nodeInfo: { kubeletVersion: 'v1.30.14-eks-b707fbb' } },
  }) as KubeObject;

describe('a simulated Kubernetes upgrade', () => {
  it('upgrades the nodes one by one; the cluster is on the new minor after the last', () => {
    const c = new MemoryCluster([node('a'), node('b')]);
    const k8s = new KubernetesUpgrade();
    const versions: string[] = [];
    k8s.start(c, 'v1.31.7-eks-1', T0, { nodeMs: 300_000, controlPlane: (v) => versions.push(v) });
    expect(versions).toEqual(['v1.31.7-eks-1']);
    const facts = () => clusterFactsFrom(c.list('', 'Node'), 'dev').facts.kubernetesVersion;
    runUntilIdle([k8s], c, T0, T0 + 300_000);
    expect(facts()).toBe('1.30');
    runUntilIdle([k8s], c, T0 + 300_000);
    expect(k8s.events.map((e) => `${e.at - T0} ${e.object} ${e.change}`)).toEqual([
      '300000 Node a kubelet v1.31.7-eks-1',
      '600000 Node b kubelet v1.31.7-eks-1',
    ]);
    expect(facts()).toBe('1.31');
  });
});
