// OT-Container-Kit's own Redis and Sentinel image tags (quay.io/opstree/redis,
// quay.io/opstree/redis-sentinel): `v` + the Redis version, e.g. `v7.0.15`
// (ot-redis-operator/charts/*/values.yaml; CHANGELOG v0.18.1 "Upgrade
// redis/sentinel image to 7.0.15"). The `v` is part of the tag OT publishes,
// not style: a tag without it, or with a suffix, is not one of OT's, and every
// tag written keeps it. Ordering is semver's.
import semver from 'semver';
import { defineScheme, ok, refuse, refuseCommon } from './common.ts';
import type { ParsedVersion } from './types.ts';

const EXAMPLE = 'v7.0.15';

interface OtVersion extends ParsedVersion {
  canonical: string;
}

function parseOt(version: string) {
  const common = refuseCommon(version, EXAMPLE);
  if (common) return common;
  const m = /^v(\d+\.\d+\.\d+)$/.exec(version);
  if (!m) {
    return refuse(
      `\`${version}\` is not an OT-Container-Kit image tag: OT publishes its Redis and Sentinel images as v<major.minor.patch> (e.g. ${EXAMPLE})`,
    );
  }
  const sv = semver.parse(m[1]!);
  if (!sv) return refuse(`\`${version}\` is not an OT-Container-Kit image tag (e.g. ${EXAMPLE})`);
  const v: OtVersion = {
    raw: version,
    major: sv.major,
    minor: sv.minor,
    patch: sv.patch,
    floating: false,
    vPrefix: true,
    canonical: m[1]!,
  };
  return ok(v);
}

export const otImage = defineScheme<OtVersion>({
  id: 'ot-image',
  parse: parseOt,
  compare: (a, b) => semver.compare(a.canonical, b.canonical),
  render: (_current, target) => `v${target.canonical}`,
});
