// Names that reach Git: branch names and repository paths a commit writes. Checked here,
// as pure functions, so the local and the GitHub provider refuse the same things.
import { UnsafeFileError, UsageError } from '../errors.ts';
import type { TreeEntry } from './provider.ts';

/**
 * Why `name` is not a valid branch name (the rules of `git check-ref-format --branch`,
 * plus `@` and a leading `-`, which git would read as something else), or undefined.
 */
export function branchNameProblem(name: string): string | undefined {
  if (!name) return 'is empty';
  if (name === '@') return 'is "@", which git reads as HEAD';
  if (name.startsWith('-')) return 'starts with "-"';
  if (name.length > 200) return 'is longer than 200 characters';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f~^:?*[\\]/.test(name))
    return 'contains a space, a control character or one of ~^:?*[\\';
  if (name.includes('..')) return 'contains ".."';
  if (name.includes('@{')) return 'contains "@{"';
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) return 'has an empty path segment';
  if (name.endsWith('.')) return 'ends with "."';
  for (const part of name.split('/')) {
    if (part.startsWith('.')) return `has a segment "${part}" that starts with "."`;
    if (part.endsWith('.lock')) return `has a segment "${part}" that ends with ".lock"`;
  }
  return undefined;
}

/** Throws a usage error (exit 2) naming the flag when a branch name is not valid. */
export function assertBranchName(name: string, what = '--branch'): void {
  const problem = branchNameProblem(name);
  if (problem) throw new UsageError(`${what} "${name}" is not a valid branch name: it ${problem}`);
}

const MODE_LINK = '120000';
const MODE_SUBMODULE = '160000';

/**
 * Refuses a path a commit must not write: absolute, with an empty, `.` or `..` segment,
 * inside `.git`, or one that is, or passes through, a symbolic link, a submodule or a
 * file in the base tree (`entries`).
 */
export function assertWritablePath(path: string, entries: ReadonlyMap<string, TreeEntry>): void {
  const refuse = (reason: string): never => {
    throw new UnsafeFileError({ file: path }, `refusing to write: ${reason}`);
  };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\\]/.test(path)) refuse('the path has a control character or a backslash');
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) refuse('the path is absolute');
  const parts = path.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..'))
    refuse('the path has an empty, "." or ".." segment');
  if (parts.some((p) => p.toLowerCase() === '.git')) refuse('the path is inside .git');
  for (let i = 1; i < parts.length; i++) {
    const prefix = parts.slice(0, i).join('/');
    const e = entries.get(prefix);
    if (!e) continue;
    if (e.mode === MODE_LINK) refuse(`${prefix} is a symbolic link`);
    refuse(`${prefix} is ${e.mode === MODE_SUBMODULE ? 'a submodule' : 'a file'}, not a directory`);
  }
  const own = entries.get(path);
  if (own?.mode === MODE_LINK) refuse('it is a symbolic link');
  if (own?.mode === MODE_SUBMODULE) refuse('it is a submodule');
}
