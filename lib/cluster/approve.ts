// The one write cairn makes to a cluster: the one-shot approval annotation
// `redis.io/approve-primary-update: "true"` on a howl-cloud RedisCluster that
// waits in `WaitingForUser`. Never written to Git: the operator removes it
// after use, and Argo CD / Flux would re-apply it and approve every later update.
// The same patch records the approval's id (`cairn.dev/approval-id`), which
// the operator leaves in place: a restarted agent, whose memory is gone, sees
// that the approval was used and writes nothing.
import { APPROVAL_ID_ANNOTATION } from '../agent/approvals.ts';
import type { ApprovalTarget } from '../gate/types.ts';
import type { Store } from '../store/index.ts';
import { findResource } from './resources.ts';
import { KubeApiError, type KubeTransport } from './transport.ts';

export type ApprovalOutcome =
  | 'patched'
  /** The annotation is already there (this approval or an earlier one not yet consumed). */
  | 'already-set'
  /** The cluster is not waiting for approval (any more): nothing to write. */
  | 'not-waiting'
  /** This approval was already applied once (this process, or the id on the CR); an approval is never reused. */
  | 'already-used';

/**
 * Applies one approval at most once. `approvalId` names it (e.g. the step id
 * and the PR comment); the store remembers that it was used, so a second run
 * (a retry, a restarted agent, the next supervised update) writes nothing.
 * Re-reads the object directly and patches with its resourceVersion as a
 * precondition; a conflict re-reads and decides again.
 */
export async function ensurePrimaryUpdateApproved(
  transport: KubeTransport,
  store: Store,
  target: ApprovalTarget,
  approvalId: string,
): Promise<ApprovalOutcome> {
  const r = findResource(target.group, target.kind);
  if (!r) throw new KubeApiError(`cairn has no reader for ${target.group}/${target.kind}`, undefined);
  const usedKey = `approval-used:${approvalId}`;
  if ((await store.get(usedKey)) !== undefined) return 'already-used';
  for (let attempt = 0; attempt < 3; attempt++) {
    const o = await transport.get(r, target.namespace, target.name);
    if (o?.metadata?.annotations?.[APPROVAL_ID_ANNOTATION] === approvalId) return 'already-used';
    if (!o || o.status?.phase !== 'WaitingForUser') return 'not-waiting';
    if (o.metadata?.annotations?.[target.annotation] === target.value) return 'already-set';
    // Claim the approval before writing: of two agents, one writes.
    if (!(await store.compareAndSet(usedKey, undefined, `claimed ${o.metadata?.resourceVersion ?? ''}`)))
      return 'already-used';
    try {
      await transport.mergePatch(r, target.namespace, target.name, {
        metadata: {
          resourceVersion: o.metadata?.resourceVersion,
          annotations: { [target.annotation]: target.value, [APPROVAL_ID_ANNOTATION]: approvalId },
        },
      });
      await store.put(usedKey, 'patched');
      return 'patched';
    } catch (e) {
      await store.delete(usedKey);
      if (e instanceof KubeApiError && e.code === 409) continue;
      throw e;
    }
  }
  throw new KubeApiError(
    `${target.kind} ${target.namespace ?? ''}/${target.name} kept changing; approval not written`,
    409,
  );
}
