// Plain Kubernetes workloads: Pods, StatefulSets and operator Deployments
// (images, restarts, readiness), shared by the operator evaluators.
import type { KubeObject } from '../cluster-state.ts';
import { identifyImage } from '../targets/identify.ts';
import {
  at,
  condition,
  degraded,
  describeObject,
  healthy,
  isRecord,
  num,
  onImage,
  progressing,
  unknown,
  worst,
} from './read.ts';
import type { Evaluator, HealthResult } from './types.ts';

function containers(o: KubeObject, path: string): { name?: string; image?: string }[] {
  const list = at(o, path);
  return Array.isArray(list) ? list.filter(isRecord) : [];
}

/** Container waiting reasons that do not heal by waiting: the rollout is stuck. */
const STUCK = [
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CreateContainerConfigError',
];

/** Pods whose labels include every label given. */
export function podsLabelled(related: readonly KubeObject[], labels: Record<string, string>): KubeObject[] {
  return related.filter(
    (o) => o.kind === 'Pod' && Object.entries(labels).every(([k, v]) => o.metadata?.labels?.[k] === v),
  );
}

/** Every pod Ready, and (when `image` is given) every container of the named kind running it. */
export function checkPods(
  pods: readonly KubeObject[],
  image: string | undefined,
  what: string,
): HealthResult {
  if (!pods.length) return unknown(`no Pod of ${what} was read`);
  const results = pods.map((p): HealthResult => {
    const name = describeObject(p);
    if (p.metadata && 'deletionTimestamp' in p.metadata) return progressing(`${name} is terminating`);
    if (image) {
      const running = containers(p, 'status.containerStatuses');
      const specified = containers(p, 'spec.containers');
      const images = (running.length ? running : specified).map((c) => c.image);
      if (!images.some((i) => onImage(i, image)))
        return progressing(`${name} runs ${images.join(', ') || 'no image'}, not ${image}`);
    }
    const stuck = containers(p, 'status.containerStatuses')
      .map((c) => at(c, 'state.waiting.reason'))
      .find((r): r is string => typeof r === 'string' && STUCK.includes(r));
    if (stuck) return degraded(`${name}: a container is in ${stuck}`);
    const ready = condition(p, 'Ready');
    if (ready?.status !== 'True') return progressing(`${name} is not Ready`);
    return healthy();
  });
  const r = worst(results);
  if (r.status === 'healthy')
    return healthy(`all ${pods.length} Pod(s) of ${what} are Ready${image ? ` on ${image}` : ''}`);
  return r;
}

/** A StatefulSet or Deployment has rolled out its current spec to every replica. */
export function checkRollout(o: KubeObject): HealthResult {
  const name = describeObject(o);
  const generation = at(o, 'metadata.generation');
  const observed = num(o, 'status.observedGeneration');
  if (typeof generation === 'number' && observed !== undefined && observed < generation)
    return progressing(
      `${name}: the controller has not seen generation ${generation} yet (observed ${observed})`,
    );
  const want = num(o, 'spec.replicas') ?? 1;
  const ready = num(o, 'status.readyReplicas') ?? 0;
  const updated = num(o, 'status.updatedReplicas') ?? 0;
  if (o.kind === 'StatefulSet') {
    const cur = at(o, 'status.currentRevision');
    const upd = at(o, 'status.updateRevision');
    if (typeof upd === 'string' && cur !== upd)
      return progressing(`${name}: rolling update to ${upd} in progress`);
  }
  if (updated < want) return progressing(`${name}: ${updated}/${want} replicas updated`);
  if (ready < want) return progressing(`${name}: ${ready}/${want} replicas ready`);
  return healthy(`${name}: ${ready}/${want} replicas ready and updated`);
}

export const statefulSetRollout: Evaluator = {
  id: 'statefulset-rollout',
  kind: 'StatefulSet',
  group: 'apps',
  describe: (p) =>
    `the StatefulSet has rolled out${p.image ? ` ${String(p.image)}` : ''} and every pod is Ready`,
  evaluate({ object, related, params }) {
    if (!object) return unknown('the StatefulSet was not found');
    const image = typeof params.image === 'string' ? params.image : undefined;
    const specImages = containers(object, 'spec.template.spec.containers').map((c) => c.image);
    if (image && !specImages.some((i) => onImage(i, image)))
      return progressing(
        `${describeObject(object)} does not yet specify ${image} (has ${specImages.join(', ')})`,
      );
    const selector = at(object, 'spec.selector.matchLabels');
    const labels = isRecord(selector)
      ? Object.fromEntries(
          Object.entries(selector).filter((e): e is [string, string] => typeof e[1] === 'string'),
        )
      : {};
    const pods = Object.keys(labels).length
      ? podsLabelled(related, labels).filter((p) => p.metadata?.namespace === object.metadata?.namespace)
      : [];
    return worst([checkRollout(object), checkPods(pods, image, describeObject(object))]);
  },
};

/**
 * The operator's Deployment(s): those whose container image the scanner's
 * image table identifies as `component`, rolled out on tag `version`.
 */
export const operatorRollout: Evaluator = {
  id: 'operator-rollout',
  kind: 'Deployment',
  group: 'apps',
  describe: (p) => `the ${String(p.component)} Deployment has rolled out ${String(p.version)}`,
  evaluate({ related, params }) {
    const component = String(params.component ?? '');
    const version = String(params.version ?? '');
    const deployments = related.filter(
      (o) =>
        o.kind === 'Deployment' &&
        containers(o, 'spec.template.spec.containers').some(
          (c) => c.image && identifyImage(c.image)?.component === component,
        ),
    );
    if (!deployments.length) return unknown(`no Deployment runs a ${component} image`);
    return worst(
      deployments.map((d) => {
        const images = containers(d, 'spec.template.spec.containers')
          .map((c) => c.image)
          .filter((i): i is string => !!i && identifyImage(i)?.component === component);
        // Charts and images disagree on the `v` prefix (howl-cloud publishes both `0.2.5` and `v0.2.5`).
        const bare = version.replace(/^v/, '');
        const onTarget = images.every((i) => onImage(i, bare) || onImage(i, `v${bare}`));
        if (!onTarget) return progressing(`${describeObject(d)} runs ${images.join(', ')}, not ${version}`);
        return checkRollout(d);
      }),
    );
  },
};
