// A Kubernetes upgrade, simulated: the control plane first (`/version`, when
// the server serves it), then each node drained and back on the new kubelet,
// one at a time (status.nodeInfo.kubeletVersion, which cairn reads the
// cluster's minor from: lib/cluster-state.ts takes the oldest node).
import type { KubeObject } from '../../../lib/cluster-state.ts';
import {
  type Phase,
  RolloutSimulator,
  type SimCluster,
  type SimEvent,
  type Simulator,
  statusOf,
} from './rollout.ts';

export class KubernetesUpgrade implements Simulator {
  readonly name = 'kubernetes-upgrade';
  private flight: { startedAt: number; phases: Phase[]; next: number } | undefined;
  readonly events: SimEvent[] = [];

  /**
   * Start upgrading every node to `kubeletVersion` (e.g. `v1.31.4-eks-1`), one
   * node each `nodeMs`; `controlPlane` is called first (e.g. to change the
   * test server's `/version`).
   */
  start(
    cluster: SimCluster,
    kubeletVersion: string,
    now: number,
    opts: { nodeMs?: number; controlPlane?: (v: string) => void } = {},
  ): void {
    const nodeMs = opts.nodeMs ?? 300_000;
    const nodes = cluster.list('', 'Node').map((n) => n.metadata?.name ?? '');
    opts.controlPlane?.(kubeletVersion);
    this.flight = {
      startedAt: now,
      next: 0,
      phases: nodes.map((name, i) => ({
        afterMs: (i + 1) * nodeMs,
        label: `node ${name} kubelet ${kubeletVersion}`,
        apply: (n: KubeObject) => {
          const s = statusOf(n);
          s.nodeInfo = { ...(s.nodeInfo as object), kubeletVersion, kubeProxyVersion: kubeletVersion };
        },
      })),
    };
  }

  tick(cluster: SimCluster, now: number): SimEvent[] {
    const out: SimEvent[] = [];
    const f = this.flight;
    if (!f) return out;
    while (f.next < f.phases.length && f.startedAt + f.phases[f.next]!.afterMs <= now) {
      const p = f.phases[f.next++]!;
      const name = /^node (\S+)/.exec(p.label)![1]!;
      const n = cluster.get('', 'Node', undefined, name);
      if (!n) continue;
      p.apply(n, cluster);
      cluster.apply(n);
      const ev = {
        at: f.startedAt + p.afterMs,
        object: `Node ${name}`,
        change: p.label.replace(/^node \S+ /, ''),
      };
      out.push(ev);
      this.events.push(ev);
    }
    if (f.next >= f.phases.length) this.flight = undefined;
    return out;
  }

  nextAt(): number | undefined {
    const f = this.flight;
    const p = f?.phases[f.next];
    return f && p ? f.startedAt + p.afterMs : undefined;
  }
}

export type { RolloutSimulator };
