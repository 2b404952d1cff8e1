// Bitnami container tags (bitnami/redis, bitnami/valkey). The immutable tag
// `7.2.4-debian-12-r9` is version 7.2.4, OS suffix `debian-12`, revision 9
// (revisions order within a version: r10 > r9). Bitnami also publishes
// rolling tags `7.2.4-debian-12`, `7.2.4`, `7.2`, `7`: those are `floating`
// (they move with each new revision) and compare as the newest of what they
// cover, like a floating Redis tag.
//
// The OS suffix must match for an upgrade: `debian-11` -> `debian-12` is a
// base-image change, not a version bump. Only a rolling tag without an OS
// (`7.2`) accepts any OS, since Bitnami repoints it at whatever OS is current.
import {
  chain,
  cmpNum,
  defineScheme,
  naturalCompare,
  num,
  numbersAt,
  ok,
  precisionOf,
  refuse,
  refuseCommon,
} from './common.ts';
import type { ParsedVersion } from './types.ts';

const EXAMPLE = '7.2.4-debian-12-r9';
const TAG = /^(\d+)(?:\.(\d+)(?:\.(\d+))?)?(?:-([a-z]+-\d+))?(?:-r(\d+))?$/;

export function parseBitnamiImage(version: string) {
  const common = refuseCommon(version, EXAMPLE);
  if (common) return common;
  const m = TAG.exec(version);
  if (!m) {
    return refuse(
      `\`${version}\` is not a Bitnami image tag (expected version-os-revision, e.g. ${EXAMPLE}, or a rolling tag such as 7.2.4)`,
    );
  }
  const [, maj, min, pat, suffix, rev] = m;
  const major = num(maj);
  const minor = num(min);
  const patch = num(pat);
  const build = num(rev);
  if (
    major === undefined ||
    (min && minor === undefined) ||
    (pat && patch === undefined) ||
    (rev && build === undefined)
  ) {
    return refuse(`\`${version}\` has a number too large to be a version`);
  }
  if (build !== undefined && (patch === undefined || suffix === undefined)) {
    return refuse(`\`${version}\`: a revision (-rN) only follows a full version and OS, e.g. ${EXAMPLE}`);
  }
  const v: ParsedVersion = { raw: version, major, floating: build === undefined, vPrefix: false };
  if (minor !== undefined) v.minor = minor;
  if (patch !== undefined) v.patch = patch;
  if (suffix !== undefined) v.suffix = suffix;
  if (build !== undefined) v.build = build;
  return ok(v);
}

const INF = Number.POSITIVE_INFINITY;

/** Numbers, then OS (a rolling tag without OS sorts after every OS), then revision; missing parts of a rolling tag are newest. */
export function compareBitnamiImage(a: ParsedVersion, b: ParsedVersion): number {
  return chain(
    () => cmpNum(a.major, b.major),
    () => cmpNum(a.minor ?? INF, b.minor ?? INF),
    () => cmpNum(a.patch ?? INF, b.patch ?? INF),
    () => cmpOs(a.suffix, b.suffix),
    () => cmpNum(a.build ?? INF, b.build ?? INF),
  );
}

function cmpOs(a: string | undefined, b: string | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  return naturalCompare(a, b);
}

function isCompatibleBitnami(a: ParsedVersion, b: ParsedVersion): boolean {
  return a.suffix === b.suffix || (a.floating && a.suffix === undefined);
}

/**
 * An immutable current needs an immutable target with the same OS: cairn
 * cannot invent a revision, so a bare `7.4.2` gives undefined. A rolling
 * current keeps its precision and OS (`7.2-debian-12` + `7.4.2-debian-12-r0` -> `7.4-debian-12`).
 */
export function renderBitnamiImage(current: ParsedVersion, target: ParsedVersion): string | undefined {
  if (!isCompatibleBitnami(current, target)) return undefined;
  if (!current.floating) return target.floating ? undefined : target.raw;
  const precision = precisionOf(current);
  if (precisionOf(target) < precision) return undefined;
  return numbersAt(target, precision) + (current.suffix === undefined ? '' : `-${current.suffix}`);
}

export const bitnamiImage = defineScheme({
  id: 'bitnami-image',
  parse: parseBitnamiImage,
  compare: compareBitnamiImage,
  isCompatible: isCompatibleBitnami,
  render: renderBitnamiImage,
});
