// KubeDB, simulated (kubedb/docs guides/redis/concepts/redisopsrequest.md and
// update-version/*.md; catalog RedisVersion updateConstraints): a new
// RedisOpsRequest of type UpdateVersion is picked up, checked against the
// current RedisVersion's spec.updateConstraints.allowlist (Denied when the
// target is outside it, as KubeDB's ops manager does), then Progressing
// (conditions UpdateVersion, RestartPods), the database's spec.version
// patched to the target with status.phase NotReady while pods restart, and
// finally Successful with the Redis Ready on the new version.
import type { KubeObject } from '../../../../lib/cluster-state.ts';
import { getScheme } from '../../../../lib/versioning/index.ts';
import { parseRange, satisfies } from '../../../../lib/versioning/range.ts';
import { pathOf, type Phase, RolloutSimulator, rfc3339, type SimCluster, statusOf } from '../rollout.ts';

export interface KubeDbOptions {
  /** ms per database pod restart (default 40 s). */
  podMs?: number;
  /** The ops request fails while restarting pods (status.phase Failed). */
  fail?: boolean;
}

function cond(type: string, reason: string, message: string, at: number, generation: number) {
  return {
    type,
    reason,
    message,
    status: 'True',
    lastTransitionTime: rfc3339(at),
    observedGeneration: generation,
  };
}

/** Whether `target` is inside the allowlist of RedisVersion `from` (no RedisVersion or no constraints: allowed). */
export function allowedByConstraints(cluster: SimCluster, from: string, target: string): string | undefined {
  const rv = cluster.get('catalog.kubedb.com', 'RedisVersion', undefined, from);
  const allow = pathOf(rv, 'spec.updateConstraints.allowlist') as string[] | undefined;
  if (!allow?.length) return undefined;
  const parsed = getScheme('kubedb').parse(target);
  if (!parsed.ok) return `target version ${target} is not a RedisVersion`;
  for (const a of allow) {
    const r = parseRange(a);
    if (r.ok && satisfies(parsed.version, r.range)) return undefined;
    if (!r.ok && a === target) return undefined;
  }
  return `update from ${from} to ${target} is not allowed by RedisVersion ${from} updateConstraints.allowlist [${allow.join('; ')}]`;
}

