// Alauda's redis-operator through OLM, simulated (seed 004: "Upgrades follow
// the strategy configured in the Subscription", Manual or Automatic; the
// operator's CSV redis-operator.v<version>; middleware.alauda.io Redis
// status.phase Initializing / Ready / Error, status.upgradeStatus):
// - a Subscription (operators.coreos.com/v1alpha1) whose spec.startingCSV
//   or spec.channel changes gets an InstallPlan for the new CSV. With
//   installPlanApproval Manual it waits in RequiresApproval (Subscription
//   status.state UpgradePending) until someone sets spec.approved: true
//   (`approveInstallPlan`); with Automatic it is approved at once;
// - an approved InstallPlan goes Installing, the new CSV Pending →
//   InstallReady → Installing → Succeeded (the old one Replacing, then
//   gone), the operator Deployment runs the new image, the InstallPlan
//   Complete and the Subscription AtLatestKnown with installedCSV moved;
// - a Redis whose spec.version changes goes Initializing (upgradeStatus
//   names the target) then Ready, or Error when `failRedis` is set.
// OLM's kinds are not served by the Kubernetes test server: keep them in a
// MemoryCluster (CompositeCluster) next to it.
import type { KubeObject } from '../../../../lib/cluster-state.ts';
import { pathOf, type Phase, RolloutSimulator, rfc3339, type SimCluster, statusOf } from '../rollout.ts';

export const OLM = 'operators.coreos.com';

export interface AlaudaOptions {
  /** ms from approval to the CSV Succeeded (default 90 s). */
  installMs?: number;
  /** ms for a Redis version change (default 180 s). */
  redisMs?: number;
  failRedis?: string;
  /** Operator image repository (default `build-harbor.alauda.cn/middleware/redis-operator`). */
  operatorImage?: string;
}

function csvVersion(csv: string): string {
  return csv.replace(/^.*?\.v/, '');
}

/** The InstallPlan name OLM would pick: `install-` and a short, stable hash of the CSV. */
export function installPlanName(csv: string): string {
  let h = 0;
  for (const ch of csv) h = (h * 33 + ch.charCodeAt(0)) >>> 0;
  return `install-${h.toString(36).slice(0, 5).padStart(5, 'x')}`;
}

function subscriptionPhases(o: KubeObject, prev: KubeObject | undefined, now: number): Phase[] {
  const csv = pathOf(o, 'spec.startingCSV') as string | undefined;
  if (!csv) return [];
  const installed = (pathOf(prev ?? o, 'status.installedCSV') as string | undefined) ?? undefined;
  if (installed === csv) return [];
  const manual = pathOf(o, 'spec.installPlanApproval') === 'Manual';
  const plan = installPlanName(csv);
  return [
    {
      afterMs: 4_000,
      label: `InstallPlan ${plan} for ${csv}${manual ? ', status.phase RequiresApproval' : ''}; status.state UpgradePending`,
      apply: (x, cluster) => {
        cluster.apply({
          apiVersion: `${OLM}/v1alpha1`,
          kind: 'InstallPlan',
          metadata: { name: plan, namespace: x.metadata?.namespace, creationTimestamp: rfc3339(now + 4_000) },
          spec: {
            approval: manual ? 'Manual' : 'Automatic',
            approved: !manual,
            clusterServiceVersionNames: [csv],
            generation: 1,
          },
          status: {
            phase: manual ? 'RequiresApproval' : 'Installing',
            catalogSources: [pathOf(x, 'spec.source')],
          },
        } as KubeObject);
        const s = statusOf(x);
        s.state = 'UpgradePending';
        s.currentCSV = csv;
        s.installPlanRef = { kind: 'InstallPlan', name: plan, namespace: x.metadata?.namespace };
        s.conditions = manual
          ? [{ type: 'InstallPlanPending', status: 'True', reason: 'RequiresApproval' }]
          : [{ type: 'InstallPlanPending', status: 'True', reason: 'Installing' }];
      },
    },
  ];
}

