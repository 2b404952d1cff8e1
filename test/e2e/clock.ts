// The virtual clock every part of a world reads: cairn's runtime clock (and so the
// store, the gate, the windows), the agents' signing clock and their sleeps, the
// simulators' delays. Time moves only when the world moves it, so a 72-hour soak
// takes as long as the requests it causes.
import type { Clock } from '../../lib/store/index.ts';

interface Sleeper {
  due: number;
  ms: number;
  owner: string;
  resolve: () => void;
}

export class VirtualClock implements Clock {
  private t: number;
  private sleepers: Sleeper[] = [];

  constructor(start: number) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  date(): Date {
    return new Date(this.t);
  }

  /** A sleep on virtual time, tagged with who sleeps (an agent's loops, a reflector's retry). */
  sleep(ms: number, owner = 'anonymous'): Promise<void> {
    return new Promise((resolve) => this.sleepers.push({ due: this.t + ms, ms, owner, resolve }));
  }

  /** Moves time forward to `t` (never back), waking every sleeper due by then, earliest first. */
  advanceTo(t: number): void {
    if (t < this.t) return;
    this.t = t;
    const due = this.sleepers.filter((s) => s.due <= t).sort((a, b) => a.due - b.due);
    this.sleepers = this.sleepers.filter((s) => s.due > t);
    for (const s of due) s.resolve();
  }

  /** Moves time to the earliest sleeper and wakes only that one (the world settles between wakes). */
  wakeFirst(): void {
    const first = [...this.sleepers].sort((a, b) => a.due - b.due)[0];
    if (!first) return;
    this.sleepers = this.sleepers.filter((s) => s !== first);
    if (first.due > this.t) this.t = first.due;
    first.resolve();
  }

  /** Wakes the sleepers of `owner` that slept exactly `ms` now, whatever their due time. */
  wake(owner: string, ms: number): number {
    const hit = this.sleepers.filter((s) => s.owner === owner && s.ms === ms);
    this.sleepers = this.sleepers.filter((s) => !hit.includes(s));
    for (const s of hit) s.resolve();
    return hit.length;
  }

  /** When the earliest sleeper wakes (Infinity when none sleeps). */
  nextDue(): number {
    return Math.min(...this.sleepers.map((s) => s.due), Infinity);
  }

  sleeping(owner: string, ms?: number): number {
    return this.sleepers.filter((s) => s.owner === owner && (ms === undefined || s.ms === ms)).length;
  }
}
