// The gate: is a merged step applied, healthy on its target and soaked?
// Pure: the cluster reading, the clock and the gate timer come in; one
// verdict comes out. Anything unknown, stale or unreadable keeps it closed.
import { evaluateHealth } from '../health/index.ts';
import { describeObject, unknown } from '../health/read.ts';
import type { HealthResult } from '../health/types.ts';
import { parseDuration } from '../policy/duration.ts';
import type { Step } from '../planner/types.ts';
import { appliersOf, selectObjects } from './select.ts';
import type { ApprovalTarget, ConditionOutcome, GateInput, GateResult, RollbackAdvice } from './types.ts';

const RETRY_MS = 60_000;

function minutes(ms: number): string {
  if (ms >= 3600_000 && ms % 3600_000 === 0) return `${ms / 3600_000}h`;
  if (ms >= 60_000) return `${Math.round(ms / 60_000)}m`;
  return `${Math.max(0, Math.round(ms / 1000))}s`;
}

/**
 * What rolling back this step means. A revert is safe only when the step
 * did not raise the RDB format (`oneWay` false): an older server cannot load
 * what a newer one wrote, so otherwise it is a restore of the backup.
 */
export function rollbackAdvice(step: Step): RollbackAdvice {
  if (!step.oneWay)
    return {
      kind: 'revert',
      text: `revert this step's pull request: Argo CD / Flux will apply ${step.component} ${step.from} again`,
    };
  const backup = step.preSteps.find((p) => p.kind === 'backup');
  return {
    kind: 'restore-backup',
    text: `do not revert: ${step.to} may have written data that ${step.from} cannot load (the RDB format was raised); rolling back means restoring the backup taken before the upgrade${backup ? ` (${backup.description})` : ''}`,
    ...(backup ? { backup } : {}),
  };
}

function related(objects: GateInput['reading'] & object) {
  return objects.objects.filter(
    (o) => o.kind === 'Pod' || o.kind === 'StatefulSet' || o.kind === 'Deployment',
  );
}

/** Runs the GitOps "applied" check and every health condition of the step over one reading. */
export function evaluateConditions(input: GateInput): ConditionOutcome[] {
  const reading = input.reading!;
  const context = {
    readAt: reading.readAt,
    mergeCommit: input.mergeCommit,
    ...(input.isAncestor ? { isAncestor: input.isAncestor } : {}),
  };
  const rel = related(reading);
  const outcomes: ConditionOutcome[] = [];
  const appliedText = 'Argo CD / Flux reports a revision that contains the merge commit';
  const appliers = appliersOf(input.step.target.file, reading.objects);
  if (!appliers.length)
    outcomes.push({
      condition: { evaluator: 'applied', text: appliedText },
      objects: [],
      result: unknown(`no Argo CD Application or Flux Kustomization applies ${input.step.target.file}`),
    });
  for (const a of appliers) {
    const id = a.kind === 'Application' ? 'argocd-application' : 'flux-kustomization';
    outcomes.push({
      condition: { evaluator: 'applied', text: appliedText },
      objects: [describeObject(a)],
      result: evaluateHealth(id, { object: a, related: rel, params: {}, context }),
    });
  }
  const conditions = input.step.gate.conditions;
  if (!conditions) {
    outcomes.push({
      condition: { evaluator: 'applied', text: 'machine-checkable health conditions' },
      objects: [],
      result: unknown(
        'the step block records no gate.conditions (written by an older cairn); re-plan the step',
      ),
    });
    return outcomes;
  }
  // Conditions of one `anyOf` group check whichever of their kinds the cluster runs.
  const groupFound = new Map<string, boolean>();
  for (const c of conditions)
    if (c.anyOf && !c.object.name)
      groupFound.set(c.anyOf, !!groupFound.get(c.anyOf) || selectObjects(c, reading.objects).length > 0);
  const groupReported = new Set<string>();
  for (const c of conditions) {
    const found = selectObjects(c, reading.objects);
    if (c.anyOf && !c.object.name && !found.length) {
      if (groupFound.get(c.anyOf) || groupReported.has(c.anyOf)) continue;
      groupReported.add(c.anyOf);
      const kinds = conditions.filter((o) => o.anyOf === c.anyOf).map((o) => o.object.kind);
      outcomes.push({
        condition: c,
        objects: [],
        result: unknown(`no ${kinds.join(', ')} (${c.object.group || 'core'}) was found`),
      });
      continue;
    }
    const results: HealthResult[] =
      c.evaluator === 'operator-rollout'
        ? [evaluateHealth(c.evaluator, { object: undefined, related: rel, params: c.params, context })]
        : c.object.name
          ? [evaluateHealth(c.evaluator, { object: found[0], related: rel, params: c.params, context })]
          : found.length
            ? found.map((o) =>
                evaluateHealth(c.evaluator, { object: o, related: rel, params: c.params, context }),
              )
            : [
                unknown(
                  `no ${c.object.kind} (${c.object.group || 'core'}) was found${c.object.namespace ? ` in ${c.object.namespace}` : ''}`,
                ),
              ];
    for (const [i, result] of results.entries()) {
      const o = c.evaluator === 'operator-rollout' ? undefined : found[i];
      outcomes.push({ condition: c, objects: o ? [describeObject(o)] : [], result });
    }
  }
  return outcomes;
}

