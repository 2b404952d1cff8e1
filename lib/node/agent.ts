// The cluster agent loop (`cairn agent`): watches the resources cairn reads
// (list + watch, relist on 410), and when something changes pushes a signed
// snapshot read directly from the API (never from the cache alone); between
// changes it pushes a signed heartbeat vouching for the last snapshot. A
// silent agent means unknown health: the status function lets readings go
// stale. Read-only, but for the approval annotation (lib/cluster/approve.ts):
// the status function's signed answer to a push carries the approvals waiting
// for this cluster (lib/agent/approvals.ts); the agent verifies it, sets the
// annotation once per approval on a RedisCluster it manages, and acknowledges
// each approval in its next message.
import {
  type ApprovalAck,
  type DeliveredApproval,
  type SignedMessage,
  type Snapshot,
  signSnapshot,
  verifyReply,
} from '../agent/index.ts';
import { ensurePrimaryUpdateApproved } from '../cluster/approve.ts';
import { ClusterWatcher, readSnapshot } from '../cluster/reader.ts';
import type { ResourceType } from '../cluster/resources.ts';
import { KubeApiError, type KubeTransport } from '../cluster/transport.ts';
import type { Logger } from '../log.ts';
import { memoryStore, type Store } from '../store/index.ts';

export interface AgentOptions {
  transport: KubeTransport;
  cluster: string;
  /** This agent instance, e.g. the pod name. */
  agentId: string;
  secret: string;
  /**
   * Delivers one signed message (an HTTP POST to the status function) and
   * returns its parsed JSON answer, which may carry a signed `reply` with approvals.
   */
  push: (m: SignedMessage) => Promise<unknown>;
  clock: () => Date;
  sleep: (ms: number) => Promise<void>;
  heartbeatMs?: number;
  /** Changes within this time are pushed as one snapshot. */
  debounceMs?: number;
  resources?: readonly ResourceType[];
  log?: Pick<Logger, 'warn' | 'info'>;
  /** The namespaces whose RedisClusters this agent may approve; undefined: every namespace. */
  approveNamespaces?: readonly string[];
  /** Remembers the approvals used in this process (default: in memory; the CR records them too). */
  store?: Store;
}

export class ClusterAgent {
  private readonly opts: AgentOptions;
  private readonly watcher: ClusterWatcher;
  /**
   * Starts at the clock's milliseconds, so a restarted agent (same pod name) goes on
   * above its last message: the status function keeps only an agent's newest message.
   */
  private sequence: number;
  private lastSnapshot: number | undefined;
  private running = false;
  private dirty = false;
  private pushing = false;
  private wake: (() => void) | undefined;
  private readonly used: Store;
  /** Acknowledgements not yet delivered to the status function. */
  private acks: ApprovalAck[] = [];
  private approving: Promise<void> = Promise.resolve();
  /** Messages pushed (for status and tests). */
  readonly sent: Snapshot[] = [];

  constructor(opts: AgentOptions) {
    this.opts = opts;
    this.sequence = opts.clock().getTime();
    this.used = opts.store ?? memoryStore({ now: () => opts.clock().getTime() });
    this.watcher = new ClusterWatcher({
      transport: opts.transport,
      clock: opts.clock,
      sleep: opts.sleep,
      ...(opts.resources ? { resources: opts.resources } : {}),
      onChange: () => this.markDirty(),
    });
  }

  start(): void {
    this.running = true;
    this.watcher.start();
    void this.changeLoop();
    void this.heartbeatLoop();
  }

  private stopped = false;

  stop(): void {
    this.stopped = true;
    this.running = false;
    this.watcher.stop();
    this.wake?.();
  }

  /** A change is waiting to be pushed, or a snapshot is on its way. */
  get pending(): boolean {
    return this.dirty || this.pushing;
  }

  private markDirty(): void {
    this.dirty = true;
    this.wake?.();
  }

  private async changeLoop(): Promise<void> {
    while (this.running) {
      if (!this.dirty) await new Promise<void>((r) => (this.wake = r));
      if (!this.running) return;
      await this.opts.sleep(this.opts.debounceMs ?? 2_000);
      this.dirty = false;
      this.pushing = true;
      try {
        await this.pushSnapshot();
      } finally {
        this.pushing = false;
      }
    }
  }

  private async heartbeatLoop(): Promise<void> {
    while (this.running) {
      await this.opts.sleep(this.opts.heartbeatMs ?? 30_000);
      if (this.running) await this.pushHeartbeat();
    }
  }

  /** A fresh direct read of every resource, signed and pushed. */
  async pushSnapshot(): Promise<void> {
    const reading = await readSnapshot(this.opts.transport, this.opts.clock, this.opts.resources);
    const snapshot: Snapshot = {
      version: 1,
      kind: 'snapshot',
      cluster: this.opts.cluster,
      agent: this.opts.agentId,
      sequence: ++this.sequence,
      readAt: reading.readAt.toISOString(),
      objects: reading.objects as Snapshot['objects'],
      problems: reading.problems,
    };
    if (await this.send(snapshot)) this.lastSnapshot = snapshot.sequence;
  }

