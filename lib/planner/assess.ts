// The first pass: each target on its own. Its status when it cannot be
// planned at all, the verdicts on every newer release (candidates.ts), and
// the path its product's strategy (or the generic one) takes.
import type { Release, Target } from '../model.ts';
import type { ResolvedSettings } from '../policy/schema.ts';
import { hasPlatformSupport } from '../catalog/query.ts';
import { resolveSettings } from '../policy/resolve.ts';
import { getScheme } from '../versioning/index.ts';
import type { SchemeId, VersionScheme } from '../versioning/types.ts';
import { type CandidateContext, judgeReleases, type Verdict } from './candidates.ts';
import { compareText, stepTarget } from './ids.ts';
import { filterByKubernetes, type Hop, type PathBlock, type PathContext, semverPath } from './paths.ts';
import { productFor } from './products/index.ts';
import { catalogRule } from './rules.ts';
import type { Blocked, PlanInput, RuleRef, TargetSummary } from './types.ts';
import { clusterFacts, type Work } from './work.ts';

export interface Assessment {
  /** One summary per target, in target-id order; later passes fill in status and versions. */
  summaries: Map<string, TargetSummary>;
  /** Targets that cannot be planned at all (an unreadable current version). */
  blocked: Blocked[];
  works: Work[];
}

/** Release dates by version, built once per release list (many targets share one). */
const publishedMemo = new WeakMap<readonly Release[], Map<string, string | undefined>>();
function publishedOf(releases: readonly Release[]): Map<string, string | undefined> {
  let m = publishedMemo.get(releases);
  if (!m) publishedMemo.set(releases, (m = new Map(releases.map((r) => [r.version, r.published]))));
  return m;
}
/**
 * Settings by what the policy's rules match on (component, cluster, environment, and
 * the target's id and file only when a rule matches targets): targets that match the
 * same way share one settings object, so their verdicts and paths are memoised together.
 */
const settingsMemo = new WeakMap<PlanInput['policy'], Map<string, ResolvedSettings>>();
function settingsOf(policy: PlanInput['policy'], t: Target): ResolvedSettings {
  let memo = settingsMemo.get(policy);
  if (!memo) settingsMemo.set(policy, (memo = new Map()));
  const byTarget = policy.rules.some((r) => r.match.targets);
  const key = `${t.component}\0${t.cluster ?? '\u0001'}\0${t.environment ?? '\u0001'}${byTarget ? `\0${t.id}\0${t.file}` : ''}`;
  let settings = memo.get(key);
  if (!settings) memo.set(key, (settings = resolveSettings(policy, t)));
  return settings;
}

export function assessTargets(input: PlanInput): Assessment {
  const { catalog, policy, now } = input;
  const targets = [...input.inventory.targets].sort((a, b) => compareText(a.id, b.id));
  const summaries = new Map<string, TargetSummary>();
  const blocked: Blocked[] = [];
  const works: Work[] = [];
  const byId = new Map(targets.map((t) => [t.id, t]));

  // The newest stable release of each component, computed once (not once per target).
  const newestByComponent = new Map<string, string | undefined>();
  const newestStable = (component: string, scheme: VersionScheme, releases: readonly Release[]) => {
    if (!newestByComponent.has(component)) {
      let best: string | undefined;
      for (const r of releases) {
        if (!scheme.isValid(r.version) || !scheme.isStable(r.version)) continue;
        if (best === undefined || scheme.compare(r.version, best) > 0) best = r.version;
      }
      newestByComponent.set(component, best);
    }
    return newestByComponent.get(component);
  };
  for (const t of targets) {
    const base: TargetSummary = {
      target: stepTarget(t),
      component: t.component,
      ...(t.cluster ? { cluster: t.cluster } : {}),
      ...(t.environment ? { environment: t.environment } : {}),
      current: t.current,
      status: 'up-to-date',
    };
    summaries.set(t.id, base);
    if (t.shadowedBy?.length) {
      // Another layer wins for this cluster: that one is planned and edited, not this one.
      base.status = 'shadowed';
      base.note = `overridden by ${t.shadowedBy.join(', ')}`;
      continue;
    }
    const comp = catalog.components.get(t.component);
    if (!comp) {
      base.status = 'unknown-component';
      base.note = `component "${t.component}" is not in the catalog`;
      continue;
    }
    const scheme = getScheme(comp.scheme as SchemeId);
    const parsed = scheme.parse(t.current);
    if (!parsed.ok) {
      base.status = 'unplannable';
      base.note = parsed.reason;
      blocked.push(unplannable(t, parsed.reason));
      continue;
    }
    const settings = settingsOf(policy, t);
    const releases = input.releases[t.component] ?? [];
    const ctx: CandidateContext = {
      scheme,
      settings,
      now,
      published: publishedOf(releases),
    };
    const product = productFor(t);
    const w: Work = {
      target: withLayeredFields(t, byId),
      ...(product ? { product } : {}),
      scheme,
      settings,
      current: parsed.version,
      verdicts: judgeReleases(ctx, parsed.version, releases),
      published: ctx.published,
      usable: [],
      hops: [],
      blocks: [],
    };
    const newest = newestStable(t.component, scheme, releases);
    if (newest) w.latest = newest;
    const path = pathOf(input, w, releases.length === 0);
    w.usable = path.usable;
    w.hops = path.hops.map((h) => ({ ...h, rules: [...h.rules] }));
    if (path.direct) w.direct = path.direct;
    w.blocks.push(...path.blocks);
    works.push(w);
  }
  return { summaries, blocked, works };
}

