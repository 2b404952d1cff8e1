// Redis Enterprise versions: Redis Software `7.4.6-22` and the operator /
// Helm chart `7.4.6-2` are a release plus a build number. Since 8.0.18 the REC
// image tag also carries a sub-build, `8.0.18-23.11`: Redis Software build 23
// packaged with operator build 11 (compare the operator_version column of the
// compat table). A plain `7.4.6` (no build) and a line `7.22` are accepted too.
//
// Ordering promises:
// - numeric by major, minor, patch (`7.22` > `7.8`), then build, then sub-build
//   (`7.4.6-22` > `7.4.6-8`, `8.0.18-23.11` > `8.0.18-23`).
// - a plain `7.4.6` sits below every build of 7.4.6: it is the release as
//   named in docs and support tables, so `7.4.6-22 >= 7.4.6` holds.
// - a line `7.22` is floating: the newest of its line, like a floating image tag.
//
// Variant suffixes, from the release notes' image lists (redis-docs
// content/operate/kubernetes/release-notes):
// - `.rhel7-openshift` / `.rhel8-openshift`: the OpenShift REC image
//   (`registry.connect.redhat.com/redislabs/redis-enterprise:7.4.6-22.rhel8-openshift`,
//   7-4-6-2.md) carries the build of the plain image plus the suffix. rhel7 tags
//   run from 6.0.6 to 7.2.4-130, rhel8 tags from 6.2.10-107 to 7.4.6-279. From
//   7.8.2-6 the images are RHEL9-based (7-8-2-6-nov24.md) and the OpenShift image
//   has the plain tag (`…/redis-enterprise:7.8.6-286`, 7-8-6-16-july2026.md), so a
//   hop to 7.8.2 or later writes the plain tag; a hop to a release outside the
//   suffix's window (rhel7 to 7.4) cannot be written.
// - `.minimal`: the minimal-base REC image published beside every sub-build tag
//   since 8.0.18 (`8.0.20-44.23.minimal`, 8-0-20-23-june2026.md); kept.
// Ordering ignores the suffix (it is a variant of the same build).
import {
  chain,
  cmpNum,
  cmpSuffix,
  defineScheme,
  num,
  numbersAt,
  ok,
  precisionOf,
  refuse,
  refuseCommon,
} from './common.ts';
import type { ParsedVersion } from './types.ts';

/** A Redis Enterprise version; `subBuild` is the `.11` of `8.0.18-23.11` (the operator build that packaged the image). */
export interface EnterpriseVersion extends ParsedVersion {
  subBuild?: number;
}

const EXAMPLE = '7.4.6-22, 8.0.18-23.11, 7.4.6-22.rhel8-openshift, 7.4.6';
const VERSION = /^(\d+)\.(\d+)(?:\.(\d+)(?:-(\d+)(?:\.(\d+))?(?:\.(rhel\d+-openshift|minimal))?)?)?$/;

/** Releases (inclusive, `[major, minor, patch]`) whose OpenShift image was published with the suffix. */
const OPENSHIFT_WINDOWS: Record<string, readonly [readonly number[], readonly number[]]> = {
  'rhel7-openshift': [
    [6, 0, 6],
    [7, 2, 4],
  ],
  'rhel8-openshift': [
    [6, 2, 10],
    [7, 4, 6],
  ],
};
/** From this release the OpenShift image carries the plain tag (RHEL9-based images, 7.8.2-6). */
const OPENSHIFT_PLAIN_FROM = [7, 8, 2] as const;

function cmpRelease(v: EnterpriseVersion, r: readonly number[]): number {
  return chain(
    () => cmpNum(v.major, r[0]!),
    () => cmpNum(v.minor ?? 0, r[1]!),
    () => cmpNum(v.patch ?? 0, r[2]!),
  );
}

const isOpenShift = (suffix: string | undefined) => suffix !== undefined && suffix in OPENSHIFT_WINDOWS;

