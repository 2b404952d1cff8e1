// A reviewer who lives with cairn: merges a step PR once its `cairn/gate` status on the
// head says it is ready (after `reviewDelayMs`), takes the backup a major asks for first
// (a RedisBackup, applied by hand), and approves a supervised primary update with
// `/cairn approve <version>` when the gate asks for it.
import { GATE_CONTEXT } from '../../../lib/engine/index.ts';
import type { Step } from '../../../lib/planner/types.ts';
import { stepFromPullRequestBody } from '../../../lib/render/pull-request.ts';
import type { World } from '../world.ts';

export interface ReviewerOptions {
  reviewDelayMs?: number;
  login?: string;
  /** Whether to take the backup before merging a step that asks for one (default true). */
  backups?: boolean;
}

export interface StepPull {
  number: number;
  step: Step;
  state: 'open' | 'merged' | 'closed';
  mergeCommit?: string;
}

export function stepPulls(w: World): StepPull[] {
  return [...w.github.pulls.values()]
    .map((p) => ({ p, step: stepFromPullRequestBody(p.body) }))
    .filter((x): x is { p: typeof x.p; step: Step } => !!x.step)
    .sort((a, b) => a.p.number - b.p.number)
    .map(({ p, step }) => ({
      number: p.number,
      step,
      state: p.merged ? 'merged' : p.state,
      ...(p.merge_commit_sha ? { mergeCommit: p.merge_commit_sha } : {}),
    }));
}

/** The newest `cairn/gate` status on a commit. */
export function gateOn(w: World, sha: string | undefined) {
  return sha ? w.github.statuses.get(sha)?.find((s) => s.context === GATE_CONTEXT) : undefined;
}

export function reviewer(w: World, o: ReviewerOptions = {}) {
  const login = o.login ?? 'alice';
  const delay = o.reviewDelayMs ?? 10 * 60_000;
  const readySince = new Map<number, number>();
  /** The status ids (asks for approval) answered. */
  const approved = new Set<number>();
  const backedUp = new Set<string>();
  return {
    /** Does what a reviewer would do now; true when they did something. */
    async act(): Promise<boolean> {
      for (const pr of stepPulls(w)) {
        if (pr.state === 'open') {
          const head = w.github.branchSha(w.github.pulls.get(pr.number)!.head);
          if (gateOn(w, head)?.state !== 'success') continue;
          const since = readySince.get(pr.number) ?? w.clock.now();
          readySince.set(pr.number, since);
          if (w.clock.now() - since < delay) continue;
          const cluster = pr.step.cluster ?? '';
          const wantsBackup = pr.step.preSteps.some((p) => p.kind === 'backup');
          if (wantsBackup && (o.backups ?? true) && !backedUp.has(pr.step.id)) {
            backedUp.add(pr.step.id);
            const [, ns, name] = pr.step.target.name.split('/');
            await w.kubectlApply(
              cluster,
              {
                apiVersion: 'redis.io/v1',
                kind: 'RedisBackup',
                metadata: { name: `${name}-before-${pr.step.to}`, namespace: ns },
                spec: { clusterName: name, target: 'prefer-replica', method: 'rdb' },
              },
              login,
            );
            return true;
          }
          if (wantsBackup) {
            const [, ns, name] = pr.step.target.name.split('/');
            const b = w.clusters
              .get(cluster)!
              .kube.get('redis.io', 'RedisBackup', ns, `${name}-before-${pr.step.to}`);
            if (b?.status?.phase !== 'Completed') continue;
          }
          await w.merge(pr.number, login);
          return true;
        }
        if (pr.state === 'merged') {
          // Each time the gate asks (a status naming /cairn approve), once.
          const g = gateOn(w, pr.mergeCommit);
          if (
            g?.state === 'pending' &&
            (g.description ?? '').includes('/cairn approve') &&
            !approved.has(g.id)
          ) {
            approved.add(g.id);
            await w.comment(pr.number, `/cairn approve ${pr.step.to}`, login);
            return true;
          }
        }
      }
      return false;
    },
  };
}

/** Lets the world run, the reviewer acting after every event, until `done` (at most `maxMs` of virtual time). */
export async function live(
  w: World,
  r: ReturnType<typeof reviewer>,
  what: string,
  done: () => boolean,
  maxMs: number,
): Promise<void> {
  const end = w.clock.now() + maxMs;
  while (!done()) {
    if (w.clock.now() >= end)
      throw new Error(`${what}: not reached within ${maxMs / 3_600_000}h of virtual time`);
    if (await r.act()) continue;
    await w.step(end);
  }
}
