// The one planning use case: scan a repository (any RepoReader: a checkout on
// disk, a GitHub tree, files in memory), place its files in clusters (the
// policy's `clusters`, else the layout conventions), and plan. Pure apart from
// the reader it is given: the CLI, the PR engine and the functions call it.
import type { Catalog } from './catalog/schema.ts';
import type { ClusterFacts, Inventory, Release, Target } from './model.ts';
import { type PlanMemo, planWithMemo } from './planner/memo.ts';
import { planUpgrade } from './planner/plan.ts';
import type { Plan } from './planner/types.ts';
import { conventionalMapping, placeByMapping, sharedByMapping } from './policy/conventions.ts';
import { DEFAULT_IGNORE_PATHS } from './policy/defaults.ts';
import { matchesAnyGlob } from './policy/glob.ts';
import { placeFile } from './policy/resolve.ts';
import type { Policy } from './policy/schema.ts';
import type { RepoReader } from './targets/repo.ts';
import type { ScanReuse } from './targets/scan-memo.ts';
import { type ParallelScan, scanRepository } from './targets/scan.ts';

export interface PlanRepositoryInput {
  policy: Policy;
  catalog: Catalog;
  /** Released versions per component (catalog lists, a feed snapshot, or live feeds). */
  releases: Record<string, Release[]>;
  /** What each cluster reports, by cluster name. */
  clusters: Record<string, ClusterFacts>;
  now: Date;
  onProgress?: (done: number, total: number) => void;
  /** Scans files in parallel (Node's worker pool for a checkout on disk). */
  parallel?: ParallelScan;
  /** Kept between runs by a caller that re-plans the same repository (lib/planner/memo.ts). */
  planMemo?: PlanMemo;
  /** Reuses the last scan when a push moved only positions (lib/targets/scan-memo.ts); the context is the policy's. */
  scanReuse?: Omit<ScanReuse, 'context'>;
}

export interface RepositoryPlan {
  plan: Plan;
  inventory: Inventory;
  /** Which layout conventions placed files in clusters (none when the policy maps them), and what ignorePaths left out. */
  conventions: string[];
}

export async function planRepository(repo: RepoReader, input: PlanRepositoryInput): Promise<RepositoryPlan> {
  const { policy, catalog, releases, clusters, now } = input;
  const conventions: string[] = [];
  const globs = policy.ignorePaths ?? DEFAULT_IGNORE_PATHS;
  const counts = { ignored: 0 };
  let shared: ((file: string) => Target['sharedBy']) | undefined;
  const inventory = await scanRepository(repo, {
    ignore: (path) => matchesAnyGlob(path, globs),
    counts,
    ...(policy.clusters.length
      ? { locate: (file: string) => placeFile(policy, file) }
      : {
          place: (layout) => {
            const mapping = conventionalMapping(layout, Object.keys(clusters));
            conventions.push(...mapping.conventions);
            shared = (file: string) => sharedByMapping(mapping, file);
            return (file: string) => placeByMapping(mapping, file);
          },
        }),
    ...(input.onProgress ? { onProgress: input.onProgress } : {}),
    ...(input.parallel ? { parallel: input.parallel } : {}),
    // The scan depends on the policy (ignorePaths, clusters) and on which clusters report.
    ...(input.scanReuse
      ? { reuse: { ...input.scanReuse, context: JSON.stringify([policy, Object.keys(clusters)]) } }
      : {}),
  });
  const { ignored } = counts;
  if (ignored) {
    conventions.push(
      `ignorePaths${policy.ignorePaths ? '' : ' (defaults)'}: ${ignored} YAML file${ignored === 1 ? '' : 's'} not scanned (${globs.join(', ')})`,
    );
  }
  // A file several clusters apply (a base no overlay patches) names them all: the planner decides.
  for (const t of inventory.targets) {
    const by = !t.cluster && !t.shadowedBy?.length ? shared?.(t.file) : undefined;
    if (by) t.sharedBy = by;
  }
  const planInput = { inventory, releases, clusters, policy, catalog, now };
  const plan = input.planMemo ? planWithMemo(planInput, input.planMemo) : planUpgrade(planInput);
  return { plan, inventory, conventions };
}
