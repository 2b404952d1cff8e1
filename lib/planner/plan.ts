// planUpgrade: the heart of cairn. Pure: all data and the clock come in, a
// plan comes out, and the same input always gives the same plan.
import { platformSupportFor, rdbFor } from '../catalog/query.ts';
import type { Catalog } from '../catalog/schema.ts';
import { InternalError } from '../errors.ts';
import type { ClusterFacts, Release, Target } from '../model.ts';
import { resolveSettings } from '../policy/resolve.ts';
import type { Policy, ResolvedSettings } from '../policy/schema.ts';
import { getScheme } from '../versioning/index.ts';
import type { ParsedVersion, SchemeId, VersionScheme } from '../versioning/types.ts';
import { type CandidateContext, judgeReleases, updateType, type Verdict } from './candidates.ts';
import { healthFor } from './gate.ts';
import {
  filterByKubernetes,
  type Hop,
  kubedbPath,
  type PathBlock,
  type PathContext,
  type PathResult,
  semverPath,
} from './paths.ts';
import { catalogRule } from './rules.ts';
import type { Blocked, Plan, PlanInput, PreStep, Step, StepTarget, TargetSummary } from './types.ts';

/** FNV-1a, 32 bit: a short stable hash for step ids (no crypto needed, runs everywhere). */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** Stable id of a hop: component, target version and a hash of the target id. Safe in a branch name. */
export function stepId(target: Target, to: string): string {
  const safe = to.replace(/[^A-Za-z0-9._-]/g, '_');
  return `${target.component}-${safe}-${shortHash(target.id)}`;
}

export function stepTarget(t: Target): StepTarget {
  const r = t.resource;
  const name = r
    ? `${r.kind}/${r.namespace ? `${r.namespace}/` : ''}${r.name}`
    : (t.file.split('/').pop() ?? t.file);
  return { id: t.id, file: t.file, line: t.line, kind: t.kind, name, field: t.field };
}

interface Work {
  target: Target;
  scheme: VersionScheme;
  settings: ResolvedSettings;
  current: ParsedVersion;
  verdicts: readonly Verdict[];
  /** Eligible releases that also pass the Kubernetes support check: what paths may use. */
  usable: Verdict[];
  hops: Hop[];
  /** Why the path stops short of the newest release; several reasons may hold at once. */
  blocks: PathBlock[];
  latest?: string;
  note?: string;
}

function clusterFacts(input: PlanInput, cluster: string | undefined): ClusterFacts | undefined {
  if (!cluster) return undefined;
  const reported = input.clusters[cluster];
  const declared = input.policy.clusters.find((c) => c.name === cluster);
  const kubernetesVersion = reported?.kubernetesVersion ?? declared?.kubernetes;
  return { name: cluster, ...reported, ...(kubernetesVersion ? { kubernetesVersion } : {}) };
}

/**
 * A resource name without its environment or cluster affix. One Argo CD
 * instance keeps every environment's Applications in one namespace, so they
 * are named `cache-dev`, `cache-prod` (or `prod-cache`): one workload.
 */
export function workloadName(name: string, where: { environment?: string; cluster?: string }): string {
  for (const affix of [where.environment, where.cluster]) {
    if (!affix || affix === name) continue;
    for (const sep of ['-', '.', '_']) {
      if (name.endsWith(`${sep}${affix}`)) return name.slice(0, -(affix.length + 1));
      if (name.startsWith(`${affix}${sep}`)) return name.slice(affix.length + 1);
    }
  }
  return name;
}

/** Counterparts of a target in another environment: the same workload, deployed elsewhere. */
function workloadKey(t: Target): string {
  const name = t.resource ? workloadName(t.resource.name, t) : t.file.split('/').pop();
  return [t.component, t.resource?.kind ?? '', name, t.field].join('|');
}

