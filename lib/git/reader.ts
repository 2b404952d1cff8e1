// A repository at one commit, read through a Git provider, as the scanner's RepoReader:
// the same scan runs over a local checkout, a GitHub tree (no clone) or a Worker.
// Blobs are content-addressed, so a `BlobCache` keyed by blob id lets a re-plan after a
// push read only the blobs that changed.
import type { RepoEntry, RepoReader } from '../targets/repo.ts';
import type { GitReader, Tree, TreeEntry } from './provider.ts';

/** Content by blob id. Blobs never change, so entries never go stale. */
export interface BlobCache {
  get(sha: string): Promise<Uint8Array | undefined>;
  put(sha: string, bytes: Uint8Array): Promise<void>;
}

export function memoryBlobCache(): BlobCache & { size(): number } {
  const map = new Map<string, Uint8Array>();
  return {
    get: async (sha) => map.get(sha),
    put: async (sha, bytes) => void map.set(sha, bytes),
    size: () => map.size,
  };
}

const MODE_LINK = '120000';
const decoder = new TextDecoder();

/** Resolves `.`/`..` in a repository-relative path; undefined when it climbs out. */
function normalise(parts: string[]): string | undefined {
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (!out.length) return undefined;
      out.pop();
    } else out.push(p);
  }
  return out.join('/');
}

export function treeReader(
  git: GitReader,
  tree: Tree,
  cache?: BlobCache,
): RepoReader & { entry(path: string): TreeEntry | undefined } {
  const byPath = new Map(tree.entries.map((e) => [e.path, e] as const));
  const readSha = async (sha: string): Promise<Uint8Array> => {
    const hit = await cache?.get(sha);
    if (hit) return hit;
    const bytes = await git.readBlob(sha);
    await cache?.put(sha, bytes);
    return bytes;
  };
  /** Follows links (at most 40, like the kernel) to a regular file inside the tree. */
  const resolve = async (path: string): Promise<string | undefined> => {
    let current = path;
    for (let hops = 0; hops < 40; hops++) {
      const e = byPath.get(current);
      if (!e) return undefined;
      if (e.mode !== MODE_LINK) return e.mode.startsWith('100') ? current : undefined;
      const target = decoder.decode(await readSha(e.sha));
      if (target.startsWith('/')) return undefined;
      const dir = current.includes('/') ? current.slice(0, current.lastIndexOf('/')) : '';
      const next = normalise([...dir.split('/'), ...target.split('/')]);
      if (next === undefined || next === '') return undefined;
      current = next;
    }
    return undefined;
  };
  return {
    entry: (path) => byPath.get(path),
    async list(): Promise<RepoEntry[]> {
      return tree.entries
        .filter((e) => e.mode.startsWith('100') || e.mode === MODE_LINK)
        .map((e) => ({ path: e.path, isSymbolicLink: e.mode === MODE_LINK, size: e.size ?? 0 }));
    },
    async read(path) {
      const real = await resolve(path);
      if (real === undefined) throw new Error(`no such file: ${path}`);
      return readSha(byPath.get(real)!.sha);
    },
    realpath: resolve,
  };
}
