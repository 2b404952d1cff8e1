// RepoReader over a directory on disk (Node only; the only file of the
// targets core that touches node:fs). Reads are synchronous on purpose: for
// thousands of small manifests the promise API costs more than the reading.
import { lstatSync, readdirSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { RepoEntry, RepoReader } from '../targets/repo.ts';
import { DEFAULT_MAX_FILE_BYTES } from '../targets/yaml-file.ts';
import { readFileGuarded } from './read-file.ts';

const SKIP_DIRS = new Set(['.git', 'node_modules']);

/**
 * Reads go through readFileGuarded: a link leading outside `root`, anything
 * but a regular file, or a file over `maxFileBytes` is refused (read throws).
 */
export function nodeRepo(root: string, { maxFileBytes = DEFAULT_MAX_FILE_BYTES } = {}): RepoReader {
  let realRoot: Promise<string> | undefined;
  const toRepo = (abs: string, base: string) => relative(base, abs).split(sep).join('/');
  return {
    async list() {
      const out: RepoEntry[] = [];
      const walk = (dir: string): void => {
        const entries = readdirSync(dir, { withFileTypes: true });
        for (const e of entries) {
          const abs = join(dir, e.name);
          if (e.isDirectory()) {
            if (!SKIP_DIRS.has(e.name)) walk(abs);
          } else if (e.isSymbolicLink()) {
            const st = lstatSync(abs);
            out.push({ path: toRepo(abs, root), isSymbolicLink: true, size: st.size });
          } else if (e.isFile()) {
            const st = lstatSync(abs);
            out.push({ path: toRepo(abs, root), isSymbolicLink: false, size: st.size });
          }
        }
      };
      walk(root);
      return out;
    },
    async read(path) {
      const r = readFileGuarded(join(root, path), { root, maxBytes: maxFileBytes });
      if (!r.ok) throw new Error(r.reason);
      return r.bytes;
    },
    async realpath(path) {
      realRoot ??= realpath(root);
      const base = await realRoot;
      let target: string;
      try {
        target = await realpath(join(root, path));
      } catch {
        return undefined;
      }
      const rel = relative(base, target);
      if (rel === '' || rel.startsWith('..') || rel.startsWith(sep) || /^[A-Za-z]:/.test(rel))
        return undefined;
      return rel.split(sep).join('/');
    },
  };
}
