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
// minimum age (or from the last one that did): a service re-planning on its clock reuses it.
//
// A target's `line` (and its siblings') is read only to be named: in the step target
// (ids.ts stepTarget) and in texts as `(file:line)`. A push that added a line above some
// tokens moves their lines and nothing else, so when the targets differ only in lines (one
// old line to one new line per file), the answer is the last plan with those lines moved in
// the items that name them (found once per plan: `lineIndex`). Ids and gates never hold a
// line. It holds one plan and one copy of the targets it was planned from, so its memory is
// bounded by one plan. Below it, the planner's own memos (verdicts and paths per distinct
// component, version and settings) are shared by every run.
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
  last?: { key: Fingerprint; plan: Plan; lines?: LineIndex };
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
 * the file). The planner reads neither, so they are not compared. `line` (and a sibling's)
 * moves with a line added above the token: the plan names it, so it is compared apart and
 * a plan whose targets only moved lines is the last one with those lines moved.
 */
const UNREAD = new Set(['span', 'fingerprint', 'line', 'siblings']);
const SIBLING_UNREAD = new Set(['span', 'line']);

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

/** Old line -> new line, by file: only files where a line moved. */
type LineMoves = Map<string, Map<number, number>>;

/**
 * Undefined when the input differs from the last run's in anything but target lines;
 * else the lines that moved (none: the same input).
 */
function sameBut(a: Inputs, now: number, targets: readonly Target[], b: Fingerprint): LineMoves | undefined {
  if (
    a.catalog !== b.catalog ||
    !(b.valid.from <= now && now < b.valid.until) ||
    a.policy !== b.policy ||
    a.clusters !== b.clusters ||
    a.releases !== b.releases ||
    targets.length !== b.targets.length
  )
    return undefined;
  const byFile = new Map<string, Map<number, number>>();
  const pair = (file: string, from: unknown, to: unknown): boolean => {
    if (typeof from !== 'number' || typeof to !== 'number') return from === to;
    let lines = byFile.get(file);
    if (!lines) byFile.set(file, (lines = new Map()));
    const was = lines.get(from);
    if (was !== undefined) return was === to;
    lines.set(from, to);
    return true;
  };
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i]!;
    const c = b.targets[i]!;
    if (!sameData(t, c, UNREAD) || !pair(c.file, c.line, t.line)) return undefined;
    const ts = t.siblings ?? [];
    const cs = c.siblings ?? [];
    if (!Array.isArray(ts) || ts.length !== cs.length) return undefined;
    for (let j = 0; j < ts.length; j++)
      if (!sameData(ts[j], cs[j], SIBLING_UNREAD) || !pair(c.file, cs[j]!.line, ts[j]!.line))
        return undefined;
  }
  const moves: LineMoves = new Map();
  for (const [file, lines] of byFile) {
    if ([...lines].every(([from, to]) => from === to)) continue;
    // Two lines onto one would make two tokens one line: not a move.
    if (new Set(lines.values()).size !== lines.size) return undefined;
    moves.set(file, lines);
  }
  return moves;
}

/** The memo's copies with the targets of moved files copied again (the others are the same data). */
function movedCopies(copies: readonly Target[], targets: readonly Target[], moves: LineMoves): unknown {
  const out = copies.slice();
  for (let i = 0; i < targets.length; i++) {
    if (!moves.has(targets[i]!.file)) continue;
    const copy = plainCopy(targets[i]);
    if (copy === NOT_PLAIN) return NOT_PLAIN;
    out[i] = copy as Target;
  }
  return out;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The plan's lists of items that can name a target's line. */
const LISTS = ['targets', 'steps', 'blocked'] as const;
type Ref = { list: (typeof LISTS)[number]; index: number };

/**
 * Where a plan names lines, so a line move rewrites only those items: by file, the items
 * with a step target in it or a text that may name one of its lines (`(file:N)`).
 */
export type LineIndex = Map<string, Ref[]>;

/** Keys never built from a line: ids (a step's and those it waits for) and the gate. */
const LINELESS = new Set(['after', 'id', 'gate']);
const LINE_REF = /:\d+\)/g;
/** A step target (ids.ts stepTarget): a file and a line. */
const lineOf = (o: Record<string, unknown>) =>
  typeof o.file === 'string' && typeof o.line === 'number' ? o.file : undefined;

/** Every file a text may name a line of: what stands between any `(` and a `:N)` after it. */
function textFiles(s: string, add: (file: string) => void): void {
  if (!s.includes(':')) return;
  LINE_REF.lastIndex = 0;
  for (let m = LINE_REF.exec(s); m; m = LINE_REF.exec(s)) {
    const j = m.index;
    for (let i = s.lastIndexOf('(', j); i >= 0; i = i > 0 ? s.lastIndexOf('(', i - 1) : -1)
      add(s.slice(i + 1, j));
  }
}

