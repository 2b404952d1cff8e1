// Node-only: scans a checkout's files on every core. The sorted paths are cut
// into contiguous chunks; this thread and the worker threads take the next
// chunk from one shared counter until none is left, so a thread that starts
// late or runs slow (a busy machine) simply takes fewer. Merged in chunk order
// the result equals a sequential scan.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type ParallelScan, type ScannedBatch, scanBatch } from '../targets/scan.ts';
import { readFileGuarded } from './read-file.ts';

/** Below this many files a worker's start-up costs more than it saves. */
const MIN_FILES_PER_WORKER = 1500;
/** Files per chunk: small enough to balance the threads, large enough that merging stays cheap. */
const CHUNK_FILES = 200;

export interface ScanJob {
  root: string;
  /** Every path of the scan, cut into `chunks` runs by `chunkOf`. */
  paths: readonly string[];
  chunks: number;
  maxBytes: number;
  /** One Int32: the next chunk to take (Atomics.add). */
  next: SharedArrayBuffer;
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

/** The paths of chunk `i` of `chunks` equal runs. */
function chunkOf(paths: readonly string[], chunks: number, i: number): readonly string[] {
  const size = Math.ceil(paths.length / chunks);
  return paths.slice(i * size, (i + 1) * size);
}

/** Takes chunks from the shared counter until none is left: each scanned, by its index. */
export function scanChunks(job: ScanJob): [number, ScannedBatch][] {
  const next = new Int32Array(job.next);
  const out: [number, ScannedBatch][] = [];
  withPlainEnv(() => {
    for (let i = Atomics.add(next, 0, 1); i < job.chunks; i = Atomics.add(next, 0, 1)) {
      const paths = chunkOf(job.paths, job.chunks, i);
      out.push([i, scanBatch(readFiles(job.root, paths, job.maxBytes), job.maxBytes)]);
    }
  });
  return out;
}

function runWorker(job: ScanJob): Promise<[number, ScannedBatch][]> {
  // The worker is this folder's scan-worker module, compiled (.js) or not (.ts), like this one.
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const worker = new Worker(new URL(`./scan-worker${ext}`, import.meta.url), {
    workerData: job,
    // As for the main thread (bin/cairn.js): a small young generation keeps peak memory low.
    resourceLimits: { maxYoungGenerationSizeMb: 24 },
  });
  return new Promise((resolve, reject) => {
    worker.once('message', (batches: [number, ScannedBatch][]) => {
      resolve(batches);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`scan worker exited with code ${code}`));
    });
  });
}

/** A parallel scanner for `root`: up to one thread per core, each worth at least `minFilesPerWorker` files. */
export function parallelScanner(
  root: string,
  { cores = availableParallelism(), minFilesPerWorker = MIN_FILES_PER_WORKER, chunkFiles = CHUNK_FILES } = {},
): ParallelScan {
  return async (paths, maxBytes) => {
    const threads = Math.max(1, Math.min(cores, Math.floor(paths.length / minFilesPerWorker)));
    const chunks = threads === 1 ? 1 : Math.max(threads, Math.ceil(paths.length / chunkFiles));
    const job: ScanJob = { root, paths, chunks, maxBytes, next: new SharedArrayBuffer(4) };
    // Workers start first: they take chunks as soon as they are up, while this thread already scans.
    const pending = Array.from({ length: threads - 1 }, () => runWorker(job));
    const mine = scanChunks(job);
    const all = [mine, ...(await Promise.all(pending))].flat();
    return all.sort((a, b) => a[0] - b[0]).map(([, batch]) => batch);
  };
}
