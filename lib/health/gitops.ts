// GitOps tools: has Argo CD or Flux applied a revision that contains the
// step's merge commit, and does it report that revision healthy?
// Fields: gitops-status/argo-cd/manifests/crds/application-crd.yaml and
// controller/testdata; gitops-status/flux/kustomize-controller/docs/spec/v1/kustomizations.md
// and helm-controller/docs/spec/v2/helmreleases.md.
import {
  at,
  condition,
  describeObject,
  degraded,
  healthy,
  num,
  progressing,
  str,
  unknown,
  worst,
} from './read.ts';
import type { Evaluator, EvaluatorInput, HealthResult } from './types.ts';

/** Argo CD's health is recomputed after a sync; a Healthy read this close to `finishedAt` may predate it. */
export const ARGO_SETTLE_MS = 10_000;

/** The commit SHA in a revision string: a bare SHA, or Flux's `main@sha1:<sha>` / `sha1:<sha>`. */
export function commitOf(revision: string): string | undefined {
  const m = /(?:^|@|sha1:)([0-9a-f]{40})$/i.exec(revision.trim());
  return m ? m[1]!.toLowerCase() : undefined;
}

/**
 * Whether an applied revision contains the merge commit: the same commit, or
 * a later one whose ancestry includes it. `undefined`: not known (closed).
 */
function contains(revision: string, input: EvaluatorInput): boolean | undefined {
  const merge = input.context.mergeCommit?.toLowerCase();
  if (!merge) return undefined;
  const applied = commitOf(revision);
  if (!applied) return undefined;
  if (applied === merge) return true;
  return input.context.isAncestor?.(merge, applied);
}

function appliedResult(what: string, revisions: string[], input: EvaluatorInput): HealthResult | undefined {
  const merge = input.context.mergeCommit;
  if (!merge) return unknown(`${what}: no merge commit to look for`);
  if (!revisions.length) return progressing(`${what} reports no applied revision yet`);
  const answers = revisions.map((r) => contains(r, input));
  if (answers.includes(true)) return undefined;
  if (answers.includes(undefined))
    return unknown(
      `${what}: cannot tell whether ${revisions.join(', ')} contains merge commit ${merge.slice(0, 12)}`,
    );
  return progressing(
    `${what} has applied ${revisions.join(', ')}, which does not contain merge commit ${merge.slice(0, 12)}`,
  );
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '') : [];
}

export const argoApplication: Evaluator = {
  id: 'argocd-application',
  kind: 'Application',
  group: 'argoproj.io',
  describe: () =>
    'the Argo CD Application has synced a revision that contains the merge commit (operationState Succeeded, Synced, Healthy)',
  evaluate(input) {
    const o = input.object;
    if (!o) return unknown('no Argo CD Application was found for the target');
    const name = describeObject(o);
    const syncRevision = str(o, 'status.sync.revision');
    const revisions = syncRevision ? [syncRevision] : strings(at(o, 'status.sync.revisions'));
    const applied = appliedResult(name, revisions, input);
    if (applied) return applied;
    const op = str(o, 'status.operationState.phase');
    const opRevision = str(o, 'status.operationState.syncResult.revision');
    const opRevisions = opRevision
      ? [opRevision]
      : strings(at(o, 'status.operationState.syncResult.revisions'));
    if (op === 'Failed' || op === 'Error')
      return degraded(
        `${name}: the last sync ${op}${str(o, 'status.operationState.message') ? `: ${str(o, 'status.operationState.message')}` : ''}`,
      );
    if (op !== 'Succeeded')
      return op
        ? progressing(`${name}: sync operation is ${op}`)
        : unknown(`${name} reports no operationState`);
    if (opRevisions.length) {
      const opApplied = appliedResult(`${name} operationState`, opRevisions, input);
      if (opApplied) return opApplied;
    }
    const sync = str(o, 'status.sync.status');
    if (sync === 'OutOfSync') return progressing(`${name} is OutOfSync`);
    if (sync !== 'Synced') return unknown(`${name} sync.status is ${sync ?? '(none)'}`);
    const health = str(o, 'status.health.status');
    if (health === 'Degraded')
      return degraded(
        `${name} health is Degraded${str(o, 'status.health.message') ? `: ${str(o, 'status.health.message')}` : ''}`,
      );
    if (health === 'Progressing' || health === 'Suspended') return progressing(`${name} health is ${health}`);
    if (health !== 'Healthy') return unknown(`${name} health.status is ${health ?? '(none)'}`);
    const finishedAt = Date.parse(str(o, 'status.operationState.finishedAt') ?? '');
    if (!Number.isFinite(finishedAt)) return unknown(`${name} reports no operationState.finishedAt`);
    if (input.context.readAt.getTime() - finishedAt < ARGO_SETTLE_MS)
      return progressing(
        `${name} reported Healthy within 10 s of the sync finishing; re-read before trusting it`,
      );
    return healthy(`${name} synced ${revisions.join(', ')} and is Healthy`);
  },
};