/** Built once per plan on the first line move, and kept while lines only move (they keep their items). */
function lineIndex(plan: Plan): LineIndex {
  const index: LineIndex = new Map();
  for (const list of LISTS) {
    plan[list].forEach((item, i) => {
      const files = new Set<string>();
      const add = (f: string) => files.add(f);
      const visit = (v: unknown): void => {
        if (typeof v === 'string') return textFiles(v, add);
        if (typeof v !== 'object' || v === null) return;
        if (Array.isArray(v)) {
          for (const x of v) visit(x);
          return;
        }
        const o = v as Record<string, unknown>;
        const file = lineOf(o);
        if (file !== undefined) files.add(file);
        for (const k in o) if (!LINELESS.has(k)) visit(o[k]);
      };
      visit(item);
      for (const f of files) {
        const refs = index.get(f);
        if (refs) refs.push({ list, index: i });
        else index.set(f, [{ list, index: i }]);
      }
    });
  }
  return index;
}

/**
 * The plan with moved lines: every step target's `line` (and `also` lines) in a moved file,
 * and every `(file:line)` a text names there; only the items `index` says may name them are
 * read. Undefined when a text or a step target names a line no target had (plan again).
 */
function withMovedLines(plan: Plan, moves: LineMoves, index: LineIndex): Plan | undefined {
  let failed = false;
  const patterns = [...moves].map(([file, lines]) => ({
    mark: `(${file}:`,
    re: new RegExp(`\\(${escapeRegExp(file)}:(\\d+)\\)`, 'g'),
    file,
    lines,
  }));
  const line = (lines: Map<number, number>, n: number) => {
    const to = lines.get(n);
    if (to === undefined) failed = true;
    return to ?? n;
  };
  const text = (s: string) => {
    let out = s;
    for (const p of patterns) {
      if (!out.includes(p.mark)) continue;
      out = out.replace(p.re, (_m, n: string) => `(${p.file}:${line(p.lines, Number(n))})`);
    }
    return out;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return text(v);
    if (typeof v !== 'object' || v === null) return v;
    if (Array.isArray(v)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < v.length; i++) {
        const x = walk(v[i]);
        if (x !== v[i]) (copy ??= v.slice())[i] = x;
      }
      return copy ?? v;
    }
    const o = v as Record<string, unknown>;
    let copy: Record<string, unknown> | undefined;
    const file = lineOf(o);
    const lines = file === undefined ? undefined : moves.get(file);
    if (lines) {
      copy = { ...o, line: line(lines, o.line as number) };
      if (Array.isArray(o.also))
        copy.also = (o.also as { line: number }[]).map((a) => ({ ...a, line: line(lines, a.line) }));
    }
    for (const k in o) {
      if (LINELESS.has(k) || (lines && (k === 'line' || k === 'also'))) continue;
      const x = walk(o[k]);
      if (x !== o[k]) (copy ??= { ...o })[k] = x;
    }
    return copy ?? o;
  };
  const refs = new Set([...moves.keys()].flatMap((f) => index.get(f) ?? []));
  const out: Plan = { ...plan };
  const copied = new Set<string>();
  for (const { list, index: i } of refs) {
    const item = plan[list][i]!;
    const next = walk(item) as typeof item;
    if (next === item) continue;
    if (!copied.has(list)) {
      copied.add(list);
      (out as Record<string, unknown>)[list] = plan[list].slice();
    }
    (out[list] as unknown[])[i] = next;
  }
  return failed ? undefined : out;
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
  const last = memo.last;
  const moves = key && last ? sameBut(key, now, targets, last.key) : undefined;
  const lines = moves?.size ? (last!.lines ??= lineIndex(last!.plan)) : undefined;
  const moved = lines ? withMovedLines(last!.plan, moves!, lines) : last?.plan;
  const copies = lines && moved ? movedCopies(last!.key.targets, targets, moves!) : undefined;
  if (moves && moved && copies !== NOT_PLAIN) {
    memo.stats.reused++;
    // The next run compares with these lines (a move keeps every item where it was: the index holds).
    if (copies)
      memo.last = { key: { ...last!.key, targets: copies as Target[] }, plan: moved, lines: lines! };
    const at = input.now.toISOString();
    return moved.at === at ? moved : { ...moved, at };
  }
  // The last plan is of no more use: let it go before the new one is made (one plan in memory).
  delete memo.last;
  const copied = key ? plainCopy(targets) : NOT_PLAIN;
  const planned = copied === NOT_PLAIN ? undefined : (copied as Target[]);
  const { plan, works } = planWithWork(input);
  memo.stats.planned++;
  if (key && planned) {
    // The plan holds while every judgement it used holds.
    const valid = { from: -Infinity, until: Infinity };
    for (const verdicts of new Set(works.map((w) => w.verdicts))) {
      const v = verdictsValidity(verdicts);
      valid.from = Math.max(valid.from, v.from);
      valid.until = Math.min(valid.until, v.until);
    }
    memo.last = { key: { ...key, valid, targets: planned }, plan };
  }
  return plan;
}
