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
import { resolvePullRequestSettings } from '../policy/resolve.ts';
import type { Policy, PullRequestPolicy } from '../policy/schema.ts';
import { commitMessage, pullRequestTitle, stepFromPullRequestBody } from '../render/pull-request.ts';
import { stepBranchName, stepFileChanges } from '../steps/index.ts';
import type { RepoReader } from '../targets/repo.ts';
import { GITHUB_BODY_LIMIT, type ReleaseNotes, stepPullRequestBody } from './body.ts';
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
  plan: (repo: RepoReader) => Promise<{
    plan: Plan;
    inventory: Inventory;
    policy?: Pick<Policy, 'environments'> & Partial<Pick<Policy, 'defaults' | 'rules'>>;
  }>;
  /**
   * The PR settings of a step. `fromPolicy` is what the plan's policy says for it
   * (`pullRequests` in defaults and rules); without this callback, that is used as is.
   */
  settings?: (step: Step, fromPolicy: PullRequestPolicy) => PullRequestSettings;
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
  /** Someone else opened a PR from the step's cairn branch: left alone, not adopted. */
  | 'human-opened'
  | 'already-merged'
  | 'would-open'
  | 'would-update'
  /** An open cairn PR for a hop the path no longer starts from (closed, or would be). */
  | 'superseded'
  /** An open cairn PR whose target is no longer in the repository (closed, or would be). */
  | 'vanished'
  /** An open cairn PR for a hop the plan no longer takes: pinned, ignored, another goal (closed, or would be). */
  | 'stale';

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

/** A labelled PR whose step block is not trusted (not cairn's): its block is ignored. */
export interface IgnoredPullRequest {
  pr: number;
  reason: string;
}

export interface ReconcileReport {
  base: string;
  commit: string;
  dryRun: boolean;
  actions: StepAction[];
  inFlight: InFlight[];
  rollbacks: RollbackEntry[];
  /** Labelled PRs with a step block cairn did not write (forged or copied): ignored. */
  ignored: IgnoredPullRequest[];
  dashboard?: number;
}

/** Once per PR: why cairn does not take over a PR someone else opened from its branch. */
async function noteOthersPullRequest(host: PullRequestHost, pr: PullRequest, me: string): Promise<void> {
  const marker = '<!-- cairn:not-adopted -->';
  await host.ensureComment(
    pr.number,
    marker,
    `${marker}\nThis pull request is on cairn's branch \`${pr.head.ref}\` but was opened by ${pr.author ?? 'someone else'}, not by cairn (${me}). cairn does not take over a pull request it did not open: it neither updates, gates nor auto-merges this one, and its merge is not taken as the step's. Close it, and cairn opens its own.`,
  );
}

/** Appended to the body of a PR cairn closed itself, so it is never taken for a human's "no". */
export const CLOSED_BY_CAIRN = '<!-- cairn:closed-by-cairn -->';

/** Why the plan no longer has a PR's step. */
export function staleReason(step: Step, now: Plan['targets'][number] | undefined, plan: Plan): string {
  if (!now)
    return `${step.target.id} is no longer in the repository (deleted or moved, or left out by the policy's ignorePaths)`;
  if (now.current !== step.from)
    return `the repository now has ${now.current} (this PR started from ${step.from})`;
  const why = plan.blocked.filter((b) => b.target.id === step.target.id).map((b) => b.reason);
  const status =
    now.status === 'planned'
      ? `the plan now goes ${now.current} -> ${now.next ?? '?'} instead of ${step.from} -> ${step.to}`
      : now.status === 'up-to-date'
        ? `the plan has no step for it now (${now.note ?? 'nothing newer is allowed by the policy'})`
        : `it is ${now.status} now${now.note ? ` (${now.note})` : ''}`;
  return `the plan no longer has ${step.from} -> ${step.to} for ${step.target.id}: ${[status, ...why].join('; ')}`;
}

/**
 * What a step waits for, short: a fleet's production step waits on hundreds of staging
 * steps, and the text goes into a commit status (GitHub keeps 140 characters) and the
 * dashboard. The step block in the PR body lists every id.
 */
export function waitsFor(after: readonly string[]): string {
  if (after.length <= 2) return `waits for ${after.join(', ')}`;
  return `waits for ${after.length} steps: ${after[0]!} and ${after.length - 1} more`;
}

/** The prefix of every branch cairn makes (lib/steps/branch.ts). */
export const CAIRN_BRANCH_PREFIX = 'cairn/';

/**
 * Why a labelled PR's step block is not to be trusted, or undefined when it is: only a PR
 * cairn itself opened (its login), from a cairn branch, says where a path stands. Anyone
 * can add the label and paste a block.
 */
