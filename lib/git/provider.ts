// The Git provider interface: everything cairn does to a repository, as data in and data
// out. Two implementations: the local git CLI (lib/node/git-provider.ts, used by
// `cairn apply`) and GitHub (./github.ts, used by the PR engine). Runtime-neutral.
import type { FileChange } from '../steps/index.ts';

/** The all-zero object id: "this branch must not exist yet". */
export const ZERO_SHA = '0000000000000000000000000000000000000000';

/** One entry of a recursive tree listing (blobs, symbolic links and submodules; no trees). */
export interface TreeEntry {
  /** Repository-relative path with forward slashes. */
  path: string;
  /** `100644`, `100755`, `120000` (symbolic link) or `160000` (submodule). */
  mode: string;
  /** Blob (or, for a submodule, commit) id. */
  sha: string;
  /** Size in bytes of the blob, when the provider knows it. */
  size?: number;
}

export interface Tree {
  /** The commit the listing was made at. */
  commit: string;
  /** The root tree id of that commit. */
  tree: string;
  entries: TreeEntry[];
}

export interface CommitInfo {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
}

export interface NewCommit {
  /** Parents of the new commit; the first one's tree is the base the files are laid on. */
  parents: string[];
  /** The tree of the first parent, when the caller already has it (spares a read). */
  baseTree?: Tree;
  files: readonly FileChange[];
  message: string;
}

export interface Comparison {
  status: 'identical' | 'ahead' | 'behind' | 'diverged';
  aheadBy: number;
  behindBy: number;
}

/** Reading a repository at a commit: what the scanner needs, through ./reader.ts. */
export interface GitReader {
  /** The commit a branch points at; `undefined` when there is no such branch. */
  resolveBranch(branch: string): Promise<string | undefined>;
  /** Every blob, link and submodule at a commit, recursively. */
  listTree(commit: string): Promise<Tree>;
  readBlob(sha: string): Promise<Uint8Array>;
}

/** The git data model: read, make one commit of several files, move a branch atomically. */
export interface GitProvider extends GitReader {
  /** What this provider talks to, for messages (`git /path`, `github owner/repo`). */
  readonly name: string;
  defaultBranch(): Promise<string>;
  getCommit(sha: string): Promise<CommitInfo>;
  /**
   * Writes the files' blobs, a tree (the first parent's tree with the files laid over it)
   * and a commit. Moves no branch. Refuses a path that is absolute, has a `..` segment,
   * or is (or passes through) a symbolic link or a submodule in the base tree.
   */
  createCommit(input: NewCommit): Promise<CommitInfo>;
  /**
   * Points `branch` at `next`, only if it is now at `expected` (`ZERO_SHA`: only if it does
   * not exist). Returns false, having changed nothing, when the branch was elsewhere: the
   * caller re-reads and decides again. Never a force-push over someone else's commit.
   */
  updateBranch(branch: string, next: string, expected: string): Promise<boolean>;
  /** How `head` relates to `base` (for the gate: is a merge commit in an applied revision). */
  compare(base: string, head: string): Promise<Comparison>;
}

export type PullRequestState = 'open' | 'closed' | 'merged';

export interface PullRequest {
  number: number;
  state: PullRequestState;
  title: string;
  body: string;
  head: { ref: string; sha: string };
  base: { ref: string };
  labels: string[];
  assignees: string[];
  reviewers: string[];
  /** Who opened it (a login; an App's bot is `slug[bot]`). */
  author?: string;
  mergeCommit?: string;
  /** Whether auto-merge is already enabled. */
  autoMerge: boolean;
  url?: string;
}

export interface PullRequestInput {
  head: string;
  base: string;
  title: string;
  body: string;
  /**
   * Adopt an open PR for the same head only if this login opened it: one someone else
   * opened is returned as it is, never edited.
   */
  adoptFrom?: string;
}

export interface IssueInfo {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  labels: string[];
}

export type StatusState = 'pending' | 'success' | 'failure' | 'error';

export interface CommitStatus {
  context: string;
  state: StatusState;
  description?: string;
  targetUrl?: string;
}

/**
 * A Git host with pull requests (GitHub). Every `ensure*` is safe to repeat: it reads
 * first and writes only what differs, and adopts what already exists.
 */
export interface PullRequestHost extends GitProvider {
  /**
   * The login cairn acts as: the token's user, or a GitHub App's bot (`slug[bot]`). The
   * engine trusts a step block only in a pull request this login opened.
   */
  identity(): Promise<string>;
  /** Every pull request carrying `label`, open and closed, newest first. */
  listPullRequests(label: string): Promise<PullRequest[]>;
  /** Opens the PR, or adopts the open one for the same head; then makes title and body match. */
  ensurePullRequest(input: PullRequestInput): Promise<PullRequest>;
  updatePullRequest(
    number: number,
    change: { title?: string; body?: string; state?: 'closed' },
  ): Promise<void>;
  /**
   * Adds the labels (created in the repository when missing) and assignees the issue or PR
   * lacks, in one request; nothing when it has them all.
   */
  ensureLabels(
    number: number,
    want: { labels: readonly string[]; assignees?: readonly string[] },
    have: { labels: readonly string[]; assignees?: readonly string[] },
  ): Promise<void>;
  /**
   * Deletes the branch, only while it is at `expected` (a branch someone moved is kept).
   * True when it is gone (deleted now, or already).
   */
  deleteBranch(branch: string, expected: string): Promise<boolean>;
  /** Adds the comment unless one already contains `marker`. */
  ensureComment(number: number, marker: string, body: string): Promise<void>;
  /** Requests the reviewers (logins, and teams as `ORG/TEAM`) not yet requested. */
  ensureReviewers(number: number, reviewers: readonly string[], have: readonly string[]): Promise<void>;
  /** The latest status of `context` on a commit, if any. */
  getStatus(sha: string, context: string): Promise<CommitStatus | undefined>;
  /** Sets the status unless the latest one already says the same. */
  ensureStatus(sha: string, status: CommitStatus): Promise<void>;
  /** Enables auto-merge, only while the PR head is still `expectedHead`. */
  ensureAutoMerge(pr: PullRequest, expectedHead: string): Promise<boolean>;
  /** Open issues carrying `label`. */
  listIssues(label: string): Promise<IssueInfo[]>;
  /** Creates the issue, or edits title and body in place when `number` is given. */
  ensureIssue(input: { number?: number; title: string; body: string; labels: string[] }): Promise<IssueInfo>;
  closeIssue(number: number): Promise<void>;
}
