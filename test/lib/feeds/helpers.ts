// Shared set-up for feed tests: the shipped catalog, a clock tests move by
// hand, a memory store on that clock, and the bounded client over the real
// global fetch (talking to the local feed server).
import { createHttpClient, type HttpClient } from '../../../lib/feeds/http.ts';
import type { PlannedSource } from '../../../lib/feeds/types.ts';
import type { SourceSpec } from '../../../lib/feeds/spec.ts';
import { loadShippedCatalog } from '../../../lib/node/files.ts';
import { memoryStore, type Store } from '../../../lib/store/index.ts';

export const catalog = loadShippedCatalog();

export interface Env {
  clock: { now(): number; t: number };
  store: Store;
  http: HttpClient;
}

export function env(opts: { timeoutMs?: number; at?: string } = {}): Env {
  const clock = {
    t: Date.parse(opts.at ?? '2026-11-30T12:00:00Z'),
    now() {
      return this.t;
    },
  };
  const store = memoryStore(clock);
  const http = createHttpClient({
    fetch: (u, i) => fetch(u, i),
    clock,
    store,
    ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
  });
  return { clock, store, http };
}

export function planned(component: string, spec: SourceSpec, ttlMs = 600_000): PlannedSource {
  return { component, spec, origin: 'test', ttlMs };
}
