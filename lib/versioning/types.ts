// The contract every version scheme implements. Callers never parse versions
// themselves and never import `semver`: they ask the scheme registered for a
// component (see ./index.ts).

export type SchemeId =
  /** Redis / Valkey container tags: 7.2.4, 7.2, 7, 7.2.4-alpine, 7.4-rc1, latest. */
  | 'redis-image'
  /** Bitnami container tags: 7.2.4-debian-12-r9. */
  | 'bitnami-image'
  /** Redis Enterprise versions with a build: 7.4.6-22 (Redis Software), 7.4.6-2 (operator). */
  | 'redis-enterprise'
  /** Plain semver with an optional `v` prefix: operator tags, Helm charts. */
  | 'semver'
  /** KubeDB RedisVersion names: 7.2.4, 7.2.4-v1. */
  | 'kubedb'
  /** Kubernetes / OpenShift minors: 1.30, v1.30.2. */
  | 'kubernetes'
  /** OT-Container-Kit Redis / Sentinel image tags, always `v`-prefixed: v7.0.15. */
  | 'ot-image';

/** A parsed version. Numbers absent from the text are undefined, not 0. */
export interface ParsedVersion {
  /** The text exactly as given. */
  raw: string;
  major: number;
  minor?: number;
  patch?: number;
  /** Build/revision number that orders within a version (Enterprise build, Bitnami `-rN`, KubeDB `-vN`). */
  build?: number;
  /** Pre-release label such as `rc1`, `m01`; undefined for stable versions. */
  prerelease?: string;
  /**
   * Variant that must be kept across upgrades (`alpine`, `bookworm`, `debian-12`).
   * Two versions with different compatibility suffixes are never compared as an upgrade.
   */
  suffix?: string;
  /** True for tags that move (`7`, `7.2`): they name a line, not a release. */
  floating: boolean;
  /** Leading `v` was present; kept when writing a new version in the same style. */
  vPrefix: boolean;
}

export type Parsed = { ok: true; version: ParsedVersion } | { ok: false; reason: string };

export interface VersionScheme {
  readonly id: SchemeId;
  /** Parses a version, or explains why it cannot be planned (`latest`, a template, garbage). */
  parse(version: string): Parsed;
  isValid(version: string): boolean;
  /** Total order on valid versions of this scheme (negative, zero, positive). Throws on invalid input. */
  compare(a: string, b: string): number;
  /**
   * True when `b` may replace `a` without changing variant (same suffix: `-alpine`
   * never becomes `-bookworm`). Not symmetric: a tag with no variant may accept one
   * (Bitnami rolling `7.2`). The `v` prefix is style, not variant: render rewrites it.
   */
  isCompatible(a: string, b: string): boolean;
  isStable(version: string): boolean;
  getMajor(version: string): number;
  getMinor(version: string): number | undefined;
  getPatch(version: string): number | undefined;
  /** `major.minor` line a version belongs to, e.g. `7.2`; used for RDB and minor rules. */
  getLine(version: string): string;
  /**
   * The token to write when `current` moves to release `target`, keeping
   * current's style: `v` prefix, variant suffix (`-alpine`), floating precision
   * (`7.2` -> `7.4`). Undefined when target cannot be written in that style.
   */
  render(current: string, target: string): string | undefined;
}
