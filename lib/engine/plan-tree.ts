// Planning a repository read through a RepoReader (a GitHub tree, no clone): the policy
// comes from the repository's own `.cairn/` folder, as `cairn plan` reads it locally.
import type { Catalog } from '../catalog/schema.ts';
import type { ClusterFacts, Release } from '../model.ts';
import { planRepository, type RepositoryPlan } from '../plan-repository.ts';
import { EMPTY_POLICY, loadPolicy } from '../policy/load.ts';
import { createPlanMemo, type PlanMemo } from '../planner/memo.ts';
import type { Policy } from '../policy/schema.ts';
import type { RepoReader } from '../targets/repo.ts';
import type { TreeEntry } from '../git/provider.ts';
import { cachedScan, type ScanCache, type ScanCacheStats, storedScan } from './scan-cache.ts';
import { createScanMemo, type ScanMemo } from '../targets/scan-memo.ts';

export const POLICY_DIR = '.cairn/';

export { createPlanMemo, createScanMemo, type PlanMemo, type ScanMemo };

export interface TreePlanInput {
  catalog: Catalog;
  releases: Record<string, Release[]>;
  clusters?: Record<string, ClusterFacts>;
  now: Date;
  /**
   * What the scanner found per (blob, path), kept between runs (./scan-cache.ts): used when
   * the reader knows each file's blob (a Git tree), so a re-plan scans only changed blobs.
   */
  scanCache?: ScanCache;
  /**
   * The last run's plan and what it was planned from (lib/planner/memo.ts), kept between
   * runs: a re-plan whose targets, policy and releases did not change plans nothing.
   */
  planMemo?: PlanMemo;
  /**
   * The last scan, kept between runs (lib/targets/scan-memo.ts): with `scanCache`, a push that
   * moved only positions (a comment, a manifest that pins nothing) is not scanned again.
   */
  scanMemo?: ScanMemo;
  /** Counts the files the cache gave and the files scanned. */
  scanStats?: ScanCacheStats;
}

/** The policy files in `.cairn/` of the repository (none: the shipped defaults). */
export async function readRepoPolicy(repo: RepoReader): Promise<Policy> {
  const files = (await repo.list())
    .filter((e) => !e.isSymbolicLink && e.path.startsWith(POLICY_DIR) && /\.ya?ml$/.test(e.path))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  if (!files.length) return EMPTY_POLICY;
  const decoder = new TextDecoder();
  const texts = [];
  for (const f of files) texts.push({ path: f.path, text: decoder.decode(await repo.read(f.path)) });
  return loadPolicy(texts);
}

export async function planTree(
  repo: RepoReader & { entry?(path: string): TreeEntry | undefined },
  input: TreePlanInput,
): Promise<RepositoryPlan & { policy: Policy }> {
  const policy = await readRepoPolicy(repo);
  const entry = repo.entry?.bind(repo);
  const parallel =
    input.scanCache && entry
      ? cachedScan(repo, (path) => entry(path)?.sha, input.scanCache, {
          ...(input.scanStats ? { stats: input.scanStats } : {}),
        })
      : undefined;
  const planned = await planRepository(repo, {
    policy,
    catalog: input.catalog,
    releases: input.releases,
    clusters: input.clusters ?? {},
    now: input.now,
    ...(parallel ? { parallel } : {}),
    ...(parallel && input.scanMemo
      ? {
          scanReuse: {
            memo: input.scanMemo,
            keyOf: (path: string) => entry!(path)?.sha,
            stored: (path: string, sha: string, maxBytes: number) =>
              storedScan(input.scanCache!, path, sha, maxBytes),
          },
        }
      : {}),
    ...(input.planMemo ? { planMemo: input.planMemo } : {}),
  });
  return { ...planned, policy };
}
