// The dashboard's read model: what the last reconcile of a repository saw (its plan's
// targets, steps and blocked goals, what it did with each step, the steps in flight, the
// policy's windows), kept in the store so the page never calls GitHub. The gate verdicts
// are already kept per cluster (use-cases.ts `recordStatus`) and are read beside it.
import type { ReconcileReport, StepAction } from '../../lib/engine/index.ts';
import type { Blocked, Plan, Step, TargetSummary } from '../../lib/planner/types.ts';
import { pullRequestTitle } from '../../lib/render/pull-request.ts';
import type { PolicyWindow } from '../../lib/schedule/windows.ts';
import type { Repository, Services } from '../services.ts';

const DAY = 86_400_000;
export const dashboardKey = (r: Repository) => `functions:dashboard:${r.slug}`;

/** The part of a step the page shows. */
export interface PathStep {
  id: string;
  target: string;
  component: string;
  role: Step['role'];
  cluster?: string;
  environment?: string;
  from: string;
  to: string;
  after: string[];
  oneWay: boolean;
  title: string;
}

export interface RepositoryRecord {
  version: 1;
  repository: string;
  /** When the run planned. */
  at: string;
  base: string;
  commit: string;
  targets: TargetSummary[];
  steps: PathStep[];
  blocked: Blocked[];
  actions: StepAction[];
  inFlight: { pr: number; step: PathStep; mergeCommit: string }[];
  windows: PolicyWindow[];
  /** The last run that failed, when it failed after this record was made. */
  error?: { message: string; at: string };
}

export const pathStep = (s: Step): PathStep => ({
  id: s.id,
  target: s.target.id,
  component: s.component,
  role: s.role,
  ...(s.cluster !== undefined ? { cluster: s.cluster } : {}),
  ...(s.environment !== undefined ? { environment: s.environment } : {}),
  from: s.from,
  to: s.to,
  after: s.after,
  oneWay: s.oneWay,
  title: pullRequestTitle(s),
});

/** Keeps what a reconcile saw. A store failure is logged, never fails the run. */
export async function recordDashboard(
  s: Services,
  r: Repository,
  plan: Plan,
  report: ReconcileReport,
  windows: readonly PolicyWindow[],
): Promise<void> {
  const record: RepositoryRecord = {
    version: 1,
    repository: `${r.owner}/${r.repo}`,
    at: s.now().toISOString(),
    base: report.base,
    commit: report.commit,
    targets: plan.targets,
    steps: plan.steps.map(pathStep),
    blocked: plan.blocked,
    actions: report.actions,
    inFlight: report.inFlight.map((f) => ({
      pr: f.pr,
      step: pathStep(f.step),
      mergeCommit: f.mergeCommit,
    })),
    windows: [...windows],
  };
  try {
    await s.store.put(dashboardKey(r), JSON.stringify(record), { ttlMs: 30 * DAY });
  } catch (e) {
    s.log.warn('could not keep the dashboard read model', { repository: record.repository, error: e });
  }
}

/** Marks the repository's last run as failed (the page says so beside the last good record). */
export async function recordRunError(s: Services, r: Repository, message: string): Promise<void> {
  try {
    const before = await s.store.get(dashboardKey(r));
    const error = { message, at: s.now().toISOString() };
    const record: Partial<RepositoryRecord> = before
      ? { ...(JSON.parse(before) as RepositoryRecord), error }
      : { version: 1, repository: `${r.owner}/${r.repo}`, error };
    await s.store.put(dashboardKey(r), JSON.stringify(record), { ttlMs: 30 * DAY });
  } catch (e) {
    s.log.warn('could not keep the dashboard read model', { repository: r.slug, error: e });
  }
}

export async function readRecord(s: Services, r: Repository): Promise<Partial<RepositoryRecord> | undefined> {
  const text = await s.store.get(dashboardKey(r));
  if (!text) return undefined;
  try {
    return JSON.parse(text) as Partial<RepositoryRecord>;
  } catch {
    return undefined;
  }
}
