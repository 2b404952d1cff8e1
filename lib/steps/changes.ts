import type { Target } from '../model.ts';
import type { Step } from '../planner/types.ts';
import type { RepoReader } from '../targets/repo.ts';
import { editTarget } from '../targets/edit.ts';
import { createOpsRequestFiles } from '../targets/ops-request.ts';

export interface FileChange {
  /** Repository-relative path. */
  path: string;
  /** The whole new content of the file. */
  text: string;
}

const decoder = new TextDecoder();

async function readText(repo: RepoReader, path: string): Promise<string | undefined> {
  try {
    return decoder.decode(await repo.read(path));
  } catch {
    return undefined;
  }
}

/**
 * Every file a step writes, with its full new content, computed before anything is
 * written: the version token edited in place, or a KubeDB ops-request file (and the
 * `kustomization.yaml` beside it that lists it).
 */
export async function stepFileChanges(repo: RepoReader, target: Target, step: Step): Promise<FileChange[]> {
  const text = await readText(repo, target.file);
  if (text === undefined) throw new Error(`${target.file}: cannot read the file of target ${target.id}`);
  if (target.change !== 'ops-request') {
    return [{ path: target.file, text: editTarget(text, target, step.to, { verify: true }) }];
  }
  const dir = target.file.includes('/') ? target.file.slice(0, target.file.lastIndexOf('/') + 1) : '';
  const kustomizationPath = `${dir}kustomization.yaml`;
  const kustomizationText = await readText(repo, kustomizationPath);
  return createOpsRequestFiles(
    text,
    target,
    step.to,
    kustomizationText !== undefined
      ? { kustomization: { path: kustomizationPath, text: kustomizationText } }
      : {},
  ).map((f) => ({ path: f.path, text: f.text }));
}
