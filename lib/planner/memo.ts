// Re-planning the same repository again and again (the PR engine after every push): a
// memo kept between runs. The plan is a pure function of its input, so when nothing the
// planner reads has changed since the last run (no target, policy, cluster report, release
// list or instant differs: a push that touched no pinned version, which is most pushes to
// a GitOps repository), the last plan is the answer and nothing is planned again.
//
// What the memo compares, per run: each target with a copy of the last run's (in inventory
// order, as plain data; without the two fields that say where an edit writes, which the
// planner never reads), the policy, the cluster reports and the release lists as JSON, and
// the catalog by identity (it changes only with cairn). The instant matters only through
// the release-age checks, so the last plan holds until the next release reaches its
// minimum age (or from the last one that did): a service re-planning on its clock reuses it. It holds one plan and
// one copy of the targets it was planned from, so its memory is bounded by one plan. Below it, the planner's own memos (verdicts and paths
// per distinct component, version and settings) are shared by every run.
import type { Catalog } from '../catalog/schema.ts';
import type { Release, Target } from '../model.ts';
import { verdictsValidity, type Validity } from './candidates.ts';
import { planWithWork } from './plan.ts';
import type { Plan, PlanInput } from './types.ts';

interface Fingerprint {
  catalog: Catalog;
  releases: string;
  clusters: string;
  policy: string;
  /** The instants the plan holds for: no release reaches its minimum age in between. */
  valid: Validity;
  /** The targets as they were planned: the memo's own copies (a caller may change its objects later). */
  targets: readonly Target[];
}

/** What one run leaves for the next (opaque to callers). */
export interface PlanMemo {
  last?: { key: Fingerprint; plan: Plan };
  /** Runs answered from the memo, and runs planned. */
  stats: { reused: number; planned: number };
}

export function createPlanMemo(): PlanMemo {
  return { stats: { reused: 0, planned: 0 } };
}

/** Release lists as text, once per record object (a caller that keeps its feed snapshot pays once). */
const releaseTexts = new WeakMap<Record<string, Release[]>, string>();
function releasesText(releases: Record<string, Release[]>): string {
  let text = releaseTexts.get(releases);
  if (text === undefined) releaseTexts.set(releases, (text = JSON.stringify(releases)));
  return text;
}

/**
 * Fields of a target that say where exactly an edit writes: `span` (it moves when text
 * above the token changes) and the file text's `fingerprint` (it changes with any byte of
 * the file). The planner reads neither, so they are not compared.
 */
const UNREAD = new Set(['span', 'fingerprint']);

const isPlain = (v: object) => {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === Array.prototype || proto === null;
};

/** Own keys with a defined value, in order (JSON's view of an object). */
function definedKeys(o: Record<string, unknown>, skip?: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const k in o) if (o[k] !== undefined && !skip?.has(k)) out.push(k);
  return out;
}

/**
 * Whether two values are the same plain data, keys in the same order (as their JSON texts
 * would be equal). Anything not plain data (a Map, a Date) is never the same: planned again.
 */
function sameData(a: unknown, b: unknown, skip?: ReadonlySet<string>): boolean {
  if (a === b) return typeof a !== 'object' || a === null || isPlain(a);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (!isPlain(a) || !isPlain(b)) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameData(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const kx = definedKeys(x, skip);
  const ky = definedKeys(y, skip);
  if (kx.length !== ky.length) return false;
  for (let i = 0; i < kx.length; i++) {
    const k = kx[i]!;
    if (k !== ky[i] || !sameData(x[k], y[k])) return false;
  }
  return true;
}

type Inputs = Omit<Fingerprint, 'targets' | 'valid'>;

/** A deep copy of plain data (undefined members left out); undefined when `v` holds anything else. */
function plainCopy(v: unknown): unknown {
  if (v === null || typeof v !== 'object')
    return typeof v === 'function' || typeof v === 'symbol' ? NOT_PLAIN : v;
  if (!isPlain(v)) return NOT_PLAIN;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      const x = plainCopy(v[i]);
      if (x === NOT_PLAIN) return NOT_PLAIN;
      out[i] = x;
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const k in v) {
    const item = (v as Record<string, unknown>)[k];
    if (item === undefined) continue;
    const x = plainCopy(item);
    if (x === NOT_PLAIN) return NOT_PLAIN;
    out[k] = x;
  }
  return out;
}

const NOT_PLAIN: unknown = Symbol('not plain data');

function fingerprint(input: PlanInput): Inputs | undefined {
  try {
    return {
      catalog: input.catalog,
      releases: releasesText(input.releases),
      clusters: JSON.stringify(input.clusters),
      policy: JSON.stringify(input.policy),
    };
  } catch {
    return undefined; // not plain data: plan every time
  }
}

function same(a: Inputs, now: number, targets: readonly Target[], b: Fingerprint): boolean {
  if (
    a.catalog !== b.catalog ||
    !(b.valid.from <= now && now < b.valid.until) ||
    a.policy !== b.policy ||
    a.clusters !== b.clusters ||
    a.releases !== b.releases ||
    targets.length !== b.targets.length
  )
    return false;
  for (let i = 0; i < targets.length; i++) if (!sameData(targets[i], b.targets[i], UNREAD)) return false;
  return true;
}

/**
 * `planUpgrade(input)`, answered from `memo` when the input equals the last run's (the
 * instant may differ as long as no release reached its minimum age in between: the plan
 * is the same but for its `at`). The plan returned may share everything but its top level
 * with the one returned before: callers must not change it (none does).
 */
export function planWithMemo(input: PlanInput, memo: PlanMemo): Plan {
  const key = fingerprint(input);
  const targets = input.inventory.targets;
  const now = input.now.getTime();
  if (key && memo.last && same(key, now, targets, memo.last.key)) {
    memo.stats.reused++;
    const last = memo.last.plan;
    const at = input.now.toISOString();
    return last.at === at ? last : { ...last, at };
  }
  // The last plan is of no more use: let it go before the new one is made (one plan in memory).
  delete memo.last;
  const copied = key ? plainCopy(targets) : NOT_PLAIN;
  const copies = copied === NOT_PLAIN ? undefined : (copied as Target[]);
  const { plan, works } = planWithWork(input);
  memo.stats.planned++;
  if (key && copies) {
    // The plan holds while every judgement it used holds.
    const valid = { from: -Infinity, until: Infinity };
    for (const verdicts of new Set(works.map((w) => w.verdicts))) {
      const v = verdictsValidity(verdicts);
      valid.from = Math.max(valid.from, v.from);
      valid.until = Math.min(valid.until, v.until);
    }
    memo.last = { key: { ...key, valid, targets: copies }, plan };
  }
  return plan;
}
