// One step onto its branch, as one atomic commit: read the base tree, compute the step's
// files from it, write blobs + tree + commit, then create or move the branch with a
// compare-and-set. The same use case for `cairn apply` (local git) and the PR engine
// (GitHub), so the CLI and the service cannot drift.
import { RemoteError } from '../errors.ts';
import type { FileChange } from '../steps/index.ts';
import type { RepoReader } from '../targets/repo.ts';
import { type CommitInfo, type GitProvider, ZERO_SHA } from './provider.ts';
import { type BlobCache, treeReader } from './reader.ts';

/** The trailer that marks a commit as cairn's (and names its step). */
export const STEP_TRAILER = 'Cairn-Step:';

export function isCairnCommit(c: Pick<CommitInfo, 'message'>): boolean {
  return c.message.split('\n').some((l) => l.startsWith(STEP_TRAILER));
}

export interface CommitStepInput {
  /** The commit to build on, read fresh on every attempt (the base branch may move). */
  base: () => Promise<string>;
  branch: string;
  message: string;
  /** The step's files, computed from the base tree. */
  changes: (repo: RepoReader) => Promise<FileChange[]>;
  /** `refuse`: an existing branch is left alone (apply). `update`: it is moved (the engine). */
  existing: 'refuse' | 'update';
  cache?: BlobCache;
  /** How many times to start again after losing a race (default 5). */
  attempts?: number;
}

export type CommitStepResult =
  | { outcome: 'created' | 'updated'; commit: string; base: string; files: string[] }
  /** The branch already holds this very step (same message): nothing written. */
  | { outcome: 'unchanged'; commit: string }
  /** `existing: 'refuse'` and the branch exists. */
  | { outcome: 'exists'; commit: string }
  /** Someone else's commit is on the branch head: cairn must not overwrite it. */
  | { outcome: 'human-pushed'; commit: string };

/**
 * Ensures `branch` holds the step. A new branch gets one commit on the base. An existing
 * cairn branch for an older version of the hop gets a commit whose first parent is the
 * base head and second parent the old branch head, so the move is a fast-forward (never a
 * force-push) and the PR diff against the base is exactly the step's files.
 */
export async function commitStep(git: GitProvider, input: CommitStepInput): Promise<CommitStepResult> {
  const attempts = input.attempts ?? 5;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const current = await git.resolveBranch(input.branch);
    let previous: CommitInfo | undefined;
    if (current) {
      if (input.existing === 'refuse') return { outcome: 'exists', commit: current };
      previous = await git.getCommit(current);
      if (!isCairnCommit(previous)) return { outcome: 'human-pushed', commit: current };
      if (previous.message.trim() === input.message.trim()) return { outcome: 'unchanged', commit: current };
    }
    const base = await input.base();
    const tree = await git.listTree(base);
    const files = await input.changes(treeReader(git, tree, input.cache));
    const commit = await git.createCommit({
      parents: previous ? [base, previous.sha] : [base],
      baseTree: tree,
      files,
      message: input.message,
    });
    // The base moved while the commit was built: build again on the new head.
    if ((await input.base()) !== base) continue;
    if (await git.updateBranch(input.branch, commit.sha, current ?? ZERO_SHA)) {
      return {
        outcome: current ? 'updated' : 'created',
        commit: commit.sha,
        base,
        files: files.map((f) => f.path),
      };
    }
    // Lost a race for the branch: read it again and decide again.
  }
  throw new RemoteError(git.name, `branch ${input.branch} kept moving; gave up after ${attempts} attempts`, {
    retryable: true,
  });
}
