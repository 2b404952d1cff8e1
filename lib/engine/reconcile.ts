// One reconcile pass of the PR engine: plan from the base branch, rebuild where every
// upgrade path stands from GitHub alone (cairn-labelled PRs and their step blocks, merge
// commits, the `cairn/gate` status on them), then ensure exactly one PR for each ready
// step and keep the dependency dashboard current. Safe to run at any time, as often and
// as concurrently as anyone likes: every write is an `ensure*` that reads first, adopts
// what exists and never force-pushes.
import { PreconditionError } from '../errors.ts';
import { commitStep, isCairnCommit } from '../git/commit-step.ts';
import type { PullRequest, PullRequestHost } from '../git/provider.ts';
import { type BlobCache, treeReader } from '../git/reader.ts';
import type { Logger } from '../log.ts';
import type { Inventory } from '../model.ts';
import type { Plan, Step } from '../planner/types.ts';
import type { Policy } from '../policy/schema.ts';
import { commitMessage, pullRequestTitle, stepFromPullRequestBody } from '../render/pull-request.ts';
import { stepBranchName, stepFileChanges } from '../steps/index.ts';
import type { RepoReader } from '../targets/repo.ts';
import { type ReleaseNotes, stepPullRequestBody } from './body.ts';
import { DASHBOARD_TITLE, dashboardBody } from './dashboard.ts';
import { ensureRollbacks, type RollbackEntry } from './revert.ts';

/** Every step PR carries it; the engine finds its PRs by it. */
export const CAIRN_LABEL = 'cairn';
export const DASHBOARD_LABEL = 'cairn-dashboard';
/** The status that proves a merged step (set by the gate) and gates a PR head (set here). */
export const GATE_CONTEXT = 'cairn/gate';

export interface PullRequestSettings {
  reviewers?: string[];
  assignees?: string[];
  labels?: string[];
  /** The policy allows auto-merge for this step. */
  autoMerge?: boolean;
}

export interface ReconcileInput {
  host: PullRequestHost;
  /** Default: the repository's default branch. */
  base?: string;
  /**
   * Plans the repository as the base branch has it (`planTree` over the reader). The
   * policy, when given, orders environments for promotion.
   */
  plan: (
    repo: RepoReader,
  ) => Promise<{ plan: Plan; inventory: Inventory; policy?: Pick<Policy, 'environments'> }>;
  settings?: (step: Step) => PullRequestSettings;
  /** Environment -> every environment that promotes from it (default: from the plan's policy). */
  laterEnvironments?: Record<string, string[]>;
  /** Whether a maintenance window is open now (evaluated by the caller). */
  windowOpen: boolean;
  dryRun?: boolean;
  cache?: BlobCache;
  releaseNotes?: (step: Step) => ReleaseNotes | undefined;
  /** Keep the dashboard issue current (default true). */
  dashboard?: boolean;
  log?: Logger;
}

export type ActionKind =
  | 'opened'
  | 'updated'
  | 'unchanged'
  | 'waiting'
  | 'skipped-by-human'
  | 'human-pushed'
  | 'already-merged'
  | 'would-open'
  | 'would-update'
  /** An open cairn PR for a hop the path no longer starts from (closed, or would be). */
  | 'superseded';

export interface StepAction {
  step: string;
  branch: string;
  kind: ActionKind;
  pr?: number;
  reason?: string;
}

export interface InFlight {
  pr: number;
  step: Step;
  mergeCommit: string;
  /** The gate failed (`cairn/gate` failure): why. The path is stopped; see revert.ts. */
  failure?: string;
}

export interface ReconcileReport {
  base: string;
  commit: string;
  dryRun: boolean;
  actions: StepAction[];
  inFlight: InFlight[];
  rollbacks: RollbackEntry[];
  dashboard?: number;
}

interface Recorded {
  pr: PullRequest;
  step: Step;
}

/** Environment -> the environments that (transitively) promote from it, from the policy. */
export function laterEnvironments(policy: Pick<Policy, 'environments'>): Record<string, string[]> {
  const direct = new Map<string, string[]>();
  for (const e of policy.environments)
    for (const a of e.after ?? []) direct.set(a, [...(direct.get(a) ?? []), e.name]);
  const out: Record<string, string[]> = {};
  for (const e of policy.environments) {
    const seen = new Set<string>();
    const walk = (n: string) => {
      for (const next of direct.get(n) ?? []) {
        if (seen.has(next)) continue;
        seen.add(next);
        walk(next);
      }
    };
    walk(e.name);
    out[e.name] = [...seen];
  }
  return out;
}

