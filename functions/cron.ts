// The cron function: one entry for Workers Cron Triggers and node-cron. Polls the feeds,
// then for every configured repository re-evaluates open gates (timing out stuck ones),
// re-plans and ensures PRs (auto-merge enabled only inside a window), turns auto-merge
// off on cairn PRs whose window has closed, and refreshes the dashboard. Runs that
// overlap never act twice: the work happens under a lease lock with a fencing token,
// and a run checks, before each repository, that it still holds the newest lease.
import { CAIRN_LABEL } from '../lib/engine/index.ts';
import { stepFromPullRequestBody } from '../lib/render/pull-request.ts';
import { evaluateWindows } from '../lib/schedule/windows.ts';
import { acquire, release, renew } from '../lib/store/lock.ts';
import type { Repository, Services } from './services.ts';
import { flushOutbox } from './notify.ts';
import { readFeeds, type RepositoryRun, runRepository } from './use-cases.ts';

export const CRON_LOCK = 'cron';
const LEASE_MS = 10 * 60_000;
const FENCE_KEY = 'functions:cron:fence';

export type CronResult =
  | { outcome: 'skipped'; reason: string }
  | {
      outcome: 'done' | 'stopped';
      token: number;
      feeds: number;
      repositories: RepositoryRun[];
      autoMergeOff: number;
    };

/** Records `token` as the newest one acting; false when a newer holder already acted (we are stale). */
async function fence(s: Services, token: number): Promise<boolean> {
  for (let i = 0; i < 10; i++) {
    const seen = await s.store.get(FENCE_KEY);
    if (seen !== undefined && Number(seen) > token) return false;
    if (seen !== undefined && Number(seen) === token) return true;
    if (await s.store.compareAndSet(FENCE_KEY, seen, String(token))) return true;
  }
  return false;
}

/** Auto-merge off for open cairn PRs outside their window (GitHub would merge them otherwise). */
async function disableOutsideWindows(s: Services, r: Repository, run: RepositoryRun): Promise<number> {
  const host = s.host(r);
  let off = 0;
  for (const pr of await host.listPullRequests(CAIRN_LABEL)) {
    if (pr.state !== 'open' || !pr.autoMerge) continue;
    const step = stepFromPullRequestBody(pr.body);
    if (!step) continue;
    const verdict = evaluateWindows(run.windows ?? [], s.now(), {
      ...(step.cluster ? { cluster: step.cluster } : {}),
      ...(step.environment ? { environment: step.environment } : {}),
    });
    if (verdict.mayMerge) continue;
    const nodeId = (pr as { nodeId?: string }).nodeId;
    if (!nodeId) continue;
    await host.octokit.graphql(
      'mutation($pullRequestId: ID!) { disablePullRequestAutoMerge(input: { pullRequestId: $pullRequestId }) { clientMutationId } }',
      { pullRequestId: nodeId },
    );
    off++;
  }
  return off;
}

/** One cron run; `stop` is asked between repositories (graceful shutdown). */
export async function runCron(
  s: Services,
  runId: string,
  stop: () => boolean = () => false,
): Promise<CronResult> {
  const holder = `${s.runtime.instance}:${runId}`;
  const lease = await acquire(s.store, CRON_LOCK, holder, LEASE_MS);
  if (!lease) {
    s.metrics.inc('cairn_cron_runs_total', { outcome: 'skipped' });
    return { outcome: 'skipped', reason: 'another run holds the cron lock' };
  }
  const repositories: RepositoryRun[] = [];
  let autoMergeOff = 0;
  let outcome: 'done' | 'stopped' = 'done';
  let feeds = 0;
  try {
    if (!(await fence(s, lease.token))) outcome = 'stopped';
    else {
      const polled = await readFeeds(s).catch((e: unknown) => {
        s.log.error('feed poll failed', { error: e });
        return undefined;
      });
      feeds = polled?.reports.length ?? 0;
      for (const r of s.repositories) {
        if (stop()) {
          outcome = 'stopped';
          break;
        }
        // A run that stalled past its lease must not act after a newer one did.
        if (!(await renew(s.store, CRON_LOCK, holder, LEASE_MS)) || !(await fence(s, lease.token))) {
          outcome = 'stopped';
          break;
        }
        const run = await runRepository(s, r);
        if (!run.error)
          autoMergeOff += await disableOutsideWindows(s, r, run).catch((e: unknown) => {
            s.log.warn('could not turn auto-merge off', { repository: run.repository, error: e });
            return 0;
          });
        repositories.push(run);
      }
      // Slack messages an outage held back go out now (never blocking the run).
      if (outcome === 'done')
        await flushOutbox(s).catch((e: unknown) => s.log.warn('slack outbox flush failed', { error: e }));
    }
  } finally {
    await release(s.store, CRON_LOCK, holder).catch(() => false);
  }
  const failed = repositories.some((r) => r.error);
  s.metrics.inc('cairn_cron_runs_total', { outcome: failed ? 'failed' : outcome });
  s.log.info('cron run', { outcome, token: lease.token, repositories: repositories.length, autoMergeOff });
  return { outcome, token: lease.token, feeds, repositories, autoMergeOff };
}
