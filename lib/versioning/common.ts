// Pieces every scheme shares: the refusals that read the same everywhere
// (empty, template, `latest`), ordering helpers, and `defineScheme`, which
// turns a parser + comparator + renderer into the public VersionScheme so
// each scheme module only states what is particular to it.
import { InternalError } from '../errors.ts';
import type { Parsed, ParsedVersion, SchemeId, VersionScheme } from './types.ts';
import { MAX_TAG_LENGTH } from './variants.ts';

export function ok<P extends ParsedVersion>(version: P): { ok: true; version: P } {
  return { ok: true, version };
}

export function refuse(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

/**
 * Refusals common to every scheme, or undefined when the text deserves a
 * scheme-specific look. `example` lists what the scheme accepts, for the message.
 */
export function refuseCommon(version: string, example: string): { ok: false; reason: string } | undefined {
  if (version === '') return refuse(`empty version: nothing to plan from (expected e.g. ${example})`);
  if (version.length > MAX_TAG_LENGTH)
    return refuse(
      `\`${version.slice(0, 40)}…\` is ${version.length} characters long: no registry accepts a tag over ${MAX_TAG_LENGTH}`,
    );
  if (version.trim() !== version) return refuse(`\`${version}\` has surrounding whitespace`);
  if (/\{\{|\$\{|<%/.test(version)) {
    return refuse(
      `\`${version}\` is a template expression, not a version: cairn needs the rendered value (e.g. ${example})`,
    );
  }
  if (version.includes('@')) {
    return refuse(`\`${version}\` carries a digest: pass the tag alone (e.g. ${example})`);
  }
  if (/^(latest|stable|edge|unstable|nightly|main|master)$/i.test(version)) {
    return refuse(`\`${version}\` floats to whatever is newest: pin a version so cairn can plan it`);
  }
  return undefined;
}

/** Parses a decimal component; undefined for absent text. Rejects values beyond safe integers. */
export function num(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

export function cmpNum(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** First non-zero comparison, lazily. */
export function chain(...steps: (() => number)[]): number {
  for (const step of steps) {
    const c = step();
    if (c !== 0) return c;
  }
  return 0;
}

// Pre-release labels Redis and Valkey use: 8.0-m01 (milestone) came before
// 8.0-rc1, which came before 8.0.0. alpha/beta rank below both.
const PRERELEASE_RANK: Record<string, number> = { alpha: 0, beta: 1, m: 2, rc: 3 };
export const PRERELEASE_LABEL = /^(?:rc\.?\d+|m\.?\d+|alpha(?:\.?\d+)?|beta(?:\.?\d+)?)$/i;

/** Orders pre-release labels (`rc1`, `M02`, `beta.2`); a stable version (undefined) is above all of them. */
export function cmpPrerelease(a: string | undefined, b: string | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  const [la, na] = splitLabel(a);
  const [lb, nb] = splitLabel(b);
  return chain(
    () => cmpNum(PRERELEASE_RANK[la] ?? -1, PRERELEASE_RANK[lb] ?? -1),
    () => cmpNum(na, nb),
    () => naturalCompare(a, b),
  );
}

function splitLabel(label: string): [string, number] {
  const m = /^([a-z]+)\.?(\d*)$/i.exec(label);
  return [m?.[1]?.toLowerCase() ?? label.toLowerCase(), Number(m?.[2] || 0)];
}

/**
 * Compares variant suffixes: none first, then text with digit runs compared
 * numerically (`debian-9` < `debian-10`). Only used to make sorting total;
 * versions with different suffixes are never an upgrade of one another.
 */
export function cmpSuffix(a: string | undefined, b: string | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  return naturalCompare(a, b);
}

export function naturalCompare(a: string, b: string): number {
  const pa = a.match(/\d+|\D+/g) ?? [];
  const pb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? -1 : 1;
    const bothDigits = /^\d/.test(x) && /^\d/.test(y);
    const c = bothDigits
      ? cmpNum(Number(x), Number(y)) || cmpNum(x.length, y.length)
      : x < y
        ? -1
        : x > y
          ? 1
          : 0;
    if (c !== 0) return c;
  }
  return 0;
}

/** `major.minor`, or `major` alone when the version has no minor (a floating `7`). */
export function lineOf(v: ParsedVersion): string {
  return v.minor === undefined ? `${v.major}` : `${v.major}.${v.minor}`;
}

/** The numeric part at a given precision, as written (`4.09` stays `4.09`): `7.4.1` at precision 2 is `7.4`. */
export function numbersAt(v: ParsedVersion, precision: number): string {
  const written = /(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(v.raw);
  const parts = written ? [written[1], written[2], written[3]] : [v.major, v.minor, v.patch].map(String);
  return parts.slice(0, precision).join('.');
}

/** How many numeric components were written: 1 for `7`, 2 for `7.2`, 3 for `7.2.4`. */
export function precisionOf(v: ParsedVersion): number {
  return v.patch !== undefined ? 3 : v.minor !== undefined ? 2 : 1;
}

export interface SchemeSpec<P extends ParsedVersion> {
  id: SchemeId;
  parse(version: string): { ok: true; version: P } | { ok: false; reason: string };
  /** Total preorder on parsed versions. */
  compare(a: P, b: P): number;
  /** Default: same variant suffix. */
  isCompatible?(a: P, b: P): boolean;
  render(current: P, target: P): string | undefined;
}

/** Builds the public scheme from a spec; string-level methods parse once and fail loudly on invalid input. */
export function defineScheme<P extends ParsedVersion>(spec: SchemeSpec<P>): VersionScheme {
  // Parsing is pure and the planner asks about the same release strings for every target:
  // remember results (frozen, so no caller can change a shared one), bounded in size.
  const cache = new Map<string, ReturnType<SchemeSpec<P>['parse']>>();
  const parse = (version: string) => {
    let r = cache.get(version);
    if (!r) {
      r = spec.parse(version);
      if (r.ok) Object.freeze(r.version);
      if (cache.size >= 20_000) cache.clear();
      cache.set(version, r);
    }
    return r;
  };
  const must = (version: string, op: string): P => {
    const r = parse(version);
    if (!r.ok) {
      throw new InternalError(
        `${spec.id}.${op}: invalid version \`${version}\`: ${r.reason} (check isValid before calling ${op})`,
      );
    }
    return r.version;
  };
  const compatible = spec.isCompatible ?? ((a: P, b: P) => a.suffix === b.suffix);
  return {
    id: spec.id,
    parse: (version: string): Parsed => parse(version),
    isValid: (version) => parse(version).ok,
    compare: (a, b) => spec.compare(must(a, 'compare'), must(b, 'compare')),
    isCompatible: (a, b) => {
      const pa = parse(a);
      const pb = parse(b);
      return pa.ok && pb.ok && compatible(pa.version, pb.version);
    },
    isStable: (version) => must(version, 'isStable').prerelease === undefined,
    getMajor: (version) => must(version, 'getMajor').major,
    getMinor: (version) => must(version, 'getMinor').minor,
    getPatch: (version) => must(version, 'getPatch').patch,
    getLine: (version) => lineOf(must(version, 'getLine')),
    render: (current, target) => {
      const c = parse(current);
      const t = parse(target);
      return c.ok && t.ok ? spec.render(c.version, t.version) : undefined;
    },
  };
}