export function parseRedisEnterprise(version: string) {
  const common = refuseCommon(version, EXAMPLE);
  if (common) return common;
  const m = VERSION.exec(version);
  if (!m) {
    const hint = /^v\d/.test(version) ? ' (Redis Enterprise versions have no `v` prefix)' : '';
    return refuse(`\`${version}\` is not a Redis Enterprise version${hint} (expected e.g. ${EXAMPLE})`);
  }
  const [, maj, min, pat, bld, sub, variant] = m;
  const major = num(maj);
  const minor = num(min);
  const patch = num(pat);
  const build = num(bld);
  const subBuild = num(sub);
  if (
    major === undefined ||
    minor === undefined ||
    (pat && patch === undefined) ||
    (bld && build === undefined) ||
    (sub && subBuild === undefined)
  ) {
    return refuse(`\`${version}\` has a number too large to be a version`);
  }
  const v: EnterpriseVersion = { raw: version, major, minor, floating: patch === undefined, vPrefix: false };
  if (patch !== undefined) v.patch = patch;
  if (build !== undefined) v.build = build;
  if (subBuild !== undefined) v.subBuild = subBuild;
  if (variant !== undefined) {
    if (variant === 'minimal' ? subBuild === undefined : !isOpenShift(variant)) {
      return refuse(
        variant === 'minimal'
          ? `\`${version}\`: minimal images are published only with a sub-build (e.g. 8.0.20-44.23.minimal)`
          : `\`${version}\`: no OpenShift images are published with .${variant} (known: .rhel7-openshift, .rhel8-openshift)`,
      );
    }
    v.suffix = variant;
  }
  return ok(v);
}

export function compareRedisEnterprise(a: EnterpriseVersion, b: EnterpriseVersion): number {
  const inf = Number.POSITIVE_INFINITY;
  // Floating line: missing parts are newest. Plain release: missing build is below every build.
  const missing = (v: EnterpriseVersion) => (v.floating ? inf : -1);
  return chain(
    () => cmpNum(a.major, b.major),
    () => cmpNum(a.minor ?? inf, b.minor ?? inf),
    () => cmpNum(a.patch ?? inf, b.patch ?? inf),
    () => cmpNum(a.build ?? missing(a), b.build ?? missing(b)),
    () => cmpNum(a.subBuild ?? missing(a), b.subBuild ?? missing(b)),
    () => cmpSuffix(a.suffix, b.suffix),
  );
}

/** Same variant, or an OpenShift rhel tag moving to a release whose OpenShift image is the plain tag. */
export function compatibleRedisEnterprise(a: EnterpriseVersion, b: EnterpriseVersion): boolean {
  if (a.suffix === b.suffix) return true;
  return isOpenShift(a.suffix) && b.suffix === undefined && cmpRelease(b, OPENSHIFT_PLAIN_FROM) >= 0;
}

/** The target's tag in current's variant, or undefined when that variant was not published for it. */
function withVariant(current: EnterpriseVersion, target: EnterpriseVersion): string | undefined {
  const suffix = current.suffix;
  if (suffix === undefined) return target.suffix === undefined ? target.raw : undefined;
  if (target.suffix !== undefined) return target.suffix === suffix ? target.raw : undefined;
  if (suffix === 'minimal') return target.subBuild === undefined ? undefined : `${target.raw}.minimal`;
  if (cmpRelease(target, OPENSHIFT_PLAIN_FROM) >= 0) return target.raw;
  const [from, to] = OPENSHIFT_WINDOWS[suffix]!;
  return cmpRelease(target, from) >= 0 && cmpRelease(target, to) <= 0 ? `${target.raw}.${suffix}` : undefined;
}

/**
 * Keeps current's precision. A current with a build needs a target with a
 * build, and a current with a sub-build (an REC image tag since 8.0.18) a
 * target with one: cairn cannot invent either. Target is written as published, in
 * current's variant (`.rhel8-openshift`, `.minimal`; see the header). A plain
 * current (`7.4.6`) gets target's release without build; a line (`7.4`) gets
 * target's line.
 */
export function renderRedisEnterprise(
  current: EnterpriseVersion,
  target: EnterpriseVersion,
): string | undefined {
  if (current.build !== undefined) {
    const missing =
      target.build === undefined || (current.subBuild !== undefined && target.subBuild === undefined);
    return missing ? undefined : withVariant(current, target);
  }
  const precision = precisionOf(current);
  if (precisionOf(target) < precision) return undefined;
  return numbersAt(target, precision);
}

export const redisEnterprise = defineScheme<EnterpriseVersion>({
  id: 'redis-enterprise',
  parse: parseRedisEnterprise,
  compare: compareRedisEnterprise,
  isCompatible: compatibleRedisEnterprise,
  render: renderRedisEnterprise,
});
