// What happens to a merged step whose gate failed (`cairn/gate` failure on its merge
// commit): the path is already stopped (reconcile keeps it in flight); this module ensures
// the rollback. When the step did not raise the Redis data (RDB) format, that is one
// revert pull request: the step's files back to their content before it, on their own
// branch, labelled `cairn-rollback`, linking the failed step's PR. When it did, there is
// no revert (an older server cannot load what the newer one wrote): the step's PR gets a
// comment saying rollback means restoring the backup taken before the upgrade, naming the
// backup pre-step. Everything is found again from GitHub (the branch name and the label),
// so seeing the failure many times, or two runs at once, gives one revert PR.
import { commitStep } from '../git/commit-step.ts';
import type { PullRequestHost, TreeEntry } from '../git/provider.ts';
import type { Logger } from '../log.ts';
import { rollbackAdvice } from '../gate/gate.ts';
import type { PreStep, Step } from '../planner/types.ts';
import { pullRequestTitle } from '../render/pull-request.ts';
import { stepBranchName } from '../steps/index.ts';

export const ROLLBACK_LABEL = 'cairn-rollback';

export interface FailedStep {
  /** The merged step PR. */
  pr: number;
  step: Step;
  mergeCommit: string;
  /** Why the gate failed (the `cairn/gate` description). */
  reason: string;
}

export type RollbackOutcome =
  /** A revert PR exists (opened now, or found again in any state: a human may have closed or merged it). */
  | { kind: 'revert'; pr: number; opened: boolean }
  /** A revert is the advice, but cairn cannot make it safely; the reason says what to do. */
  | { kind: 'revert-blocked'; reason: string }
  | { kind: 'restore-backup'; backup?: PreStep }
  | { kind: 'error'; reason: string };

export interface RollbackEntry extends FailedStep {
  outcome: RollbackOutcome;
  /** One line for the dashboard. */
  text: string;
}

/** One revert branch per step and merge commit, outside the step branches' `cairn/` space. */
export function revertBranchName(step: Step, mergeCommit: string): string {
  return `${stepBranchName(step).replace(/^cairn\//, 'cairn-revert/')}/${mergeCommit.slice(0, 12)}`;
}

export function revertTitle(step: Step, pr: number): string {
  const where = step.cluster ? ` on ${step.cluster}` : '';
  return `revert: ${step.component} ${step.to} -> ${step.from}${where} (the gate failed on #${pr})`;
}

const commentMarker = (f: FailedStep) => `<!-- cairn:rollback ${f.mergeCommit} -->`;

function backupText(f: FailedStep, backup: PreStep | undefined): string {
  return backup
    ? `the backup taken by the backup pre-step of #${f.pr} ("Before merging": ${backup.description})`
    : `the backup taken before #${f.pr} (this step records no backup pre-step: find it by hand)`;
}

function entryText(f: FailedStep, o: RollbackOutcome): string {
  const head = `#${f.pr} ${pullRequestTitle(f.step)}: the gate failed: ${f.reason}. Rollback: `;
  switch (o.kind) {
    case 'revert':
      return `${head}revert #${o.pr}`;
    case 'revert-blocked':
      return `${head}a revert, which cairn could not open: ${o.reason}`;
    case 'restore-backup':
      return `${head}do not revert (the RDB format was raised); restore ${backupText(f, o.backup)}`;
    case 'error':
      return `${head}not ensured yet (${o.reason}); the next run tries again`;
  }
}

/** Blob by path. */
const byPath = (entries: TreeEntry[]) => new Map(entries.map((e) => [e.path, e]));

/**
 * The files the step's merge changed, back to their content before it, when every one of
 * them is still as the merge left it on the base branch (a later change to one of them
 * would be undone by a blind revert: refused, with the reason).
 */
async function revertFiles(
  host: PullRequestHost,
  mergeCommit: string,
  baseHead: string,
): Promise<{ files: { path: string; text: string }[] } | { blocked: string }> {
  const merge = await host.getCommit(mergeCommit);
  const parent = merge.parents[0];
  if (!parent) return { blocked: `merge commit ${mergeCommit.slice(0, 12)} has no parent` };
  const [before, after, now] = await Promise.all([
    host.listTree(parent).then((t) => byPath(t.entries)),
    host.listTree(mergeCommit).then((t) => byPath(t.entries)),
    host.listTree(baseHead).then((t) => byPath(t.entries)),
  ]);
  const changed = [...new Set([...before.keys(), ...after.keys()])]
    .filter((p) => before.get(p)?.sha !== after.get(p)?.sha)
    .sort();
  if (!changed.length) return { blocked: `merge commit ${mergeCommit.slice(0, 12)} changed no file` };
  const files: { path: string; text: string }[] = [];
  const decoder = new TextDecoder();
  for (const path of changed) {
    const pre = before.get(path);
    if (!pre || !after.has(path) || pre.mode !== '100644')
      return { blocked: `${path} was added, removed or is not a plain file in the step: revert it by hand` };
    if (now.get(path)?.sha !== after.get(path)!.sha)
      return {
        blocked: `${path} changed on the base branch after the step; a revert would undo that too: revert by hand`,
      };
    files.push({ path, text: decoder.decode(await host.readBlob(pre.sha)) });
  }
  return { files };
}