function describeBlocked(w: Work, b: PathBlock): Blocked {
  const t = w.target;
  return {
    target: stepTarget(t),
    component: t.component,
    ...(t.cluster ? { cluster: t.cluster } : {}),
    ...(t.environment ? { environment: t.environment } : {}),
    current: t.current,
    wanted: b.wanted,
    reason: b.reason,
    unblock: b.unblock,
    ...(b.rule ? { rule: b.rule } : {}),
  };
}

function computePath(input: PlanInput, w: Work, facts: ClusterFacts | undefined): void {
  const { catalog } = input;
  const eligible = w.verdicts.filter((v) => v.eligible);
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
  w.usable = k8s.kept;
  let result: PathResult;
  if (w.target.component === 'kubedb-redis') result = kubedbPath(ctx, k8s.kept);
  else result = semverPath(ctx, k8s.kept);
  w.hops = result.hops;
  for (const b of [k8s.blocked, result.blocked]) if (b) w.blocks.push(b);
  if (k8s.checked) {
    const rule = catalogRule(catalog, 'kubernetes-supported-throughout');
    for (const h of w.hops) h.rules.push(rule);
  }
}

/** The newest Redis Enterprise (REC) version an operator version ships; undefined when unknown. */
function shippedBy(catalog: Catalog, opVersion: string): string | undefined {
  const scheme = getScheme('redis-enterprise');
  return platformSupportFor(catalog, 'redis-enterprise-operator', opVersion)
    ?.ships.filter((s) => s.component === 'redis-enterprise' && scheme.isValid(s.version))
    .map((s) => s.version)
    .sort((a, b) => scheme.compare(a, b))
    .at(-1);
}

/**
 * Redis Enterprise: the operator goes first, then the cluster (REC) to the
 * version that operator ships, then databases. A REC hop must be a direct
 * upgrade path the catalog allows, so a large jump alternates operator and
 * REC steps. Rewrites the operator's and REC's hops on one cluster.
 */
