// What the planner takes and gives. The plan is plain data: the CLI renders
// it, the PR engine records a step of it in each PR body, the gate checks it.
import type { Catalog } from '../catalog/schema.ts';
import type { ClusterFacts, ComponentId, ComponentRole, Inventory, Release } from '../model.ts';
import type { Policy } from '../policy/schema.ts';

export interface PlanInput {
  inventory: Inventory;
  /** Released versions per component (a feed snapshot, or the catalog's release lists). */
  releases: Record<ComponentId, Release[]>;
  /** What each cluster reports (Kubernetes version, running operators), by cluster name. */
  clusters: Record<string, ClusterFacts>;
  policy: Policy;
  catalog: Catalog;
  now: Date;
}

/** A rule that allowed (or blocked) something, with the citation a reviewer can check. */
export interface RuleRef {
  id: string;
  text: string;
  source: string;
}

export interface StepTarget {
  id: string;
  file: string;
  line: number;
  kind: string;
  /** `Kind/namespace/name` of the manifest, or the file's base name for plain values files. */
  name: string;
  field: string;
}

export interface PreStep {
  kind: 'backup' | 'crds' | 'approve-primary';
  description: string;
  rule: string;
}

/** What the status function must observe before the step counts as done. */
export interface GateSpec {
  /** The GitOps tool reports a revision that contains the step's merge commit. */
  applied: true;
  /** Health conditions read from the cluster, e.g. `RedisCluster status.phase == Healthy`. */
  health: string[];
  /** The version every instance must report. */
  version: string;
  /** Time the version must run healthy before dependants proceed (environment soak). */
  soak?: string;
}

export interface Step {
  /** Stable across runs for the same target and hop: the PR engine finds a step's PR by it. */
  id: string;
  target: StepTarget;
  component: ComponentId;
  role: ComponentRole;
  cluster?: string;
  environment?: string;
  from: string;
  to: string;
  /** Ids of steps that must be proven before this one opens. */
  after: string[];
  rules: RuleRef[];
  risks: string[];
  preSteps: PreStep[];
  /** True when rolling back needs a restore from backup (the data format moved forward). */
  oneWay: boolean;
  change: 'in-place' | 'ops-request';
  gate: GateSpec;
}

export interface Blocked {
  target: StepTarget;
  component: ComponentId;
  cluster?: string;
  environment?: string;
  current: string;
  /** The version cairn would go to if it could. */
  wanted: string;
  reason: string;
  /** What a person can do to unblock it. */
  unblock: string;
  rule?: RuleRef;
}

export type TargetStatus = 'up-to-date' | 'planned' | 'blocked' | 'unplannable' | 'unknown-component';

export interface TargetSummary {
  target: StepTarget;
  component: ComponentId;
  cluster?: string;
  environment?: string;
  current: string;
  /** First hop's version, when a step is planned. */
  next?: string;
  /** Last version of the planned path (what the plan reaches). */
  goal?: string;
  /** Newest release known, eligible or not. */
  latest?: string;
  status: TargetStatus;
  /** Minor lines behind the newest release, when more than policy allows. */
  stale?: { minorsBehind: number; allowed: number };
  note?: string;
}

export interface Plan {
  /** The instant the plan was computed for (the `now` passed in). */
  at: string;
  targets: TargetSummary[];
  steps: Step[];
  blocked: Blocked[];
}
