// Node-side loading of the files a local run needs: policy files, the
// shipped catalog, feed snapshots and cluster-state files. Everything here
// only reads; parsing and validation live in the pure modules it calls.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { defaultCatalogDir, loadCatalogDir, loadPrebuiltCatalog } from './catalog-dir.ts';
import type { Catalog, Component } from '../catalog/schema.ts';
import { type Issue, UsageError, ValidationError } from '../errors.ts';
import { EMPTY_POLICY, loadPolicy, type PolicyCheckOptions } from '../policy/load.ts';
import type { Policy } from '../policy/schema.ts';
import { getScheme } from '../versioning/index.ts';
import type { SchemeId } from '../versioning/types.ts';
import { readFileGuarded } from './read-file.ts';

/** Largest policy file read. */
export const MAX_POLICY_BYTES = 1024 * 1024;
/** Largest feed snapshot or cluster-state file read (`kubectl get -o yaml` of a big cluster). */
export const MAX_INPUT_BYTES = 32 * 1024 * 1024;

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

/**
 * Policy files (`*.yaml`, `*.yml`) directly in `dir`, paths reported relative to
 * `base`. Each is read through readFileGuarded: a link whose real path leaves
 * `root` (default: `dir`; the repository for `<repo>/.cairn`), a device or a
 * file over MAX_POLICY_BYTES is a validation error naming the file, all at once.
 */
export function loadPolicyDir(
  dir: string,
  base: string,
  root: string = dir,
  check: PolicyCheckOptions = {},
): Policy {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new UsageError(`policy directory ${dir} does not exist`);
  const issues: Issue[] = [];
  const files: { path: string; text: string }[] = [];
  for (const f of readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()) {
    const path = relative(base, join(dir, f)) || f;
    const r = readFileGuarded(join(dir, f), { root, maxBytes: MAX_POLICY_BYTES });
    if (r.ok) files.push({ path, text: Buffer.from(r.bytes).toString('utf8') });
    else issues.push({ file: path, message: r.reason });
  }
  if (issues.length) throw new ValidationError(issues);
  return files.length ? loadPolicy(files, check) : EMPTY_POLICY;
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

/**
 * A feed snapshot or cluster-state file named on the command line, through
 * readFileGuarded: a regular file (links followed), at most `maxBytes`.
 */
export function readTextFile(path: string, what: string, maxBytes: number = MAX_INPUT_BYTES): string {
  const r = readFileGuarded(path, { maxBytes });
  if (!r.ok) throw new UsageError(`cannot read ${what} ${path}: ${r.reason}`);
  return Buffer.from(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength).toString('utf8');
}