function coupleRedisEnterprise(
  catalog: Catalog,
  facts: ClusterFacts | undefined,
  op: Work | undefined,
  rec: Work | undefined,
): void {
  const recScheme = getScheme('redis-enterprise');
  const rule = catalogRule(catalog, 're-direct-upgrade-paths');
  const orderRule = catalogRule(catalog, 're-operator-cluster-database-order');
  const ships = (opVersion: string) => shippedBy(catalog, opVersion);
  const direct = (from: string, to: string) =>
    catalog.upgradePaths.some(
      (p) =>
        p.component === 'redis-enterprise' &&
        p.direct === 'supported' &&
        matchesPattern(recScheme, from, p.from) &&
        matchesPattern(recScheme, to, p.to),
    );
  // Builds of one feature line (6.4.2-81 -> 6.4.2-115) are one `X.Y.x` row of the upgrade-path table.
  const reachable = (from: string, to: string) =>
    recScheme.compare(to, from) <= 0 || recScheme.getLine(from) === recScheme.getLine(to) || direct(from, to);
  const recHop = (release: string): Hop => ({
    to: rec ? (recScheme.render(rec.current.raw, release) ?? release) : release,
    release,
    rules: [orderRule, rule],
  });
  const blockRec = (reason: string, unblock: string) => {
    if (!rec) return;
    const wanted = rec.hops.at(-1)?.to ?? rec.latest;
    rec.hops = [];
    if (wanted) rec.blocks.push({ wanted, reason, unblock, rule: orderRule });
  };

  const runningOp = op?.current.raw ?? facts?.operators?.['redis-enterprise-operator'];
  if (!runningOp) {
    blockRec(
      `the Redis Enterprise operator version on ${rec?.target.cluster ?? 'this cluster'} is unknown, and the cluster (REC) may only run what its operator ships`,
      'keep the operator in the repository, or pass --cluster-state with its Deployment',
    );
    return;
  }
  // The REC first catches up with what the running operator ships, if it is behind.
  const recHops: Hop[] = [];
  let pos = rec?.current.raw ?? ships(runningOp);
  const shipped = ships(runningOp);
  if (
    rec &&
    shipped &&
    recScheme.compare(shipped, rec.current.raw) > 0 &&
    reachable(rec.current.raw, shipped)
  ) {
    recHops.push(recHop(shipped));
    pos = shipped;
  }
  if (!op) {
    if (rec) {
      rec.hops = recHops;
      rec.blocks = [];
    }
    return;
  }
  if (!pos) {
    if (op.hops.length) {
      op.blocks.push({
        wanted: op.hops.at(-1)!.to,
        reason: `which Redis Enterprise version operator ${op.current.raw} ships is unknown, so no direct upgrade path can be checked`,
        unblock: 'add the REC to the repository, or the ships fact to the catalog',
        rule,
      });
      op.hops = [];
    }
    blockRec('the operator cannot move, and the REC follows it', 'unblock the operator first');
    return;
  }
  const wanted = op.hops.at(-1);
  const chain: Hop[] = [];
  let lastOp = op.current.raw;
  for (;;) {
    const from: string = pos;
    const next = op.usable
      .filter((v) => op.scheme.compare(v.version, lastOp) > 0)
      .filter((v) => {
        const s = ships(v.version);
        return s !== undefined && reachable(from, s);
      })
      .at(-1);
    if (!next) break;
    const inherited = (wanted?.rules ?? []).filter((r) => r.id === 'kubernetes-supported-throughout');
    chain.push({ to: next.token, release: next.version, rules: [...inherited, rule] });
    lastOp = next.version;
    const s = ships(next.version)!;
    if (recScheme.compare(s, pos) > 0) {
      if (rec) recHops.push(recHop(s));
      pos = s;
    }
  }
  if (wanted && chain.at(-1)?.release !== wanted.release && !op.blocks.length) {
    const target = ships(wanted.release);
    op.blocks.push({
      wanted: wanted.to,
      reason: `no chain of direct Redis Enterprise upgrade paths leads from ${pos} to ${target ?? `the unknown version ${wanted.release} ships`}`,
      unblock: 'check the Redis Software upgrade paths in the release notes; unknown paths are never guessed',
      rule,
    });
  }
  op.hops = chain;
  if (rec) {
    rec.hops = recHops;
    rec.blocks = [];
  }
}

/** Matches catalog version patterns: `7.2.x`, `6.2.8` (any build), `8.0.2..8.0.10`. */
export function matchesPattern(scheme: VersionScheme, version: string, pattern: string): boolean {
  const p = scheme.parse(version);
  if (!p.ok) return false;
  const v = p.version;
  const triple = [v.major, v.minor ?? 0, v.patch ?? 0];
  const num = (s: string) => s.split('.').map(Number);
  const cmp = (a: number[], b: number[]) =>
    a[0]! - b[0]! || (a[1] ?? 0) - (b[1] ?? 0) || (a[2] ?? 0) - (b[2] ?? 0);
  if (pattern.endsWith('.x')) {
    const [ma, mi] = num(pattern.slice(0, -2));
    return v.major === ma && (v.minor ?? 0) === mi;
  }
  if (pattern.includes('..')) {
    const [lo, hi] = pattern.split('..').map(num) as [number[], number[]];
    return cmp(triple, lo) >= 0 && cmp(triple, hi) <= 0;
  }
  return cmp(triple, num(pattern)) === 0;
}

function rdbRisk(
  catalog: Catalog,
  scheme: VersionScheme,
  component: string,
  from: string,
  to: string,
): { risk?: string; oneWay: boolean } {
  const comp = catalog.components.get(component);
  const hasFormats = comp?.server !== undefined || catalog.dataFormats.some((d) => d.component === component);
  if (!hasFormats) return { oneWay: false };
  const lf = scheme.getLine(from);
  const lt = scheme.getLine(to);
  if (lf === lt) return { oneWay: false };
  const a = rdbFor(catalog, component, lf);
  const b = rdbFor(catalog, component, lt);
  if (!a || !b) {
    return {
      oneWay: true,
      risk: `the RDB format of ${!a ? lf : lt} is unknown: treat the hop as one-way; rollback means restore from backup`,
    };
  }
  if (b.rdb > a.rdb) {
    return {
      oneWay: true,
      risk: `raises the RDB format from ${a.rdb} to ${b.rdb}${b.confidence === 'inferred' ? ' (inferred)' : ''}: an older server cannot load it, so rollback means restore from backup`,
    };
  }
  return { oneWay: false };
}

