// The engine under every simulated operator and applier (test/e2e/sim/):
// a deterministic state machine on a virtual clock. A simulator watches
// the objects it owns in a SimCluster (the Kubernetes-compatible test
// server, or a plain map in unit tests); when an object's spec changes it
// starts a rollout, a list of phases each due a fixed delay after the
// change, and `tick(now)` applies every phase that is due, in order. No
// timers and no randomness: the harness advances the clock (to `nextAt()`)
// and ticks.
import type { KubeObject } from '../../../lib/cluster-state.ts';

/** What a simulator needs from a cluster: KubeTestServer has all three (plus `list`, see kube-cluster.ts). */
export interface SimCluster {
  get(group: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined;
  list(group: string, kind: string): KubeObject[];
  apply(o: KubeObject): KubeObject;
  remove?(group: string, kind: string, namespace: string | undefined, name: string): void;
}

/** One thing a simulator did to the cluster, for a journey's "cluster changes" assertions. */
export interface SimEvent {
  /** Virtual time, ms since the epoch. */
  at: number;
  /** e.g. `RedisEnterpriseCluster redis-enterprise/rec` */
  object: string;
  /** e.g. `status.state Upgrade` */
  change: string;
}

/** A phase: `afterMs` after the spec change, `apply` changes the object (it may also touch others). */
export interface Phase {
  afterMs: number;
  /** Short label for the event log, e.g. `status.state Running`. */
  label: string;
  apply: (o: KubeObject, cluster: SimCluster) => void;
}

export interface Simulator {
  readonly name: string;
  /** Apply every phase due at `now` (ms); returns what changed. */
  tick(cluster: SimCluster, now: number): SimEvent[];
  /** The virtual time of the next due phase, if a rollout is in flight. */
  nextAt(): number | undefined;
}

export function describeKubeObject(o: KubeObject): string {
  const ns = o.metadata?.namespace;
  return `${o.kind} ${ns ? `${ns}/` : ''}${o.metadata?.name ?? ''}`;
}

export function groupOf(o: KubeObject): string {
  const v = o.apiVersion ?? '';
  return v.includes('/') ? v.slice(0, v.indexOf('/')) : '';
}

/** Stable JSON (sorted keys), so a fingerprint does not depend on key order. */
export function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/** Read a dotted path. */
export function pathOf(o: unknown, path: string): unknown {
  let cur: unknown = o;
  for (const k of path.split('.')) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** Set a dotted path, creating objects on the way. */
export function setPath(o: unknown, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = o as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) {
    if (!cur[k] || typeof cur[k] !== 'object') cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys.at(-1)!] = value;
}

export function statusOf(o: KubeObject): Record<string, unknown> {
  const rec = o as KubeObject & { status?: Record<string, unknown> };
  rec.status ??= {};
  return rec.status;
}

export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

interface Flight {
  key: string;
  ref: { group: string; kind: string; namespace: string | undefined; name: string };
  startedAt: number;
  phases: Phase[];
  next: number;
}

/**
 * A watched kind: how to fingerprint the part of an object that starts a
 * rollout (usually `spec`), and the phases that rollout walks, computed
 * from the object as it was changed (`prev`: its last settled form).
 */
export interface Watch {
  group: string;
  kind: string;
  /** Default: the whole `spec`. */
  fingerprint?: (o: KubeObject) => string;
  phases: (o: KubeObject, prev: KubeObject | undefined, cluster: SimCluster, now: number) => Phase[];
}

/**
 * A simulator over one or more watched kinds. The first sight of an object
 * is its settled state (the cluster as the example describes it); every
 * later change of its fingerprint starts a rollout, which replaces one in
 * flight for the same object (as an operator reconciles the latest spec).
 */
export class RolloutSimulator implements Simulator {
  private seen = new Map<string, { fingerprint: string; object: KubeObject }>();
  private flights = new Map<string, Flight>();
  private ticked = false;
  readonly events: SimEvent[] = [];

  readonly name: string;
  private readonly watches: Watch[];

  constructor(name: string, watches: Watch[]) {
    this.name = name;
    this.watches = watches;
  }

  tick(cluster: SimCluster, now: number): SimEvent[] {
    const out: SimEvent[] = [];
    // A phase may create or change objects another watch owns (an InstallPlan, a Redis): scan again.
    for (let round = 0; round < 20; round++) {
      const before = out.length;
      this.round(cluster, now, out);
      if (out.length === before) break;
    }
    this.ticked = true;
    return out;
  }

