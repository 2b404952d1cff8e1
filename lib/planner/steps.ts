// Steps from hops: one step per hop of each target, with its risks (RDB
// format, major, floating tag, deprecated Kubernetes), its pre-steps (a backup
// before a one-way or major hop, and what the target's product adds) and the
// gate the status function checks.
import { platformSupportFor, rdbFor } from '../catalog/query.ts';
import type { Catalog } from '../catalog/schema.ts';
import type { Target } from '../model.ts';
import type { Policy } from '../policy/schema.ts';
import { getScheme } from '../versioning/index.ts';
import type { SchemeId, VersionScheme } from '../versioning/types.ts';
import { updateType } from './candidates.ts';
import { gateConditions, healthFor } from './gate-conditions.ts';
import { stepId, stepTarget } from './ids.ts';
import { catalogRule } from './rules.ts';
import type { PlanInput, PreStep, Step } from './types.ts';
import { clusterFacts, type Work } from './work.ts';

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

/** What a hop of `w` does to the data plane its releases ship (a chart's image), when both ends are known. */
function shippedHop(catalog: Catalog, w: Work, from: string, to: string) {
  if (w.pinnedBy || !w.product?.ships) return undefined;
  const a = w.product.ships(catalog, w.target, from);
  const b = w.product.ships(catalog, w.target, to);
  const comp = a && b && a.component === b.component ? catalog.components.get(a.component) : undefined;
  if (!a || !b || !comp) return undefined;
  const scheme = getScheme(comp.scheme as SchemeId);
  const pa = scheme.parse(a.version);
  const pb = scheme.parse(b.version);
  if (!pa.ok || !pb.ok) return undefined;
  return {
    component: a.component,
    from: a.version,
    to: b.version,
    type: updateType(pa.version, pb.version),
    rdb: rdbRisk(catalog, scheme, a.component, a.version, b.version),
    majors: [pa.version.major, pb.version.major] as const,
    older: scheme.compare(b.version, a.version) < 0,
  };
}

/** The backup before a hop: cited as before a major when it crosses one, else as before a one-way hop. */
function backupPreStep(w: Work, rule: 'backup-before-major' | 'backup-before-one-way'): PreStep {
  const description = w.product?.backup?.(w.target) ?? 'take a backup and check that it can be restored';
  return { kind: 'backup', description, rule };
}

