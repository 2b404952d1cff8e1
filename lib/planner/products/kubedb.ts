// KubeDB (seed 003): a version change is a RedisOpsRequest, allowed only when
// the current RedisVersion's `updateConstraints` admit the target, so a path
// may take several hops; the backup is a KubeStash BackupSession.
import { kubedbEntry } from '../../catalog/query.ts';
import type { KubedbVersion } from '../../catalog/schema.ts';
import { parseRange, satisfies } from '../../versioning/range.ts';
import type { VersionScheme } from '../../versioning/types.ts';
import type { Verdict } from '../candidates.ts';
import { genericHealth } from '../gate-conditions.ts';
import type { Hop, PathContext, PathResult } from '../paths.ts';
import { catalogRule } from '../rules.ts';
import type { ClusterContext, ProductRules } from './types.ts';

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
  const direct =
    goal && hops.length > 1 ? directRefused(ctx, start, entries.get(goal.version)!, majorOk) : undefined;
  if (goal?.version === newest.version) return { hops, ...(direct ? { direct } : {}) };
  const newestEntry = kubedbEntry(ctx.catalog, newest.version);
  const reason = !newestEntry
    ? `${newest.version} is not in the KubeDB RedisVersion catalog`
    : newestEntry.deprecated
      ? `RedisVersion ${newest.version} is deprecated in the KubeDB catalog`
      : `no chain of allowed updates reaches ${newest.version}: ${kubedbAllows(kubedbEntry(ctx.catalog, goal?.version ?? start.name) ?? start, newestEntry, ctx.scheme).why}`;
  return {
    hops,
    ...(direct ? { direct } : {}),
    blocked: {
      wanted: newest.token,
      reason,
      unblock:
        'wait for a KubeDB catalog release whose updateConstraints admit it, or plan the reachable version',
      rule,
    },
  };
}

/** Why `start` cannot go to `goal` in one ops request. */
function directRefused(
  ctx: PathContext,
  start: KubedbVersion,
  goal: { v: Verdict; entry: KubedbVersion },
  majorOk: (from: KubedbVersion, to: { v: Verdict; entry: KubedbVersion }) => boolean,
): string {
  const allowed = kubedbAllows(start, goal.entry, ctx.scheme);
  if (!allowed.ok) return `${allowed.why} [kubedb-update-constraints]`;
  if (!majorOk(start, goal))
    return `${start.name} -> ${goal.entry.name} crosses a major: it first goes to the earliest line of the next major [major-via-earliest-minor]`;
  return `${start.name} -> ${goal.entry.name} is not one allowed update`;
}

/**
 * Whether the cluster's agent reports `r` finished: the request `Successful` and the
 * database `Ready` with `spec.version` at the request's version (KubeDB sets it once
 * the update is done; kubedb/docs update-version guides). Without a reading: no.
 */
export function finishedInCluster(
  facts: ClusterContext['facts'],
  target: { resource?: { kind: string; namespace?: string; name: string } },
  r: { kind: string; name: string; targetVersion: string },
): boolean {
  const db = target.resource;
  if (!db || !facts?.resources) return false;
  const key = (kind: string, name: string) => `${kind}/${db.namespace ? `${db.namespace}/` : ''}${name}`;
  const live = facts.resources[key(db.kind, db.name)];
  const request = facts.resources[key(r.kind, r.name)];
  return (
    live?.['spec.version'] === r.targetVersion &&
    live['status.phase'] === 'Ready' &&
    request?.['status.phase'] === 'Successful'
  );
}

/**
 * An ops request already in the repository for a database is where that
 * database stands: the next ops request waits for it. When it asks for the
 * version cairn would go to first, the database waits for it to succeed (and
 * for step 2, recording the version); when it asks for anything else, the two
 * conflict. Either way no second request is planned beside it. Once the cluster's
 * agent reports the (only) request finished (finishedInCluster), the work records
 * it (`w.recorded`: a `change: 'record'` step first, steps.ts) and the path goes on
 * from its version.
 */
