// Stable names for what the plan contains: step ids (the PR engine finds a
// pull request by it) and the target as a step shows it.
import type { Target } from '../model.ts';
import type { StepTarget } from './types.ts';

/** FNV-1a, 32 bit: a short stable hash for step ids (no crypto needed, runs everywhere). */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** Stable id of a hop: component, target version and a hash of the target id. Safe in a branch name. */
export function stepId(target: Target, to: string): string {
  const safe = to.replace(/[^A-Za-z0-9._-]/g, '_');
  let hash = hashes.get(target.id);
  if (hash === undefined) {
    hash = shortHash(target.id);
    if (hashes.size >= 100_000) hashes.clear(); // bounded: a fleet has ~10k targets
    hashes.set(target.id, hash);
  }
  return `${target.component}-${safe}-${hash}`;
}

const hashes = new Map<string, string>();

/**
 * The target as a step, a summary and a blocked entry show it. One object per target
 * (its summary and every step of it share it), so it must not be changed.
 */
export function stepTarget(t: Target): StepTarget {
  let out = stepTargets.get(t);
  if (!out) stepTargets.set(t, (out = makeStepTarget(t)));
  return out;
}

const stepTargets = new WeakMap<Target, StepTarget>();

function makeStepTarget(t: Target): StepTarget {
  const r = t.resource;
  const name = r
    ? `${r.kind}/${r.namespace ? `${r.namespace}/` : ''}${r.name}`
    : (t.file.split('/').pop() ?? t.file);
  const out: StepTarget = { id: t.id, file: t.file, line: t.line, kind: t.kind, name, field: t.field };
  if (t.siblings?.length) out.also = t.siblings.map((s) => ({ field: s.field, line: s.line }));
  return out;
}

const collator = new Intl.Collator();

/** The order of `String.prototype.localeCompare`, with one collator for every comparison. */
export const compareText = (a: string, b: string): number => collator.compare(a, b);
