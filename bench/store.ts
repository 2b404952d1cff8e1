// Benchmark of the store implementations: compare-and-set throughput and
// latency. Each run makes OPS successful compare-and-sets one after another
// (a counter: each call expects the value the previous one wrote), timing each
// call; per run we take ops/s and the p50, p99 and p99.9 latency, and report the
// median of each over RUNS runs. SQLite writes a file in the temp folder (WAL,
// synchronous=NORMAL); Redis is a real redis-server on loopback, started here
// (skipped when it is not installed).
// Run: scripts/with-node.sh node bench/store.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../lib/node/clock.ts';
import { redisStore } from '../lib/node/store-redis.ts';
import { sqliteStore } from '../lib/node/store-sqlite.ts';
import { memoryStore, type Store } from '../lib/store/index.ts';
import { findRedisServer, startRedisServer } from '../test/support/redis-server.ts';
import type { BenchRow } from './targets.ts';

const OPS = 5_000;
const RUNS = 7;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function runOnce(store: Store, key: string) {
  const latencies: number[] = []; // µs
  let current: string | undefined;
  const start = performance.now();
  for (let i = 0; i < OPS; i++) {
    const next = String(i);
    const t = performance.now();
    const ok = await store.compareAndSet(key, current, next, { ttlMs: 60_000 });
    latencies.push((performance.now() - t) * 1000);
    if (!ok) throw new Error(`compare-and-set ${i} lost on an uncontended key`);
    current = next;
  }
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    opsPerSecond: OPS / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    p999: percentile(latencies, 99.9),
  };
}

async function measure(name: string, store: Store): Promise<BenchRow[]> {
  await runOnce(store, `warm-up`);
  const runs = [];
  for (let r = 0; r < RUNS; r++) runs.push(await runOnce(store, `run-${r}`));
  const row = (what: string, values: number[], unit: string): BenchRow => ({
    name: `store ${name}: compare-and-set ${what}`,
    median: median(values),
    unit,
    limit: Number.NaN,
    runs: RUNS,
  });
  return [
    row(
      'throughput',
      runs.map((r) => r.opsPerSecond),
      'ops/s',
    ),
    row(
      'p50',
      runs.map((r) => r.p50),
      'µs',
    ),
    row(
      'p99',
      runs.map((r) => r.p99),
      'µs',
    ),
    // The rare slow calls (SQLite: WAL checkpoints flushing to disk) that p99 hides.
    row(
      'p99.9',
      runs.map((r) => r.p999),
      'µs',
    ),
  ];
}

export async function runStoreBench(): Promise<BenchRow[]> {
  const rows = await measure('memory', memoryStore(systemClock));
  const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-store-'));
  try {
    const sqlite = sqliteStore(join(dir, 'bench.db'));
    rows.push(...(await measure('sqlite', sqlite)));
    await sqlite.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const bin = findRedisServer();
  if (!bin) {
    console.error('store redis: skipped, redis-server not found on PATH');
    return rows;
  }
  const server = await startRedisServer(bin);
  try {
    const redis = redisStore(server.url);
    rows.push(...(await measure('redis', redis)));
    await redis.close();
  } finally {
    await server.stop();
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { formatBenchTable } = await import('./targets.ts');
  console.log(formatBenchTable(await runStoreBench()));
}