export function respectPendingRequests({ catalog, facts, works }: ClusterContext): void {
  for (const w of works) {
    const pending = w.target.pendingRequests;
    if (!pending?.length) continue;
    const first = w.hops[0];
    // The request the cluster reports finished is recorded first (step 2), and the path goes on from it.
    const done = pending.length === 1 ? pending[0]! : undefined;
    if (
      done &&
      finishedInCluster(facts, w.target, done) &&
      w.scheme.isValid(done.targetVersion) &&
      w.scheme.compare(done.targetVersion, w.current.raw) > 0
    ) {
      w.recorded = { version: done.targetVersion, request: done };
      const onPath = first && (first.release === done.targetVersion || first.to === done.targetVersion);
      w.hops = onPath ? w.hops.slice(1) : [];
      if (w.hops.length < 2) delete w.direct;
      continue;
    }
    const db = w.target.resource ? `${w.target.resource.kind} ${w.target.resource.name}` : 'the database';
    const rule = catalogRule(catalog, 'kubedb-update-constraints');
    for (const r of pending) {
      const at = `${r.kind} ${r.name} (${r.file}:${r.line})`;
      if (w.scheme.isValid(r.targetVersion) && w.scheme.compare(r.targetVersion, w.current.raw) <= 0) {
        w.blocks.push({
          wanted: r.targetVersion,
          reason: `${at} asks for ${r.targetVersion}, which ${db} already runs: the request is done or moves backwards`,
          unblock: `remove ${r.file} (and its kustomization.yaml entry)`,
        });
        continue;
      }
      const from = kubedbEntry(catalog, w.current.raw);
      const to = kubedbEntry(catalog, r.targetVersion);
      const admitted = from && to ? kubedbAllows(from, to, w.scheme) : undefined;
      if (first && (first.release === r.targetVersion || first.to === r.targetVersion)) {
        w.blocks.push({
          wanted: r.targetVersion,
          reason: `${at} already moves ${db} from ${w.current.raw} to ${r.targetVersion}: the next ops request waits for it`,
          unblock: `once it reports Successful, set spec.version to ${r.targetVersion} and remove the request (step 2); cairn then plans on from ${r.targetVersion}`,
          rule,
        });
      } else {
        const refused = admitted && !admitted.ok ? `; KubeDB will refuse it: ${admitted.why}` : '';
        w.blocks.push({
          wanted: first?.to ?? r.targetVersion,
          reason: `${at} asks for ${r.targetVersion}, but cairn's path for ${db} goes ${first ? `to ${first.to} first` : 'nowhere from here'}${refused}`,
          unblock: first
            ? `remove ${r.file} so cairn can add the request for ${first.to}, or change its targetVersion to ${first.to}`
            : `remove ${r.file}, or check that ${r.targetVersion} is in the KubeDB catalog and admitted from ${w.current.raw}`,
          rule,
        });
      }
    }
    w.hops = [];
    delete w.direct;
  }
}

export const kubedb: ProductRules = {
  id: 'kubedb',
  summary:
    'KubeDB Redis databases and their RedisVersion catalog (seed 003: updateConstraints, ops requests)',
  components: ['kubedb-redis'],
  operators: ['kubedb-operator'],
  rules: ['kubedb-update-constraints'],
  path: kubedbPath,
  couple: respectPendingRequests,
  backup: (t) =>
    `take a backup of ${t.resource?.name ?? 'the database'} (KubeStash BackupSession) and check it completed`,
  health: (t) => {
    if (t.component !== 'kubedb-redis') return genericHealth(t.component);
    // A RedisSentinel changes through a RedisSentinelOpsRequest, and the gate reads the RedisSentinel.
    const kind = t.resource?.kind === 'RedisSentinel' ? 'RedisSentinel' : 'Redis';
    return [`the ${kind}OpsRequest status.phase is Successful`, `the ${kind} status.phase is Ready`];
  },
  examples: [
    {
      summary: 'two ops requests, each admitted by the updateConstraints of the version before it',
      targets: [
        {
          id: 'kubedb/redis.yaml#Redis/sessions/sessions:spec.version',
          component: 'kubedb-redis',
          current: '6.2.14',
          managedBy: 'kubedb-operator',
          change: 'ops-request',
          resource: { kind: 'Redis', namespace: 'sessions', name: 'sessions' },
        },
      ],
      releases: { 'kubedb-redis': ['6.2.14', '6.2.16', '7.0.14', '7.0.15'] },
      paths: { 'kubedb/redis.yaml#Redis/sessions/sessions:spec.version': ['6.2.14', '6.2.16', '7.0.15'] },
      // 6 -> 7 crosses a major: a KubeStash backup first.
      preSteps: { 'kubedb/redis.yaml#Redis/sessions/sessions:spec.version': ['backup'] },
    },
  ],
};