function revertBody(f: FailedStep, files: string[], adviceText: string): string {
  return [
    `<!-- cairn:revert ${f.step.id} ${f.mergeCommit} -->`,
    `The gate failed on #${f.pr} (merge commit \`${f.mergeCommit.slice(0, 12)}\`): ${f.reason}.`,
    '',
    `This pull request reverts that step: the files below go back to their content before #${f.pr}, so Argo CD / Flux apply **${f.step.component}** \`${f.step.from}\` again. The step did not raise the Redis data (RDB) format, so a revert is safe: ${adviceText}.`,
    '',
    ...files.map((p) => `- \`${p}\``),
    '',
    'cairn opens one revert per failed step and never reopens it: close it to keep the new version and fix forward, or merge it to roll back. The path stays stopped until the step is proven (`/cairn retry` on the step PR re-reads the gate).',
    '',
  ].join('\n');
}

/** Ensures the rollback of one failed step; safe to repeat. */
export async function ensureRollback(
  host: PullRequestHost,
  base: string,
  f: FailedStep,
  opts: { dryRun?: boolean } = {},
): Promise<RollbackEntry> {
  const done = (outcome: RollbackOutcome): RollbackEntry => ({ ...f, outcome, text: entryText(f, outcome) });
  if (f.step.change === 'record') {
    // KubeDB's step 2 changed nothing in the cluster: its revert would put the old
    // spec.version back in Git, and Argo CD / Flux would write it onto the live database.
    const reason = `#${f.pr} only recorded ${f.step.to}, which the database already ran: reverting it would make the GitOps tool write ${f.step.from} back; look at the database instead`;
    if (!opts.dryRun)
      await host.ensureComment(
        f.pr,
        commentMarker(f),
        `${commentMarker(f)}\nThe gate failed on \`${f.mergeCommit.slice(0, 12)}\`: ${f.reason}. The path is stopped.\n\n**Do not revert this pull request.** It recorded in Git the version the KubeDB ops request had already reached (${f.step.to}); a revert would put ${f.step.from} back in \`spec.version\` and Argo CD / Flux would write it onto the live database. Look at the database and its operator instead. cairn opens no revert for it.`,
      );
    return done({ kind: 'revert-blocked', reason });
  }
  const advice = rollbackAdvice(f.step);
  if (advice.kind === 'restore-backup') {
    if (!opts.dryRun)
      await host.ensureComment(
        f.pr,
        commentMarker(f),
        `${commentMarker(f)}\nThe gate failed on \`${f.mergeCommit.slice(0, 12)}\`: ${f.reason}. The path is stopped.\n\n**Do not revert this pull request.** ${f.step.to} may have written data that ${f.step.from} cannot load (the RDB format was raised), so rolling back means restoring ${backupText(f, advice.backup)}, then setting the version back by hand. cairn opens no revert for it.`,
      );
    return done({ kind: 'restore-backup', ...(advice.backup ? { backup: advice.backup } : {}) });
  }
  const branch = revertBranchName(f.step, f.mergeCommit);
  const found = (await host.listPullRequests(ROLLBACK_LABEL)).find((p) => p.head.ref === branch);
  const link = async (pr: number) =>
    opts.dryRun
      ? undefined
      : host.ensureComment(
          f.pr,
          commentMarker(f),
          `${commentMarker(f)}\nThe gate failed on \`${f.mergeCommit.slice(0, 12)}\`: ${f.reason}. The path is stopped, and cairn opened #${pr} to revert this step (it did not raise the RDB format, so a revert is safe).`,
        );
  if (found) {
    await link(found.number);
    return done({ kind: 'revert', pr: found.number, opened: false });
  }
  if (opts.dryRun) return done({ kind: 'revert-blocked', reason: 'dry run: nothing opened' });
  const head = await host.resolveBranch(base);
  if (!head) return done({ kind: 'error', reason: `no branch ${base}` });
  const planned = await revertFiles(host, f.mergeCommit, head);
  if ('blocked' in planned) return done({ kind: 'revert-blocked', reason: planned.blocked });
  const title = revertTitle(f.step, f.pr);
  const committed = await commitStep(host, {
    base: async () => (await host.resolveBranch(base)) ?? head,
    branch,
    message: `${title}\n\nReverts the step of #${f.pr} (merge commit ${f.mergeCommit}).\n\nCairn-Step: revert:${f.step.id}\n`,
    existing: 'update',
    changes: async () => planned.files,
  });
  if (committed.outcome === 'human-pushed')
    return done({
      kind: 'revert-blocked',
      reason: `someone else pushed ${committed.commit.slice(0, 12)} to ${branch}`,
    });
  const pr = await host.ensurePullRequest({
    head: branch,
    base,
    title,
    body: revertBody(
      f,
      planned.files.map((x) => x.path),
      advice.text,
    ),
  });
  await host.ensureLabels(pr.number, { labels: [ROLLBACK_LABEL] }, { labels: pr.labels });
  await link(pr.number);
  return done({ kind: 'revert', pr: pr.number, opened: true });
}

/** The rollbacks of every failed step; one failing never stops the others. */
export async function ensureRollbacks(
  host: PullRequestHost,
  base: string,
  failed: FailedStep[],
  opts: { dryRun?: boolean; log?: Logger } = {},
): Promise<RollbackEntry[]> {
  const out: RollbackEntry[] = [];
  for (const f of failed) {
    try {
      out.push(await ensureRollback(host, base, f, opts));
    } catch (e) {
      opts.log?.warn('rollback not ensured; the next run tries again', { pr: f.pr, error: e });
      const outcome: RollbackOutcome = { kind: 'error', reason: e instanceof Error ? e.message : String(e) };
      out.push({ ...f, outcome, text: entryText(f, outcome) });
    }
  }
  return out;
}
