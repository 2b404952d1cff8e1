// Short ids for what a person types back: every target and step of a plan
// gets a 6-character hex prefix of a hash of its full id, longer (up to 16)
// only where two ids would share it. The set is prefix-free, so a short id
// names exactly one thing, and it stays the same from run to run unless a new
// id collides with it. `explain` and `apply` accept them in place of full ids.
import { NotFoundError } from '../errors.ts';
import type { Plan, Step } from '../planner/types.ts';

const MIN = 6;

/** Two 32-bit FNV-1a hashes with different offsets: 16 hex digits, no crypto needed. */
function hash64(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x01000193) >>> 0;
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i;
}

/** Full id -> short id, for a set of distinct ids. */
export function shortIdsOf(ids: Iterable<string>): Map<string, string> {
  const unique = [...new Set(ids)];
  const hashed = unique.map((id) => ({ id, h: hash64(id) })).sort((x, y) => (x.h < y.h ? -1 : 1));
  const out = new Map<string, string>();
  hashed.forEach((e, i) => {
    // In sorted order the longest shared prefix is with a neighbour.
    const near = Math.max(
      i > 0 ? commonPrefix(e.h, hashed[i - 1]!.h) : 0,
      i + 1 < hashed.length ? commonPrefix(e.h, hashed[i + 1]!.h) : 0,
    );
    out.set(e.id, e.h.slice(0, Math.max(MIN, near + 1)));
  });
  return out;
}

/** Short ids of every target and step of a plan, in one namespace. */
export function planShortIds(plan: Plan): Map<string, string> {
  return shortIdsOf([
    ...plan.targets.map((t) => t.target.id),
    ...plan.blocked.map((b) => b.target.id),
    ...plan.steps.map((s) => s.id),
  ]);
}

function byShort(plan: Plan, given: string): string | undefined {
  const wanted = given.trim().toLowerCase();
  if (!/^[0-9a-f]{4,16}$/.test(wanted)) return undefined;
  for (const [id, short] of planShortIds(plan)) if (short === wanted) return id;
  return undefined;
}

/** A target id from a full target id, a step id, or the short id of either. */
export function resolveTargetId(plan: Plan, given: string): string {
  const id = byShort(plan, given) ?? given;
  return plan.steps.find((s) => s.id === id)?.target.id ?? id;
}

/**
 * The step `given` names: a full step id, a step's short id, or a target's short
 * (or full) id, which names that target's first step in the plan.
 */
export function resolveStep(plan: Plan, given: string): Step {
  const id = byShort(plan, given) ?? given;
  const step = plan.steps.find((s) => s.id === id) ?? plan.steps.find((s) => s.target.id === id);
  if (step) return step;
  const ids = planShortIds(plan);
  const list = plan.steps.map((s) => `${ids.get(s.id)}  ${s.id}`);
  throw new NotFoundError(
    `no step "${given}" in the current plan${list.length ? `; steps:\n  ${list.join('\n  ')}` : ' (nothing to do)'}`,
  );
}
