// Node wiring for live feeds (`cairn feeds snapshot`, `cairn plan --live`):
// the global fetch, secrets from the environment, RedisVersion objects from
// --cluster-state files, and the store `CAIRN_STORE` names (SQLite by
// default), so validators, earlier reads and backoffs survive between runs
// (an unchanged source then costs one 304).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Catalog } from '../catalog/schema.ts';
import { readClusterState } from '../cluster-state.ts';
import { UsageError } from '../errors.ts';
import { createHttpClient, type FetchFn } from '../feeds/http.ts';
import { planSources } from '../feeds/plan-sources.ts';
import { type PollResult, pollFeeds } from '../feeds/poll.ts';
import { renderSnapshot } from '../feeds/snapshot.ts';
import type { ClusterObjects } from '../feeds/types.ts';
import { EMPTY_POLICY } from '../policy/load.ts';
import type { Clock } from '../store/index.ts';
import { systemClock } from './clock.ts';
import { loadPolicyDir, loadShippedCatalog, readTextFile, resolvePolicyDir } from './files.ts';
import { openStore } from './store-open.ts';

export interface LiveFeedOptions {
  cwd: string;
  env: Record<string, string | undefined>;
  policies?: string;
  repo?: string;
  /** Only these components (all with a source when empty). */
  components?: string[];
  /** `NAME=FILE` pairs, for KubeDB RedisVersion objects. */
  clusterStates?: string[];
  fetch?: FetchFn;
  clock?: Clock;
  timeoutMs?: number;
}

export interface LiveFeed {
  result: PollResult;
  catalog: Catalog;
  at: Date;
  snapshot: string;
}

function clusterObjects(pairs: readonly string[], cwd: string): ClusterObjects | undefined {
  if (!pairs.length) return undefined;
  const states = pairs.map((p) => {
    const eq = p.indexOf('=');
    if (eq <= 0 || eq === p.length - 1) throw new UsageError(`--cluster-state takes NAME=FILE, got "${p}"`);
    const name = p.slice(0, eq);
    const file = p.slice(eq + 1);
    return readClusterState(readTextFile(resolve(cwd, file), 'cluster state'), file, name);
  });
  return async (cluster, apiVersion, kind) =>
    states
      .filter((s) => cluster === undefined || s.facts.name === cluster)
      .map((s) => ({
        cluster: s.facts.name,
        objects: s.objects.filter((o) => o.kind === kind && o.apiVersion === apiVersion),
      }));
}

/**
 * Environment variables a policy may name as feed credentials: `GITHUB_TOKEN` and `CAIRN_FEED_*`.
 * A policy in a repository must not be able to send any other variable (a cloud key) to a host it names.
 */
export function isFeedSecret(name: string): boolean {
  return name === 'GITHUB_TOKEN' || name.startsWith('CAIRN_FEED_');
}

export async function readLiveFeeds(opts: LiveFeedOptions): Promise<LiveFeed> {
  const catalog = loadShippedCatalog();
  const repoDir = opts.repo ? resolve(opts.cwd, opts.repo) : undefined;
  const policyDir = resolvePolicyDir(
    opts.policies && resolve(opts.cwd, opts.policies),
    opts.env.CAIRN_POLICIES,
    repoDir,
  );
  const policy = policyDir ? loadPolicyDir(resolve(opts.cwd, policyDir), opts.cwd) : EMPTY_POLICY;
  const sources = planSources(catalog, policy, opts.components ?? []);
  const clock = opts.clock ?? systemClock;
  const store = openStore(opts.env.CAIRN_STORE, { clock, cwd: opts.cwd });
  const http = createHttpClient({
    fetch: opts.fetch ?? ((u, i) => fetch(u, i)),
    clock,
    store,
    userAgent: 'cairn-feeds',
    ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
  });
  const cluster = clusterObjects(opts.clusterStates ?? [], opts.cwd);
  let result: PollResult;
  try {
    result = await pollFeeds(sources, catalog, {
      http,
      store,
      clock,
      secret: (name) => (isFeedSecret(name) ? opts.env[name] || undefined : undefined),
      ...(cluster ? { cluster } : {}),
    });
  } finally {
    await store.close();
  }
  const at = new Date(clock.now());
  return { result, catalog, at, snapshot: renderSnapshot(result, at) };
}

/** One line per source that failed or warned, for stderr. */
export function feedProblems(result: PollResult): string[] {
  const out: string[] = [];
  for (const r of result.reports) {
    if (r.error)
      out.push(`${r.component} <- ${r.key}: ${r.error}${r.stale ? ' (an earlier read was used)' : ''}`);
    else if (r.releases > 0 && r.dated === 0)
      out.push(`${r.component} <- ${r.key}: no publish dates, so release age is unknown`);
    for (const w of r.warnings) out.push(`${r.component} <- ${r.key}: warning: ${w}`);
  }
  return out;
}

/** Live feeds written as a snapshot file for `plan`: the same format `--feed` reads. */
export async function liveFeedFile(
  opts: LiveFeedOptions,
): Promise<LiveFeed & { file: string; cleanup(): void }> {
  const live = await readLiveFeeds(opts);
  const dir = mkdtempSync(join(tmpdir(), 'cairn-live-feed-'));
  const file = join(dir, 'feed.yaml');
  writeFileSync(file, live.snapshot);
  return { ...live, file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