function backupPreStep(t: Target): PreStep {
  const description =
    t.managedBy === 'howl-redis-operator'
      ? `create a RedisBackup of ${t.resource?.name ?? 'the cluster'} and wait for it to complete`
      : t.managedBy === 'kubedb-operator'
        ? `take a backup of ${t.resource?.name ?? 'the database'} (KubeStash BackupSession) and check it completed`
        : 'take a backup and check that it can be restored';
  return { kind: 'backup', description, rule: 'backup-before-major' };
}

export function planUpgrade(input: PlanInput): Plan {
  const { catalog, policy, now } = input;
  const targets = [...input.inventory.targets].sort((a, b) => a.id.localeCompare(b.id));
  const summaries = new Map<string, TargetSummary>();
  const blocked: Blocked[] = [];
  const works: Work[] = [];

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
      blocked.push({
        target: stepTarget(t),
        component: t.component,
        ...(t.cluster ? { cluster: t.cluster } : {}),
        ...(t.environment ? { environment: t.environment } : {}),
        current: t.current,
        wanted: '(any newer version)',
        reason: parsed.reason,
        unblock: parsed.reason.includes('latest')
          ? 'pin an exact version in the manifest'
          : 'write the version as a tag this component uses (see the reason), or mark the field with a `# cairn: component=...` comment naming the right component',
      });
      continue;
    }
    const settings = resolveSettings(policy, t);
    const releases = input.releases[t.component] ?? [];
    const ctx: CandidateContext = {
      scheme,
      settings,
      now,
      published: new Map(releases.map((r) => [r.version, r.published])),
    };
    const verdicts = judgeReleases(ctx, parsed.version, releases);
    const w: Work = {
      target: t,
      scheme,
      settings,
      current: parsed.version,
      verdicts,
      usable: [],
      hops: [],
      blocks: [],
    };
    const newest = newestStable(t.component, scheme, releases);
    if (newest) w.latest = newest;
    if (!releases.length) {
      w.blocks.push({
        wanted: '(any newer version)',
        reason: `no releases of ${t.component} are known: the feed is empty`,
        unblock: `check the feed snapshot or the release source for ${t.component}`,
      });
    }
    computePath(input, w, clusterFacts(input, t.cluster));
    works.push(w);
  }

  // Redis Enterprise: couple operator and REC hops on each cluster.
  const byCluster = new Map<string, Work[]>();
  for (const w of works) {
    const key = w.target.cluster ?? '';
    byCluster.set(key, [...(byCluster.get(key) ?? []), w]);
  }
  for (const ws of byCluster.values()) {
    const op = ws.find((w) => w.target.component === 'redis-enterprise-operator');
    const rec = ws.find((w) => w.target.component === 'redis-enterprise');
    if (op || rec) coupleRedisEnterprise(catalog, clusterFacts(input, ws[0]!.target.cluster), op, rec);
  }

  // Environment promotion: a version reaches an environment only after it ran in every earlier one.
  const envOrder = topoEnvironments(policy);
  const envRule = catalogRule(catalog, 'lower-environment-first');
  const byWorkload = new Map<string, Work[]>();
  for (const w of works) {
    const k = workloadKey(w.target);
    byWorkload.set(k, [...(byWorkload.get(k) ?? []), w]);
  }
  const promotionAfter = new Map<Work, Map<number, { work: Work; hop: number }[]>>();
  for (const env of envOrder) {
    const spec = policy.environments.find((e) => e.name === env)!;
    if (!spec.after?.length) continue;
    for (const w of works.filter((x) => x.target.environment === env)) {
      const peers = (byWorkload.get(workloadKey(w.target)) ?? []).filter(
        (p) => p.target.environment && spec.after!.includes(p.target.environment),
      );
      if (!peers.length) continue;
      const deps = new Map<number, { work: Work; hop: number }[]>();
      for (let i = 0; i < w.hops.length; i++) {
        const hop = w.hops[i]!;
        const missing = peers.filter(
          (p) =>
            p.current.raw !== hop.to && !p.hops.some((h) => h.to === hop.to || h.release === hop.release),
        );
        if (missing.length) {
          const p = missing[0]!;
          w.blocks.push({
            wanted: hop.to,
            reason: `${hop.to} has not run in ${p.target.environment} yet (there: ${[p.current.raw, ...p.hops.map((h) => h.to)].join(' -> ')})`,
            unblock: `let ${hop.to} run in ${p.target.environment} first`,
            rule: envRule,
          });
          w.hops = w.hops.slice(0, i);
          break;
        }
        hop.rules.push(envRule);
        deps.set(
          i,
          peers.flatMap((p) => {
            const j = p.hops.findIndex((h) => h.to === hop.to || h.release === hop.release);
            return j >= 0 ? [{ work: p, hop: j }] : [];
          }),
        );
      }
      promotionAfter.set(w, deps);
    }
  }

  // minimumVersion: a requirement the plan must meet.
  for (const w of works) {
    const min = w.settings.minimumVersion;
    if (!min || !w.scheme.isValid(min)) continue;
    const reach = w.hops.at(-1)?.release ?? w.current.raw;
    if (w.scheme.compare(reach, min) < 0) {
      w.blocks.push({
        wanted: min,
        reason: `the policy requires at least ${min}, but the plan only reaches ${reach}`,
        unblock:
          'relax the policy settings that exclude newer releases (pin, deny, release age), or wait for the release',
      });
    }
  }

  // Steps.
  const stepsOf = new Map<Work, Step[]>();
  for (const w of works) {
    const t = w.target;
    const steps: Step[] = [];
    let from = t.current;
    const env = policy.environments.find((e) => e.name === t.environment);
    for (const hop of w.hops) {
      const fromParsed = w.scheme.parse(from);
      const toParsed = w.scheme.parse(hop.to);
      const type = fromParsed.ok && toParsed.ok ? updateType(fromParsed.version, toParsed.version) : 'patch';
      const risks: string[] = [];
      const preSteps: PreStep[] = [];
      const rdb = rdbRisk(catalog, w.scheme, t.component, from, hop.to);
      const rules = [...hop.rules];
      if (rdb.risk) {
        risks.push(rdb.risk);
        rules.push(catalogRule(catalog, 'rdb-one-way'));
      }
      if (type === 'major')
        risks.push(
          `crosses a major version (${w.scheme.getMajor(from)} -> ${w.scheme.getMajor(hop.to)}): review the breaking changes`,
        );
      if (toParsed.ok && toParsed.version.floating)
        risks.push(`${hop.to} is a floating tag: restarted pods may pull a different patch`);
      if (t.role === 'data-plane' && w.settings.backupBeforeMajor && (type === 'major' || rdb.oneWay)) {
        preSteps.push(backupPreStep(t));
        rules.push(catalogRule(catalog, 'backup-before-major'));
      }
      if (t.role === 'operator' && t.component === 'howl-redis-operator') {
        preSteps.push({
          kind: 'crds',
          description: `apply the CRDs of ${hop.to} before the operator: Helm does not upgrade CRDs`,
          rule: 'crds-before-operator',
        });
        rules.push(catalogRule(catalog, 'crds-before-operator'));
      }
      if (
        t.managedBy === 'howl-redis-operator' &&
        t.resource?.kind === 'RedisCluster' &&
        w.settings.supervisedPrimaryUpdate
      ) {
        preSteps.push({
          kind: 'approve-primary',
          description: `replicas update first; then the cluster waits in WaitingForUser until someone runs kubectl annotate rediscluster ${t.resource.name} redis.io/approve-primary-update=true (one-shot: never put it in Git)`,
          rule: 'supervised-primary-update',
        });
        rules.push(catalogRule(catalog, 'supervised-primary-update'));
      }
      const ps = platformSupportFor(catalog, t.component, hop.release);
      const k8s = clusterFacts(input, t.cluster)?.kubernetesVersion;
      if (ps?.kubernetes && k8s && ps.kubernetes.deprecated.includes(k8s.split('.').slice(0, 2).join('.'))) {
        risks.push(
          `Kubernetes ${k8s} is deprecated for ${t.component} ${hop.release}: plan the Kubernetes upgrade`,
        );
      }
      steps.push({
        id: stepId(t, hop.to),
        target: stepTarget(t),
        component: t.component,
        role: t.role,
        ...(t.cluster ? { cluster: t.cluster } : {}),
        ...(t.environment ? { environment: t.environment } : {}),
        from,
        to: hop.to,
        after: steps.length ? [steps.at(-1)!.id] : [],
        rules: dedupeRules(rules),
        risks,
        preSteps,
        oneWay: rdb.oneWay,
        change: t.change,
        gate: {
          applied: true,
          health: healthFor(t.component, t.resource?.kind),
          version: hop.to,
          ...(env?.soak ? { soak: env.soak } : {}),
        },
      });
      from = hop.to;
    }
    stepsOf.set(w, steps);
  }

  // Ordering across targets on one cluster.
  const orderRule = catalogRule(catalog, 'operator-before-data-plane');
  const reOrder = catalogRule(catalog, 're-operator-cluster-database-order');
  for (const ws of byCluster.values()) {
    for (const w of ws) {
      const steps = stepsOf.get(w)!;
      if (!steps.length) continue;
      const t = w.target;
      if (t.role === 'data-plane' && t.managedBy) {
        const ops = ws.filter((o) => o.target.role === 'operator' && o.target.component === t.managedBy);
        const last = ops.map((o) => stepsOf.get(o)!.at(-1)).filter((s): s is Step => s !== undefined);
        if (last.length && t.component !== 'redis-enterprise') {
          steps[0]!.after.push(...last.map((s) => s.id));
          for (const s of steps) s.rules.push(orderRule);
        }
      }
      if (t.role === 'operator') {
        const crds = ws.filter((o) => o.target.role === 'crds' && o.target.component.startsWith(t.component));
        for (const c of crds) {
          const cs = stepsOf.get(c)!;
          for (const s of steps) {
            const match = cs.find((x) => x.to === s.to);
            if (match) s.after.push(match.id);
          }
        }
      }
    }
    // Redis Enterprise: REC hop i after the operator hop that ships it; the next operator hop after that REC hop.
    const op = ws.find((w) => w.target.component === 'redis-enterprise-operator');
    const rec = ws.find(
      (w) =>
        w.target.component === 'redis-enterprise' && w.target.resource?.kind === 'RedisEnterpriseCluster',
    );
    if (op) {
      const opSteps = stepsOf.get(op)!;
      const recSteps = rec ? stepsOf.get(rec)! : [];
      const shipsOf = (v: string) => shippedBy(catalog, v);
      recSteps.forEach((rs, j) => {
        const recRelease = rec!.hops[j]!.release;
        const i = op.hops.findIndex((h) => shipsOf(h.release) === recRelease);
        if (i < 0) {
          // A catch-up to what the running operator ships comes before any operator hop.
          opSteps[0]?.after.push(rs.id);
          return;
        }
        if (!opSteps[i]) return;
        rs.after.push(opSteps[i].id);
        opSteps[i + 1]?.after.push(rs.id);
      });
      const redbs = ws.filter((w) => w.target.component === 'redis-enterprise-database');
      const lastRec = recSteps.at(-1) ?? opSteps.at(-1);
      for (const d of redbs) {
        const ds = stepsOf.get(d)!;
        if (ds.length && lastRec) {
          ds[0]!.after.push(lastRec.id);
          for (const s of ds) s.rules.push(reOrder);
        }
      }
    }
  }
  for (const [w, deps] of promotionAfter) {
    const steps = stepsOf.get(w)!;
    for (const [i, list] of deps) {
      const s = steps[i];
      if (!s) continue;
      for (const d of list) {
        const dep = stepsOf.get(d.work)![d.hop];
        if (dep) s.after.push(dep.id);
      }
    }
  }

  // Summaries and blocked entries.
  for (const w of works) {
    const s = summaries.get(w.target.id)!;
    const steps = stepsOf.get(w)!;
    if (w.latest) s.latest = w.latest;
    if (steps.length) {
      s.status = 'planned';
      s.next = steps[0]!.to;
      s.goal = steps.at(-1)!.to;
    }
    if (w.blocks.length) {
      if (!steps.length) s.status = 'blocked';
      for (const b of w.blocks) blocked.push(describeBlocked(w, b));
    }
    if (w.note) s.note = w.note;
    else if (!steps.length && !w.blocks.length) {
      const newer = w.verdicts.at(-1);
      if (newer && !newer.eligible)
        s.note = `${newer.token} is newer but not eligible: ${newer.failed.map((f) => f.detail).join('; ')}`;
    }
    const minors = minorsBehind(w);
    if (minors !== undefined && minors > w.settings.maxMinorsBehind) {
      s.stale = { minorsBehind: minors, allowed: w.settings.maxMinorsBehind };
    }
  }

  const steps = orderSteps([...stepsOf.values()].flat());
  return { at: now.toISOString(), targets: [...summaries.values()], steps, blocked: blocked.sort(byTarget) };
}

