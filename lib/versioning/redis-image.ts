// Redis and Valkey container tags (docker.io/library/redis, valkey/valkey),
// read like Renovate's docker versioning: `7.2.4`, floating `7.2` and `7`,
// pre-releases `7.4-rc1` / `8.0.0-rc1` / `8.0-m01`, and a variant suffix after
// the version (`-alpine`, `-bookworm`, `-alpine3.19`) that an upgrade keeps.
//
// Ordering promises:
// - numeric by major, minor, patch; a pre-release sits below its release
//   (`8.0-m01` < `8.0-rc1` < `8.0.0`); `7.4-rc1` is `7.4.0-rc1`.
// - a floating tag is the newest of its line: `7.2` is above every `7.2.x`
//   and below `7.3-rc1`; `7` is above every `7.x`. It stands for whatever the
//   line resolves to today, which is at least any release already in it.
// - equal releases are then ordered by suffix (none first) so sorting is
//   total; a suffix change is never an upgrade (see isCompatible).
import {
  chain,
  cmpNum,
  cmpPrerelease,
  cmpSuffix,
  defineScheme,
  num,
  numbersAt,
  ok,
  PRERELEASE_LABEL,
  precisionOf,
  refuse,
  refuseCommon,
} from './common.ts';
import type { ParsedVersion } from './types.ts';

const EXAMPLE = '7.2.4, 7.2, 7.2.4-alpine, 7.4-rc1';
const VERSION = /^(\d+)(?:\.(\d+)(?:\.(\d+))?)?(?:-(.+))?$/;
const SUFFIX = /^[a-z][a-z0-9._]*(?:-[a-z0-9._]+)*$/i;

export function parseRedisImage(version: string) {
  const common = refuseCommon(version, EXAMPLE);
  if (common) return common;
  const m = VERSION.exec(version);
  if (!m) {
    if (/^v\d/.test(version)) {
      return refuse(
        `\`${version}\` is not a Redis/Valkey image tag: those have no \`v\` prefix (e.g. ${EXAMPLE})`,
      );
    }
    if (/^[a-z]/i.test(version)) {
      return refuse(
        `\`${version}\` is not a version: the tag floats to whatever its publisher points it at; pin a version so cairn can plan it`,
      );
    }
    return refuse(`\`${version}\` is not a Redis/Valkey image tag (expected e.g. ${EXAMPLE})`);
  }
  const [, maj, min, pat, rest] = m;
  const major = num(maj);
  const minor = num(min);
  const patch = num(pat);
  if (
    major === undefined ||
    (min !== undefined && minor === undefined) ||
    (pat !== undefined && patch === undefined)
  ) {
    return refuse(`\`${version}\` has a number too large to be a version`);
  }
  let prerelease: string | undefined;
  let suffix: string | undefined;
  if (rest !== undefined) {
    const dash = rest.indexOf('-');
    const head = dash === -1 ? rest : rest.slice(0, dash);
    if (PRERELEASE_LABEL.test(head)) {
      prerelease = head;
      if (dash !== -1) suffix = rest.slice(dash + 1);
    } else {
      suffix = rest;
    }
  }
  if (prerelease !== undefined && minor === undefined) {
    return refuse(`\`${version}\`: a pre-release needs at least major.minor (e.g. 7.4-rc1)`);
  }
  if (suffix !== undefined) {
    if (/^[a-z]+-\d+-r\d+$/.test(suffix)) {
      return refuse(
        `\`${version}\` looks like a Bitnami tag (version-os-revision): use the bitnami-image scheme`,
      );
    }
    if (!SUFFIX.test(suffix)) {
      return refuse(
        `\`${version}\`: \`-${suffix}\` is neither a pre-release (rc1, m01, alpha, beta) nor an image variant such as -alpine or -bookworm`,
      );
    }
  }
  const v: ParsedVersion = {
    raw: version,
    major,
    floating: patch === undefined && prerelease === undefined,
    vPrefix: false,
  };
  if (minor !== undefined) v.minor = minor;
  if (patch !== undefined) v.patch = patch;
  if (prerelease !== undefined) v.prerelease = prerelease;
  if (suffix !== undefined) v.suffix = suffix;
  return ok(v);
}

/** Missing components of a floating tag are +Infinity (newest of the line); of a pre-release, 0. */
function component(v: ParsedVersion, n: number | undefined): number {
  return n ?? (v.floating ? Number.POSITIVE_INFINITY : 0);
}

export function compareRedisImage(a: ParsedVersion, b: ParsedVersion): number {
  return chain(
    () => cmpNum(a.major, b.major),
    () => cmpNum(component(a, a.minor), component(b, b.minor)),
    () => cmpNum(component(a, a.patch), component(b, b.patch)),
    () => cmpPrerelease(a.prerelease, b.prerelease),
    () => cmpSuffix(a.suffix, b.suffix),
  );
}

/** The tag without its variant suffix, exactly as written (`7.4-rc1-alpine` -> `7.4-rc1`). */
function core(v: ParsedVersion): string {
  return v.suffix === undefined ? v.raw : v.raw.slice(0, v.raw.length - v.suffix.length - 1);
}

/**
 * Writes `target` in `current`'s style. A suffix on target must equal current's
 * (or be absent); current's suffix is kept. A floating current keeps its
 * precision (`7.2` + `7.4.1` -> `7.4`) and cannot express a pre-release or a
 * line coarser than itself, so those give undefined.
 */
export function renderImageStyle(current: ParsedVersion, target: ParsedVersion): string | undefined {
  if (target.suffix !== undefined && target.suffix !== current.suffix) return undefined;
  const tail = current.suffix === undefined ? '' : `-${current.suffix}`;
  if (current.floating) {
    const precision = precisionOf(current);
    if (target.prerelease !== undefined || precisionOf(target) < precision) return undefined;
    return numbersAt(target, precision) + tail;
  }
  if (target.floating) return undefined;
  return core(target) + tail;
}

export const redisImage = defineScheme({
  id: 'redis-image',
  parse: parseRedisImage,
  compare: compareRedisImage,
  render: renderImageStyle,
});