  private round(cluster: SimCluster, now: number, out: SimEvent[]): void {
    for (const w of this.watches)
      for (const o of cluster.list(w.group, w.kind)) {
        const key = `${w.group}/${w.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
        const fp = (w.fingerprint ?? ((x: KubeObject) => stable((x as { spec?: unknown }).spec)))(o);
        const before = this.seen.get(key);
        if (before?.fingerprint === fp) continue;
        this.seen.set(key, { fingerprint: fp, object: structuredClone(o) });
        // The first tick sees the cluster as it is; objects created later (a new RedisOpsRequest) roll out.
        if (!before && !this.ticked) continue;
        this.flights.set(key, {
          key,
          ref: {
            group: w.group,
            kind: w.kind,
            namespace: o.metadata?.namespace,
            name: o.metadata?.name ?? '',
          },
          startedAt: now,
          phases: w.phases(o, before?.object, cluster, now),
          next: 0,
        });
      }
    // Due phases in time order across objects, then by key: deterministic.
    for (;;) {
      let pick: Flight | undefined;
      for (const f of [...this.flights.values()].sort((a, b) => a.key.localeCompare(b.key))) {
        const p = f.phases[f.next];
        if (!p || f.startedAt + p.afterMs > now) continue;
        const at = f.startedAt + p.afterMs;
        const best = pick ? pick.startedAt + pick.phases[pick.next]!.afterMs : Infinity;
        if (at < best) pick = f;
      }
      if (!pick) break;
      const phase = pick.phases[pick.next++]!;
      const o = cluster.get(pick.ref.group, pick.ref.kind, pick.ref.namespace, pick.ref.name);
      if (!o) {
        this.flights.delete(pick.key);
        continue;
      }
      phase.apply(o, cluster);
      const stored = cluster.apply(o);
      // Our own status writes are not spec changes; keep the fingerprint current.
      const seen = this.seen.get(pick.key);
      if (seen) seen.object = structuredClone(stored);
      const ev = { at: pick.startedAt + phase.afterMs, object: describeKubeObject(o), change: phase.label };
      out.push(ev);
      this.events.push(ev);
      if (pick.next >= pick.phases.length) this.flights.delete(pick.key);
    }
  }

  /**
   * Take `objects` as the settled cluster (what the first tick would do, for
   * objects not applied yet): later changes to them start rollouts, and so
   * does any object first seen after this.
   */
  prime(objects: readonly KubeObject[]): void {
    for (const w of this.watches)
      for (const o of objects) {
        if (o.kind !== w.kind || groupOf(o) !== w.group) continue;
        const key = `${w.group}/${w.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
        const fp = (w.fingerprint ?? ((x: KubeObject) => stable((x as { spec?: unknown }).spec)))(o);
        this.seen.set(key, { fingerprint: fp, object: structuredClone(o) });
      }
    this.ticked = true;
  }

  nextAt(): number | undefined {
    let min: number | undefined;
    for (const f of this.flights.values()) {
      const p = f.phases[f.next];
      if (p && (min === undefined || f.startedAt + p.afterMs < min)) min = f.startedAt + p.afterMs;
    }
    return min;
  }
}

/**
 * Drive simulators on a virtual clock until none has work due (or `until`):
 * jump to the earliest `nextAt`, tick them all. Returns the end time.
 */
export function runUntilIdle(
  sims: readonly Simulator[],
  cluster: SimCluster,
  from: number,
  until = Infinity,
): { now: number; events: SimEvent[] } {
  let now = from;
  const events: SimEvent[] = [];
  tickAll(sims, cluster, now, events);
  for (let i = 0; i < 10_000; i++) {
    const next = sims.map((s) => s.nextAt()).filter((t): t is number => t !== undefined);
    if (!next.length) break;
    const t = Math.max(now, Math.min(...next));
    if (t > until) break;
    now = t;
    tickAll(sims, cluster, now, events);
  }
  return { now, events };
}

/** Tick every simulator at `now` until a whole pass changes nothing (one's change may be another's input). */
export function tickAll(
  sims: readonly Simulator[],
  cluster: SimCluster,
  now: number,
  events: SimEvent[] = [],
): SimEvent[] {
  for (let pass = 0; pass < 20; pass++) {
    const before = events.length;
    for (const s of sims) events.push(...s.tick(cluster, now));
    if (events.length === before) break;
  }
  return events;
}
