// The local Git provider: git plumbing only (hash-object, read-tree into a temporary
// index, update-index, write-tree, commit-tree, update-ref with the expected old value).
// It never checks out a branch: HEAD, the index and the work tree of the user's
// checkout stay as they were, and concurrent runs cannot mix their commits.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PreconditionError, UsageError } from '../errors.ts';
import type { CommitInfo, Comparison, GitProvider, NewCommit, Tree, TreeEntry } from '../git/provider.ts';
import { assertBranchName, assertWritablePath } from '../git/refs.ts';

interface RunResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

function run(
  cwd: string,
  args: string[],
  opts: { input?: string | Uint8Array; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }),
    );
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

export interface LocalGitProvider extends GitProvider {
  /** The commit HEAD points at. */
  head(): Promise<string>;
  /** Runs `git check-ref-format --branch` too: a bad name is a usage error (exit 2). */
  checkBranchName(name: string): Promise<void>;
}

export function localGitProvider(dir: string): LocalGitProvider {
  const git = async (args: string[], opts: { input?: string | Uint8Array; env?: NodeJS.ProcessEnv } = {}) => {
    const r = await run(dir, args, opts);
    if (r.code !== 0) throw new PreconditionError(`git ${args[0]} failed in ${dir}: ${r.stderr.trim()}`);
    return r.stdout;
  };
  const text = async (args: string[], opts: { input?: string | Uint8Array; env?: NodeJS.ProcessEnv } = {}) =>
    (await git(args, opts)).toString('utf8').trim();
  const identity = async (): Promise<NodeJS.ProcessEnv> => {
    const email = (await run(dir, ['config', 'user.email'])).stdout.toString().trim();
    return email
      ? {}
      : {
          GIT_AUTHOR_NAME: 'cairn',
          GIT_AUTHOR_EMAIL: 'cairn@localhost',
          GIT_COMMITTER_NAME: 'cairn',
          GIT_COMMITTER_EMAIL: 'cairn@localhost',
        };
  };

  const provider: LocalGitProvider = {
    name: `git ${dir}`,
    async head() {
      return text(['rev-parse', '--verify', 'HEAD^{commit}']);
    },
    async checkBranchName(name) {
      assertBranchName(name);
      const r = await run(dir, ['check-ref-format', '--branch', name]);
      if (r.code !== 0 || r.stdout.toString().trim() !== name)
        throw new UsageError(`--branch "${name}" is not a valid branch name (git check-ref-format --branch)`);
    },
    async defaultBranch() {
      return text(['symbolic-ref', '--quiet', '--short', 'HEAD']);
    },
    async resolveBranch(branch) {
      const r = await run(dir, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`]);
      return r.code === 0 ? r.stdout.toString().trim() : undefined;
    },
    async listTree(commit): Promise<Tree> {
      const tree = await text(['rev-parse', '--verify', `${commit}^{tree}`]);
      const raw = (await git(['ls-tree', '-r', '-l', '-z', '--full-tree', tree])).toString('utf8');
      const entries: TreeEntry[] = [];
      for (const rec of raw.split('\0')) {
        if (!rec) continue;
        const tab = rec.indexOf('\t');
        const [mode, , sha, size] = rec.slice(0, tab).split(/ +/);
        entries.push({
          path: rec.slice(tab + 1),
          mode: mode!,
          sha: sha!,
          ...(size && size !== '-' ? { size: Number(size) } : {}),
        });
      }
      return { commit, tree, entries };
    },
    async readBlob(sha) {
      const b = await git(['cat-file', 'blob', sha]);
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    },
    async getCommit(sha): Promise<CommitInfo> {
      const raw = (await git(['cat-file', 'commit', sha])).toString('utf8');
      const split = raw.indexOf('\n\n');
      const header = raw.slice(0, split).split('\n');
      return {
        sha,
        tree: header.find((l) => l.startsWith('tree '))!.slice(5),
        parents: header.filter((l) => l.startsWith('parent ')).map((l) => l.slice(7)),
        message: raw.slice(split + 2),
      };
    },
    async createCommit(input: NewCommit): Promise<CommitInfo> {
      const base = input.baseTree ?? (await provider.listTree(input.parents[0]!));
      const byPath = new Map(base.entries.map((e) => [e.path, e] as const));
      for (const f of input.files) assertWritablePath(f.path, byPath);
      const tmp = mkdtempSync(join(tmpdir(), 'cairn-index-'));
      try {
        const env = { GIT_INDEX_FILE: join(tmp, 'index') };
        await git(['read-tree', base.tree], { env });
        const infos: string[] = [];
        const removed = input.files.filter((f) => f.deleted).map((f) => f.path);
        // Mode 0 removes an entry (no work tree needed, unlike --force-remove).
        if (removed.length)
          await git(['update-index', '--index-info'], {
            env,
            input: removed.map((p) => `0 ${'0'.repeat(40)}\t${p}\n`).join(''),
          });
        for (const f of input.files) {
          if (f.deleted) continue;
          const sha = await text(['hash-object', '-w', '--stdin'], { input: f.text });
          infos.push('--cacheinfo', `${byPath.get(f.path)?.mode ?? '100644'},${sha},${f.path}`);
        }
        if (infos.length) await git(['update-index', '--add', ...infos], { env });
        const tree = await text(['write-tree'], { env });
        const parents = input.parents.flatMap((p) => ['-p', p]);
        const sha = await text(['commit-tree', tree, ...parents, '-F', '-'], {
          input: input.message,
          env: await identity(),
        });
        return { sha, tree, parents: [...input.parents], message: input.message };
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    },
    async updateBranch(branch, next, expected) {
      assertBranchName(branch, 'branch');
      const r = await run(dir, ['update-ref', '-m', 'cairn', `refs/heads/${branch}`, next, expected]);
      if (r.code === 0) return true;
      // Lost the compare-and-set (the branch exists, or moved): the caller decides again.
      if ((await provider.resolveBranch(branch)) !== (/^0+$/.test(expected) ? undefined : expected))
        return false;
      throw new PreconditionError(`git update-ref failed in ${dir}: ${r.stderr.trim()}`);
    },
    async compare(base, head): Promise<Comparison> {
      const [behind, ahead] = (await text(['rev-list', '--left-right', '--count', `${base}...${head}`]))
        .split(/\s+/)
        .map(Number) as [number, number];
      const status = ahead && behind ? 'diverged' : ahead ? 'ahead' : behind ? 'behind' : 'identical';
      return { status, aheadBy: ahead, behindBy: behind };
    },
  };
  return provider;
}