export async function reconcile(input: ReconcileInput): Promise<ReconcileReport> {
  const { host } = input;
  const dryRun = input.dryRun ?? false;
  const base = input.base ?? (await host.defaultBranch());
  const head = await host.resolveBranch(base);
  if (!head) throw new PreconditionError(`${host.name}: no branch ${base}`);
  const tree = await host.listTree(head);
  const { plan, inventory, policy } = await input.plan(treeReader(host, tree, input.cache));

  // Where every path stands, from GitHub alone.
  const recorded: Recorded[] = [];
  for (const pr of await host.listPullRequests(CAIRN_LABEL)) {
    const step = stepFromPullRequestBody(pr.body);
    if (step) recorded.push({ pr, step });
  }
  recorded.sort((a, b) => b.pr.number - a.pr.number);
  const byBranch = new Map<string, Recorded[]>();
  for (const r of recorded) byBranch.set(r.pr.head.ref, [...(byBranch.get(r.pr.head.ref) ?? []), r]);
  // A merged step is in flight until `cairn/gate` succeeds on its merge commit. Only the
  // newest merged step of a path matters: an older one was proven before the next opened.
  const newestMerged = new Map<string, Recorded>();
  for (const r of recorded)
    if (r.pr.state === 'merged' && r.pr.mergeCommit && !newestMerged.has(r.step.target.id))
      newestMerged.set(r.step.target.id, r);
  const inFlight: InFlight[] = [];
  for (const r of newestMerged.values()) {
    const gate = await host.getStatus(r.pr.mergeCommit!, GATE_CONTEXT);
    if (gate?.state !== 'success')
      inFlight.push({
        pr: r.pr.number,
        step: r.step,
        mergeCommit: r.pr.mergeCommit!,
        ...(gate?.state === 'failure' ? { failure: gate.description || 'the gate failed' } : {}),
      });
  }
  const later = input.laterEnvironments ?? (policy ? laterEnvironments(policy) : {});
  const blockerOf = (s: Step): InFlight | undefined =>
    inFlight.find(
      (f) =>
        f.step.target.id === s.target.id ||
        (s.cluster !== undefined && f.step.cluster === s.cluster) ||
        (f.step.environment !== undefined &&
          s.environment !== undefined &&
          f.step.component === s.component &&
          (later[f.step.environment] ?? []).includes(s.environment)),
    );

  const actions: StepAction[] = [];
  const open: { number: number; title: string; waiting?: string }[] = [];
  const skipped: { number: number; title: string }[] = [];
  let baseReads = 0;
  const readBase = async () => (baseReads++ === 0 ? head : ((await host.resolveBranch(base)) ?? head));

  // At most one open PR per path: an open cairn PR for a hop the path no longer starts
  // from (someone moved the version on the base branch) is closed, with a comment saying
  // why, unless someone else pushed to its branch.
  const planned = new Set(plan.steps.map((s) => stepBranchName(s)));
  const scanned = new Set(plan.targets.map((t) => t.target.id));
  for (const r of recorded) {
    if (r.pr.state !== 'open' || planned.has(r.pr.head.ref) || !scanned.has(r.step.target.id)) continue;
    const now = plan.targets.find((t) => t.target.id === r.step.target.id)!;
    const reason = `the repository now has ${now.current} (this PR started from ${r.step.from})`;
    if (!dryRun) {
      const head = await host.getCommit(r.pr.head.sha);
      if (!isCairnCommit(head)) continue;
      await host.ensureComment(
        r.pr.number,
        '<!-- cairn:superseded -->',
        `<!-- cairn:superseded -->\ncairn closes this pull request: ${reason}. The path's next step, if any, gets its own pull request.`,
      );
      await host.updatePullRequest(r.pr.number, { state: 'closed' });
    }
    actions.push({ step: r.step.id, branch: r.pr.head.ref, kind: 'superseded', pr: r.pr.number, reason });
  }

  for (const step of plan.steps) {
    const branch = stepBranchName(step);
    const history = byBranch.get(branch) ?? [];
    const current = history.find((r) => r.pr.state === 'open');
    const blocker = blockerOf(step);
    const waiting = step.after.length
      ? `waits for ${step.after.join(', ')}`
      : blocker
        ? `#${blocker.pr} (${blocker.step.id}) is merged but not proven: no ${GATE_CONTEXT} success on ${blocker.mergeCommit.slice(0, 12)}`
        : undefined;
    if (waiting) {
      actions.push({
        step: step.id,
        branch,
        kind: 'waiting',
        reason: waiting,
        ...(current ? { pr: current.pr.number } : {}),
      });
      if (current) {
        open.push({ number: current.pr.number, title: current.pr.title, waiting });
        if (!dryRun)
          await host.ensureStatus(current.pr.head.sha, {
            context: GATE_CONTEXT,
            state: 'pending',
            description: waiting,
          });
      }
      continue;
    }
    if (!current) {
      const closed = history.find((r) => r.pr.state === 'closed' && r.step.from === step.from);
      if (closed) {
        skipped.push({ number: closed.pr.number, title: closed.pr.title });
        actions.push({
          step: step.id,
          branch,
          kind: 'skipped-by-human',
          pr: closed.pr.number,
          reason: `#${closed.pr.number} was closed unmerged`,
        });
        continue;
      }
      const merged = history.find((r) => r.pr.state === 'merged' && r.step.to === step.to);
      if (merged) {
        actions.push({
          step: step.id,
          branch,
          kind: 'already-merged',
          pr: merged.pr.number,
          reason: `#${merged.pr.number} merged it; the base branch does not show it`,
        });
        continue;
      }
    }
    const title = pullRequestTitle(step);
    const body = stepPullRequestBody(step, plan, input.releaseNotes?.(step));
    if (dryRun) {
      const same = current && current.step.to === step.to && current.pr.title === title;
      actions.push({
        step: step.id,
        branch,
        kind: !current ? 'would-open' : same ? 'unchanged' : 'would-update',
        ...(current ? { pr: current.pr.number } : {}),
      });
      continue;
    }
    const target = inventory.targets.find((t) => t.id === step.target.id);
    if (!target)
      throw new PreconditionError(`step ${step.id}: target ${step.target.id} is not in the inventory`);
    const result = await commitStep(host, {
      base: readBase,
      branch,
      message: commitMessage(step),
      existing: 'update',
      changes: (repo) => stepFileChanges(repo, target, step),
      ...(input.cache ? { cache: input.cache } : {}),
    });
    if (result.outcome === 'human-pushed') {
      if (current) {
        open.push({
          number: current.pr.number,
          title: current.pr.title,
          waiting: 'someone pushed to the branch',
        });
        await host.ensureComment(
          current.pr.number,
          `<!-- cairn:human-pushed ${result.commit} -->`,
          `<!-- cairn:human-pushed ${result.commit} -->\nSomeone else pushed ${result.commit.slice(0, 12)} to \`${branch}\`. cairn never force-updates a branch it did not write last, so it leaves this PR alone (wanted: ${step.from} -> ${step.to}). Close the PR or reset the branch to let cairn take it over again.`,
        );
      }
      actions.push({
        step: step.id,
        branch,
        kind: 'human-pushed',
        ...(current ? { pr: current.pr.number } : {}),
        reason: `${result.commit} on ${branch} is not cairn's`,
      });
      continue;
    }
    let pr = current?.pr;
    let kind: ActionKind = result.outcome === 'updated' ? 'updated' : 'unchanged';
    if (!pr) {
      pr = await host.ensurePullRequest({ head: branch, base, title, body });
      kind = 'opened';
    } else if (pr.title !== title || pr.body !== body) {
      await host.updatePullRequest(pr.number, { title, body });
      kind = 'updated';
    }
    const settings = input.settings?.(step) ?? {};
    await host.ensureLabels(
      pr.number,
      { labels: [CAIRN_LABEL, ...(settings.labels ?? [])], assignees: settings.assignees ?? [] },
      { labels: pr.labels, assignees: pr.assignees },
    );
    if (settings.reviewers?.length) await host.ensureReviewers(pr.number, settings.reviewers, pr.reviewers);
    await host.ensureStatus(result.commit, {
      context: GATE_CONTEXT,
      state: 'success',
      description: 'ready: every step this one waits for is proven',
    });
    // Auto-merge only when the policy allows it, inside a window, for the head cairn made.
    if (settings.autoMerge && input.windowOpen) await host.ensureAutoMerge(pr, result.commit);
    open.push({ number: pr.number, title });
    actions.push({ step: step.id, branch, kind, pr: pr.number });
  }

  // A failed step: its rollback (a revert PR, or the restore-backup advice), ensured on every pass.
  const failed = inFlight.flatMap((f) => (f.failure ? [{ ...f, reason: f.failure }] : []));
  const rollbacks = failed.length
    ? await ensureRollbacks(host, base, failed, { dryRun, ...(input.log ? { log: input.log } : {}) })
    : [];
  const report: ReconcileReport = { base, commit: head, dryRun, actions, inFlight, rollbacks };
  if (input.dashboard !== false) {
    const text = dashboardBody({
      failed: rollbacks.map((r) => r.text),
      plan,
      open,
      inFlight: inFlight.map((f) => ({
        number: f.pr,
        title: pullRequestTitle(f.step),
        mergeCommit: f.mergeCommit,
      })),
      skipped,
    });
    const found = (await host.listIssues(DASHBOARD_LABEL)).sort((a, b) => a.number - b.number);
    const keep = found[0];
    if (!dryRun) {
      if (!keep) {
        const created = await host.ensureIssue({
          title: DASHBOARD_TITLE,
          body: text,
          labels: [DASHBOARD_LABEL],
        });
        report.dashboard = created.number;
        // Two runs may have opened one each at once: the oldest stays, the others close.
        const again = (await host.listIssues(DASHBOARD_LABEL)).sort((a, b) => a.number - b.number);
        for (const extra of again.slice(1)) await host.closeIssue(extra.number);
        report.dashboard = again[0]?.number ?? created.number;
      } else {
        if (keep.body !== text || keep.title !== DASHBOARD_TITLE)
          await host.ensureIssue({
            number: keep.number,
            title: DASHBOARD_TITLE,
            body: text,
            labels: [DASHBOARD_LABEL],
          });
        for (const extra of found.slice(1)) await host.closeIssue(extra.number);
        report.dashboard = keep.number;
      }
    } else if (keep) report.dashboard = keep.number;
  }
  return report;
}
