// Node-only: scans a checkout's files on every core. This thread takes one share
// of the files and worker threads the others; each share is a contiguous run of
// the sorted paths, so merged in order the result equals a sequential scan.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type ParallelScan, type ScannedBatch, scanBatch } from '../targets/scan.ts';
import { readFileGuarded } from './read-file.ts';

/** Below this many files a worker's start-up costs more than it saves. */
const MIN_FILES_PER_WORKER = 1500;

export interface ScanJob {
  root: string;
  paths: readonly string[];
  maxBytes: number;
}

/** Each file through readFileGuarded (inside `root`, regular, at most `maxBytes`). */
export function* readFiles(root: string, paths: readonly string[], maxBytes: number) {
  for (const path of paths) {
    const r = readFileGuarded(join(root, path), { root, maxBytes });
    yield r.ok ? { path, bytes: r.bytes } : { path, problem: r.reason };
  }
}

/**
 * Runs `fn` with `process.env` replaced by a plain copy of it. The yaml library
 * reads `process.env.LOG_TOKENS` once per token (its debug switch); the real
 * environment answers every read through a native lookup, which on a fleet's
 * 1.4 million tokens costs about 0.2 s of CPU, a fifth of the parse. A plain
 * object answers in a tenth of that. `fn` is synchronous, so no other code
 * runs while the copy is in place, and the real environment is back after it.
 */
export function withPlainEnv<T>(fn: () => T): T {
  const env = process.env;
  process.env = { ...env };
  try {
    return fn();
  } finally {
    process.env = env;
  }
}

function runWorker(job: ScanJob): Promise<ScannedBatch> {
  // The worker is this folder's scan-worker module, compiled (.js) or not (.ts), like this one.
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const worker = new Worker(new URL(`./scan-worker${ext}`, import.meta.url), {
    workerData: job,
    // As for the main thread (bin/cairn.js): a small young generation keeps peak memory low.
    resourceLimits: { maxYoungGenerationSizeMb: 24 },
  });
  return new Promise((resolve, reject) => {
    worker.once('message', (batch: ScannedBatch) => {
      resolve(batch);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`scan worker exited with code ${code}`));
    });
  });
}

/** A parallel scanner for `root`: one share per core, none smaller than `minFilesPerWorker`. */
export function parallelScanner(
  root: string,
  { cores = availableParallelism(), minFilesPerWorker = MIN_FILES_PER_WORKER } = {},
): ParallelScan {
  return async (paths, maxBytes) => {
    const shares = Math.max(1, Math.min(cores, Math.floor(paths.length / minFilesPerWorker)));
    const size = Math.ceil(paths.length / shares);
    const chunks = Array.from({ length: shares }, (_, i) => paths.slice(i * size, (i + 1) * size));
    const [mine, ...theirs] = chunks;
    const pending = theirs.map((chunk) => runWorker({ root, paths: chunk, maxBytes }));
    const own = withPlainEnv(() => scanBatch(readFiles(root, mine ?? [], maxBytes), maxBytes));
    return [own, ...(await Promise.all(pending))];
  };
}