  /**
   * Vouches that nothing changed since the last snapshot; carries the
   * watcher's problems (a resource relisting or forbidden) so they are not
   * hidden behind an old snapshot.
   */
  async pushHeartbeat(): Promise<void> {
    const problems = this.watcher.cached().problems;
    const heartbeat: Snapshot = {
      version: 1,
      kind: 'heartbeat',
      cluster: this.opts.cluster,
      agent: this.opts.agentId,
      sequence: ++this.sequence,
      readAt: this.opts.clock().toISOString(),
      ...(this.lastSnapshot !== undefined && !this.pending ? { basedOn: this.lastSnapshot } : {}),
      objects: [],
      problems,
    };
    await this.send(heartbeat);
  }

  /**
   * The status function's answer to message `sequence`: approvals are acted on
   * only when the reply verifies (signature, window, this cluster and agent,
   * this message). Anything else is logged and ignored.
   */
  private async takeReply(answer: unknown, sequence: number): Promise<void> {
    const signed = (answer as { reply?: unknown } | undefined)?.reply;
    if (signed === undefined) return;
    const v = await verifyReply(signed, this.opts.secret, this.opts.clock(), {
      cluster: this.opts.cluster,
      agent: this.opts.agentId,
      sequence,
    });
    if (!v.ok) {
      this.opts.log?.warn('agent: ignored a reply that does not verify; no approval was applied', {
        sequence,
        reason: v.reason,
      });
      return;
    }
    if (!v.reply.approvals.length) return;
    // One at a time, in order: two replies never race on one approval.
    const run = this.approving.then(() => this.applyApprovals(v.reply.approvals));
    this.approving = run.catch(() => undefined);
    await run;
  }

  /** Why this agent does not manage an approval's target; undefined when it does. */
  private refusal(a: DeliveredApproval): string | undefined {
    if (a.cluster !== this.opts.cluster)
      return `the approval is for cluster ${a.cluster}; this agent manages ${this.opts.cluster}`;
    const ns = this.opts.approveNamespaces;
    if (ns && !ns.includes(a.target.namespace ?? ''))
      return `${a.target.kind} ${a.target.namespace ?? ''}/${a.target.name} is outside the namespaces this agent approves in (${ns.join(', ')})`;
    return undefined;
  }

  private async applyApprovals(approvals: DeliveredApproval[]): Promise<void> {
    for (const a of approvals) {
      const where = `${a.target.kind} ${a.target.namespace ? `${a.target.namespace}/` : ''}${a.target.name}`;
      const refused = this.refusal(a);
      let ack: ApprovalAck;
      if (refused) ack = { id: a.id, outcome: 'refused', message: refused };
      else {
        try {
          ack = {
            id: a.id,
            outcome: await ensurePrimaryUpdateApproved(this.opts.transport, this.used, a.target, a.id),
          };
        } catch (e) {
          if (e instanceof KubeApiError && e.kind === 'forbidden')
            ack = { id: a.id, outcome: 'forbidden', message: e.message };
          else {
            // Unavailable or a conflict storm: not acknowledged, so the next reply brings it again.
            this.opts.log?.warn('agent: approval not applied yet; retried with the next reply', {
              approval: a.id,
              object: where,
              error: e instanceof Error ? e.message : String(e),
            });
            continue;
          }
        }
      }
      (ack.outcome === 'patched' ? this.opts.log?.info : this.opts.log?.warn)?.call(
        this.opts.log,
        `agent: approval ${ack.outcome}`,
        {
          approval: a.id,
          step: a.step,
          by: a.by,
          object: where,
          ...(ack.message ? { reason: ack.message } : {}),
        },
      );
      this.acks.push(ack);
      this.approvals.push(ack);
    }
  }

  /** Approvals handled (and acknowledged), for status and tests. */
  readonly approvals: ApprovalAck[] = [];

  private async send(s: Snapshot): Promise<boolean> {
    const acks = this.acks.splice(0);
    if (acks.length) s.acks = acks;
    try {
      const answer = await this.opts.push(await signSnapshot(s, this.opts.secret, this.opts.clock()));
      this.sent.push(s);
      await this.takeReply(answer, s.sequence);
      // The service holds no snapshot this heartbeat could vouch for (it restarted with an
      // empty store): send a fresh one, or the gate would wait for the next change.
      if (s.kind === 'heartbeat' && (answer as { resync?: unknown } | undefined)?.resync === true)
        this.markDirty();
      return true;
    } catch (e) {
      this.acks.unshift(...acks);
      if (this.stopped) return false; // aborted by stop(): not a failure
      this.opts.log?.warn('agent: push failed; the next change or heartbeat retries', {
        kind: s.kind,
        sequence: s.sequence,
        error: e instanceof Error ? e.message : String(e),
      });
      return false;
    }
  }
}

/** Push over HTTP (fetch): a POST of the signed body; any non-2xx is an error; the JSON answer is returned. */
export function httpPush(url: string, signal?: AbortSignal): (m: SignedMessage) => Promise<unknown> {
  return async (m) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: m.headers,
      body: m.body,
      ...(signal ? { signal } : {}),
    });
    if (!res.ok) throw new Error(`POST ${url}: ${res.status} ${res.statusText}`);
    return (res.headers.get('content-type') ?? '').includes('json') ? res.json() : undefined;
  };
}
