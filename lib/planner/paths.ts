// Path strategies: from a target's current version and its eligible releases,
// the hops to take. Each hop names the rules that allow it. When the newest
// eligible release cannot be reached safely, the strategy says why.
import { kubedbEntry, platformSupportFor } from '../catalog/query.ts';
import type { Catalog, KubedbVersion } from '../catalog/schema.ts';
import type { ResolvedSettings } from '../policy/schema.ts';
import { parseRange, satisfies } from '../versioning/range.ts';
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
  return { hops };
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
  const known = ctx.catalog.platformSupport.some((p) => p.component === ctx.component);
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

/** Whether KubeDB's `updateConstraints` of `from` admit an update to `to`. */
export function kubedbAllows(
  from: KubedbVersion,
  to: KubedbVersion,
  scheme: VersionScheme,
): { ok: boolean; why: string } {
  const p = scheme.parse(to.version);
  const target = p.ok ? p.version : undefined;
  if (!target) return { ok: false, why: `${to.name} has an unreadable version ${to.version}` };
  const matches = (exprs: readonly string[]) =>
    exprs.filter((e) => {
      const r = parseRange(e);
      return r.ok && satisfies(target, r.range);
    });
  if (from.denylist?.length) {
    const hit = matches(from.denylist);
    if (hit.length) return { ok: false, why: `${from.name}'s denylist "${hit[0]}" excludes ${to.version}` };
  }
  if (from.allowlist?.length) {
    const hit = matches(from.allowlist);
    if (!hit.length)
      return {
        ok: false,
        why: `${from.name}'s allowlist "${from.allowlist.join('" or "')}" does not admit ${to.version}`,
      };
    return { ok: true, why: `${from.name}'s allowlist "${hit[0]}" admits ${to.version}` };
  }
  return { ok: true, why: `${from.name} has no update constraints` };
}

/**
 * KubeDB: a version change is allowed only when the current RedisVersion's
 * `updateConstraints` admit the target; several hops may be needed. Finds the
 * newest reachable eligible version and the shortest chain to it.
 */
export function kubedbPath(ctx: PathContext, eligible: Verdict[]): PathResult {
  const rule = catalogRule(ctx.catalog, 'kubedb-update-constraints');
  const start = kubedbEntry(ctx.catalog, ctx.current.raw);
  const newest = eligible.at(-1);
  if (!newest) return { hops: [] };
  if (!start) {
    return {
      hops: [],
      blocked: {
        wanted: newest.token,
        reason: `RedisVersion ${ctx.current.raw} is not in the KubeDB catalog, so its update constraints are unknown`,
        unblock:
          'add the RedisVersion to policies/catalog (from the kubedb installer catalog) or correct spec.version',
        rule,
      },
    };
  }
  const nodes = eligible
    .map((v) => ({ v, entry: kubedbEntry(ctx.catalog, v.version) }))
    .filter((n): n is { v: Verdict; entry: KubedbVersion } => n.entry !== undefined && !n.entry.deprecated);
  // cairn's major rule holds on top of KubeDB's own: a major goes to the earliest minor of the next major.
  const earliestLine = new Map<number, string>();
  for (const n of nodes) {
    const line = ctx.scheme.getLine(n.entry.name);
    const cur = earliestLine.get(n.v.parsed.major);
    if (!cur || ctx.scheme.compare(line, cur) < 0) earliestLine.set(n.v.parsed.major, line);
  }
  const majorOk = (from: KubedbVersion, to: { v: Verdict; entry: KubedbVersion }) => {
    if (ctx.settings.majorUpgrade === 'direct') return true;
    const fromMajor = ctx.scheme.getMajor(from.name);
    const toMajor = to.v.parsed.major;
    if (toMajor === fromMajor) return true;
    return toMajor === fromMajor + 1 && ctx.scheme.getLine(to.entry.name) === earliestLine.get(toMajor);
  };
  const prev = new Map<string, { from: string; why: string }>();
  const entries = new Map(nodes.map((n) => [n.v.version, n]));
  let frontier: KubedbVersion[] = [start];
  const seen = new Set([start.name]);
  while (frontier.length) {
    const next: KubedbVersion[] = [];
    for (const from of frontier) {
      for (const n of nodes) {
        if (seen.has(n.entry.name) || ctx.scheme.compare(n.entry.name, from.name) <= 0) continue;
        if (!majorOk(from, n)) continue;
        const allowed = kubedbAllows(from, n.entry, ctx.scheme);
        if (!allowed.ok) continue;
        seen.add(n.entry.name);
        prev.set(n.entry.name, { from: from.name, why: allowed.why });
        next.push(n.entry);
      }
    }
    frontier = next;
  }
  const reachable = nodes.filter((n) => prev.has(n.entry.name)).map((n) => n.v);
  const goal = reachable.at(-1);
  const hops: Hop[] = [];
  for (let cur = goal?.version; cur && cur !== start.name; cur = prev.get(cur)?.from) {
    const n = entries.get(cur)!;
    hops.unshift({
      to: n.v.token,
      release: n.v.version,
      rules: [{ ...rule, text: `${rule.text} (${prev.get(cur)!.why})` }],
    });
  }
  if (goal?.version === newest.version) return { hops };
  const newestEntry = kubedbEntry(ctx.catalog, newest.version);
  const reason = !newestEntry
    ? `${newest.version} is not in the KubeDB RedisVersion catalog`
    : newestEntry.deprecated
      ? `RedisVersion ${newest.version} is deprecated in the KubeDB catalog`
      : `no chain of allowed updates reaches ${newest.version}: ${kubedbAllows(kubedbEntry(ctx.catalog, goal?.version ?? start.name) ?? start, newestEntry, ctx.scheme).why}`;
  return {
    hops,
    blocked: {
      wanted: newest.token,
      reason,
      unblock:
        'wait for a KubeDB catalog release whose updateConstraints admit it, or plan the reachable version',
      rule,
    },
  };
}
