// One gate decision for a merged step PR, with its I/O passed in: recover
// the step from the PR body, read the cluster, ask the Git provider about
// the applied revisions, keep the soak timer in the store, and return the
// verdict. What the caller does with it (commit status, next PR, dashboard,
// rollback PR) is the status function's job.
import { stepFromPullRequestBody } from '../render/pull-request.ts';
import type { Step } from '../planner/types.ts';
import type { Store } from '../store/index.ts';
import { ancestryFromCompare, type CompareStatus, comparisonsNeeded } from './ancestry.ts';
import { evaluateGate } from './gate.ts';
import type { ClusterReading, GatePolicy, GateResult } from './types.ts';

export interface DecideDeps {
  /** A direct reading for the step (lib/cluster readForStep, or the agent's latest snapshot). */
  read(step: Step): Promise<ClusterReading | undefined>;
  /** The compare API's status of base...head; undefined (or a throw) when it cannot be answered now. */
  compare(base: string, head: string): Promise<CompareStatus | undefined>;
  store: Store;
  now: () => Date;
}

export interface DecideInput {
  pullRequestBody: string;
  mergeCommit: string;
  mergedAt: Date;
  policy: GatePolicy;
  approved?: boolean;
}

export type Decision = { step: Step; result: GateResult } | { step: undefined; reason: string };

/** The store key of a step's soak timer: per step and merge commit, so a re-merge starts over. */
export function soakTimerKey(stepId: string, mergeCommit: string): string {
  return `gate-timer:${stepId}:${mergeCommit}`;
}

export async function decideStep(deps: DecideDeps, input: DecideInput): Promise<Decision> {
  const step = stepFromPullRequestBody(input.pullRequestBody);
  if (!step) return { step: undefined, reason: 'the pull request has no valid cairn step block' };
  const reading = await deps.read(step);
  const statuses = new Map<string, CompareStatus | undefined>();
  if (reading) {
    for (const { base, head } of comparisonsNeeded(step.target.file, input.mergeCommit, reading.objects)) {
      let s: CompareStatus | undefined;
      try {
        s = await deps.compare(base, head);
      } catch {
        s = undefined; // unanswered: the gate stays closed on it
      }
      statuses.set(`${base}...${head}`, s);
    }
  }
  const key = soakTimerKey(step.id, input.mergeCommit);
  const stored = await deps.store.get(key);
  const since = stored ? new Date(stored) : undefined;
  // Once healthy, the step is past its timeout: a later wait (a stale reading, Flux
  // applying an unrelated commit) restarts the soak but never fails the step.
  const onceKey = `gate-healthy-once:${step.id}:${input.mergeCommit}`;
  const wasHealthy = (await deps.store.get(onceKey)) !== undefined;
  const result = evaluateGate({
    step,
    mergeCommit: input.mergeCommit,
    mergedAt: input.mergedAt,
    reading,
    policy: input.policy,
    now: deps.now(),
    isAncestor: ancestryFromCompare((b, h) => statuses.get(`${b}...${h}`)),
    ...(since && Number.isFinite(since.getTime()) ? { healthySince: since } : {}),
    ...(wasHealthy ? { wasHealthy: true } : {}),
    ...(input.approved ? { approved: true } : {}),
  });
  if (result.healthySince) {
    await deps.store.put(key, result.healthySince.toISOString());
    if (!wasHealthy) await deps.store.put(onceKey, result.healthySince.toISOString());
  } else await deps.store.delete(key);
  return { step, result };
}
