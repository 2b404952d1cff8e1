// What the scanner found in each file, by (blob SHA, path), kept between runs so a
// re-plan after a push scans only the files whose blobs changed.
//
// Scanning one file (`scanBatch`) is a pure function of its bytes and its path: a kind is
// told the path and its directory (`FindContext`), and the path names the hits and keys
// the file's index entries (Chart.yaml by directory, kustomization.yaml by directory). It
// never reads another file: everything that depends on several files (chart identity
// through a Chart.yaml or a Flux source, Kustomize and Argo layering, Flux `valuesFrom`,
// the layout conventions, target groups) is resolved after the per-file results are
// merged, in `scanRepository`, on every run. So the key is the blob SHA and the path, and
// the version of the scanner and its kinds: an upgrade of cairn never reads a finding an
// older scanner made.
//
// The cache plugs into the scanner through its `parallel` hook (`ParallelScan`), so
// `scanRepository` itself is unchanged: cached files give their stored batch, the others
// are read through the RepoReader and scanned on this thread.
import type { RepoReader } from '../targets/repo.ts';
import { TARGET_KINDS } from '../targets/registry.ts';
import { type Hit, type ParallelScan, type ScannedBatch, scanBatch } from '../targets/scan.ts';
import type { Store } from '../store/index.ts';

/** Bump when the shape of a stored batch, or what the scanner records, changes. */
export const SCAN_CACHE_FORMAT = 3;

function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

/**
 * The scanner's version: the format, the registered kinds and their code, and the code of
 * the per-file scan. A change to any of them (a cairn upgrade) gives new keys. The caller
 * may add its own release (`cairn --version`) for changes deeper inside the scanner.
 */
const versions = new Map<string, string>();

export function scannerVersion(release = ''): string {
  const known = versions.get(release);
  if (known) return known;
  const code = [
    String(SCAN_CACHE_FORMAT),
    release,
    String(scanBatch),
    ...TARGET_KINDS.map((k) => `${k.id}\u0000${String(k.accepts)}\u0000${String(k.find)}`),
  ].join('\u0001');
  const version = `${SCAN_CACHE_FORMAT}.${fnv1a(code)}`;
  versions.set(release, version);
  return version;
}

/** Per-file scan results by key. Entries never go stale (the key names the bytes). */
export interface ScanCache {
  get(key: string): Promise<ScannedBatch | undefined>;
  /** The entry when it is at hand without waiting (held in memory); undefined otherwise. */
  peek?(key: string): ScannedBatch | undefined;
  put(key: string, batch: ScannedBatch): Promise<void>;
}

// The stored form is generic: every Map and Set anywhere in a batch (the index's tables, a
// hit's layering links) is written as a tagged array and read back as one, so a field the
// scanner adds later is kept without a change here. A hit's `siblings` are links to other
// hits made after the merge, so they are never stored.
const MAP = '$map';
const SET = '$set';

function replacer(this: unknown, key: string, value: unknown): unknown {
  if (key === 'siblings' && this && typeof this === 'object' && 'found' in this) return undefined;
  if (value instanceof Map) return { [MAP]: [...value] };
  if (value instanceof Set) return { [SET]: [...value] };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    if (Array.isArray(o[MAP]) && Object.keys(o).length === 1) return new Map(o[MAP] as [unknown, unknown][]);
    if (Array.isArray(o[SET]) && Object.keys(o).length === 1) return new Set(o[SET] as unknown[]);
  }
  return value;
}

export function serialiseBatch(batch: ScannedBatch): string {
  return JSON.stringify(batch, replacer);
}

export function parseBatch(text: string): ScannedBatch {
  return JSON.parse(text, reviver) as ScannedBatch;
}

/**
 * A copy the scanner may change: `scanRepository` sets identities, ids, clusters, layering
 * links and groups on the hits (and a chart on `found`). The index is shared, not copied:
 * the scanner only reads a batch's index tables (it merges their entries into a fresh
 * index of its own), and a fleet's re-plan copies ten thousand batches.
 */
function copyBatch(b: ScannedBatch): ScannedBatch {
  const hits: Hit[] = new Array<Hit>(b.hits.length);
  for (let i = 0; i < b.hits.length; i++) {
    const { siblings: _, ...rest } = b.hits[i]!;
    hits[i] = {
      ...rest,
      found: { ...rest.found },
      shadows: new Set(rest.shadows),
      shadowedBy: new Set(rest.shadowedBy),
    } as Hit;
  }
  return { hits, index: b.index, problems: b.problems.length ? [...b.problems] : [] };
}

