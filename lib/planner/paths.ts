// Generic path strategies: from a target's current version and its eligible
// releases, the hops to take. Each hop names the rules that allow it. When the
// newest eligible release cannot be reached safely, the strategy says why. A
// product with its own strategy (KubeDB) brings it in lib/planner/products.
import { hasPlatformSupport, platformSupportFor } from '../catalog/query.ts';
import type { Catalog } from '../catalog/schema.ts';
import type { ResolvedSettings } from '../policy/schema.ts';
import type { ParsedVersion, VersionScheme } from '../versioning/types.ts';
import type { Verdict } from './candidates.ts';
import { catalogRule, policyRule } from './rules.ts';
import type { RuleRef } from './types.ts';

export interface Hop {
  /** Token written to the file. */
  to: string;
  /** Released version behind the token. */
  release: string;
  rules: RuleRef[];
}

export interface PathBlock {
  wanted: string;
  reason: string;
  unblock: string;
  rule?: RuleRef;
}

export interface PathResult {
  hops: Hop[];
  blocked?: PathBlock;
  /** With more than one hop: why the goal could not be reached in one (`explain` shows it). */
  direct?: string;
}

export interface PathContext {
  catalog: Catalog;
  scheme: VersionScheme;
  settings: ResolvedSettings;
  component: string;
  current: ParsedVersion;
  /** Newer, writable releases with their policy verdicts, oldest first. */
  verdicts: readonly Verdict[];
  policyFiles: readonly string[];
  kubernetesVersion?: string;
  cluster?: string;
}

function withinMajor(ctx: PathContext, target: Verdict): Hop {
  return {
    to: target.token,
    release: target.version,
    rules: [catalogRule(ctx.catalog, 'patch-minor-direct')],
  };
}

/**
 * Semantic-version policy (Alauda seed, and the default for Redis, Valkey and
 * operators): patch and minor go direct; a major first goes to the earliest
 * available minor of each major on the way, then on within the last major.
 */
export function semverPath(ctx: PathContext, eligible: Verdict[]): PathResult {
  const goal = eligible.at(-1);
  if (!goal) return { hops: [] };
  if (goal.parsed.major === ctx.current.major) return { hops: [withinMajor(ctx, goal)] };
  if (ctx.settings.majorUpgrade === 'direct') {
    return {
      hops: [
        {
          to: goal.token,
          release: goal.version,
          rules: [
            policyRule(
              'major-direct',
              'The policy allows crossing a major in one hop (majorUpgrade: direct).',
              ctx.policyFiles,
            ),
          ],
        },
      ],
    };
  }
  const hops: Hop[] = [];
  for (let major = ctx.current.major + 1; major <= goal.parsed.major; major++) {
    const inMajor = eligible.filter((v) => v.parsed.major === major);
    if (!inMajor.length) {
      // A major that was never released is no stop; one that exists but is not eligible blocks the way.
      const known = [
        ...ctx.verdicts.map((v) => v.version),
        ...(ctx.catalog.components.get(ctx.component)?.releases.map((r) => r.version) ?? []),
      ].some((v) => ctx.scheme.isValid(v) && ctx.scheme.getMajor(v) === major);
      if (!known) continue;
      return {
        hops,
        blocked: {
          wanted: goal.token,
          reason: `no eligible ${major}.x release to stop at on the way to ${goal.token}: a major first goes to the earliest minor of each major`,
          unblock: `let a ${major}.x release pass the policy (release age, pin, deny), or set majorUpgrade: direct`,
          rule: catalogRule(ctx.catalog, 'major-via-earliest-minor'),
        },
      };
    }
    const earliestLine = ctx.scheme.getLine(inMajor[0]!.version);
    const hop = inMajor.filter((v) => ctx.scheme.getLine(v.version) === earliestLine).at(-1)!;
    hops.push({
      to: hop.token,
      release: hop.version,
      rules: [catalogRule(ctx.catalog, 'major-via-earliest-minor')],
    });
  }
  if (hops.at(-1)?.to !== goal.token) hops.push(withinMajor(ctx, goal));
  if (hops.length < 2) return { hops };
  return {
    hops,
    direct: `${ctx.current.raw} -> ${goal.token} crosses a major: it first goes to the earliest available minor of each major on the way (${hops
      .slice(0, -1)
      .map((h) => h.to)
      .join(', ')}) [major-via-earliest-minor]`,
  };
}

