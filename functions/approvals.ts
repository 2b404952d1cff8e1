// Delivering approvals to the cluster agent. `/cairn approve` and Slack's Approve only
// record that a person approved a step; the gate then says "approved; waiting for the
// operator" and names the annotation to set. That makes a *delivery* for the step's
// cluster (one per step and merge commit), which rides on the signed answer to the
// agent's next snapshot or heartbeat (lib/agent/approvals.ts) until the agent
// acknowledges it. The agent alone writes to the cluster; the service never does.
import type { ApprovalAck, DeliveredApproval, Snapshot } from '../lib/agent/index.ts';
import { type SignedReply, signReply } from '../lib/agent/approvals.ts';
import type { ApprovalTarget } from '../lib/gate/types.ts';
import type { Services } from './services.ts';

const DAY = 86_400_000;

export const deliveriesKey = (cluster: string) => `functions:approval-deliveries:${cluster}`;

export interface Delivery extends DeliveredApproval {
  repository: string;
  pr: number;
  mergeCommit: string;
  /** `pending` until the agent acknowledges it; then what the agent did. */
  state: 'pending' | ApprovalAck['outcome'];
  message?: string;
  queuedAt: string;
  ackedAt?: string;
}

async function sha256(text: string): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** One approval per step and merge commit: a re-merge is a new one. */
export async function approvalId(stepId: string, mergeCommit: string): Promise<string> {
  return `${mergeCommit.slice(0, 12)}-${(await sha256(stepId)).slice(0, 16)}`;
}

type Deliveries = Record<string, Delivery>;

async function change(
  s: Services,
  cluster: string,
  edit: (all: Deliveries) => boolean,
): Promise<Deliveries | undefined> {
  const key = deliveriesKey(cluster);
  for (let attempt = 0; attempt < 8; attempt++) {
    const before = await s.store.get(key);
    const all = before ? (JSON.parse(before) as Deliveries) : {};
    if (!edit(all)) return all;
    if (await s.store.compareAndSet(key, before, JSON.stringify(all), { ttlMs: 30 * DAY })) return all;
  }
  s.log.warn('approval deliveries lost to contention', { cluster });
  return undefined;
}

export async function readDeliveries(s: Services, cluster: string): Promise<Deliveries> {
  const text = await s.store.get(deliveriesKey(cluster));
  return text ? (JSON.parse(text) as Deliveries) : {};
}

/** Ensures the delivery of an approval the gate asks for; a delivery exists once, whatever its state. */
export async function ensureDelivery(
  s: Services,
  d: {
    cluster: string;
    step: string;
    repository: string;
    pr: number;
    mergeCommit: string;
    by: string;
    target: ApprovalTarget;
  },
): Promise<Delivery | undefined> {
  if (d.target.group !== 'redis.io' || d.target.kind !== 'RedisCluster') return undefined;
  const target: DeliveredApproval['target'] = {
    group: 'redis.io',
    kind: 'RedisCluster',
    ...(d.target.namespace ? { namespace: d.target.namespace } : {}),
    name: d.target.name,
    annotation: d.target.annotation,
    value: d.target.value,
  };
  const id = await approvalId(d.step, d.mergeCommit);
  const all = await change(s, d.cluster, (all) => {
    if (all[id]) return false;
    // Acknowledged long ago: that step's gate no longer asks for it.
    const old = s.now().getTime() - 30 * DAY;
    for (const [k, v] of Object.entries(all)) if (v.ackedAt && Date.parse(v.ackedAt) < old) delete all[k];
    all[id] = {
      id,
      cluster: d.cluster,
      step: d.step,
      by: d.by,
      target,
      repository: d.repository,
      pr: d.pr,
      mergeCommit: d.mergeCommit,
      state: 'pending',
      queuedAt: s.now().toISOString(),
    };
    return true;
  });
  return all?.[id];
}

/** The approval was withdrawn (Slack's Hold) before the agent took it: do not deliver it. */
export async function withdrawDelivery(
  s: Services,
  cluster: string,
  stepId: string,
  mergeCommit: string,
): Promise<void> {
  const id = await approvalId(stepId, mergeCommit);
  await change(s, cluster, (all) => {
    if (all[id]?.state !== 'pending') return false;
    delete all[id];
    return true;
  });
}

/** What the agent said it did; an approval it does not know of is ignored. */
export async function recordAcks(s: Services, cluster: string, acks: ApprovalAck[]): Promise<void> {
  if (!acks.length) return;
  await change(s, cluster, (all) => {
    let changed = false;
    for (const a of acks) {
      const d = all[a.id];
      if (!d || d.state !== 'pending') continue;
      d.state = a.outcome;
      if (a.message) d.message = a.message;
      d.ackedAt = s.now().toISOString();
      changed = true;
      const fields = { cluster, approval: a.id, step: d.step, outcome: a.outcome, reason: a.message };
      if (a.outcome === 'refused' || a.outcome === 'forbidden')
        s.log.warn('the agent did not set the approval annotation', fields);
      else s.log.info('approval delivered', fields);
    }
    return changed;
  });
}

/** The signed answer to an agent's message: every approval still pending for its cluster. */
export async function replyTo(s: Services, snap: Snapshot, secret: string): Promise<SignedReply> {
  // The oldest first, at most the 100 a reply may carry (the rest ride on the next answers).
  const pending = Object.values(await readDeliveries(s, snap.cluster))
    .filter((d) => d.state === 'pending')
    .sort((a, b) => (a.queuedAt < b.queuedAt ? -1 : a.queuedAt > b.queuedAt ? 1 : 0))
    .slice(0, 100);
  return signReply(
    {
      version: 1,
      kind: 'approvals',
      cluster: snap.cluster,
      agent: snap.agent,
      inReplyTo: snap.sequence,
      approvals: pending.map((d) => ({
        id: d.id,
        cluster: d.cluster,
        step: d.step,
        by: d.by,
        target: d.target,
      })),
    },
    secret,
    s.now(),
  );
}
