// Environment promotion: a version reaches an environment only after it ran
// in every earlier one (the policy's `after`). Counterparts are the same
// workload deployed in another environment.
import type { Catalog } from '../catalog/schema.ts';
import type { Target } from '../model.ts';
import { conventionalPromotion } from '../policy/environments.ts';
import type { Policy } from '../policy/schema.ts';
import { catalogRule } from './rules.ts';
import type { RuleRef } from './types.ts';
import type { Work } from './work.ts';

/** For each hop index of a work, the hops of earlier environments it must wait for. */
export type PromotionDeps = Map<Work, Map<number, { work: Work; hop: number }[]>>;

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
  let key = workloadKeys.get(t);
  if (key === undefined) workloadKeys.set(t, (key = makeWorkloadKey(t)));
  return key;
}

const workloadKeys = new WeakMap<Target, string>();

function makeWorkloadKey(t: Target): string {
  const name = t.resource ? workloadName(t.resource.name, t) : t.file.split('/').pop();
  // The elements of one ApplicationSet generator are one workload on each element's cluster.
  const field = t.field.replace(/\.list\.elements\[[^\]]*\]/g, '.list.elements[]');
  return [t.component, t.resource?.kind ?? '', name, field].join('|');
}

/** Environments with every `after` dependency before it; ties by name. */
export function topoEnvironments(environments: readonly { name: string; after?: string[] }[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const a of environments.find((e) => e.name === name)?.after ?? []) visit(a);
    out.push(name);
  };
  for (const e of [...environments].sort((a, b) => a.name.localeCompare(b.name))) visit(e.name);
  return out;
}

/**
 * Cuts each path at the first hop an earlier environment will not run (with a
 * block saying so) and returns, for the hops that stay, the hops they wait for.
 */
/**
 * The environments to promote through: the policy's, or, when it declares
 * none, the conventional order of the environments the targets are in
 * (dev, test/qa, uat, staging, prod).
 */
export function promotionEnvironments(
  policy: Policy,
  works: readonly Work[],
): { name: string; after?: string[] }[] {
  if (policy.environments.length) return policy.environments;
  const present = works
    .flatMap((w) => [w.target.environment, ...(w.target.sharedBy ?? []).map((c) => c.environment)])
    .filter((e): e is string => e !== undefined);
  return conventionalPromotion(present);
}

/**
 * A file several clusters apply cannot be promoted environment by
 * environment: one edit reaches them all at once. When its clusters span
 * environments that promotion orders, its hops are blocked.
 */
function blockSharedAcrossEnvironments(
  environments: readonly { name: string; after?: string[] }[],
  works: readonly Work[],
  rule: RuleRef,
): void {
  const before = (a: string, b: string, seen = new Set<string>()): boolean => {
    // Whether a comes (transitively) before b.
    if (seen.has(b)) return false;
    seen.add(b);
    const after = environments.find((e) => e.name === b)?.after ?? [];
    return after.includes(a) || after.some((x) => before(a, x, seen));
  };
  for (const w of works) {
    const by = w.target.sharedBy;
    if (!by || by.length < 2 || !w.hops.length) continue;
    const envs = [...new Set(by.map((c) => c.environment ?? c.cluster))];
    const pair = envs.flatMap((a) =>
      envs.filter((b) => b !== a && before(a, b)).map((b) => [a, b] as const),
    )[0];
    if (!pair) continue;
    const names = topoEnvironments(environments).filter((e) => envs.includes(e));
    w.blocks.push({
      wanted: w.hops.at(-1)!.to,
      reason: `shared by ${names.join(' and ')}: promotion needs a per-environment override (${w.target.file} is applied by clusters ${by.map((c) => c.cluster).join(', ')}, so one edit reaches them all at once)`,
      unblock: `give each environment its own ${w.target.field} (a Kustomize patch or values file per environment that overrides this base), so ${pair[0]} can move first; or set it in a file only one environment applies`,
      rule,
    });
    w.hops = [];
  }
}

export function promote(catalog: Catalog, policy: Policy, works: readonly Work[]): PromotionDeps {
  const environments = promotionEnvironments(policy, works);
  const envRule = catalogRule(catalog, 'lower-environment-first');
  const byWorkload = new Map<string, Work[]>();
  for (const w of works) {
    const k = workloadKey(w.target);
    const list = byWorkload.get(k);
    if (list) list.push(w);
    else byWorkload.set(k, [w]);
  }
  blockSharedAcrossEnvironments(environments, works, envRule);
  const promotionAfter: PromotionDeps = new Map();
  for (const env of topoEnvironments(environments)) {
    const spec = environments.find((e) => e.name === env)!;
    if (!spec.after?.length) continue;
    // Peers of a workload in the environments before this one are final by now (topological
    // order), so what they say about a hop is the same for every work of the workload here:
    // computed once per workload and hop, not once per cluster (fleets have hundreds).
    const peersOf = new Map<string, Work[]>();
    const verdicts = new Map<string, { missing?: Work; deps: { work: Work; hop: number }[] }>();
    for (const w of works.filter((x) => x.target.environment === env)) {
      const key = workloadKey(w.target);
      let peers = peersOf.get(key);
      if (!peers) {
        peers = (byWorkload.get(key) ?? []).filter(
          (p) => p.target.environment && spec.after!.includes(p.target.environment),
        );
        peersOf.set(key, peers);
      }
      if (!peers.length) continue;
      const deps = new Map<number, { work: Work; hop: number }[]>();
      for (let i = 0; i < w.hops.length; i++) {
        const hop = w.hops[i]!;
        const vkey = `${key}\0${hop.to}\0${hop.release}`;
        let verdict = verdicts.get(vkey);
        if (!verdict) {
          // A lower environment already past `hop.to` ran it (or its gate would not have
          // let it on): a staging hop to 7.0.15 is not blocked by a dev that reached 7.4.11.
          const missing = peers.find(
            (p) =>
              p.current.raw !== hop.to &&
              !p.hops.some((h) => h.to === hop.to || h.release === hop.release) &&
              !passed(p, hop.to),
          );
          verdict = {
            ...(missing ? { missing } : {}),
            deps: peers.flatMap((p) => {
              const j = p.hops.findIndex((h) => h.to === hop.to || h.release === hop.release);
              return j >= 0 ? [{ work: p, hop: j }] : [];
            }),
          };
          verdicts.set(vkey, verdict);
        }
        if (verdict.missing) {
          const p = verdict.missing;
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
        deps.set(i, verdict.deps);
      }
      promotionAfter.set(w, deps);
    }
  }
  return promotionAfter;
}

/** Whether `peer` is on a newer version than `version` already (same scheme). */
function passed(peer: Work, version: string): boolean {
  try {
    return peer.scheme.compare(peer.current.raw, version) > 0;
  } catch {
    return false;
  }
}
