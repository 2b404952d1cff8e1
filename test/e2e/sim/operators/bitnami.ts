// The Bitnami Redis chart, simulated: there is no operator, the chart
// renders StatefulSets `<release>-master` and `<release>-replicas` (the
// chart's architecture: replication) whose image is
// `<image.registry>/<image.repository>:<image.tag>` (the chart's values.yaml
// defaults docker.io / bitnami/redis), labelled `helm.sh/chart: redis-<chart
// version>`; Kubernetes' StatefulSet controller then rolls the pods in
// reverse ordinal order (workloads.ts). `renderBitnamiRedis` is what a
// simulated applier calls for an Argo CD Application or Flux HelmRelease of
// chart `redis`; `bitnamiRedis()` is the StatefulSet controller.
import type { KubeObject } from '../../../../lib/cluster-state.ts';
import { pathOf, RolloutSimulator } from '../rollout.ts';
import { rollingUpdate, templateFingerprint, type WorkloadTiming } from '../workloads.ts';

export interface BitnamiRelease {
  release: string;
  namespace: string;
  chartVersion: string;
  values: Record<string, unknown>;
  /** The chart's default image tag (its appVersion build), used when values set none. */
  defaultTag?: string;
}

/** The StatefulSets the chart renders for these values (spec only: the controller owns status). */
export function renderBitnamiRedis(r: BitnamiRelease): KubeObject[] {
  const v = r.values;
  const registry = (pathOf(v, 'image.registry') as string | undefined) ?? 'docker.io';
  const repository = (pathOf(v, 'image.repository') as string | undefined) ?? 'bitnami/redis';
  const tag = (pathOf(v, 'image.tag') as string | undefined) ?? r.defaultTag;
  if (!tag) throw new Error(`${r.namespace}/${r.release}: no image.tag in the values and no chart default`);
  const image = `${registry}/${repository}:${tag}`;
  const architecture = (pathOf(v, 'architecture') as string | undefined) ?? 'replication';
  const sts = (component: 'master' | 'replicas', replicas: number): KubeObject =>
    ({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: {
        name: `${r.release}-${component}`,
        namespace: r.namespace,
        labels: {
          'app.kubernetes.io/name': 'redis',
          'app.kubernetes.io/instance': r.release,
          'app.kubernetes.io/component': component === 'master' ? 'master' : 'replica',
          'app.kubernetes.io/version': tag.split('-')[0],
          'helm.sh/chart': `redis-${r.chartVersion}`,
        },
      },
      spec: {
        replicas,
        selector: {
          matchLabels: {
            'app.kubernetes.io/name': 'redis',
            'app.kubernetes.io/instance': r.release,
            'app.kubernetes.io/component': component === 'master' ? 'master' : 'replica',
          },
        },
        updateStrategy: { type: 'RollingUpdate' },
        template: {
          metadata: { labels: { 'helm.sh/chart': `redis-${r.chartVersion}` } },
          spec: { containers: [{ name: 'redis', image }] },
        },
      },
    }) as KubeObject;
  const out = [sts('master', 1)];
  if (architecture === 'replication')
    out.push(sts('replicas', (pathOf(v, 'replica.replicaCount') as number | undefined) ?? 3));
  return out;
}

/** The StatefulSet controller for the chart's StatefulSets (`fail`: the pod at that roll position crash-loops). */
export function bitnamiRedis(
  opts: { timing?: WorkloadTiming; fail?: { at: number; reason: string } } = {},
): RolloutSimulator {
  const ours = (o: KubeObject) => o.metadata?.labels?.['helm.sh/chart']?.startsWith('redis-') === true;
  return new RolloutSimulator('bitnami-redis', [
    {
      group: 'apps',
      kind: 'StatefulSet',
      fingerprint: (o) => (ours(o) ? templateFingerprint(o) : 'other'),
      phases: (o) => (ours(o) ? rollingUpdate(o, opts) : []),
    },
  ]);
}
