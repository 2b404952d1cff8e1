// One resource kept in sync with list + watch: list, then watch from the
// list's resourceVersion; on 410 Gone relist; on any other error report it
// and relist after a pause. The cache says *when* something changed; a
// decision re-reads the object directly (reader.ts), never from the cache.
import type { KubeObject } from '../cluster-state.ts';
import type { ReadProblem } from '../gate/types.ts';
import type { ResourceType } from './resources.ts';
import { isGone, KubeApiError, type KubeTransport, type WatchHandle } from './transport.ts';

export type ReflectorState = 'starting' | 'synced' | 'relisting' | 'failed' | 'absent' | 'stopped';

export interface ReflectorOptions {
  resource: ResourceType;
  namespace?: string;
  transport: KubeTransport;
  /** Waits between retries (injected so tests do not sleep). */
  sleep: (ms: number) => Promise<void>;
  retryMs?: number;
  /** Called after every change of the cache or the state. */
  onChange?: (r: Reflector) => void;
}

function key(o: KubeObject): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

export function problemOf(resource: string, e: unknown): ReadProblem {
  if (e instanceof KubeApiError) return { resource, kind: e.kind, message: e.message };
  return { resource, kind: 'error', message: e instanceof Error ? e.message : String(e) };
}

export class Reflector {
  readonly resource: ResourceType;
  state: ReflectorState = 'starting';
  problem: ReadProblem | undefined;
  resourceVersion = '';
  /** How many times the resource was listed (1 + relists). */
  lists = 0;
  private items = new Map<string, KubeObject>();
  private handle: WatchHandle | undefined;
  private stopped = false;
  private readonly opts: ReflectorOptions;
  private waiters: (() => void)[] = [];

  constructor(opts: ReflectorOptions) {
    this.opts = opts;
    this.resource = opts.resource;
  }

  get label(): string {
    const r = this.resource;
    return `${r.group ? `${r.group}/` : ''}${r.kind}${this.opts.namespace ? ` in ${this.opts.namespace}` : ''}`;
  }

  objects(): KubeObject[] {
    return [...this.items.values()].map((o) => structuredClone(o));
  }

  /** Resolves the next time the cache is freshly listed and watching. */
  nextSync(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  start(): void {
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.state = 'stopped';
    this.handle?.stop();
  }

  private changed(): void {
    this.opts.onChange?.(this);
  }

  private async run(): Promise<void> {
    const { transport, resource, namespace } = this.opts;
    const retry = this.opts.retryMs ?? 5_000;
    while (!this.stopped) {
      try {
        const listed = await transport.list(resource, namespace);
        if (this.stopped) return;
        this.lists++;
        this.items = new Map(listed.items.map((o) => [key(o), o]));
        this.resourceVersion = listed.resourceVersion;
        this.state = 'synced';
        this.problem = undefined;
        this.changed();
        for (const w of this.waiters.splice(0)) w();
      } catch (e) {
        if (this.stopped) return;
        if (e instanceof KubeApiError && e.code === 404) {
          // The CRD is not installed: nothing of this kind exists.
          this.items.clear();
          this.state = 'absent';
          this.problem = undefined;
        } else {
          this.state = 'failed';
          this.problem = problemOf(this.label, e);
        }
        this.changed();
        await this.opts.sleep(retry);
        continue;
      }
      // Watch until the stream says the resourceVersion is gone, or fails.
      for (;;) {
        const err = await new Promise<unknown>((resolve) => {
          transport
            .watch(resource, namespace, this.resourceVersion, (type, o) => this.apply(type, o), resolve)
            .then((h) => {
              this.handle = h;
              if (this.stopped) h.stop(); // stopped while the watch was being opened
            }, resolve);
        });
        if (this.stopped) return;
        if (err === null || err === undefined) continue; // the server closed a healthy stream: resume from the same resourceVersion
        if (isGone(err)) {
          this.state = 'relisting';
          this.problem = {
            resource: this.label,
            kind: 'error',
            message: 'the watch expired (410 Gone); relisting',
          };
        } else {
          this.state = 'failed';
          this.problem = problemOf(this.label, err);
        }
        this.changed();
        if (!isGone(err)) await this.opts.sleep(retry);
        break;
      }
    }
  }

  private apply(type: string, o: KubeObject): void {
    if (o.metadata?.resourceVersion) this.resourceVersion = o.metadata.resourceVersion;
    if (type === 'BOOKMARK') return;
    if (type === 'DELETED') this.items.delete(key(o));
    else this.items.set(key(o), o);
    this.changed();
  }
}
