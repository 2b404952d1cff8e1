// `cairn apply`: make one step's edits on a new local branch as one commit,
// and say what pull request would be opened. All new file contents are
// computed before anything is written; if writing or committing fails, the
// work tree and branch are put back as they were.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PreconditionError } from '../errors.ts';
import type { Step } from '../planner/types.ts';
import { commitMessage, pullRequestBody, pullRequestTitle } from '../render/pull-request.ts';
import { stepBranchName, stepFileChanges } from '../steps/index.ts';
import { nodeRepo } from './repo.ts';
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
  const changes = new Map(
    (await stepFileChanges(nodeRepo(repoDir), target, step)).map((c) => [c.path, c.text] as const),
  );
  const branch = opts.branch ?? stepBranchName(step);
  if (await gitMaybe(repoDir, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`])) {
    throw new PreconditionError(`branch ${branch} already exists`);
  }
  const original =
    (await gitMaybe(repoDir, ['symbolic-ref', '--quiet', '--short', 'HEAD']))?.trim() ??
    (await git(repoDir, ['rev-parse', 'HEAD'])).trim();
  await git(repoDir, ['checkout', '--quiet', '-b', branch]);
  try {
    for (const [file, text] of changes) {
      mkdirSync(dirname(join(repoDir, file)), { recursive: true });
      writeFileSync(join(repoDir, file), text);
    }
    await git(repoDir, ['add', '--', ...changes.keys()]);
    const identity = (await gitMaybe(repoDir, ['config', 'user.email']))?.trim()
      ? []
      : ['-c', 'user.name=cairn', '-c', 'user.email=cairn@localhost'];
    await git(repoDir, [...identity, 'commit', '--quiet', '-m', commitMessage(step)]);
  } catch (e) {
    await gitMaybe(repoDir, ['reset', '--quiet', '--hard']);
    await gitMaybe(repoDir, ['clean', '-fdq', '--', ...changes.keys()]);
    await gitMaybe(repoDir, ['checkout', '--quiet', original]);
    await gitMaybe(repoDir, ['branch', '-D', branch]);
    throw e;
  }
  const commit = (await git(repoDir, ['rev-parse', 'HEAD'])).trim();
  return {
    step,
    branch,
    commit,
    files: [...changes.keys()],
    title: pullRequestTitle(step),
    body: pullRequestBody(step, plan),
  };
}
