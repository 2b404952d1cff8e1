// Kubernetes and OpenShift versions: `1.30`, `v1.30.2`, `v1.31.0-rc.1`, and
// platform builds `v1.30.2-eks-abc`, `v1.30.1-gke.1329003`, `v1.29.3+k3s1`.
// Support matrices speak in minors, so `compare` orders by major.minor only:
// `1.30`, `v1.30.2` and `1.30.2-eks-abc` compare equal, and range checks such
// as "1.27 <= cluster <= 1.30" give the answer a support table means.
// `suffix` is the platform family (`eks`, `gke`, `k3s`); a platform-specific
// version stays on its platform, a plain one accepts any.
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

/** `platform` is the whole build text after the version (`eks-abc`, `k3s1`); `suffix` its family. */
interface KubernetesVersion extends ParsedVersion {
  platform?: string;
}

const EXAMPLE = '1.30, v1.30.2, v1.30.2-eks-abc';
const VERSION =
  /^(v)?(\d+)\.(\d+)(?:\.(\d+))?(?:-((?:alpha|beta|rc)(?:\.\d+)?))?(?:[-+]([0-9a-z][0-9a-z._+-]*))?$/i;

export function parseKubernetes(version: string) {
  const common = refuseCommon(version, EXAMPLE);
  if (common) return common;
  const m = VERSION.exec(version);
  if (!m || (m[1] !== undefined && m[1] !== 'v')) {
    return refuse(`\`${version}\` is not a Kubernetes version (expected e.g. ${EXAMPLE})`);
  }
  const [, v, maj, min, pat, pre, platform] = m;
  const major = num(maj);
  const minor = num(min);
  const patch = num(pat);
  if (major === undefined || minor === undefined || (pat && patch === undefined)) {
    return refuse(`\`${version}\` has a number too large to be a version`);
  }
  if (patch === undefined && (pre !== undefined || platform !== undefined)) {
    return refuse(
      `\`${version}\`: a pre-release or platform build follows a full version (e.g. v1.30.2-eks-abc)`,
    );
  }
  const out: KubernetesVersion = {
    raw: version,
    major,
    minor,
    floating: patch === undefined,
    vPrefix: v === 'v',
  };
  if (patch !== undefined) out.patch = patch;
  if (pre !== undefined) out.prerelease = pre;
  if (platform !== undefined) {
    out.platform = platform;
    out.suffix = (/^[a-z]+(?:\d+[a-z]+)*/i.exec(platform)?.[0] ?? platform).toLowerCase();
  }
  return ok(out);
}

function isCompatibleKubernetes(a: KubernetesVersion, b: KubernetesVersion): boolean {
  return a.platform === undefined || a.suffix === b.suffix;
}

/**
 * In current's `v` style and precision. A platform build needs a target from
 * the same platform (cairn cannot invent `-eks-…`); a minor (`1.29`) gets a
 * minor and cannot express a pre-release.
 */
function renderKubernetes(current: KubernetesVersion, target: KubernetesVersion): string | undefined {
  if (!isCompatibleKubernetes(current, target)) return undefined;
  const v = current.vPrefix ? 'v' : '';
  const body = target.vPrefix ? target.raw.slice(1) : target.raw;
  if (current.platform !== undefined) return `${v}${body}`;
  const precision = precisionOf(current);
  if (precisionOf(target) < precision) return undefined;
  if (precision === 2) return target.prerelease === undefined ? `${v}${numbersAt(target, 2)}` : undefined;
  return `${v}${numbersAt(target, 3)}${target.prerelease === undefined ? '' : `-${target.prerelease}`}`;
}

export const kubernetes = defineScheme<KubernetesVersion>({
  id: 'kubernetes',
  parse: parseKubernetes,
  compare: (a, b) =>
    chain(
      () => cmpNum(a.major, b.major),
      () => cmpNum(a.minor ?? 0, b.minor ?? 0),
    ),
  isCompatible: isCompatibleKubernetes,
  render: renderKubernetes,
});
