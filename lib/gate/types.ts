// The gate's inputs and its one uniform result.
import type { KubeObject } from '../cluster-state.ts';
import type { AncestryCheck, HealthResult } from '../health/types.ts';
import type { GateCondition, PreStep, Step } from '../planner/types.ts';

/** Why a resource could not be read. Every one keeps the gate closed. */
export type ReadProblemKind = 'forbidden' | 'unavailable' | 'not-found' | 'error';

export interface ReadProblem {
  /** What was being read, e.g. `redis.io/RedisCluster in redis`. */
  resource: string;
  kind: ReadProblemKind;
  message: string;
}

/** One reading of a cluster: what the readers (or the agent's signed snapshot) saw, and when. */
export interface ClusterReading {
  cluster?: string;
  /** When the objects were read: their age decides staleness, not when they arrived. */
  readAt: Date;
  objects: KubeObject[];
  problems: ReadProblem[];
}

export interface GatePolicy {
  /** How long everything must read healthy; defaults to the step's `gate.soak`, else 0. */
  soakMs?: number;
  /** From the merge: a step not proven by then fails. */
  timeoutMs: number;
  /** A reading older than this is stale (a silent agent means unknown health). */
  maxReadingAgeMs: number;
  /** A backup older than this does not count for a major's pre-step. */
  maxBackupAgeMs: number;
}

export const DEFAULT_GATE_POLICY: GatePolicy = {
  timeoutMs: 6 * 3600_000,
  maxReadingAgeMs: 5 * 60_000,
  maxBackupAgeMs: 24 * 3600_000,
};

export interface GateInput {
  /** The step, as recorded in its PR's step block. */
  step: Step;
  mergeCommit: string;
  mergedAt: Date;
  /** The newest reading of the step's cluster; undefined when none arrived. */
  reading: ClusterReading | undefined;
  policy: GatePolicy;
  now: Date;
  /** Kept by the caller (the store's gate timer): when every condition first read healthy. */
  healthySince?: Date;
  /** Kept by the caller: every condition read healthy once since the merge (the timeout no longer applies). */
  wasHealthy?: boolean;
  /** A person with write access approved the supervised primary update (`/cairn approve`). */
  approved?: boolean;
  /** Answers ancestry from the Git provider (compare API); see lib/health/types.ts. */
  isAncestor?: AncestryCheck;
}

export interface ConditionOutcome {
  /** The condition as recorded in the step, or the GitOps "applied" check. */
  condition: GateCondition | { evaluator: 'applied'; text: string };
  /** The object(s) read, as `Kind namespace/name`. */
  objects: string[];
  result: HealthResult;
}

export type RollbackAdvice =
  { kind: 'revert'; text: string } | { kind: 'restore-backup'; text: string; backup?: PreStep };

export interface ApprovalTarget {
  group: string;
  kind: string;
  namespace?: string;
  name: string;
  annotation: 'redis.io/approve-primary-update';
  value: 'true';
}

interface Common {
  /** Per condition: what was read and what it said (the evidence recorded with the verdict). */
  outcomes: ConditionOutcome[];
  /** Set-up problems worth telling people, that do not decide the verdict (e.g. a Kustomization without wait). */
  configProblems: string[];
  /** What the caller keeps as the gate timer for the next run; undefined clears it. */
  healthySince?: Date;
}

export type GateResult =
  | ({ verdict: 'pass'; reasons: string[] } & Common)
  | ({
      verdict: 'wait';
      reason: string;
      retryAfterMs: number;
      reasons: string[];
      /** Approved and still `WaitingForUser`: the annotation the cluster agent is to set. */
      approve?: ApprovalTarget;
    } & Common)
  | ({ verdict: 'fail'; reasons: string[]; rollback: RollbackAdvice } & Common)
  | ({ verdict: 'needs-approval'; reason: string; approve: ApprovalTarget; reasons: string[] } & Common);

export type { KubeObject, Step };
