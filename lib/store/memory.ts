// In-memory store: tests and single-process runs. Expired entries are dropped lazily.
import type { Clock, PutOptions, Store } from './index.ts';

interface Entry {
  value: string;
  expiresAt?: number;
}

export function memoryStore(clock: Clock): Store {
  const entries = new Map<string, Entry>();
  const live = (key: string): Entry | undefined => {
    const e = entries.get(key);
    if (e && e.expiresAt !== undefined && e.expiresAt <= clock.now()) {
      entries.delete(key);
      return undefined;
    }
    return e;
  };
  const entry = (value: string, options?: PutOptions): Entry =>
    options?.ttlMs !== undefined ? { value, expiresAt: clock.now() + options.ttlMs } : { value };
  return {
    get: async (key) => live(key)?.value,
    put: async (key, value, options) => {
      entries.set(key, entry(value, options));
    },
    compareAndSet: async (key, expected, next, options) => {
      if (live(key)?.value !== expected) return false;
      entries.set(key, entry(next, options));
      return true;
    },
    delete: async (key) => {
      entries.delete(key);
    },
  };
}
