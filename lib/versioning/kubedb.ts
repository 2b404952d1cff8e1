// KubeDB RedisVersion names, the keys of the KubeDB catalog that a Redis
// object's `spec.version` and a RedisOpsRequest's `targetVersion` refer to.
// Real names: `7.2.4`, `4.0`, `4`, build revisions `4.0-v1` / `4.0.6-v2`
// (`-vN` orders within a version), and Valkey entries `valkey-7.2.5`
// (distribution Valkey: suffix `valkey`, never an upgrade of an Official entry).
//
// A name is a catalog key, not a floating tag: `4.0` is one entry, so nothing
// here is `floating`. Ordering: numbers with a missing component below any
// written one (`4` < `4-v1` < `4.0` < `4.0-v1` < `4.0.6`), then distribution
// (Official first), then build. Whether a move is allowed is the catalog's
// `updateConstraints`, not this order.
import { chain, cmpNum, cmpSuffix, defineScheme, num, ok, refuse, refuseCommon } from './common.ts';
import type { ParsedVersion } from './types.ts';

const EXAMPLE = '7.2.4, 4.0-v1, valkey-8.0.3';
const NAME = /^(?:(valkey)-)?(\d+)(?:\.(\d+)(?:\.(\d+))?)?(?:-v(\d+))?$/;

export function parseKubedb(version: string) {
  const common = refuseCommon(version, EXAMPLE);
  if (common) return common;
  const m = NAME.exec(version);
  if (!m) {
    return refuse(
      `\`${version}\` is not a KubeDB RedisVersion name (expected a version with an optional -vN build and an optional valkey- prefix, e.g. ${EXAMPLE})`,
    );
  }
  const [, distribution, maj, min, pat, bld] = m;
  const major = num(maj);
  const minor = num(min);
  const patch = num(pat);
  const build = num(bld);
  if (
    major === undefined ||
    (min && minor === undefined) ||
    (pat && patch === undefined) ||
    (bld && build === undefined)
  ) {
    return refuse(`\`${version}\` has a number too large to be a version`);
  }
  const v: ParsedVersion = { raw: version, major, floating: false, vPrefix: false };
  if (minor !== undefined) v.minor = minor;
  if (patch !== undefined) v.patch = patch;
  if (build !== undefined) v.build = build;
  if (distribution !== undefined) v.suffix = distribution;
  return ok(v);
}

export function compareKubedb(a: ParsedVersion, b: ParsedVersion): number {
  return chain(
    () => cmpNum(a.major, b.major),
    () => cmpNum(a.minor ?? -1, b.minor ?? -1),
    () => cmpNum(a.patch ?? -1, b.patch ?? -1),
    () => cmpSuffix(a.suffix, b.suffix),
    () => cmpNum(a.build ?? -1, b.build ?? -1),
  );
}

export const kubedb = defineScheme({
  id: 'kubedb',
  parse: parseKubedb,
  compare: compareKubedb,
  // Names are catalog keys: write the target entry itself, only within one distribution.
  render: (current, target) => (current.suffix === target.suffix ? target.raw : undefined),
});
