// Kubernetes' own controllers, simulated: a Deployment or StatefulSet whose
// pod template changes rolls its pods (a StatefulSet in reverse ordinal
// order, one at a time, as the RollingUpdate strategy does; seeds 001 and
// the StatefulSet docs), and reports observedGeneration, updatedReplicas,
// readyReplicas and the revisions as the workloads evaluator reads them.
import type { KubeObject } from '../../../lib/cluster-state.ts';
import { pathOf, type Phase, type SimCluster, stable, statusOf } from './rollout.ts';

export interface WorkloadTiming {
  /** ms from the spec change to the first pod replaced. */
  startMs: number;
  /** ms per pod. */
  podMs: number;
}

export const WORKLOAD_TIMING: WorkloadTiming = { startMs: 2_000, podMs: 30_000 };

export function templateImage(o: KubeObject): string | undefined {
  const c = pathOf(o, 'spec.template.spec.containers') as { image?: string }[] | undefined;
  return c?.[0]?.image;
}

function revisionOf(o: KubeObject): string {
  // Like the controller-revision hash: a function of the pod template.
  let h = 0;
  for (const ch of stable(pathOf(o, 'spec.template'))) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return `${o.metadata?.name}-${h.toString(16).padStart(8, '0').slice(0, 8)}`;
}

/** The pods a workload owns, named as the controllers name them (StatefulSet: `<name>-<ordinal>`). */
export function podName(o: KubeObject, ordinal: number): string {
  return `${o.metadata?.name}-${ordinal}`;
}

export function podFor(o: KubeObject, ordinal: number, image: string | undefined): KubeObject {
  const labels = (pathOf(o, 'spec.selector.matchLabels') as Record<string, string> | undefined) ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: podName(o, ordinal), namespace: o.metadata?.namespace, labels: { ...labels } },
    spec: { containers: [{ name: 'redis', image }] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [{ name: 'redis', image, ready: true, restartCount: 0 }],
    },
  } as KubeObject;
}

/**
 * The phases of a rolling update of `o` (its spec already changed). `fail`:
 * the pod at this position in the roll order never becomes ready
 * (CrashLoopBackOff), and the roll stops there.
 */
export function rollingUpdate(
  o: KubeObject,
  opts: { timing?: WorkloadTiming; fail?: { at: number; reason: string } } = {},
): Phase[] {
  const t = opts.timing ?? WORKLOAD_TIMING;
  const replicas = (pathOf(o, 'spec.replicas') as number | undefined) ?? 1;
  const image = templateImage(o);
  const sts = o.kind === 'StatefulSet';
  const update = revisionOf(o);
  const phases: Phase[] = [
    {
      afterMs: 0,
      label: `status.updatedReplicas 0/${replicas}`,
      apply: (x) => {
        const s = statusOf(x);
        s.observedGeneration = x.metadata?.generation ?? 1;
        s.replicas = replicas;
        s.updatedReplicas = 0;
        if (sts) s.updateRevision = update;
      },
    },
  ];
  const order = Array.from({ length: replicas }, (_, i) => (sts ? replicas - 1 - i : i));
  order.forEach((ordinal, i) => {
    const failing = opts.fail?.at === i;
    phases.push({
      afterMs: t.startMs + i * t.podMs,
      label: failing
        ? `pod ${podName(o, ordinal)} ${opts.fail!.reason}`
        : `pod ${podName(o, ordinal)} runs ${image ?? '(no image)'}`,
      apply: (x, cluster) => {
        const pod = podFor(x, ordinal, image);
        if (failing) {
          const st = pod.status as Record<string, unknown>;
          st.conditions = [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady' }];
          st.containerStatuses = [
            {
              name: 'redis',
              image,
              ready: false,
              restartCount: 4,
              state: { waiting: { reason: opts.fail!.reason } },
            },
          ];
        }
        cluster.apply(pod);
        const s = statusOf(x);
        s.updatedReplicas = i + 1;
        s.readyReplicas = replicas - (failing ? 1 : 0);
        s.availableReplicas = s.readyReplicas;
        if (failing) s.unavailableReplicas = 1;
      },
    });
  });
  if (opts.fail) return phases.slice(0, opts.fail.at + 2);
  phases.push({
    afterMs: t.startMs + replicas * t.podMs,
    label: `status.readyReplicas ${replicas}/${replicas}`,
    apply: (x) => {
      const s = statusOf(x);
      s.readyReplicas = replicas;
      s.availableReplicas = replicas;
      s.updatedReplicas = replicas;
      delete s.unavailableReplicas;
      if (sts) s.currentRevision = update;
      s.conditions = [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }];
    },
  });
  return phases;
}

/** A template fingerprint: only a pod-template change rolls pods. */
export function templateFingerprint(o: KubeObject): string {
  return stable(pathOf(o, 'spec.template'));
}

/** Pods of a workload, settled on its current image (the cluster before any step). */
export function settledPods(o: KubeObject): KubeObject[] {
  const replicas = (pathOf(o, 'spec.replicas') as number | undefined) ?? 1;
  return Array.from({ length: replicas }, (_, i) => podFor(o, i, templateImage(o)));
}

export type { SimCluster };