export function opsRequestPhases(
  o: KubeObject,
  cluster: SimCluster,
  startedAt: number,
  opts: KubeDbOptions = {},
): Phase[] {
  if (pathOf(o, 'spec.type') !== 'UpdateVersion') return [];
  const ns = o.metadata?.namespace;
  const db = pathOf(o, 'spec.databaseRef.name') as string | undefined;
  const target = pathOf(o, 'spec.updateVersion.targetVersion') as string | undefined;
  const gen = o.metadata?.generation ?? 1;
  const podMs = opts.podMs ?? 40_000;
  const redis = db ? cluster.get('kubedb.com', 'Redis', ns, db) : undefined;
  const from = pathOf(redis, 'spec.version') as string | undefined;
  const replicas = (pathOf(redis, 'spec.replicas') as number | undefined) ?? 1;
  const denied = !redis
    ? `Redis ${ns}/${db} not found`
    : !target
      ? 'spec.updateVersion.targetVersion is empty'
      : from
        ? allowedByConstraints(cluster, from, target)
        : undefined;
  if (denied)
    return [
      {
        afterMs: 3_000,
        label: `status.phase Denied: ${denied}`,
        apply: (x) => {
          const s = statusOf(x);
          s.phase = 'Denied';
          s.observedGeneration = gen;
          s.conditions = [cond('Denied', 'OpsRequestDenied', denied, startedAt + 3_000, gen)];
        },
      },
    ];
  const patchRedis = (c: SimCluster, change: (r: KubeObject) => void) => {
    const r = c.get('kubedb.com', 'Redis', ns, db!);
    if (!r) return;
    change(r);
    c.apply(r);
  };
  const phases: Phase[] = [
    {
      afterMs: 3_000,
      label: 'status.phase Progressing',
      apply: (x) => {
        const s = statusOf(x);
        s.phase = 'Progressing';
        s.observedGeneration = gen;
        s.conditions = [
          cond(
            'Progressing',
            'OpsRequestProgressingStarted',
            'Redis ops request is updating database version',
            startedAt + 3_000,
            gen,
          ),
        ];
      },
    },
    {
      afterMs: 8_000,
      label: `Redis ${ns}/${db} spec.version ${target}, status.phase NotReady`,
      apply: (x, c) => {
        patchRedis(c, (r) => {
          (r as { spec: Record<string, unknown> }).spec.version = target;
          r.metadata = { ...r.metadata, generation: (r.metadata?.generation ?? 1) + 1 };
          statusOf(r).phase = 'NotReady';
        });
        (statusOf(x).conditions as unknown[]).push(
          cond(
            'UpdateVersion',
            'UpdatePetSetResources',
            'Successfully updated PetSets for version update',
            startedAt + 8_000,
            gen,
          ),
        );
      },
    },
  ];
  if (opts.fail) {
    phases.push({
      afterMs: 8_000 + podMs,
      label: 'status.phase Failed',
      apply: (x, c) => {
        const s = statusOf(x);
        s.phase = 'Failed';
        (s.conditions as unknown[]).push(
          cond(
            'Failure',
            'RestartPodsFailed',
            `pod ${db}-0 did not become ready on ${target}`,
            startedAt + 8_000 + podMs,
            gen,
          ),
        );
        patchRedis(c, (r) => void (statusOf(r).phase = 'Critical'));
      },
    });
    return phases;
  }
  phases.push({
    afterMs: 8_000 + replicas * podMs,
    label: 'status.phase Successful',
    apply: (x, c) => {
      const s = statusOf(x);
      const end = startedAt + 8_000 + replicas * podMs;
      (s.conditions as unknown[]).push(
        cond('RestartPods', 'RestartPods', 'Successfully restarted pods', end, gen),
        cond(
          'Successful',
          'OpsRequestProcessedSuccessfully',
          'Successfully completed the ops request',
          end,
          gen,
        ),
      );
      s.phase = 'Successful';
      patchRedis(c, (r) => {
        const rs = statusOf(r);
        rs.phase = 'Ready';
        rs.observedGeneration = r.metadata?.generation ?? 1;
      });
    },
  });
  return phases;
}

/**
 * KubeStash, for a BackupSession created on demand (what `kubectl kubestash
 * trigger` makes): Running, then Succeeded with completionTime, or Failed.
 */
export function backupSessionPhases(now: number, fail?: string): Phase[] {
  return [
    {
      afterMs: 2_000,
      label: 'status.phase Running',
      apply: (x) => void (statusOf(x).phase = 'Running'),
    },
    {
      afterMs: 60_000,
      label: fail ? `status.phase Failed: ${fail}` : 'status.phase Succeeded',
      apply: (x) => {
        const s = statusOf(x);
        s.phase = fail ? 'Failed' : 'Succeeded';
        s.completionTime = rfc3339(now + 60_000);
        s.duration = '58s';
        if (fail)
          s.conditions = [
            { type: 'BackupSucceeded', status: 'False', reason: 'BackupFailed', message: fail },
          ];
      },
    },
  ];
}

/** The KubeDB ops manager (and KubeStash): acts on RedisOpsRequests and BackupSessions created after it started. */
export function kubedbOperator(opts: KubeDbOptions = {}): RolloutSimulator {
  return new RolloutSimulator('kubedb', [
    {
      group: 'core.kubestash.com',
      kind: 'BackupSession',
      phases: (_o, _prev, _c, now) => backupSessionPhases(now),
    },
    {
      group: 'ops.kubedb.com',
      kind: 'RedisOpsRequest',
      phases: (o, _prev, cluster, now) => opsRequestPhases(o, cluster, now, opts),
    },
  ]);
}
