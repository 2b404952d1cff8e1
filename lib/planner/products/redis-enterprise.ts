// Redis Enterprise for Kubernetes (seeds 000, 001): the operator goes first, then
// the cluster (REC) to the version that operator ships, then the databases
// (REDB); every REC hop is a direct upgrade path the catalog allows.
import { citation, platformSupportFor } from '../../catalog/query.ts';
import type { Catalog } from '../../catalog/schema.ts';
import type { ClusterFacts } from '../../model.ts';
import { getScheme } from '../../versioning/index.ts';
import type { VersionScheme } from '../../versioning/types.ts';
import { genericHealth } from '../gate-conditions.ts';
import type { Hop } from '../paths.ts';
import { catalogRule } from '../rules.ts';
import type { Work } from '../work.ts';
import type { ClusterContext, OrderContext, ProductRules } from './types.ts';

const OPERATOR = 'redis-enterprise-operator';
const REC = 'redis-enterprise';
const REDB = 'redis-enterprise-database';

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

/** The newest Redis Enterprise (REC) version an operator version ships; undefined when unknown. */
function shippedBy(catalog: Catalog, opVersion: string): string | undefined {
  const scheme = getScheme('redis-enterprise');
  return platformSupportFor(catalog, OPERATOR, opVersion)
    ?.ships.filter((s) => s.component === REC && scheme.isValid(s.version))
    .map((s) => s.version)
    .sort((a, b) => scheme.compare(a, b))
    .at(-1);
}

/**
 * The operator goes first, then the cluster (REC) to the version that
 * operator ships, then databases. A REC hop must be a direct upgrade path the
 * catalog allows, so a large jump alternates operator and REC steps. Rewrites
 * the operator's and REC's hops on one cluster.
 */
