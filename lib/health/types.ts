// The shapes every health evaluator shares. An evaluator reads plain
// Kubernetes objects (as the API or `kubectl get -o yaml` gives them) and
// returns one of four verdicts with the reasons a person can check.
import type { KubeObject } from '../cluster-state.ts';

export type HealthStatus = 'healthy' | 'progressing' | 'degraded' | 'unknown';

export interface HealthResult {
  status: HealthStatus;
  /** Why, in sentences that name the object and the field read. */
  reasons: string[];
  /** howl-cloud supervised primary update: healthy only after a person approves. */
  needsApproval?: boolean;
  /** The object is set up so that its status cannot prove workload health (e.g. a Kustomization without `wait`). */
  configProblem?: boolean;
}

/**
 * Answers "is `ancestor` an ancestor of (or equal to) `descendant`?" from the
 * Git provider (the compare API). `undefined` means the answer is not known
 * yet, which keeps the gate closed.
 */
export type AncestryCheck = (ancestor: string, descendant: string) => boolean | undefined;

export interface HealthContext {
  /** The instant the objects were read (their reading time, not the wall clock). */
  readAt: Date;
  /** The step's merge commit, for GitOps evaluators. */
  mergeCommit?: string;
  isAncestor?: AncestryCheck;
}

export type HealthParams = Record<string, string | number | boolean>;

export interface EvaluatorInput {
  /** The object the condition names; undefined when it was not found. */
  object: KubeObject | undefined;
  /** Other objects read alongside (Pods, StatefulSets, Deployments), for image and readiness checks. */
  related: readonly KubeObject[];
  params: HealthParams;
  context: HealthContext;
}

export interface Evaluator {
  id: string;
  /** The object kind it reads, with its API group. */
  kind: string;
  group: string;
  /** The sentence people read in the PR for this condition. */
  describe(params: HealthParams): string;
  evaluate(input: EvaluatorInput): HealthResult;
}

export type { KubeObject };
