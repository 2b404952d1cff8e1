// The local git provider builds commits with plumbing only: the user's HEAD, index and
// work tree never move, a branch moves only from the value it was read at, and no write
// goes through a symbolic link or out of the repository.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UnsafeFileError, UsageError } from '../../../lib/errors.ts';
import { ZERO_SHA } from '../../../lib/git/provider.ts';
import { localGitProvider } from '../../../lib/node/git-provider.ts';
import { git } from '../../cli/run.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function repo(files: Record<string, string>, links: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-local-git-'));
  dirs.push(dir);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  for (const [p, to] of Object.entries(links)) symlinkSync(to, join(dir, p));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}

/** Everything a user would notice about their checkout. */
function checkoutState(dir: string) {
  return {
    head: git(dir, 'symbolic-ref', 'HEAD').trim(),
    commit: git(dir, 'rev-parse', 'HEAD').trim(),
    status: git(dir, 'status', '--porcelain', '--untracked-files=all'),
    index: git(dir, 'ls-files', '-s'),
  };
}

describe('local git provider', () => {
  it('commits several files onto a new branch without touching HEAD, the index or the work tree', async () => {
    const dir = repo({ 'a/values.yaml': 'image:\n  tag: 7.2.4 # pinned\n', 'b.yaml': 'x: 1\n' });
    writeFileSync(join(dir, 'scratch.txt'), 'untracked, must survive\n');
    const before = checkoutState(dir);
    const p = localGitProvider(dir);
    const head = await p.head();
    const c = await p.createCommit({
      parents: [head],
      files: [
        { path: 'a/values.yaml', text: 'image:\n  tag: 7.2.5 # pinned\n' },
        { path: 'new/dir/file.yaml', text: 'y: 2\n' },
      ],
      message: 'step\n\nCairn-Step: s1\n',
    });
    expect(await p.updateBranch('cairn/x', c.sha, ZERO_SHA)).toBe(true);
    expect(checkoutState(dir)).toEqual(before);
    expect(readFileSync(join(dir, 'a/values.yaml'), 'utf8')).toContain('7.2.4');
    expect(git(dir, 'diff', '--name-status', 'main', 'cairn/x').trim().split('\n')).toEqual([
      'M\ta/values.yaml',
      'A\tnew/dir/file.yaml',
    ]);
    expect(git(dir, 'fsck', '--strict', '--no-dangling').trim()).toBe('');
    expect(git(dir, 'log', '-1', '--format=%B', 'cairn/x')).toContain('Cairn-Step: s1');
  });

  it('deletes a file in the commit without touching the checkout', async () => {
    const dir = repo({ 'db/redis.yaml': 'v: 1\n', 'db/done.yaml': 'x: 1\n' });
    const p = localGitProvider(dir);
    const c = await p.createCommit({
      parents: [await p.head()],
      files: [
        { path: 'db/redis.yaml', text: 'v: 2\n' },
        { path: 'db/done.yaml', text: '', deleted: true },
      ],
      message: 'record',
    });
    expect(await p.updateBranch('cairn/r', c.sha, ZERO_SHA)).toBe(true);
    expect(git(dir, 'diff', '--name-status', 'main', 'cairn/r').trim().split('\n')).toEqual([
      'D\tdb/done.yaml',
      'M\tdb/redis.yaml',
    ]);
    expect(readFileSync(join(dir, 'db/done.yaml'), 'utf8')).toBe('x: 1\n');
  });

  it('moves a branch only from the value it expects: a stale expectation changes nothing', async () => {
    const dir = repo({ 'f.yaml': 'v: 1\n' });
    const p = localGitProvider(dir);
    const head = await p.head();
    const one = await p.createCommit({
      parents: [head],
      files: [{ path: 'f.yaml', text: 'v: 2\n' }],
      message: 'one',
    });
    const two = await p.createCommit({
      parents: [head],
      files: [{ path: 'f.yaml', text: 'v: 3\n' }],
      message: 'two',
    });
    expect(await p.updateBranch('b', one.sha, ZERO_SHA)).toBe(true);
    // Creating again (expected: absent) and moving from a wrong value both fail cleanly.
    expect(await p.updateBranch('b', two.sha, ZERO_SHA)).toBe(false);
    expect(await p.updateBranch('b', two.sha, head)).toBe(false);
    expect(await p.resolveBranch('b')).toBe(one.sha);
    expect(await p.updateBranch('b', two.sha, one.sha)).toBe(true);
    expect(await p.resolveBranch('b')).toBe(two.sha);
  });

  it.each([
    ['link.yaml', 'it is a symbolic link'],
    ['linkdir/values.yaml', 'linkdir is a symbolic link'],
    ['../outside.yaml', '".." segment'],
    ['/etc/passwd', 'absolute'],
    ['.git/config', 'inside .git'],
    ['f.yaml/x', 'f.yaml is a file'],
  ])('refuses to write %s (%s) and writes no branch', async (path, reason) => {
    const outside = mkdtempSync(join(tmpdir(), 'cairn-outside-'));
    dirs.push(outside);
    writeFileSync(join(outside, 'values.yaml'), 'secret: 1\n');
    const dir = repo({ 'f.yaml': 'v: 1\n' }, { 'link.yaml': join(outside, 'values.yaml'), linkdir: outside });
    const p = localGitProvider(dir);
    const err = await p
      .createCommit({ parents: [await p.head()], files: [{ path, text: 'pwned: true\n' }], message: 'm' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsafeFileError);
    expect((err as Error).message).toContain(reason);
    expect(readFileSync(join(outside, 'values.yaml'), 'utf8')).toBe('secret: 1\n');
    expect(git(dir, 'branch', '--list').trim()).toBe('* main');
  });

  it.each(['@', 'a..b', '-x', 'has space', 'ends.lock', 'x@{1}', 'trailing/'])(
    'refuses the branch name %j as a usage error (exit 2)',
    async (name) => {
      const p = localGitProvider(repo({ 'f.yaml': 'v: 1\n' }));
      const err = await p.checkBranchName(name).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).exitCode).toBe(2);
    },
  );

  it('lists a tree with modes and sizes, and compares commits', async () => {
    const dir = repo({ 'a.yaml': 'abc\n', 'd/b.yaml': 'b\n' }, { 'l.yaml': 'a.yaml' });
    const p = localGitProvider(dir);
    const head = await p.head();
    const t = await p.listTree(head);
    expect(t.entries.map((e) => [e.path, e.mode, e.size])).toEqual([
      ['a.yaml', '100644', 4],
      ['d/b.yaml', '100644', 2],
      ['l.yaml', '120000', 6],
    ]);
    const c = await p.createCommit({
      parents: [head],
      files: [{ path: 'a.yaml', text: 'x\n' }],
      message: 'm',
    });
    expect(await p.compare(head, c.sha)).toEqual({ status: 'ahead', aheadBy: 1, behindBy: 0 });
    expect(await p.compare(c.sha, head)).toEqual({ status: 'behind', aheadBy: 0, behindBy: 1 });
  });
});