function installPlanPhases(o: KubeObject, cluster: SimCluster, opts: AlaudaOptions): Phase[] {
  if (pathOf(o, 'spec.approved') !== true || pathOf(o, 'status.phase') === 'Complete') return [];
  const csv = (pathOf(o, 'spec.clusterServiceVersionNames') as string[] | undefined)?.[0];
  if (!csv) return [];
  const ns = o.metadata?.namespace;
  const ms = opts.installMs ?? 90_000;
  const sub = cluster
    .list(OLM, 'Subscription')
    .find((s) => pathOf(s, 'status.installPlanRef.name') === o.metadata?.name);
  const old = pathOf(sub, 'status.installedCSV') as string | undefined;
  const setCsv = (c: SimCluster, phase: string, reason: string) =>
    c.apply({
      apiVersion: `${OLM}/v1alpha1`,
      kind: 'ClusterServiceVersion',
      metadata: { name: csv, namespace: ns },
      spec: {
        version: csvVersion(csv),
        displayName: 'Alauda Cache Service for Redis OSS',
        ...(old ? { replaces: old } : {}),
      },
      status: { phase, reason },
    } as KubeObject);
  return [
    {
      afterMs: 2_000,
      label: `status.phase Installing; ClusterServiceVersion ${csv} Pending${old ? `, ${old} Replacing` : ''}`,
      apply: (x, c) => {
        statusOf(x).phase = 'Installing';
        setCsv(c, 'Pending', 'RequirementsUnknown');
        const prevCsv = old ? c.get(OLM, 'ClusterServiceVersion', ns, old) : undefined;
        if (prevCsv) {
          statusOf(prevCsv).phase = 'Replacing';
          statusOf(prevCsv).reason = 'BeingReplaced';
          c.apply(prevCsv);
        }
      },
    },
    {
      afterMs: 10_000,
      label: `ClusterServiceVersion ${csv} InstallReady`,
      apply: (_x, c) => void setCsv(c, 'InstallReady', 'AllRequirementsMet'),
    },
    {
      afterMs: 20_000,
      label: `ClusterServiceVersion ${csv} Installing; operator Deployment runs ${csvVersion(csv)}`,
      apply: (_x, c) => {
        setCsv(c, 'Installing', 'InstallWaiting');
        const dep = c
          .list('apps', 'Deployment')
          .find((d) => d.metadata?.name === 'redis-operator' && d.metadata?.namespace === ns);
        if (dep) {
          const containers = pathOf(dep, 'spec.template.spec.containers') as { image?: string }[];
          const repo =
            opts.operatorImage ?? (containers[0]?.image ?? 'redis-operator').replace(/:[^:/]*$/, '');
          containers[0]!.image = `${repo}:v${csvVersion(csv)}`;
          dep.metadata = { ...dep.metadata, generation: (dep.metadata?.generation ?? 1) + 1 };
          Object.assign(statusOf(dep), {
            observedGeneration: dep.metadata.generation,
            replicas: 1,
            updatedReplicas: 1,
            readyReplicas: 1,
            availableReplicas: 1,
          });
          c.apply(dep);
        }
      },
    },
    {
      afterMs: 20_000 + ms,
      label: `ClusterServiceVersion ${csv} Succeeded; status.phase Complete; Subscription AtLatestKnown`,
      apply: (x, c) => {
        setCsv(c, 'Succeeded', 'InstallSucceeded');
        if (old) c.remove?.(OLM, 'ClusterServiceVersion', ns, old);
        statusOf(x).phase = 'Complete';
        const s = sub && c.get(OLM, 'Subscription', sub.metadata?.namespace, sub.metadata?.name ?? '');
        if (s) {
          Object.assign(statusOf(s), {
            state: 'AtLatestKnown',
            installedCSV: csv,
            currentCSV: csv,
            conditions: [],
          });
          c.apply(s);
        }
      },
    },
  ];
}

function redisPhases(o: KubeObject, opts: AlaudaOptions): Phase[] {
  const version = String(pathOf(o, 'spec.version') ?? '');
  const ms = opts.redisMs ?? 180_000;
  return [
    {
      afterMs: 3_000,
      label: `status.phase Initializing (upgrading to ${version})`,
      apply: (x) => {
        const s = statusOf(x);
        s.phase = 'Initializing';
        s.message = `upgrading redis to ${version}`;
        s.upgradeStatus = { crVersion: version, message: 'rolling update in progress' };
      },
    },
    opts.failRedis
      ? {
          afterMs: 3_000 + ms / 2,
          label: `status.phase Error: ${opts.failRedis}`,
          apply: (x) => {
            const s = statusOf(x);
            s.phase = 'Error';
            s.message = opts.failRedis;
          },
        }
      : {
          afterMs: 3_000 + ms,
          label: `status.phase Ready (${version})`,
          apply: (x) => {
            const s = statusOf(x);
            s.phase = 'Ready';
            s.message = '';
            s.upgradeStatus = { crVersion: version, message: '' };
          },
        },
  ];
}

/** OLM (for the Subscription and InstallPlans) and Alauda's operator (for its Redis CRs). */
export function alaudaOperator(opts: AlaudaOptions = {}): RolloutSimulator {
  return new RolloutSimulator('alauda', [
    {
      group: OLM,
      kind: 'Subscription',
      fingerprint: (o) => `${pathOf(o, 'spec.startingCSV') ?? ''} ${pathOf(o, 'spec.channel') ?? ''}`,
      phases: (o, prev, _c, now) => subscriptionPhases(o, prev, now),
    },
    {
      group: OLM,
      kind: 'InstallPlan',
      fingerprint: (o) => String(pathOf(o, 'spec.approved')),
      phases: (o, _p, c) => installPlanPhases(o, c, opts),
    },
    {
      group: 'middleware.alauda.io',
      kind: 'Redis',
      fingerprint: (o) => String(pathOf(o, 'spec.version') ?? ''),
      phases: (o) => redisPhases(o, opts),
    },
  ]);
}

/** What a reviewer does in the console: approve the pending InstallPlan of a Subscription. */
export function approveInstallPlan(cluster: SimCluster, namespace: string, subscription: string): string {
  const sub = cluster.get(OLM, 'Subscription', namespace, subscription);
  const name = pathOf(sub, 'status.installPlanRef.name') as string | undefined;
  if (!name) throw new Error(`Subscription ${namespace}/${subscription} has no pending InstallPlan`);
  const plan = cluster.get(OLM, 'InstallPlan', namespace, name)!;
  (plan as { spec: Record<string, unknown> }).spec.approved = true;
  cluster.apply(plan);
  return name;
}
