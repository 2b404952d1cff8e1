// Semantic versions with an optional `v` prefix: operator image and release
// tags (`v0.2.6`, `0.2.6`) and Helm chart versions (`18.16.1`). Ordering is
// semver's, with build metadata as a final tie-break so sorting is total.
// The `v` is style, not variant: render writes target in current's style.
//
// A purely numeric pre-release (`7.8.6-6`) is refused: that is how Redis
// Enterprise writes a build (7.8.6 build 6), which semver would order *below*
// 7.8.6. Such versions belong to the redis-enterprise scheme.
import semver from 'semver';
import { defineScheme, ok, refuse, refuseCommon } from './common.ts';
import type { ParsedVersion } from './types.ts';

const EXAMPLE = 'v0.2.6, 0.2.6, 18.16.1';

/** Semver fields kept for ordering: the canonical text without `v`. */
interface SemverVersion extends ParsedVersion {
  canonical: string;
}

export function parseSemver(version: string) {
  const common = refuseCommon(version, EXAMPLE);
  if (common) return common;
  const vPrefix = /^v\d/.test(version);
  const body = vPrefix ? version.slice(1) : version;
  const sv = semver.parse(body, { loose: false });
  if (sv === null || sv.raw !== body || !/^\d/.test(body)) {
    return refuse(`\`${version}\` is not a semantic version (expected major.minor.patch, e.g. ${EXAMPLE})`);
  }
  if (sv.prerelease.length > 0 && sv.prerelease.every((p) => typeof p === 'number')) {
    return refuse(
      `\`${version}\` has a purely numeric pre-release, which is how Redis Enterprise writes a build (${sv.major}.${sv.minor}.${sv.patch} build ${sv.prerelease.join('.')}): use the redis-enterprise scheme`,
    );
  }
  const v: SemverVersion = {
    raw: version,
    major: sv.major,
    minor: sv.minor,
    patch: sv.patch,
    floating: false,
    vPrefix,
    canonical: body,
  };
  if (sv.prerelease.length > 0) v.prerelease = sv.prerelease.join('.');
  return ok(v);
}

export const semverScheme = defineScheme<SemverVersion>({
  id: 'semver',
  parse: parseSemver,
  compare: (a, b) => semver.compareBuild(a.canonical, b.canonical),
  render: (current, target) => (current.vPrefix ? `v${target.canonical}` : target.canonical),
});