export interface ScanCacheOptions {
  /** Prefix of the store keys. */
  prefix?: string;
  /** How long an entry is kept in the store after it was written (default 30 days). */
  ttlMs?: number;
  /** Entries kept parsed in memory, least recently used dropped first (default 50,000). */
  memoryEntries?: number;
}

const DAY = 86_400_000;

/**
 * A ScanCache over the store, with the most recently used entries kept parsed in memory
 * (a long-lived process re-plans without parsing a thing). Bounded both ways: in memory
 * by `memoryEntries`, in the store by `ttlMs` (an entry still wanted after that is
 * scanned again, once).
 */
export function storeScanCache(store: Store | undefined, options: ScanCacheOptions = {}): ScanCache {
  const prefix = options.prefix ?? 'scan:';
  const ttlMs = options.ttlMs ?? 30 * DAY;
  const limit = options.memoryEntries ?? 50_000;
  const memory = new Map<string, ScannedBatch>();
  const remember = (key: string, batch: ScannedBatch) => {
    memory.delete(key);
    memory.set(key, batch);
    if (memory.size > limit) memory.delete(memory.keys().next().value!);
  };
  return {
    peek(key) {
      const batch = memory.get(key);
      if (!batch) return undefined;
      remember(key, batch);
      return copyBatch(batch);
    },
    async get(key) {
      let batch = memory.get(key);
      if (batch) remember(key, batch);
      else if (store) {
        const text = await store.get(prefix + key);
        if (text === undefined) return undefined;
        try {
          batch = parseBatch(text);
        } catch {
          return undefined; // a damaged entry is scanned again
        }
        remember(key, batch);
      }
      return batch && copyBatch(batch);
    },
    async put(key, batch) {
      remember(key, copyBatch(batch));
      try {
        await store?.put(prefix + key, serialiseBatch(batch), { ttlMs });
      } catch {
        // A store that refuses the entry (too large, unavailable) costs a re-scan, not the plan.
      }
    },
  };
}

/** How many files a cached scan took from the cache and how many it scanned. */
export interface ScanCacheStats {
  cached: number;
  scanned: number;
}

const keyOf = (version: string, maxBytes: number, sha: string, path: string) =>
  `${version}:${maxBytes}:${sha}:${path}`;

/** What scanning blob `sha` at `path` gave, from the cache (a copy), or undefined. */
export async function storedScan(
  cache: ScanCache,
  path: string,
  sha: string,
  maxBytes: number,
  version = scannerVersion(),
): Promise<ScannedBatch | undefined> {
  const key = keyOf(version, maxBytes, sha, path);
  return cache.peek?.(key) ?? (await cache.get(key));
}

/**
 * The scanner's `parallel` hook over a cache: each regular file's batch comes from the
 * cache when its blob and path were scanned before, else it is read through `repo` and
 * scanned here (and stored). `blobOf` gives a path's blob SHA (a Git tree knows it); a
 * path without one is always scanned.
 */
export function cachedScan(
  repo: RepoReader,
  blobOf: (path: string) => string | undefined,
  cache: ScanCache,
  { version = scannerVersion(), stats }: { version?: string; stats?: ScanCacheStats } = {},
): ParallelScan {
  return async (paths, maxBytes) => {
    const out: ScannedBatch[] = [];
    for (const path of paths) {
      const sha = blobOf(path);
      const key = sha && keyOf(version, maxBytes, sha, path);
      // A re-plan finds nearly every file in memory: no promise per file for those.
      const hit = key ? (cache.peek?.(key) ?? (await cache.get(key))) : undefined;
      if (hit) {
        if (stats) stats.cached++;
        out.push(hit);
        continue;
      }
      let file: { path: string; bytes: Uint8Array } | { path: string; problem: string };
      try {
        file = { path, bytes: await repo.read(path) };
      } catch (e) {
        file = { path, problem: (e as Error).message };
      }
      const batch = scanBatch([file], maxBytes);
      if (stats) stats.scanned++;
      // A read that failed is not a fact about the blob: try again next time.
      if (key && !('problem' in file)) await cache.put(key, batch);
      out.push(batch);
    }
    return out;
  };
}
