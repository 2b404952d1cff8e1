// The Node loader behind `cairn plan`, `explain` and `apply`: load policy,
// catalog, feed and cluster state from disk, then call the pure
// `planRepository` over the checkout.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Catalog } from '../catalog/schema.ts';
import { readClusterState } from '../cluster-state.ts';
import { UsageError } from '../errors.ts';
import { catalogReleases, parseFeed } from '../feed.ts';
import type { ClusterFacts, Inventory, Release } from '../model.ts';
import type { Plan } from '../planner/types.ts';
import { EMPTY_POLICY } from '../policy/load.ts';
import type { Policy } from '../policy/schema.ts';
import { type Logger, timed } from '../log.ts';
import { isInside } from './read-file.ts';
import { nodeRepo } from './repo.ts';
import { planRepository } from '../plan-repository.ts';
import { parallelScanner } from './scan-pool.ts';
import { loadPolicyDir, loadShippedCatalog, readTextFile, resolvePolicyDir } from './files.ts';

export interface LocalPlanOptions {
  repo: string;
  policies?: string;
  feed?: string;
  /** `NAME=FILE` pairs. */
  clusterStates?: string[];
  /** Facts already read from live clusters (`--kubeconfig`), by cluster name. */
  liveClusters?: { name: string; facts: ClusterFacts; notes: string[] }[];
  now: Date;
  cwd: string;
  env: Record<string, string | undefined>;
  onProgress?: (done: number, total: number) => void;
  /** Gets each phase (catalog, policy, feed, cluster-state, scan-and-plan) with its duration, at debug level. */
  log?: Logger;
}

export interface LocalPlan {
  plan: Plan;
  releases: Record<string, Release[]>;
  clusters: Record<string, ClusterFacts>;
  now: Date;
  inventory: Inventory;
  policy: Policy;
  catalog: Catalog;
  conventions: string[];
  repoDir: string;
}

function parseClusterStateArgs(pairs: readonly string[]): { name: string; file: string }[] {
  return pairs.map((p) => {
    const eq = p.indexOf('=');
    if (eq <= 0 || eq === p.length - 1) throw new UsageError(`--cluster-state takes NAME=FILE, got "${p}"`);
    return { name: p.slice(0, eq), file: p.slice(eq + 1) };
  });
}

export async function planLocalRepository(opts: LocalPlanOptions): Promise<LocalPlan> {
  const repoDir = resolve(opts.cwd, opts.repo);
  if (!existsSync(repoDir) || !statSync(repoDir).isDirectory()) {
    throw new UsageError(`--repo ${opts.repo}: no such directory`);
  }
  const phase = <T>(name: string, fn: () => T | Promise<T>) =>
    opts.log ? timed(opts.log, name, () => performance.now(), fn) : Promise.resolve(fn());
  const catalog = await phase('catalog', () => loadShippedCatalog());
  const policyDir = resolvePolicyDir(
    opts.policies && resolve(opts.cwd, opts.policies),
    opts.env.CAIRN_POLICIES,
    repoDir,
  );
  const policyAbs = policyDir && resolve(opts.cwd, policyDir);
  // Policy files in the checkout may link within it; elsewhere, within their own directory.
  const policy = await phase('policy', () =>
    policyAbs
      ? loadPolicyDir(policyAbs, opts.cwd, isInside(repoDir, policyAbs) ? repoDir : policyAbs, {
          components: [...catalog.components.keys()],
        })
      : EMPTY_POLICY,
  );
  // A feed snapshot replaces the catalog's release list of each component it names (an empty list means
  // "nothing is known"); components it does not name keep the catalog's list.
  const releases = await phase('feed', () => ({
    ...catalogReleases(catalog),
    ...(opts.feed ? parseFeed(readTextFile(resolve(opts.cwd, opts.feed), 'feed'), opts.feed, catalog) : {}),
  }));

  const states = parseClusterStateArgs(opts.clusterStates ?? []);
  const clusters: Record<string, ClusterFacts> = {};
  const conventions: string[] = [];
  if (!policyDir) conventions.push('no policy file: the shipped defaults apply (see docs/policy.md)');
  for (const s of states) {
    const state = await phase(`cluster-state ${s.name}`, () =>
      readClusterState(readTextFile(resolve(opts.cwd, s.file), 'cluster state'), s.file, s.name),
    );
    clusters[s.name] = state.facts;
    conventions.push(...state.notes);
  }
  for (const live of opts.liveClusters ?? []) {
    clusters[live.name] = live.facts;
    conventions.push(...live.notes);
  }

  const {
    plan,
    inventory,
    conventions: layout,
  } = await phase('scan-and-plan', () =>
    planRepository(nodeRepo(repoDir), {
      policy,
      catalog,
      releases,
      clusters,
      now: opts.now,
      parallel: parallelScanner(repoDir),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    }),
  );
  conventions.push(...layout);
  return { plan, inventory, policy, catalog, conventions, repoDir, releases, clusters, now: opts.now };
}
