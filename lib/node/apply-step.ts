// `cairn apply`: make one step's edits as one commit on a new local branch, and say what
// pull request would be opened. The commit is built with git plumbing by the same use
// case the PR engine runs on GitHub (lib/git/commit-step.ts): HEAD, the index and the
// work tree are never touched, and two concurrent applies cannot mix their commits.
import { PreconditionError } from '../errors.ts';
import { commitStep } from '../git/commit-step.ts';
import { localGitProvider } from './git-provider.ts';
import type { Step } from '../planner/types.ts';
import { commitMessage, pullRequestBody, pullRequestTitle } from '../render/pull-request.ts';
import { stepBranchName, stepFileChanges } from '../steps/index.ts';
import { git, gitMaybe } from './git.ts';
import { resolveStep } from '../render/short-ids.ts';
import { type LocalPlanOptions, planLocalRepository } from './plan-local.ts';

export interface ApplyResult {
  step: Step;
  branch: string;
  commit: string;
  files: string[];
  title: string;
  body: string;
}

export async function applyStep(
  opts: LocalPlanOptions & { stepId: string; branch?: string },
): Promise<ApplyResult> {
  const local = await planLocalRepository(opts);
  const { repoDir, plan, inventory } = local;
  if ((await gitMaybe(repoDir, ['rev-parse', '--is-inside-work-tree']))?.trim() !== 'true') {
    throw new PreconditionError(`${opts.repo} is not a git work tree`);
  }
  const provider = localGitProvider(repoDir);
  if (opts.branch !== undefined) await provider.checkBranchName(opts.branch);
  // The plan was read from the work tree and the commit is built on HEAD: they must agree.
  const dirty = (await git(repoDir, ['status', '--porcelain'])).trim();
  if (dirty)
    throw new PreconditionError(
      `the work tree of ${opts.repo} has uncommitted changes; commit or stash them first:\n${dirty}`,
    );
  // A full step id, or a short id from the text plan (a step's, or a target's: its first step).
  const step = resolveStep(plan, opts.stepId);
  if (step.after.length) {
    throw new PreconditionError(
      `step ${step.id} must wait for ${step.after.join(', ')}: ${step.after.length === 1 ? 'it is' : 'they are'} not in the repository yet`,
    );
  }
  const target = inventory.targets.find((t) => t.id === step.target.id)!;
  const branch = opts.branch ?? stepBranchName(step);
  const head = await provider.head();
  const message = commitMessage(step);
  const result = await commitStep(provider, {
    base: async () => head,
    branch,
    message,
    existing: 'refuse',
    changes: (repo) => stepFileChanges(repo, target, step),
  });
  if (result.outcome !== 'created') throw new PreconditionError(`branch ${branch} already exists`);
  return {
    step,
    branch,
    commit: result.commit,
    files: result.files,
    title: pullRequestTitle(step),
    body: pullRequestBody(step, plan),
  };
}