/**
 * A target whose overlay patches only the version sees the base's other
 * fields (Kustomize merges them): fields of the layers it overrides fill in
 * what it does not set itself.
 */
function withLayeredFields(t: Target, byId: ReadonlyMap<string, Target>): Target {
  if (!t.shadows?.length) return t;
  const below = t.shadows.map((id) => byId.get(id)?.fields).filter((f) => f !== undefined);
  if (!below.length) return t;
  return { ...t, fields: Object.assign({}, ...below, t.fields) as Record<string, string> };
}

function unplannable(t: Target, reason: string): Blocked {
  return {
    target: stepTarget(t),
    component: t.component,
    ...(t.cluster ? { cluster: t.cluster } : {}),
    ...(t.environment ? { environment: t.environment } : {}),
    current: t.current,
    wanted: '(any newer version)',
    reason,
    unblock: reason.includes('latest')
      ? 'pin an exact version in the manifest'
      : 'write the version as a tag this component uses (see the reason), or mark the field with a `# cairn: component=...` comment naming the right component',
  };
}

/** What the first pass decides for a target's path; shared by every target with the same inputs (frozen). */
interface PathFacts {
  usable: Verdict[];
  hops: readonly Hop[];
  direct?: string;
  blocks: readonly PathBlock[];
}

/**
 * The path of a target depends only on its verdicts (themselves memoised by component,
 * current version, settings and releases), its product, its cluster's Kubernetes version
 * (and the cluster's name, which the Kubernetes check's reasons cite) and the policy's
 * files: a fleet's thousands of targets have a few dozen distinct paths, computed once each.
 */
const pathMemo = new WeakMap<PlanInput['catalog'], WeakMap<readonly Verdict[], Map<string, PathFacts>>>();
function pathOf(input: PlanInput, w: Work, noReleases: boolean): PathFacts {
  const { catalog } = input;
  let byCatalog = pathMemo.get(catalog);
  if (!byCatalog) pathMemo.set(catalog, (byCatalog = new WeakMap()));
  let byVerdicts = byCatalog.get(w.verdicts);
  if (!byVerdicts) byCatalog.set(w.verdicts, (byVerdicts = new Map()));
  const facts = clusterFacts(input, w.target.cluster);
  const k8s = facts?.kubernetesVersion;
  const checked = hasPlatformSupport(catalog, w.target.component);
  const key = [
    w.product?.id ?? '',
    w.target.component,
    w.scheme.id,
    w.current.raw,
    noReleases ? 'none' : '',
    k8s ?? '\u0001',
    checked ? (w.target.cluster ?? '\u0001') : '',
    policyFilesKey(input.policy),
  ].join('\0');
  let path = byVerdicts.get(key);
  if (!path) byVerdicts.set(key, (path = computePath(input, w, noReleases)));
  return path;
}

const filesKeys = new WeakMap<PlanInput['policy'], string>();
function policyFilesKey(policy: PlanInput['policy']): string {
  let key = filesKeys.get(policy);
  if (key === undefined) filesKeys.set(policy, (key = policy.files.join('\u0001')));
  return key;
}

/** Kubernetes support first (where the catalog has a matrix), then the product's path strategy or the generic one. */
function computePath(input: PlanInput, w: Work, noReleases: boolean): PathFacts {
  const { catalog } = input;
  const facts = clusterFacts(input, w.target.cluster);
  const eligible = w.verdicts.filter((v) => v.eligible);
  const blocks: PathBlock[] = [];
  if (noReleases) {
    blocks.push({
      wanted: '(any newer version)',
      reason: `no releases of ${w.target.component} are known: the feed is empty`,
      unblock: `check the feed snapshot or the release source for ${w.target.component}`,
    });
  }
  const ctx: PathContext = {
    catalog,
    scheme: w.scheme,
    settings: w.settings,
    component: w.target.component,
    current: w.current,
    verdicts: w.verdicts,
    policyFiles: input.policy.files,
    ...(facts?.kubernetesVersion ? { kubernetesVersion: facts.kubernetesVersion } : {}),
    ...(w.target.cluster ? { cluster: w.target.cluster } : {}),
  };
  const k8s = filterByKubernetes(ctx, eligible);
  const result = w.product?.path ? w.product.path(ctx, k8s.kept) : semverPath(ctx, k8s.kept);
  const hops = result.hops;
  for (const b of [k8s.blocked, result.blocked]) if (b) blocks.push(b);
  if (k8s.checked) {
    const rule = catalogRule(catalog, 'kubernetes-supported-throughout');
    for (const h of hops) h.rules.push(rule);
  }
  // A newer release held back only because no source dates it: its age is unknown, so say so as a block.
  const reach = hops.at(-1)?.release ?? w.current.raw;
  const undated = w.verdicts
    .filter(
      (v) =>
        !v.eligible &&
        v.failed.every((f) => f.rule === 'release-age') &&
        !w.published.get(v.version) &&
        w.scheme.compare(v.version, reach) > 0,
    )
    .at(-1);
  if (undated) {
    blocks.push({
      wanted: undated.token,
      reason: `the release date of ${undated.version} is unknown (no source gives one), so its minimum release age cannot be checked`,
      unblock: `read ${w.target.component} from a source that publishes dates (docs/feeds.md), or set minimumReleaseAge: 0s for it in the policy`,
    });
  }
  return Object.freeze({
    usable: k8s.kept,
    hops: Object.freeze(
      hops.map((h) => Object.freeze({ ...h, rules: Object.freeze([...h.rules]) as RuleRef[] })),
    ),
    ...(result.direct ? { direct: result.direct } : {}),
    blocks: Object.freeze(blocks.map((b) => Object.freeze(b))),
  });
}
