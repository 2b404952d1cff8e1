// Version ranges as users write them in policies and as KubeDB writes its
// update constraints: comparators (`>=7.2 <8`, `>= 7.4.6, < 8.2.2`),
// X-ranges (`7.x`, `7.2.x`, `7.2`, `7`), exact versions, `||` alternatives.
// Matching uses the numeric part of a version as its scheme parses it; build
// numbers and variant suffixes do not take part, and a pre-release sits just
// below its release.
import type { ParsedVersion } from './types.ts';

type Tuple = [number, number, number];
type Bound = { t: Tuple; inclusive: boolean };
interface Interval {
  lo?: Bound;
  hi?: Bound;
}

export interface VersionRange {
  readonly text: string;
  readonly alternatives: readonly Interval[];
}

export type RangeParse = { ok: true; range: VersionRange } | { ok: false; reason: string };

const PARTIAL = /^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?$/;

function isWild(s: string | undefined): boolean {
  return s === undefined || s === 'x' || s === 'X' || s === '*';
}

function cmp(a: Tuple, b: Tuple): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** Expands one comparator into an interval, the way node-semver desugars X-ranges. */
function comparator(op: string, ver: string): Interval | string {
  const m = PARTIAL.exec(ver);
  if (!m) return `"${ver}" is not a version or X-range`;
  const [, ma, mi, pa] = m;
  if (isWild(ma)) return op === '' || op === '=' ? {} : `"${op}${ver}" compares with a wildcard`;
  const major = Number(ma);
  const precision = isWild(mi) ? 1 : isWild(pa) ? 2 : 3;
  const base: Tuple = [major, precision > 1 ? Number(mi) : 0, precision > 2 ? Number(pa) : 0];
  // Smallest version above the whole partial range (7.2 -> 7.3.0; 7 -> 8.0.0).
  const next: Tuple =
    precision === 1
      ? [major + 1, 0, 0]
      : precision === 2
        ? [major, base[1] + 1, 0]
        : [major, base[1], base[2] + 1];
  switch (op) {
    case '':
    case '=':
      return { lo: { t: base, inclusive: true }, hi: { t: next, inclusive: false } };
    case '>=':
      return { lo: { t: base, inclusive: true } };
    case '>':
      return { lo: { t: next, inclusive: true } };
    case '<':
      return { hi: { t: base, inclusive: false } };
    case '<=':
      return { hi: { t: next, inclusive: false } };
    case '~':
      return {
        lo: { t: base, inclusive: true },
        hi: { t: precision === 1 ? [major + 1, 0, 0] : [major, base[1] + 1, 0], inclusive: false },
      };
    case '^':
      return { lo: { t: base, inclusive: true }, hi: { t: [major + 1, 0, 0], inclusive: false } };
    default:
      return `unknown operator "${op}"`;
  }
}

function intersect(a: Interval, b: Interval): Interval {
  const lo = !a.lo ? b.lo : !b.lo ? a.lo : cmp(a.lo.t, b.lo.t) >= 0 ? a.lo : b.lo;
  const hi = !a.hi ? b.hi : !b.hi ? a.hi : cmp(a.hi.t, b.hi.t) <= 0 ? a.hi : b.hi;
  const out: Interval = {};
  if (lo) out.lo = lo;
  if (hi) out.hi = hi;
  return out;
}

function isEmpty(i: Interval): boolean {
  if (!i.lo || !i.hi) return false;
  const c = cmp(i.lo.t, i.hi.t);
  return c > 0 || (c === 0 && !(i.lo.inclusive && i.hi.inclusive));
}

export function parseRange(text: string): RangeParse {
  const alternatives: Interval[] = [];
  for (const alt of text.split('||')) {
    // KubeDB writes `>= 7.4.6, < 8.2.2`: join operators to their versions, commas are AND.
    const tokens = alt
      .replace(/(>=|<=|>|<|=|~|\^)\s+/g, '$1')
      .split(/[\s,]+/)
      .filter(Boolean);
    if (!tokens.length) return { ok: false, reason: `empty alternative in "${text}"` };
    let interval: Interval = {};
    for (const tok of tokens) {
      const m = /^(>=|<=|>|<|=|~|\^)?(.*)$/.exec(tok)!;
      const c = comparator(m[1] ?? '', m[2]!);
      if (typeof c === 'string') return { ok: false, reason: c };
      interval = intersect(interval, c);
    }
    alternatives.push(interval);
  }
  return { ok: true, range: { text, alternatives } };
}

function tupleOf(v: ParsedVersion): Tuple {
  return [v.major, v.minor ?? 0, v.patch ?? 0];
}

function inInterval(v: ParsedVersion, i: Interval): boolean {
  const t = tupleOf(v);
  if (i.lo) {
    const c = cmp(t, i.lo.t);
    // A pre-release of the lower bound itself (7.4.0-rc1 vs >=7.4.0) is below the range.
    if (c < 0 || (c === 0 && (!i.lo.inclusive || v.prerelease !== undefined))) return false;
  }
  if (i.hi) {
    const c = cmp(t, i.hi.t);
    // 8.0.0-rc1 is below 8.0.0, so `<8` admits it only as a pre-release of the bound; we exclude it.
    if (c > 0 || (c === 0 && (!i.hi.inclusive || v.prerelease !== undefined))) return false;
  }
  return true;
}

export function satisfies(version: ParsedVersion, range: VersionRange): boolean {
  return range.alternatives.some((i) => inInterval(version, i));
}

/** True when no version can satisfy both ranges (used to find contradictory policies). */
export function disjoint(a: VersionRange, b: VersionRange): boolean {
  return a.alternatives.every((x) => b.alternatives.every((y) => isEmpty(intersect(x, y))));
}
