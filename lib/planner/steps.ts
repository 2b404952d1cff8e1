// Steps from hops: one step per hop of each target, with its risks (RDB
// format, major, floating tag, deprecated Kubernetes), its pre-steps (a backup
// before a one-way or major hop, and what the target's product adds) and the
// gate the status function checks.
import { platformSupportFor, rdbFor } from '../catalog/query.ts';
import type { Catalog } from '../catalog/schema.ts';
import type { Target } from '../model.ts';
import type { Policy } from '../policy/schema.ts';
import type { VersionScheme } from '../versioning/types.ts';
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
      const rule = type === 'major' ? 'backup-before-major' : 'backup-before-one-way';
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
      ...(t.cluster ? { cluster: t.cluster } : {}),
      ...(t.environment ? { environment: t.environment } : {}),
      ...(t.sharedBy && t.sharedBy.length > 1 ? { clusters: t.sharedBy.map((c) => c.cluster) } : {}),
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

function environment(policy: Policy, t: Target) {
  return policy.environments.find((e) => e.name === t.environment);
}

export function dedupeRules(rules: Step['rules']): Step['rules'] {
  const seen = new Set<string>();
  return rules.filter((r) => !seen.has(r.id) && seen.add(r.id));
}
