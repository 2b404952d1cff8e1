// The planner's working record of one target while the passes run: its
// scheme, settings, verdicts, the hops chosen so far and why the path stops
// short. Every pass (generic or a product's) reads and rewrites these.
import type { ClusterFacts, PendingRequest, Target } from '../model.ts';
import type { ResolvedSettings } from '../policy/schema.ts';
import type { ParsedVersion, VersionScheme } from '../versioning/types.ts';
import type { Verdict } from './candidates.ts';
import { stepTarget } from './ids.ts';
import type { Hop, PathBlock } from './paths.ts';
import type { ProductRules } from './products/types.ts';
import type { Blocked, PlanInput } from './types.ts';

export interface Work {
  target: Target;
  /** The product whose rules apply to this target, if any (lib/planner/products). */
  product?: ProductRules;
  scheme: VersionScheme;
  settings: ResolvedSettings;
  current: ParsedVersion;
  verdicts: readonly Verdict[];
  /** Release dates by version, as the feed or catalog gives them. */
  published: ReadonlyMap<string, string | undefined>;
  /** Eligible releases that also pass the Kubernetes support check: what paths may use. */
  usable: Verdict[];
  hops: Hop[];
  /** Why the path stops short of the newest release; several reasons may hold at once. */
  blocks: PathBlock[];
  latest?: string;
  note?: string;
  /** With more than one hop: why the goal is not reached in one (set by the path strategy or a coupling). */
  direct?: string;
  /**
   * Another target of the same release that pins the data plane this one would ship (a chart's
   * `image.tag` override, set by a product's coupling): this target's hops then do not move it.
   */
  pinnedBy?: Target;
  /**
   * KubeDB: an ops request in the repository that the cluster reports finished (`Successful`,
   * the database `Ready` on its version). The first step records it in Git (spec.version, the
   * request removed); the hops go on from its version.
   */
  recorded?: { version: string; request: PendingRequest };
}

/** What is known about a cluster: its reported state, with the policy's declared Kubernetes version as fallback. */
export function clusterFacts(input: PlanInput, cluster: string | undefined): ClusterFacts | undefined {
  if (!cluster) return undefined;
  // Once per cluster and run (every pass asks, per hop of every target): the same object each time.
  let byCluster = factsMemo.get(input);
  if (!byCluster) factsMemo.set(input, (byCluster = new Map()));
  let facts = byCluster.get(cluster);
  if (!facts) byCluster.set(cluster, (facts = Object.freeze(makeFacts(input, cluster))));
  return facts;
}

const factsMemo = new WeakMap<PlanInput, Map<string, ClusterFacts>>();

function makeFacts(input: PlanInput, cluster: string): ClusterFacts {
  const reported = input.clusters[cluster];
  const declared = input.policy.clusters.find((c) => c.name === cluster);
  const kubernetesVersion = reported?.kubernetesVersion ?? declared?.kubernetes;
  return { name: cluster, ...reported, ...(kubernetesVersion ? { kubernetesVersion } : {}) };
}

/** Works grouped by cluster (targets with no cluster form one group), in work order. */
export function byCluster(works: readonly Work[]): Map<string, Work[]> {
  const out = new Map<string, Work[]>();
  for (const w of works) {
    const key = w.target.cluster ?? '';
    const list = out.get(key);
    if (list) list.push(w);
    else out.set(key, [w]);
  }
  return out;
}

export function describeBlocked(w: Work, b: PathBlock): Blocked {
  const t = w.target;
  return {
    target: stepTarget(t),
    component: t.component,
    ...(t.cluster ? { cluster: t.cluster } : {}),
    ...(t.environment ? { environment: t.environment } : {}),
    ...(t.sharedBy && t.sharedBy.length > 1 ? { clusters: t.sharedBy.map((c) => c.cluster) } : {}),
    current: t.current,
    wanted: b.wanted,
    reason: b.reason,
    unblock: b.unblock,
    ...(b.rule ? { rule: b.rule } : {}),
  };
}
