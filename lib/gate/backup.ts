// Before a major's PR is un-gated, its backup pre-step must be proven: a
// backup of the same database, completed recently enough, read from the
// cluster (RedisBackup, a KubeStash BackupSession, or the product's equivalent).
import { evaluateHealth } from '../health/index.ts';
import { describeObject, str } from '../health/read.ts';
import type { KubeObject } from '../cluster-state.ts';
import type { Step } from '../planner/types.ts';
import type { ClusterReading, GatePolicy } from './types.ts';

export type PreStepResult =
  | { verdict: 'pass'; reasons: string[]; backup?: string }
  | { verdict: 'wait'; reason: string; retryAfterMs: number };

/** Target resource `Kind/namespace/name` → namespace and name. */
function targetRef(step: Step): { namespace?: string; name: string } | undefined {
  const parts = step.target.name.split('/');
  if (parts.length === 3) return { namespace: parts[1]!, name: parts[2]! };
  if (parts.length === 2) return { name: parts[1]! };
  return undefined;
}

function backupsFor(step: Step, objects: readonly KubeObject[]): { object: KubeObject; evaluator: string }[] {
  const ref = targetRef(step);
  if (!ref) return [];
  const sameNs = (o: KubeObject) => !ref.namespace || o.metadata?.namespace === ref.namespace;
  const out: { object: KubeObject; evaluator: string }[] = [];
  for (const o of objects) {
    if (!sameNs(o)) continue;
    if (o.kind === 'RedisBackup' && str(o, 'spec.clusterName') === ref.name)
      out.push({ object: o, evaluator: 'howl-redis-backup' });
    // KubeStash: a session of a BackupConfiguration whose target is the database.
    if (o.kind === 'BackupSession' && (str(o, 'spec.invoker.name') ?? '').includes(ref.name))
      out.push({ object: o, evaluator: 'kubestash-backup-session' });
  }
  return out;
}

function completedAt(o: KubeObject): number {
  const t =
    str(o, 'status.completedAt') ?? str(o, 'status.completionTime') ?? str(o, 'metadata.creationTimestamp');
  const ms = Date.parse(t ?? '');
  return Number.isFinite(ms) ? ms : -Infinity;
}

/** Proves a step's pre-steps from a reading; only `backup` pre-steps need the cluster. */
export function checkPreSteps(
  step: Step,
  reading: ClusterReading | undefined,
  policy: GatePolicy,
  now: Date,
): PreStepResult {
  const backup = step.preSteps.find((p) => p.kind === 'backup');
  if (!backup) return { verdict: 'pass', reasons: ['no pre-step needs the cluster'] };
  const wait = (reason: string): PreStepResult => ({ verdict: 'wait', reason, retryAfterMs: 60_000 });
  if (!reading) return wait('no cluster reading has arrived, so the backup cannot be proven');
  if (now.getTime() - reading.readAt.getTime() > policy.maxReadingAgeMs)
    return wait('the newest cluster reading is stale');
  if (reading.problems.length)
    return wait(
      `the cluster could not be read: ${reading.problems.map((p) => `${p.resource}: ${p.kind}`).join('; ')}`,
    );
  const candidates = backupsFor(step, reading.objects).sort(
    (a, b) => completedAt(b.object) - completedAt(a.object),
  );
  const context = { readAt: reading.readAt };
  for (const c of candidates) {
    const r = evaluateHealth(c.evaluator, { object: c.object, related: [], params: {}, context });
    if (r.status !== 'healthy') continue;
    const age = now.getTime() - completedAt(c.object);
    if (age > policy.maxBackupAgeMs) continue;
    return { verdict: 'pass', reasons: r.reasons, backup: describeObject(c.object) };
  }
  const latest = candidates[0];
  if (latest) {
    const r = evaluateHealth(latest.evaluator, { object: latest.object, related: [], params: {}, context });
    return wait(
      `no recent completed backup of ${step.target.name}: the latest, ${describeObject(latest.object)}, is ${r.status === 'healthy' ? 'too old' : r.reasons.join('; ')}`,
    );
  }
  return wait(`no backup of ${step.target.name} was found (${backup.description})`);
}