function minorKey(v: string): [number, number] {
  const [a, b] = v.replace(/^v/, '').split('.').map(Number);
  return [a ?? 0, b ?? 0];
}

function cmpMinor(a: string, b: string): number {
  const [a1, a2] = minorKey(a);
  const [b1, b2] = minorKey(b);
  return a1 - b1 || a2 - b2;
}

/**
 * Keeps releases whose supported Kubernetes list includes the cluster's
 * version (Redis Enterprise seed: the Kubernetes version must be supported by
 * every operator version on the way). Unknown support excludes a release.
 * Applies only to components for which the catalog has a support matrix.
 */
export function filterByKubernetes(
  ctx: PathContext,
  eligible: Verdict[],
): { kept: Verdict[]; blocked?: PathBlock; checked: boolean } {
  const known = hasPlatformSupport(ctx.catalog, ctx.component);
  if (!known || !eligible.length) return { kept: eligible, checked: false };
  const rule = catalogRule(ctx.catalog, 'kubernetes-supported-throughout');
  const k8s = ctx.kubernetesVersion
    ? ctx.kubernetesVersion.replace(/^v/, '').split('.').slice(0, 2).join('.')
    : undefined;
  const newest = eligible.at(-1)!;
  if (!k8s) {
    return {
      kept: [],
      checked: true,
      blocked: {
        wanted: newest.token,
        reason: `the Kubernetes version of cluster ${ctx.cluster ?? '(unassigned)'} is unknown, so operator support cannot be checked`,
        unblock:
          'set `kubernetes:` for the cluster in the policy, or pass --cluster-state with a Node object',
        rule,
      },
    };
  }
  const supports = (v: Verdict) => {
    const p = platformSupportFor(ctx.catalog, ctx.component, v.version);
    if (!p?.kubernetes) return undefined;
    return [...p.kubernetes.supported, ...p.kubernetes.deprecated].includes(k8s);
  };
  const kept = eligible.filter((v) => supports(v) === true);
  const best = kept.at(-1);
  if (best?.version === newest.version) return { kept, checked: true };
  // Releases above the best usable one were dropped: say which are known not to
  // support the cluster's Kubernetes version, and which are unknown.
  const dropped = eligible.filter((v) => !best || ctx.scheme.compare(v.version, best.version) > 0);
  const refused = dropped.filter((v) => supports(v) === false).at(-1);
  const unknown = dropped.filter((v) => supports(v) === undefined).map((v) => v.version);
  const unknownText = unknown.length
    ? `Kubernetes support of ${unknown.length > 3 ? `${unknown.slice(0, 3).join(', ')} and ${unknown.length - 3} more` : unknown.join(', ')} is unknown (no support-matrix entry)`
    : '';
  let reason: string;
  let unblock: string;
  if (refused) {
    const p = platformSupportFor(ctx.catalog, ctx.component, refused.version);
    const list = [...(p?.kubernetes?.supported ?? []), ...(p?.kubernetes?.deprecated ?? [])].sort(cmpMinor);
    const minNeeded = list.find((x) => cmpMinor(x, k8s) > 0);
    const cur = platformSupportFor(ctx.catalog, ctx.component, ctx.current.raw)?.kubernetes;
    // The furthest Kubernetes minor the running operator still supports: the next safe stop.
    const reachable = cur
      ? [...cur.supported, ...cur.deprecated]
          .filter((x) => cmpMinor(x, k8s) > 0)
          .sort(cmpMinor)
          .at(-1)
      : undefined;
    reason = `Kubernetes ${k8s} is not supported by ${ctx.component} ${refused.version} (it supports ${list.join(', ') || 'none listed'})${unknownText ? `; ${unknownText}` : ''}`;
    unblock = !minNeeded
      ? `stay on a version that supports Kubernetes ${k8s}`
      : reachable
        ? `upgrade Kubernetes on ${ctx.cluster ?? 'the cluster'} to ${reachable} first (the newest the running ${ctx.current.raw} supports); ${refused.version} needs at least ${minNeeded}`
        : `upgrade Kubernetes on ${ctx.cluster ?? 'the cluster'} towards ${minNeeded}, keeping it supported by the running ${ctx.current.raw} at every step (its support is ${cur ? `exhausted above ${k8s}` : 'unknown'})`;
  } else {
    reason = unknownText;
    unblock =
      'check the release notes and add the Kubernetes support to the catalog; unknown support is never guessed';
  }
  return { kept, checked: true, blocked: { wanted: newest.token, reason, unblock, rule } };
}
