// The cluster agent loop (`cairn agent`): watches the resources cairn reads
// (list + watch, relist on 410), and when something changes pushes a signed
// snapshot read directly from the API (never from the cache alone); between
// changes it pushes a signed heartbeat vouching for the last snapshot. A
// silent agent means unknown health: the status function lets readings go
// stale. Read-only, but for the approval annotation (lib/cluster/approve.ts).
import { type SignedMessage, type Snapshot, signSnapshot } from '../agent/index.ts';
import { ClusterWatcher, readSnapshot } from '../cluster/reader.ts';
import type { ResourceType } from '../cluster/resources.ts';
import type { KubeTransport } from '../cluster/transport.ts';
import type { Logger } from '../log.ts';

export interface AgentOptions {
  transport: KubeTransport;
  cluster: string;
  /** This agent instance, e.g. the pod name. */
  agentId: string;
  secret: string;
  /** Delivers one signed message (an HTTP POST to the status function). */
  push: (m: SignedMessage) => Promise<void>;
  clock: () => Date;
  sleep: (ms: number) => Promise<void>;
  heartbeatMs?: number;
  /** Changes within this time are pushed as one snapshot. */
  debounceMs?: number;
  resources?: readonly ResourceType[];
  log?: Pick<Logger, 'warn' | 'info'>;
}

export class ClusterAgent {
  private readonly opts: AgentOptions;
  private readonly watcher: ClusterWatcher;
  private sequence = 0;
  private lastSnapshot: number | undefined;
  private running = false;
  private dirty = false;
  private pushing = false;
  private wake: (() => void) | undefined;
  /** Messages pushed (for status and tests). */
  readonly sent: Snapshot[] = [];

  constructor(opts: AgentOptions) {
    this.opts = opts;
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

  stop(): void {
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

  private async send(s: Snapshot): Promise<boolean> {
    try {
      await this.opts.push(await signSnapshot(s, this.opts.secret, this.opts.clock()));
      this.sent.push(s);
      return true;
    } catch (e) {
      this.opts.log?.warn('agent: push failed; the next change or heartbeat retries', {
        kind: s.kind,
        sequence: s.sequence,
        error: e instanceof Error ? e.message : String(e),
      });
      return false;
    }
  }
}

/** Push over HTTP (fetch): a POST of the signed body; any non-2xx is an error. */
export function httpPush(url: string): (m: SignedMessage) => Promise<void> {
  return async (m) => {
    const res = await fetch(url, { method: 'POST', headers: m.headers, body: m.body });
    if (!res.ok) throw new Error(`POST ${url}: ${res.status} ${res.statusText}`);
  };
}
