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
import {
  chain,
  cmpNum,
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

const EXAMPLE = '7.4.6-22, 8.0.18-23.11, 7.4.6';
const VERSION = /^(\d+)\.(\d+)(?:\.(\d+)(?:-(\d+)(?:\.(\d+))?)?)?$/;

export function parseRedisEnterprise(version: string) {
  const common = refuseCommon(version, EXAMPLE);
  if (common) return common;
  const m = VERSION.exec(version);
  if (!m) {
    const hint = /^v\d/.test(version) ? ' (Redis Enterprise versions have no `v` prefix)' : '';
    return refuse(`\`${version}\` is not a Redis Enterprise version${hint} (expected e.g. ${EXAMPLE})`);
  }
  const [, maj, min, pat, bld, sub] = m;
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
  );
}

/**
 * Keeps current's precision. A current with a build needs a target with a
 * build, and a current with a sub-build (an REC image tag since 8.0.18) a
 * target with one: cairn cannot invent either. Target is written as published. A plain current (`7.4.6`) gets target's release without build; a
 * line (`7.4`) gets target's line.
 */
export function renderRedisEnterprise(
  current: EnterpriseVersion,
  target: EnterpriseVersion,
): string | undefined {
  if (current.build !== undefined) {
    const missing =
      target.build === undefined || (current.subBuild !== undefined && target.subBuild === undefined);
    return missing ? undefined : target.raw;
  }
  const precision = precisionOf(current);
  if (precisionOf(target) < precision) return undefined;
  return numbersAt(target, precision);
}

export const redisEnterprise = defineScheme<EnterpriseVersion>({
  id: 'redis-enterprise',
  parse: parseRedisEnterprise,
  compare: compareRedisEnterprise,
  render: renderRedisEnterprise,
});
