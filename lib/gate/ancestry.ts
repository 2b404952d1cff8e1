// The ancestry question the GitOps evaluators ask ("does the applied
// revision contain the merge commit?"), answered from the Git provider's
// compare results (GitHub: GET /repos/{owner}/{repo}/compare/{merge}...{applied},
// field `status`). The gate's caller fetches the pairs `comparisonsNeeded`
// lists, then hands `ancestryFromCompare` to the gate: no I/O in the gate.
import type { KubeObject } from '../cluster-state.ts';
import { commitOf } from '../health/gitops.ts';
import { at, str } from '../health/read.ts';
import type { AncestryCheck } from '../health/types.ts';
import { appliersOf } from './select.ts';

/** GitHub's compare `status` of base...head. */
export type CompareStatus = 'ahead' | 'identical' | 'behind' | 'diverged';

/**
 * `ahead` or `identical` (head = applied revision is the merge commit or
 * after it): contained. `behind` or `diverged`: not contained. Unknown pairs
 * stay unknown, which keeps the gate closed.
 */
export function ancestryFromCompare(
  lookup: (base: string, head: string) => CompareStatus | undefined,
): AncestryCheck {
  return (ancestor, descendant) => {
    const s = lookup(ancestor.toLowerCase(), descendant.toLowerCase());
    if (s === 'ahead' || s === 'identical') return true;
    if (s === 'behind' || s === 'diverged') return false;
    return undefined;
  };
}

/** The applied revisions of the objects that apply `file`, other than the merge commit itself: what to compare. */
export function comparisonsNeeded(
  file: string,
  mergeCommit: string,
  objects: readonly KubeObject[],
): { base: string; head: string }[] {
  const merge = mergeCommit.toLowerCase();
  const heads = new Set<string>();
  for (const o of appliersOf(file, objects)) {
    const revs = [
      str(o, 'status.sync.revision'),
      str(o, 'status.operationState.syncResult.revision'),
      str(o, 'status.lastAppliedRevision'),
      ...(Array.isArray(at(o, 'status.sync.revisions')) ? (at(o, 'status.sync.revisions') as unknown[]) : []),
    ];
    for (const r of revs) {
      const sha = typeof r === 'string' ? commitOf(r) : undefined;
      if (sha && sha !== merge) heads.add(sha);
    }
  }
  return [...heads].sort().map((head) => ({ base: merge, head }));
}
