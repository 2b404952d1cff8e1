// Node-side loading of the files a local run needs: policy files, the
// shipped catalog, feed snapshots and cluster-state files. Everything here
// only reads; parsing and validation live in the pure modules it calls.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { defaultCatalogDir, loadCatalogDir, loadPrebuiltCatalog } from './catalog-dir.ts';
import type { Catalog, Component } from '../catalog/schema.ts';
import { UsageError } from '../errors.ts';
import { EMPTY_POLICY, loadPolicy } from '../policy/load.ts';
import type { Policy } from '../policy/schema.ts';
import { getScheme } from '../versioning/index.ts';
import type { SchemeId } from '../versioning/types.ts';

/** Where a repository keeps its cairn policy files when --policies is not given. */
export const REPO_POLICY_DIR = '.cairn';

function versionProblem(c: Component, version: string): string | undefined {
  const p = getScheme(c.scheme as SchemeId).parse(version);
  return p.ok ? undefined : p.reason;
}

/** Validates catalog YAML sources (a directory like `policies/catalog`), every problem at once. */
export function loadCatalogSources(dir: string = defaultCatalogDir): Catalog {
  return loadCatalogDir(dir, { checkVersion: versionProblem });
}

/** The shipped catalog, from its prebuilt JSON; or, given a directory, from those YAML sources. */
export function loadShippedCatalog(dir?: string): Catalog {
  return dir === undefined ? loadPrebuiltCatalog() : loadCatalogSources(dir);
}

/** Policy files (`*.yaml`, `*.yml`) directly in `dir`, paths reported relative to `base`. */
export function loadPolicyDir(dir: string, base: string): Policy {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new UsageError(`policy directory ${dir} does not exist`);
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => ({ path: relative(base, join(dir, f)) || f, text: readFileSync(join(dir, f), 'utf8') }));
  return files.length ? loadPolicy(files) : EMPTY_POLICY;
}

/** The explicit directory, else `$CAIRN_POLICIES`, else `<repo>/.cairn` when it exists; undefined means shipped defaults only. */
export function resolvePolicyDir(
  explicit: string | undefined,
  env: string | undefined,
  repo: string | undefined,
): string | undefined {
  if (explicit) return explicit;
  if (env) return env;
  if (repo && existsSync(join(repo, REPO_POLICY_DIR))) return join(repo, REPO_POLICY_DIR);
  return undefined;
}

export function readTextFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(
      `cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}
