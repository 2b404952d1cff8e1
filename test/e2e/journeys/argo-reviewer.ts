// The reviewer of journeys 2–6: as reviewer.ts's (merge a step PR once its
// `cairn/gate` status on the head is success and a review delay passed),
// with the backup a major asks for taken the product's way (`backup`: the
// object to apply, e.g. a KubeStash BackupSession; `backedUp`: whether it
// completed), and an optional hook for what else a person does (approve an
// OLM InstallPlan, upgrade Kubernetes).
import type { KubeObject } from '../../../lib/cluster-state.ts';
import type { World } from '../world.ts';
import { gateOn, type StepPull, stepPulls } from './reviewer.ts';

export interface ArgoReviewerOptions {
  reviewDelayMs?: number;
  login?: string;
  backup?: (pr: StepPull) => KubeObject;
  backedUp?: (w: World, pr: StepPull) => boolean;
  /** Called first on every turn; true when it did something. */
  extra?: () => Promise<boolean>;
  /** Do not merge this PR (yet). */
  hold?: (pr: StepPull) => boolean;
}

export function argoReviewer(w: World, o: ArgoReviewerOptions = {}) {
  const login = o.login ?? 'alice';
  const delay = o.reviewDelayMs ?? 10 * 60_000;
  const readySince = new Map<number, number>();
  const backedUp = new Set<string>();
  return {
    async act(): Promise<boolean> {
      if (o.extra && (await o.extra())) return true;
      for (const pr of stepPulls(w)) {
        if (pr.state !== 'open' || o.hold?.(pr)) continue;
        const head = w.github.branchSha(w.github.pulls.get(pr.number)!.head);
        if (gateOn(w, head)?.state !== 'success') continue;
        const since = readySince.get(pr.number) ?? w.clock.now();
        readySince.set(pr.number, since);
        if (w.clock.now() - since < delay) continue;
        const wantsBackup = pr.step.preSteps.some((p) => p.kind === 'backup');
        if (wantsBackup && o.backup) {
          if (!backedUp.has(pr.step.id)) {
            backedUp.add(pr.step.id);
            await w.kubectlApply(pr.step.cluster ?? '', o.backup(pr), login);
            return true;
          }
          if (!o.backedUp?.(w, pr)) continue;
        }
        await w.merge(pr.number, login);
        return true;
      }
      return false;
    },
  };
}

/**
 * As reviewer.ts's `live`, with a guard: if neither virtual time nor the
 * timeline moves for many turns, the world is stuck (a bug), and this says
 * so instead of spinning until the test times out.
 */
export async function liveGuarded(
  w: World,
  r: { act(): Promise<boolean> },
  what: string,
  done: () => boolean,
  maxMs: number,
): Promise<void> {
  const end = w.clock.now() + maxMs;
  let still = 0;
  let last = '';
  while (!done()) {
    if (w.clock.now() >= end)
      throw new Error(`${what}: not reached within ${maxMs / 3_600_000}h of virtual time`);
    const mark = `${w.clock.now()} ${w.timeline.length}`;
    still = mark === last ? still + 1 : 0;
    last = mark;
    if (still > 200) throw new Error(`${what}: stuck at ${w.clock.date().toISOString()}`);
    if (await r.act()) continue;
    await w.step(end);
    if (process.env.E2E_TRACE && !still)
      process.stderr.write(`  .. ${w.clock.date().toISOString()} (${w.githubRequests} GitHub requests)\n`);
  }
}