function couple(
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
        p.component === REC &&
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

  const runningOp = op?.current.raw ?? facts?.operators?.[OPERATOR];
  if (!runningOp) {
    blockRec(
      `the Redis Enterprise operator version on ${rec?.target.cluster ?? 'this cluster'} is unknown, and the cluster (REC) may only run what its operator ships`,
      'keep the operator in the repository, or pass --cluster-state with its Deployment',
    );
    return;
  }
  // A REC behind what the running operator ships catches up with it: the
  // cluster follows an operator that has already moved. When the operator
  // moves on in this plan and the catch-up is only a newer build of the REC's
  // own line, it is left out: the REC goes straight to what the new operator
  // ships, after it (operator, then cluster), with one rolling restart instead
  // of two. No source asks for the catch-up first, and builds of one line are
  // one row of the upgrade-path table, so the direct path is the same.
  const recHops: Hop[] = [];
  let pos = rec?.current.raw ?? ships(runningOp);
  const shipped = ships(runningOp);
  let catchUp: string | undefined;
  if (
    rec &&
    shipped &&
    recScheme.compare(shipped, rec.current.raw) > 0 &&
    reachable(rec.current.raw, shipped)
  ) {
    catchUp = shipped;
    if (recScheme.getLine(shipped) !== recScheme.getLine(rec.current.raw)) {
      recHops.push(recHop(shipped));
      pos = shipped;
      catchUp = undefined;
    }
  }
  if (!op) {
    if (rec) {
      rec.hops = catchUp ? [recHop(catchUp)] : recHops;
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
  const start = rec?.current.raw ?? ships(runningOp);
  const last = chain.at(-1);
  if (chain.length > 1 && last && start) {
    op.direct = `operator ${last.release} ships Redis Enterprise ${ships(last.release)}, and no direct upgrade path leads from ${start} to it: the operator stops at ${chain
      .slice(0, -1)
      .map((h) => `${h.release} (ships ${ships(h.release)})`)
      .join(', ')} first [re-direct-upgrade-paths]`;
  }
  if (rec) {
    // The operator stays: the catch-up is the cluster's step after it.
    rec.hops = catchUp && !chain.length ? [recHop(catchUp)] : recHops;
    rec.blocks = [];
    const goal = rec.hops.at(-1);
    if (rec.hops.length > 1 && goal) {
      rec.direct = `no direct Redis Enterprise upgrade path leads from ${rec.current.raw} to ${goal.release}, and the cluster may only run what its operator ships: it goes via ${rec.hops
        .slice(0, -1)
        .map((h) => h.release)
        .join(', ')} [re-direct-upgrade-paths]`;
    }
  }
}

/**
 * Redis lines a REC version is known to bundle, from cited release notes. A
 * known subset: the live REC's status.bundledDatabaseVersions is the exact
 * list, and a line in neither is unknown (blocked, never guessed).
 */
const BUNDLED: readonly { rec: string; lines: readonly string[]; source: string }[] = [
  // "includes features supported by Redis Software 8.0.2-17, and Redis Open Source 8.0 and 8.2"
  { rec: '8.0.2', lines: ['8.0', '8.2'], source: 'rn-8-0-2-2-october2025' },
];

const REC_VERSION = 'spec.redisEnterpriseImageSpec.versionTag';
const REC_BUNDLED = 'status.bundledDatabaseVersions';

/** The live REC a database belongs to: the one in its namespace, else the only one on the cluster. */
function liveRec(facts: ClusterFacts | undefined, db: Work): Record<string, string> | undefined {
  const recs = Object.entries(facts?.resources ?? {}).filter(([k]) =>
    k.startsWith('RedisEnterpriseCluster/'),
  );
  const ns = db.target.resource?.namespace;
  const same = recs.filter(([k]) => ns !== undefined && k.split('/')[1] === ns);
  const pick = same.length === 1 ? same : recs.length === 1 ? recs : [];
  return pick[0]?.[1];
}

/**
 * Each database hop must go to a Redis line the REC bundles once the REC's
 * own steps are done: the live REC's status says so exactly (when it runs
 * that version), the catalog's cited facts for some versions; otherwise the
 * hop is blocked as unknown.
 */
function checkDatabases(catalog: Catalog, facts: ClusterFacts | undefined, works: readonly Work[]): void {
  const recScheme = getScheme('redis-enterprise');
  const redis = getScheme('redis-image');
  const rule = catalogRule(catalog, 're-redb-bundled-version');
  const line = (v: string) => (redis.isValid(v) ? redis.getLine(v) : v);
  for (const db of works.filter((w) => w.target.component === REDB && w.hops.length)) {
    const ns = db.target.resource?.namespace;
    const recs = works.filter((w) => w.target.component === REC);
    const rec =
      recs.find((w) => w.target.resource?.namespace === ns) ?? (recs.length === 1 ? recs[0] : undefined);
    const live = liveRec(facts, db);
    const version = rec ? (rec.hops.at(-1)?.release ?? rec.current.raw) : live?.[REC_VERSION];
    const runsLive =
      version !== undefined &&
      live?.[REC_VERSION] !== undefined &&
      live[REC_BUNDLED] !== undefined &&
      recScheme.isValid(live[REC_VERSION]) &&
      recScheme.isValid(version) &&
      recScheme.compare(live[REC_VERSION], version) === 0;
    const exact = runsLive ? live![REC_BUNDLED]!.split(',').filter(Boolean).map(line) : undefined;
    const cited = version ? BUNDLED.find((b) => matchesPattern(recScheme, version, b.rec)) : undefined;
    for (let i = 0; i < db.hops.length; i++) {
      const hop = db.hops[i]!;
      const want = line(hop.release);
      if (exact ? exact.includes(want) : cited?.lines.includes(want)) {
        hop.rules.push(rule);
        continue;
      }
      const rec = version ? `REC ${version}` : 'the REC';
      db.blocks.push({
        wanted: hop.to,
        reason: exact
          ? `${rec} bundles Redis ${[...new Set(exact)].join(', ')} (status.bundledDatabaseVersions on ${facts!.name}), not ${want}`
          : `whether ${rec} bundles Redis ${want} is unknown: no status.bundledDatabaseVersions of ${rec} from --cluster-state${cited ? `, and its release notes (${citation(catalog, cited.source)}) name only ${cited.lines.join(', ')}` : ', and no catalog fact'}`,
        unblock: exact
          ? `upgrade the REC to a version that bundles Redis ${want} first`
          : `once the REC runs ${version ?? 'its new version'}, pass --cluster-state with the RedisEnterpriseCluster (its status.bundledDatabaseVersions lists the Redis versions it bundles)`,
        rule,
      });
      db.hops = db.hops.slice(0, i);
      break;
    }
  }
}

/** REC hop i after the operator hop that ships it, the next operator hop after that REC hop; databases last. */
function order({ catalog, works, stepsOf }: OrderContext): void {
  const op = works.find((w) => w.target.component === OPERATOR);
  if (!op) return;
  const rec = works.find(
    (w) => w.target.component === REC && w.target.resource?.kind === 'RedisEnterpriseCluster',
  );
  const reOrder = catalogRule(catalog, 're-operator-cluster-database-order');
  const opSteps = stepsOf.get(op)!;
  const recSteps = rec ? stepsOf.get(rec)! : [];
  recSteps.forEach((rs, j) => {
    const recRelease = rec!.hops[j]!.release;
    const i = op.hops.findIndex((h) => shippedBy(catalog, h.release) === recRelease);
    if (i < 0) {
      // A catch-up to what the running operator ships comes before any operator hop.
      opSteps[0]?.after.push(rs.id);
      return;
    }
    if (!opSteps[i]) return;
    rs.after.push(opSteps[i].id);
    opSteps[i + 1]?.after.push(rs.id);
  });
  const lastRec = recSteps.at(-1) ?? opSteps.at(-1);
  for (const d of works.filter((w) => w.target.component === REDB)) {
    const ds = stepsOf.get(d)!;
    if (ds.length && lastRec) {
      ds[0]!.after.push(lastRec.id);
      for (const s of ds) s.rules.push(reOrder);
    }
  }
}

const HEALTH: Record<string, string[]> = {
  [OPERATOR]: [
    'the operator Deployment has rolled out the new image',
    'RedisEnterpriseCluster status.state is Running',
  ],
  [REC]: [
    'RedisEnterpriseCluster status.state is Running (not Upgrade or InvalidUpgrade)',
    'every REC pod runs the new version',
  ],
  [REDB]: ['RedisEnterpriseDatabase status.status is active', 'status.redisVersion reports the new version'],
};

const OP_ID =
  're/operator.yaml#Deployment/re/redis-enterprise-operator:spec.template.spec.containers[name=redis-enterprise-operator].image';
const REC_ID = 're/rec.yaml#RedisEnterpriseCluster/re/rec:spec.redisEnterpriseImageSpec.versionTag';

export const redisEnterprise: ProductRules = {
  id: 'redis-enterprise',
  summary:
    'Redis Enterprise operator, cluster (REC) and databases (REDB) (seeds 000 and 001: the Kubernetes upgrade guides)',
  components: [OPERATOR, REC, REDB],
  operators: [OPERATOR],
  rules: ['re-direct-upgrade-paths', 're-operator-cluster-database-order', 're-redb-bundled-version'],

  couple({ catalog, facts, works }: ClusterContext) {
    const op = works.find((w) => w.target.component === OPERATOR);
    const rec = works.find((w) => w.target.component === REC);
    if (op || rec) couple(catalog, facts, op, rec);
    checkDatabases(catalog, facts, works);
  },
  // The REC follows the operator hop that ships its version, not just the operator's last step.
  ordersItself: (t) => t.component === REC,
  order,
  health: (t) => HEALTH[t.component] ?? genericHealth(t.component),

  examples: [
    {
      summary: 'operator, then the REC to what it ships, then the database',
      targets: [
        {
          id: OP_ID,
          component: OPERATOR,
          current: '7.4.6-2',
          role: 'operator',
          cluster: 'dev',
        },
        {
          id: REC_ID,
          component: REC,
          current: '7.4.6-102',
          role: 'data-plane',
          managedBy: OPERATOR,
          resource: { kind: 'RedisEnterpriseCluster', namespace: 're', name: 'rec' },
          cluster: 'dev',
        },
      ],
      releases: { [OPERATOR]: ['7.4.6-2', '7.8.2-6'] },
      clusters: { dev: { name: 'dev', kubernetesVersion: '1.30' } },
      paths: {
        [OP_ID]: ['7.4.6-2', '7.8.2-6'],
        // 7.8.2-60 is what operator 7.8.2-6 ships (its release notes), over a supported direct path.
        [REC_ID]: ['7.4.6-102', '7.8.2-60'],
      },
    },
  ],
};
