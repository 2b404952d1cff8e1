import { shortHash } from '../planner/plan.ts';
import type { Step } from '../planner/types.ts';

/** A ref-safe path segment: lowercase letters, digits, dots and dashes. */
function segment(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9.-]+/g, '-')
      .replace(/\.{2,}/g, '.')
      .replace(/^[.-]+|[.-]+$/g, '')
      .slice(0, 40) || 'x'
  );
}

/**
 * The branch of a step: `cairn/<cluster>/<component>/<hash of target id and from version>`.
 * A step's identity is its path (the target) and where it starts (`from`), not the release
 * it goes to, so a newer release for the same hop lands on the same branch. KubeDB's
 * step 2 (`change: 'record'`) has its own branch beside its ops request's.
 */
export function stepBranchName(
  step: Pick<Step, 'cluster' | 'component' | 'target' | 'from'> & Partial<Pick<Step, 'change'>>,
): string {
  // KubeDB's step 2 starts where its ops request started: it gets a branch of its own.
  const key = `${step.target.id}@${step.from}${step.change === 'record' ? '#record' : ''}`;
  return `cairn/${segment(step.cluster ?? 'repo')}/${segment(step.component)}/${shortHash(key)}`;
}