export function untrustedReason(pr: PullRequest, me: string): string | undefined {
  if (pr.author !== me) return `opened by ${pr.author ?? 'an unknown user'}, not by cairn (${me})`;
  if (!pr.head.ref.startsWith(CAIRN_BRANCH_PREFIX)) return `its branch ${pr.head.ref} is not a cairn branch`;
  return undefined;
}

interface Recorded {
  pr: PullRequest;
  step: Step;
}

/** What the policy's rules match a step's PR settings on: its target, component and place. */
function policySubject(step: Step) {
  return {
    id: step.target.id,
    file: step.target.file,
    component: step.component,
    ...(step.cluster ? { cluster: step.cluster } : {}),
    ...(step.environment ? { environment: step.environment } : {}),
  };
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

  // Where every path stands, from GitHub alone: the step blocks of the PRs cairn opened.
  const me = await host.identity();
  const recorded: Recorded[] = [];
  const ignored: IgnoredPullRequest[] = [];
  /** Open PRs on a cairn branch that someone else opened: cairn leaves them alone. */
  const othersOpen = new Map<string, PullRequest>();
  for (const pr of await host.listPullRequests(CAIRN_LABEL)) {
    const step = stepFromPullRequestBody(pr.body);
    const reason = step && untrustedReason(pr, me);
    if (pr.state === 'open' && pr.author !== me && pr.head.ref.startsWith(CAIRN_BRANCH_PREFIX))
      othersOpen.set(pr.head.ref, pr);
    if (!step) continue;
    if (reason) {
      ignored.push({ pr: pr.number, reason });
      input.log?.warn('ignored a step block cairn did not write', { pr: pr.number, reason });
      continue;
    }
    recorded.push({ pr, step });
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

  // A cairn PR whose step the plan no longer has is closed, with a comment saying why:
  // the path now starts from another version (someone moved it on the base branch: at
  // most one open PR per path), the target is gone (deleted, moved, left out by
  // ignorePaths), or the plan stops before this hop (a pin, an ignore, another goal).
  // cairn's branch is deleted with it; a branch someone else pushed to is kept, and the
  // comment says so.
  const planned = new Set(plan.steps.map((s) => stepBranchName(s)));
  const summaries = new Map(plan.targets.map((t) => [t.target.id, t]));
  // Looked up per ready step (a fleet has thousands): the inventory's targets and the plan's
  // steps by target, once. A PR body shows only its own target's path, so it gets the plan
  // with that target's steps alone (the same body, without a pass over every step per PR).
  const targetsById = new Map<string, Inventory['targets'][number]>();
  for (const t of inventory.targets) if (!targetsById.has(t.id)) targetsById.set(t.id, t);
  const stepsOfTarget = new Map<string, Step[]>();
  for (const s of plan.steps) {
    const list = stepsOfTarget.get(s.target.id);
    if (list) list.push(s);
    else stepsOfTarget.set(s.target.id, [s]);
  }
  for (const r of recorded) {
    // Only step PRs (on their step's own branch); other cairn PRs (reverts) are not steps.
    if (r.pr.state !== 'open' || planned.has(r.pr.head.ref) || r.pr.head.ref !== stepBranchName(r.step))
      continue;
    const now = summaries.get(r.step.target.id);
    // A target missing because its file cannot be read now (broken YAML on the base
    // branch) may well come back: its PR is left open until the file reads again.
    const unreadable = !now && inventory.problems.find((p) => p.file === r.step.target.file);
    if (unreadable) {
      actions.push({
        step: r.step.id,
        branch: r.pr.head.ref,
        kind: 'waiting',
        pr: r.pr.number,
        reason: `${r.step.target.file} cannot be read now (${unreadable.reason}); the PR stays open until it can`,
      });
      open.push({
        number: r.pr.number,
        title: r.pr.title,
        waiting: `${r.step.target.file} cannot be read now`,
      });
      continue;
    }
    const kind: ActionKind = !now ? 'vanished' : now.current !== r.step.from ? 'superseded' : 'stale';
    const reason = staleReason(r.step, now, plan);
    if (!dryRun) {
      const headCommit = await host.getCommit(r.pr.head.sha);
      const human = !isCairnCommit(headCommit);
      const marker = `<!-- cairn:closed ${r.pr.head.sha} -->`;
      await host.ensureComment(
        r.pr.number,
        marker,
        `${marker}\ncairn closes this pull request: ${reason}. ${
          human
            ? `Someone else pushed ${r.pr.head.sha.slice(0, 12)} to \`${r.pr.head.ref}\`, so cairn keeps the branch; delete it when you are done with it.`
            : `Its branch \`${r.pr.head.ref}\` is deleted.`
        } If the path has a next step, it gets its own pull request.`,
      );
      // The body is marked first, while the PR is open: a restart after any of these
      // writes finds the PR open (and repeats the rest) or closed with the mark, never
      // closed by cairn without it (which would read as a human's "no") or with its
      // branch left behind. Deleting the head branch closes the PR on GitHub; the
      // explicit close follows for a branch that is kept or already gone.
      const marked = r.pr.body.includes(CLOSED_BY_CAIRN) ? undefined : `${r.pr.body}\n${CLOSED_BY_CAIRN}`;
      if (marked !== undefined && marked.length <= GITHUB_BODY_LIMIT)
        await host.updatePullRequest(r.pr.number, { body: marked });
      if (!human) await host.deleteBranch(r.pr.head.ref, r.pr.head.sha);
      await host.updatePullRequest(r.pr.number, { state: 'closed' });
    }
    actions.push({ step: r.step.id, branch: r.pr.head.ref, kind, pr: r.pr.number, reason });
  }

  for (const step of plan.steps) {
    const branch = stepBranchName(step);
    const history = byBranch.get(branch) ?? [];
    const current = history.find((r) => r.pr.state === 'open');
    const blocker = blockerOf(step);
    const waiting = step.after.length
      ? waitsFor(step.after)
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
    const others = current ? undefined : othersOpen.get(branch);
    if (others) {
      if (!dryRun) await noteOthersPullRequest(host, others, me);
      open.push({
        number: others.number,
        title: others.title,
        waiting: `opened by ${others.author ?? 'someone else'}`,
      });
      actions.push({
        step: step.id,
        branch,
        kind: 'human-opened',
        pr: others.number,
        reason: `#${others.number} on ${branch} was opened by ${others.author ?? 'someone else'}, not cairn`,
      });
      continue;
    }
    if (!current) {
      // Closed unmerged by a human (cairn marks the PRs it closes itself).
      const closed = history.find(
        (r) => r.pr.state === 'closed' && r.step.from === step.from && !r.pr.body.includes(CLOSED_BY_CAIRN),
      );
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
    const body = stepPullRequestBody(
      step,
      { ...plan, steps: stepsOfTarget.get(step.target.id) ?? [] },
      input.releaseNotes?.(step),
    );
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
    const target = targetsById.get(step.target.id);
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
      pr = await host.ensurePullRequest({ head: branch, base, title, body, adoptFrom: me });
      kind = 'opened';
      if (pr.author !== undefined && pr.author !== me) {
        // Someone else opened a PR from cairn's branch (after a pass died between the
        // branch and the PR): not adopted. Labelled, so later passes see it without
        // trying to open one again, and told once why cairn leaves it alone.
        await host.ensureLabels(pr.number, { labels: [CAIRN_LABEL] }, { labels: pr.labels });
        await noteOthersPullRequest(host, pr, me);
        open.push({ number: pr.number, title: pr.title, waiting: `opened by ${pr.author}` });
        actions.push({
          step: step.id,
          branch,
          kind: 'human-opened',
          pr: pr.number,
          reason: `#${pr.number} on ${branch} was opened by ${pr.author}, not cairn`,
        });
        continue;
      }
    } else if (pr.title !== title || pr.body !== body) {
      await host.updatePullRequest(pr.number, { title, body });
      kind = 'updated';
    }
    const fromPolicy =
      policy?.defaults && policy.rules
        ? resolvePullRequestSettings({ defaults: policy.defaults, rules: policy.rules }, policySubject(step))
        : {};
    const settings = input.settings ? input.settings(step, fromPolicy) : fromPolicy;
    // Reviewers are asked once, when the PR opens: GitHub drops a reviewer from the
    // requested list when they review, and asking again would notify them again. They
    // go before the label, which is how a later pass finds the PR: a pass that died in
    // between finds no labelled PR, adopts it as opened, and asks them then.
    if (kind === 'opened' && settings.reviewers?.length)
      await host.ensureReviewers(pr.number, settings.reviewers, pr.reviewers);
    await host.ensureLabels(
      pr.number,
      { labels: [CAIRN_LABEL, ...(settings.labels ?? [])], assignees: settings.assignees ?? [] },
      { labels: pr.labels, assignees: pr.assignees },
    );
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
  const report: ReconcileReport = { base, commit: head, dryRun, actions, inFlight, rollbacks, ignored };
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
      ignored,
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
