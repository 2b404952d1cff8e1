import { UnsafeFileError } from '../errors.ts';
import type { Target } from '../model.ts';
import type { Step } from '../planner/types.ts';
import type { RepoEntry, RepoReader } from '../targets/repo.ts';
import { editTarget } from '../targets/edit.ts';
import {
  createOpsRequestFiles,
  recordOpsRequestResult,
  removeKustomizeResource,
} from '../targets/ops-request.ts';

export interface FileChange {
  /** Repository-relative path. */
  path: string;
  /** The whole new content of the file (empty when it is deleted). */
  text: string;
  /** The file is removed (a finished KubeDB ops request). */
  deleted?: true;
}

const decoder = new TextDecoder();

/**
 * Why a path may not be written, or undefined when it is a clean
 * repository-relative path: no absolute path, no `..` or `.` segment, no empty
 * segment, no backslash or NUL, nothing inside `.git`.
 */
export function unsafeWritePath(path: string): string | undefined {
  if (path === '') return 'empty path';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'absolute path';
  if (path.includes('\\')) return 'backslash in path';
  if (path.includes('\0')) return 'NUL byte in path';
  const segments = path.split('/');
  if (segments.some((s) => s === '..' || s === '.')) return '"." or ".." segment';
  if (segments.some((s) => s === '')) return 'empty path segment';
  if (segments.some((s) => s.toLowerCase() === '.git')) return 'inside .git';
  return undefined;
}

/**
 * Every change must land inside the repository: a clean relative path
 * (unsafeWritePath) that neither is nor passes through a symbolic link.
 */
function checkWrites(entries: readonly RepoEntry[], changes: readonly FileChange[]): void {
  for (const c of changes) {
    const why = unsafeWritePath(c.path);
    if (why) throw new UnsafeFileError({ file: c.path }, `${why}: refusing to write it`);
  }
  const links = new Set(entries.filter((e) => e.isSymbolicLink).map((e) => e.path));
  for (const c of changes) {
    const segments = c.path.split('/');
    for (let i = 1; i <= segments.length; i++) {
      const prefix = segments.slice(0, i).join('/');
      if (links.has(prefix))
        throw new UnsafeFileError(
          { file: c.path },
          `${prefix === c.path ? 'is' : `passes through ${prefix}, which is`} a symbolic link: refusing to write through it`,
        );
    }
  }
}

async function readText(repo: RepoReader, path: string): Promise<string> {
  try {
    return decoder.decode(await repo.read(path));
  } catch (e) {
    throw new UnsafeFileError({ file: path }, `cannot read: ${(e as Error).message}`);
  }
}

/**
 * Every file a step writes, with its full new content, computed before anything is
 * written: the version token edited in place, or a KubeDB ops-request file (and the
 * `kustomization.yaml` beside it that lists it), or KubeDB's step 2 (`change: 'record'`:
 * spec.version recorded, the finished request deleted and unlisted). Every path is checked to land
 * inside the repository (checkWrites) before it is returned.
 */
export async function stepFileChanges(repo: RepoReader, target: Target, step: Step): Promise<FileChange[]> {
  const entries = await repo.list();
  const changes = await computeChanges(repo, entries, target, step);
  checkWrites(entries, changes);
  return changes;
}

async function computeChanges(
  repo: RepoReader,
  entries: readonly RepoEntry[],
  target: Target,
  step: Step,
): Promise<FileChange[]> {
  const why = unsafeWritePath(target.file);
  if (why) throw new UnsafeFileError({ file: target.file }, `${why}: refusing to read or write it`);
  const text = await readText(repo, target.file);
  if (target.change !== 'ops-request') {
    return [{ path: target.file, text: editTarget(text, target, step.to, { verify: true }) }];
  }
  if (step.change === 'record') return recordChanges(repo, entries, text, target, step);
  const dir = target.file.includes('/') ? target.file.slice(0, target.file.lastIndexOf('/') + 1) : '';
  const kustomizationPath = `${dir}kustomization.yaml`;
  // Absent is fine (no kustomization to extend); present but unreadable is not.
  const present = entries.some((e) => e.path === kustomizationPath);
  const kustomizationText = present ? await readText(repo, kustomizationPath) : undefined;
  return createOpsRequestFiles(
    text,
    target,
    step.to,
    kustomizationText !== undefined
      ? { kustomization: { path: kustomizationPath, text: kustomizationText } }
      : {},
  ).map((f) => ({ path: f.path, text: f.text }));
}

/**
 * KubeDB's step 2: spec.version of the database manifest set to the version the finished
 * request reached, the request file deleted and its `kustomization.yaml` entry removed
 * (docs/kubedb-ops-requests.md).
 */
async function recordChanges(
  repo: RepoReader,
  entries: readonly RepoEntry[],
  text: string,
  target: Target,
  step: Step,
): Promise<FileChange[]> {
  const request = target.pendingRequests?.find((r) => r.targetVersion === step.to);
  if (!request)
    throw new UnsafeFileError(
      { file: target.file, line: target.line, field: target.field },
      `no ops request for ${step.to} beside it to record`,
    );
  const out: FileChange[] = [
    { path: target.file, text: recordOpsRequestResult(text, target, step.to) },
    { path: request.file, text: '', deleted: true },
  ];
  // The kustomization beside the request lists it: the entry goes with the file.
  const dir = request.file.includes('/') ? request.file.slice(0, request.file.lastIndexOf('/') + 1) : '';
  const path = `${dir}kustomization.yaml`;
  if (entries.some((e) => e.path === path)) {
    const before = await readText(repo, path);
    const kept = removeKustomizeResource({ path, text: before }, request.file.slice(dir.length));
    if (kept !== before) out.push({ path, text: kept });
  }
  return out;
}
