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
export const SCAN_CACHE_FORMAT = 1;

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
  put(key: string, batch: ScannedBatch): Promise<void>;
}

interface StoredBatch {
  hits: (Omit<Hit, 'shadows' | 'shadowedBy' | 'siblings'> & { shadows?: string[]; shadowedBy?: string[] })[];
  index: {
    sources: [string, string][];
    charts: [string, ScannedBatch['index']['charts'] extends Map<string, infer V> ? V : never][];
    kustomizations: [
      string,
      ScannedBatch['index']['kustomizations'] extends Map<string, infer V> ? V : never,
    ][];
    argo: ScannedBatch['index']['argo'];
    files: string[];
    fluxKustomizations: ScannedBatch['index']['fluxKustomizations'];
    valuesFrom: ScannedBatch['index']['valuesFrom'];
  };
  problems: ScannedBatch['problems'];
}

export function serialiseBatch(batch: ScannedBatch): string {
  const stored: StoredBatch = {
    hits: batch.hits.map(({ shadows, shadowedBy, siblings: _, ...rest }) => ({
      ...rest,
      ...(shadows.size ? { shadows: [...shadows] } : {}),
      ...(shadowedBy.size ? { shadowedBy: [...shadowedBy] } : {}),
    })),
    index: {
      sources: [...batch.index.sources],
      charts: [...batch.index.charts],
      kustomizations: [...batch.index.kustomizations],
      argo: batch.index.argo,
      files: [...batch.index.files],
      fluxKustomizations: batch.index.fluxKustomizations,
      valuesFrom: batch.index.valuesFrom,
    },
    problems: batch.problems,
  };
  return JSON.stringify(stored);
}

export function parseBatch(text: string): ScannedBatch {
  const s = JSON.parse(text) as StoredBatch;
  return {
    hits: s.hits.map(({ shadows, shadowedBy, ...rest }) => ({
      ...rest,
      shadows: new Set(shadows),
      shadowedBy: new Set(shadowedBy),
    })),
    index: {
      sources: new Map(s.index.sources),
      charts: new Map(s.index.charts),
      kustomizations: new Map(s.index.kustomizations),
      argo: s.index.argo,
      files: new Set(s.index.files),
      fluxKustomizations: s.index.fluxKustomizations,
      valuesFrom: s.index.valuesFrom,
    },
    problems: s.problems,
  };
}

/**
 * A copy the scanner may change: `scanRepository` sets identities, ids, clusters, layering
 * links and groups on the hits (and a chart on `found`). Index entries are only read.
 */
function copyBatch(b: ScannedBatch): ScannedBatch {
  return {
    hits: b.hits.map((h) => {
      const { siblings: _, ...rest } = h;
      return {
        ...rest,
        found: { ...h.found },
        shadows: new Set(h.shadows),
        shadowedBy: new Set(h.shadowedBy),
      };
    }),
    index: {
      sources: new Map(b.index.sources),
      charts: new Map(b.index.charts),
      kustomizations: new Map(b.index.kustomizations),
      argo: [...b.index.argo],
      files: new Set(b.index.files),
      fluxKustomizations: [...b.index.fluxKustomizations],
      valuesFrom: [...b.index.valuesFrom],
    },
    problems: [...b.problems],
  };
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
      const key = sha && `${version}:${maxBytes}:${sha}:${path}`;
      const hit = key ? await cache.get(key) : undefined;
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