function fluxReady(o: NonNullable<EvaluatorInput['object']>, name: string): HealthResult | undefined {
  const generation = num(o, 'metadata.generation');
  const observed = num(o, 'status.observedGeneration');
  if (generation === undefined || observed === undefined)
    return unknown(`${name}: cannot compare status.observedGeneration with metadata.generation`);
  if (observed !== generation)
    return progressing(
      `${name}: status.observedGeneration ${observed} is not metadata.generation ${generation}; the status describes an older spec`,
    );
  const ready = condition(o, 'Ready');
  if (!ready) return unknown(`${name} has no Ready condition`);
  if (ready.observedGeneration !== undefined && ready.observedGeneration !== generation)
    return progressing(`${name}: the Ready condition is for generation ${ready.observedGeneration}`);
  if (condition(o, 'Stalled')?.status === 'True')
    return degraded(`${name} is Stalled: ${condition(o, 'Stalled')?.message ?? ready.message ?? ''}`.trim());
  if (ready.status === 'False') {
    if (condition(o, 'Reconciling')?.status === 'True')
      return progressing(`${name} is reconciling: ${ready.message ?? ''}`.trim());
    return degraded(`${name} is not Ready (${ready.reason ?? 'no reason'}): ${ready.message ?? ''}`.trim());
  }
  if (ready.status !== 'True')
    return progressing(`${name} Ready is ${ready.status}${ready.message ? `: ${ready.message}` : ''}`);
  return undefined;
}

export const fluxKustomization: Evaluator = {
  id: 'flux-kustomization',
  kind: 'Kustomization',
  group: 'kustomize.toolkit.fluxcd.io',
  describe: () =>
    'the Flux Kustomization has applied a revision that contains the merge commit (lastAppliedRevision, observedGeneration == generation, Ready=True)',
  evaluate(input) {
    const o = input.object;
    if (!o) return unknown('no Flux Kustomization was found for the target');
    const name = describeObject(o);
    const last = str(o, 'status.lastAppliedRevision');
    const results: HealthResult[] = [];
    const applied = appliedResult(name, last ? [last] : [], input);
    results.push(applied ?? fluxReady(o, name) ?? healthy(`${name} applied ${last} and is Ready`));
    const checks = at(o, 'spec.healthChecks');
    if (at(o, 'spec.wait') !== true && !(Array.isArray(checks) && checks.length)) {
      results.push({
        status: 'healthy',
        configProblem: true,
        reasons: [
          `${name} has neither spec.wait nor spec.healthChecks, so its Ready only says the manifests were applied, not that the workloads are healthy (configuration problem)`,
        ],
      });
    }
    return worst(results);
  },
};

export const fluxHelmRelease: Evaluator = {
  id: 'flux-helmrelease',
  kind: 'HelmRelease',
  group: 'helm.toolkit.fluxcd.io',
  describe: (p) =>
    `the Flux HelmRelease is Ready${p.chartVersion ? ` on chart ${String(p.chartVersion)}` : ''} for its current generation`,
  evaluate({ object: o, params }) {
    if (!o) return unknown('the HelmRelease was not found');
    const name = describeObject(o);
    const want = typeof params.chartVersion === 'string' ? params.chartVersion : undefined;
    const history = at(o, 'status.history');
    const first: unknown = Array.isArray(history) ? history[0] : undefined;
    const last = str(o, 'status.lastAppliedRevision') ?? str(first, 'chartVersion');
    if (want && last !== want)
      return progressing(`${name} has applied chart ${last ?? '(none)'}, not yet ${want}`);
    return fluxReady(o, name) ?? healthy(`${name} is Ready${last ? ` on ${last}` : ''}`);
  },
};