function configProblemsOf(outcomes: ConditionOutcome[]): string[] {
  return outcomes
    .filter((o) => o.result.configProblem)
    .flatMap((o) => o.result.reasons.filter((r) => r.includes('configuration problem')));
}

function approvalTarget(o: ConditionOutcome): ApprovalTarget | undefined {
  const c = o.condition;
  if (c.evaluator !== 'howl-redis-cluster') return undefined;
  // "Kind namespace/name"
  const ref = o.objects[0]?.split(' ')[1];
  if (!ref) return undefined;
  const [namespace, name] = ref.includes('/') ? ref.split('/') : [undefined, ref];
  return {
    group: 'redis.io',
    kind: 'RedisCluster',
    ...(namespace ? { namespace } : {}),
    name: name!,
    annotation: 'redis.io/approve-primary-update',
    value: 'true',
  };
}

/** The gate for a merged step. */
export function evaluateGate(input: GateInput): GateResult {
  const { step, now, reading, policy } = input;
  const soakMs = policy.soakMs ?? (step.gate.soak ? (parseDuration(step.gate.soak) ?? Infinity) : 0);
  const elapsed = now.getTime() - input.mergedAt.getTime();
  const timedOut = elapsed > policy.timeoutMs && !input.wasHealthy;

  const closed = (reason: string, reasons: string[], outcomes: ConditionOutcome[] = []): GateResult => {
    const configProblems = configProblemsOf(outcomes);
    if (timedOut)
      return {
        verdict: 'fail',
        reasons: [`not proven within ${minutes(policy.timeoutMs)} of the merge: ${reason}`, ...reasons],
        rollback: rollbackAdvice(step),
        outcomes,
        configProblems,
      };
    return { verdict: 'wait', reason, retryAfterMs: RETRY_MS, reasons, outcomes, configProblems };
  };

  if (!reading) return closed('no cluster reading has arrived (is the cluster agent running?)', []);
  const age = now.getTime() - reading.readAt.getTime();
  if (age > policy.maxReadingAgeMs)
    return closed(
      `the newest cluster reading is ${minutes(age)} old (stale after ${minutes(policy.maxReadingAgeMs)})`,
      [],
    );
  if (reading.problems.length)
    return closed(
      `the cluster could not be read: ${reading.problems.map((p) => `${p.resource}: ${p.kind}`).join('; ')}`,
      reading.problems.map((p) => `${p.resource}: ${p.kind}: ${p.message}`),
    );

  const outcomes = evaluateConditions(input);
  const configProblems = configProblemsOf(outcomes);
  const reasonsOf = (s: HealthResult['status']) =>
    outcomes.filter((o) => o.result.status === s).flatMap((o) => o.result.reasons);
  const common = { outcomes, configProblems };

  const bad = reasonsOf('degraded');
  if (bad.length) {
    const soaking = input.healthySince ? ` after the soak began at ${input.healthySince.toISOString()}` : '';
    return {
      verdict: 'fail',
      reasons: bad.map((r) => `${r}${soaking}`),
      rollback: rollbackAdvice(step),
      ...common,
    };
  }
  const waiting = outcomes.filter((o) => o.result.needsApproval);
  if (waiting.length && !input.approved) {
    const approve = approvalTarget(waiting[0]!);
    if (approve)
      return {
        verdict: 'needs-approval',
        reason: `${approve.kind} ${approve.namespace ? `${approve.namespace}/` : ''}${approve.name} waits for a person to approve the primary update (/cairn approve)`,
        approve,
        reasons: waiting.flatMap((o) => o.result.reasons),
        ...common,
      };
  }
  const open = [...reasonsOf('unknown'), ...reasonsOf('progressing')];
  if (open.length) {
    const approved = waiting.length && input.approved ? approvalTarget(waiting[0]!) : undefined;
    const why = approved ? 'approved; waiting for the operator to update the primary' : open[0]!;
    const r = closed(why, open, outcomes);
    // The annotation the cluster agent is to set for this approval (delivered by the status function).
    return approved && r.verdict === 'wait' ? { ...r, approve: approved } : r;
  }

  const since = input.healthySince ?? reading.readAt;
  const soaked = now.getTime() - since.getTime();
  if (soaked < soakMs) {
    const left = soakMs - soaked;
    return {
      verdict: 'wait',
      reason: `healthy since ${since.toISOString()}; soaking for ${minutes(left)} more`,
      retryAfterMs: Math.min(left, 15 * 60_000),
      reasons: outcomes.flatMap((o) => o.result.reasons),
      healthySince: since,
      ...common,
    };
  }
  return {
    verdict: 'pass',
    reasons: outcomes.flatMap((o) => o.result.reasons),
    healthySince: since,
    ...common,
  };
}
