// The store: the little state cairn keeps that cannot be rebuilt from Git,
// pull requests and the cluster (delivery ids seen, locks, feed validators,
// gate timers, the scanner's per-blob cache). One interface; implementations
// for tests (memory), Node (SQLite, Redis) and Workers (a Durable Object).
// Values are strings (callers serialise); time comes from an injected clock.

export interface PutOptions {
  /** Time to live in milliseconds; the entry reads as absent once it has passed. */
  ttlMs?: number;
}

export interface Store {
  /** The value, or `undefined` when absent or expired. */
  get(key: string): Promise<string | undefined>;
  /** Write unconditionally. */
  put(key: string, value: string, options?: PutOptions): Promise<void>;
  /**
   * Write `next` only if the current value is `expected` (`undefined`: only if absent or
   * expired). Atomic: of two concurrent calls with the same `expected`, at most one wins.
   * Returns whether it wrote.
   */
  compareAndSet(
    key: string,
    expected: string | undefined,
    next: string,
    options?: PutOptions,
  ): Promise<boolean>;
  /** Remove the key; absent keys are fine. */
  delete(key: string): Promise<void>;
}

export interface Clock {
  now(): number;
}

export { memoryStore } from './memory.ts';
