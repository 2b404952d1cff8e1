// A reconcile harness: the Flux example fleet as a GitHub repository on the test server,
// planned at a fixed instant, driven through the real Octokit.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { catalogReleases } from '../../../lib/feed.ts';
import { planTree, reconcile, type ReconcileInput } from '../../../lib/engine/index.ts';
import { githubProvider } from '../../../lib/git/github.ts';
import { memoryBlobCache } from '../../../lib/git/reader.ts';
import type { Release } from '../../../lib/model.ts';
import { loadShippedCatalog } from '../../../lib/node/files.ts';
import type { Plan } from '../../../lib/planner/types.ts';
import { repoRoot } from '../../support/fixtures.ts';
import { type GitHubTestServer, startGitHubServer } from '../../support/github-server/index.ts';
import { manualClock } from '../../support/store-contract.ts';
import { gitCopy } from '../../cli/run.ts';

export const NOW = new Date('2026-11-21T09:00:00Z');
const catalog = loadShippedCatalog();

export async function fleetServer(): Promise<GitHubTestServer> {
  const dir = gitCopy(join(repoRoot, 'examples/flux-fleet'));
  try {
    return await startGitHubServer({ seedFrom: dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function provider(server: GitHubTestServer) {
  return githubProvider({
    owner: server.owner,
    repo: server.repo,
    auth: { token: 'test-token' },
    baseUrl: server.url,
    clock: manualClock(),
    writeSpacing: 'none',
    retryAfterUnitMs: 1,
  });
}

export interface RunOptions extends Partial<Omit<ReconcileInput, 'host' | 'plan'>> {
  /** Change the release lists before planning (e.g. hide the newest patch). */
  releases?: (r: Record<string, Release[]>) => Record<string, Release[]>;
  host?: ReturnType<typeof provider>;
  onPlan?: (plan: Plan) => void;
}

export function runner(server: GitHubTestServer) {
  const cache = memoryBlobCache();
  const shared = provider(server);
  return (opts: RunOptions = {}) => {
    const { releases, host, onPlan, ...rest } = opts;
    return reconcile({
      host: host ?? shared,
      windowOpen: false,
      cache,
      ...rest,
      plan: async (repo) => {
        const base = catalogReleases(catalog);
        const p = await planTree(repo, { catalog, releases: releases ? releases(base) : base, now: NOW });
        onPlan?.(p.plan);
        return p;
      },
    });
  };
}

export const writes = (s: GitHubTestServer) => s.log.filter((r) => r.method !== 'GET');
export const openPulls = (s: GitHubTestServer) => [...s.pulls.values()].filter((p) => p.state === 'open');
export const cairnBranches = (s: GitHubTestServer) =>
  s
    .git(['for-each-ref', '--format=%(refname:short)', 'refs/heads/cairn/'])
    .trim()
    .split('\n')
    .filter(Boolean);