/** The steps of one target, chained: each hop after the one before it. */
export function stepsFor(input: PlanInput, w: Work): Step[] {
  const { catalog, policy } = input;
  const t: Target = w.target;
  const steps: Step[] = [];
  let from = t.current;
  const env = environment(policy, t);
  if (w.recorded) {
    steps.push(recordStep(input, w, w.recorded));
    from = w.recorded.version;
  }
  for (const hop of w.hops) {
    const fromParsed = w.scheme.parse(from);
    const toParsed = w.scheme.parse(hop.to);
    const type = fromParsed.ok && toParsed.ok ? updateType(fromParsed.version, toParsed.version) : 'patch';
    const risks: string[] = [];
    const preSteps: PreStep[] = [];
    const own = rdbRisk(catalog, w.scheme, t.component, from, hop.to);
    // A chart hop that changes the Redis it ships carries that Redis hop's rules.
    const shipped = shippedHop(catalog, w, from, hop.to);
    const rdb = { oneWay: own.oneWay || (shipped?.rdb.oneWay ?? false) };
    const rules = [...hop.rules];
    if (own.risk) risks.push(own.risk);
    if (shipped?.rdb.risk)
      risks.push(`ships ${shipped.component} ${shipped.to} instead of ${shipped.from}: ${shipped.rdb.risk}`);
    if (own.risk || shipped?.rdb.risk) rules.push(catalogRule(catalog, 'rdb-one-way'));
    if (type === 'major')
      risks.push(
        `crosses a major version (${w.scheme.getMajor(from)} -> ${w.scheme.getMajor(hop.to)}): review the breaking changes`,
      );
    if (shipped?.older)
      risks.push(
        `ships an older ${shipped.component} (${shipped.to}) than ${from} did (${shipped.from}): the older server may not load data the newer one wrote; pin image.tag to keep ${shipped.from}`,
      );
    if (shipped?.type === 'major')
      risks.push(
        `moves ${shipped.component} across a major version (${shipped.majors[0]} -> ${shipped.majors[1]}, ${shipped.from} -> ${shipped.to}): review its breaking changes`,
      );
    if (w.pinnedBy) {
      const p = w.pinnedBy;
      risks.push(
        `${p.field} (${p.file}:${p.line}) pins ${p.component} (${p.current} today) independently of the chart: this hop does not change it, that target does`,
      );
    }
    if (toParsed.ok && toParsed.version.floating) {
      // A field that takes only a minor by contract is no image tag: its rule is cited instead.
      const contract = w.product?.minorOnly?.(t);
      if (contract) rules.push(catalogRule(catalog, contract));
      else risks.push(`${hop.to} is a floating tag: restarted pods may pull a different patch`);
    }
    const major = type === 'major' || shipped?.type === 'major';
    if (t.role === 'data-plane' && w.settings.backupBeforeMajor && (major || rdb.oneWay)) {
      const rule = major ? 'backup-before-major' : 'backup-before-one-way';
      preSteps.push(backupPreStep(w, rule));
      rules.push(catalogRule(catalog, rule));
    }
    const added = w.product?.preSteps?.({
      catalog,
      facts: clusterFacts(input, t.cluster),
      target: t,
      settings: w.settings,
      hop,
      from,
      type,
      oneWay: rdb.oneWay,
    });
    if (added) {
      preSteps.push(...added.preSteps);
      rules.push(...added.rules);
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
      ...stepPlace(t),
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
        health: healthFor(t, w.product),
        conditions: gateConditions(t, hop.to),
        version: hop.to,
        ...(env?.soak ? { soak: env.soak } : {}),
      },
    });
    from = hop.to;
  }
  return steps;
}

/** Where a step runs: its target's cluster and environment, and every cluster of a shared file. */
function stepPlace(t: Target): Pick<Step, 'cluster' | 'environment' | 'clusters'> {
  return {
    ...(t.cluster ? { cluster: t.cluster } : {}),
    ...(t.environment ? { environment: t.environment } : {}),
    ...(t.sharedBy && t.sharedBy.length > 1 ? { clusters: t.sharedBy.map((c) => c.cluster) } : {}),
  };
}

/**
 * KubeDB's step 2: the ops request reached its version, so Git is brought in line with
 * the cluster (spec.version written, the finished request removed) before the next
 * request. It changes nothing in the cluster: no backup, no soak; its gate is the
 * database Ready on that version once the GitOps tool applied the commit.
 */
function recordStep(input: PlanInput, w: Work, recorded: NonNullable<Work['recorded']>): Step {
  const t = w.target;
  const r = recorded.request;
  return {
    id: stepId(t, `${recorded.version}-recorded`),
    target: stepTarget(t),
    component: t.component,
    role: t.role,
    ...stepPlace(t),
    from: t.current,
    to: recorded.version,
    after: [],
    rules: [
      {
        ...catalogRule(input.catalog, 'kubedb-update-constraints'),
        text: `${r.kind} ${r.name} (${r.file}:${r.line}) reported Successful and the database runs ${recorded.version}: Git records it so Argo CD / Flux do not write ${t.current} back`,
      },
    ],
    risks: [],
    preSteps: [],
    oneWay: false,
    change: 'record',
    gate: {
      applied: true,
      health: healthFor(t, w.product).filter((h) => !/OpsRequest/.test(h)),
      conditions: gateConditions(t, recorded.version).filter((c) => c.evaluator !== 'kubedb-ops-request'),
      version: recorded.version,
    },
  };
}

function environment(policy: Policy, t: Target) {
  return policy.environments.find((e) => e.name === t.environment);
}

export function dedupeRules(rules: Step['rules']): Step['rules'] {
  const seen = new Set<string>();
  return rules.filter((r) => !seen.has(r.id) && seen.add(r.id));
}
