// The little the scanner needs from a repository checkout. A Node
// implementation is in ./node-repo.ts; tests and Workers pass their own.

export interface RepoEntry {
  /** Repository-relative path with forward slashes. */
  path: string;
  isSymbolicLink: boolean;
  /** Size in bytes (of the link itself for a symbolic link). */
  size: number;
}

export interface RepoReader {
  /** Every file and symbolic link in the repository, recursively (not `.git`). */
  list(): Promise<RepoEntry[]>;
  read(path: string): Promise<Uint8Array>;
  /**
   * Where a symbolic link really points, repository-relative; `undefined` when
   * it points outside the repository or nowhere.
   */
  realpath(path: string): Promise<string | undefined>;
}

/** An in-memory repository: tests, and callers that already hold the files (a Git tree from an API). */
export function memoryRepo(
  files: Record<string, string | Uint8Array>,
  links: Record<string, string | undefined> = {},
): RepoReader {
  const enc = new TextEncoder();
  const bytes = (v: string | Uint8Array) => (typeof v === 'string' ? enc.encode(v) : v);
  return {
    list: async () => [
      ...Object.entries(files).map(([path, v]) => ({
        path,
        isSymbolicLink: false,
        size: bytes(v).byteLength,
      })),
      ...Object.keys(links).map((path) => ({ path, isSymbolicLink: true, size: 0 })),
    ],
    read: async (path) => {
      const v = files[path] ?? (links[path] !== undefined ? files[links[path]!] : undefined);
      if (v === undefined) throw new Error(`no such file: ${path}`);
      return bytes(v);
    },
    realpath: async (path) => (path in links ? links[path] : path in files ? path : undefined),
  };
}