function byTarget(a: Blocked, b: Blocked): number {
  return a.target.id.localeCompare(b.target.id) || a.wanted.localeCompare(b.wanted);
}

function dedupeRules(rules: Step['rules']): Step['rules'] {
  const seen = new Set<string>();
  return rules.filter((r) => !seen.has(r.id) && seen.add(r.id));
}

/** How many minor lines of the same major family lie between current and the newest release. */
function minorsBehind(w: Work): number | undefined {
  if (!w.latest) return undefined;
  const lines = new Set<string>();
  for (const v of w.verdicts) {
    if (w.scheme.isStable(v.version) && w.scheme.compare(v.version, w.current.raw) > 0)
      lines.add(w.scheme.getLine(v.version));
  }
  lines.delete(w.scheme.getLine(w.current.raw));
  return lines.size;
}

function topoEnvironments(policy: Policy): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const a of policy.environments.find((e) => e.name === name)?.after ?? []) visit(a);
    out.push(name);
  };
  for (const e of [...policy.environments].sort((a, b) => a.name.localeCompare(b.name))) visit(e.name);
  return out;
}

/** Topological order (dependencies first), ties broken by id, so output is deterministic. */
function orderSteps(steps: Step[]): Step[] {
  const byId = new Map(steps.map((s) => [s.id, s]));
  for (const s of steps) {
    s.after = [...new Set(s.after)].filter((id) => byId.has(id)).sort();
    s.rules = dedupeRules(s.rules);
  }
  const out: Step[] = [];
  const state = new Map<string, number>();
  const visit = (s: Step) => {
    if (state.get(s.id) === 2) return;
    if (state.get(s.id) === 1) throw new InternalError(`cycle in step dependencies at ${s.id}`);
    state.set(s.id, 1);
    for (const a of s.after) visit(byId.get(a)!);
    state.set(s.id, 2);
    out.push(s);
  };
  for (const s of [...steps].sort((a, b) => a.id.localeCompare(b.id))) visit(s);
  return out;
}
