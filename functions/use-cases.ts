// The use cases the handlers and the cron call, each one over lib/: poll the feeds, plan
// and reconcile a repository, re-evaluate the gates of merged steps and publish their
// verdicts. Every one is safe to repeat (the engine's writes are `ensure*`), so a hint
// that arrives twice, or a cron run that overlaps a webhook, costs reads, never a
// second PR.
import {
  CAIRN_LABEL,
  createPlanMemo,
  createScanMemo,
  ensureRollbacks,
  GATE_CONTEXT,
  type PlanMemo,
  planTree,
  readRepoPolicy,
  reconcile,
  type ReconcileReport,
  type ScanCache,
  type ScanMemo,
  storeBlobCache,
  storeScanCache,
} from '../lib/engine/index.ts';
import { treeReader } from '../lib/git/reader.ts';
import { stepFromPullRequestBody } from '../lib/render/pull-request.ts';
import { catalogReleases } from '../lib/feed.ts';
import { createHttpClient } from '../lib/feeds/http.ts';
import { planSources } from '../lib/feeds/plan-sources.ts';
import { type PollResult, pollFeeds } from '../lib/feeds/poll.ts';
import type { PlannedSource } from '../lib/feeds/types.ts';
import { type Snapshot, readingFromSnapshots } from '../lib/agent/snapshot.ts';
import { clusterFactsFrom } from '../lib/cluster-state.ts';
import { decideStep } from '../lib/gate/decide.ts';
import { type ClusterReading, DEFAULT_GATE_POLICY, type GateResult } from '../lib/gate/types.ts';
import type { PullRequest } from '../lib/git/provider.ts';
import type { ClusterFacts, Release, UnreadableTarget } from '../lib/model.ts';
import type { Plan, Step } from '../lib/planner/types.ts';
import { EMPTY_POLICY } from '../lib/policy/load.ts';
import type { Policy } from '../lib/policy/schema.ts';
import { evaluateWindows } from '../lib/schedule/windows.ts';
import { type Delivery, ensureDelivery, recordAcks, withdrawDelivery } from './approvals.ts';
import { recordDashboard, recordRunError } from './dashboard/model.ts';
import { evidenceOf, notify, notifyStep, pullRequestUrl } from './notify.ts';
import type { Repository, Services } from './services.ts';
import { type Job, keyOf } from './work.ts';

const FEED_KEY = 'functions:feed';
const DAY = 86_400_000;

// ------------------------------------------------------------------ store keys

export const mergeKey = (r: Repository, pr: number) => `functions:merged:${r.slug}#${pr}`;
export const approvalKey = (stepId: string) => `functions:approved:${stepId}`;
export const pauseKey = (r: Repository, version: string) => `functions:paused:${r.slug}:${version}`;
export const statusKey = (cluster: string) => `functions:status:${cluster}`;
export const snapshotKey = (cluster: string, kind: Snapshot['kind']) => `functions:agent:${kind}:${cluster}`;

// ------------------------------------------------------------------ feeds

export const sourcesKey = (r: Repository) => `functions:sources:${r.slug}`;

/**
 * The sources to poll: the shipped catalog's, plus what each configured repository's
 * policy adds (`feeds.sources`), as its last plan read them (read once if never planned).
 */
export async function feedSources(s: Services): Promise<PlannedSource[]> {
  const all = new Map<string, PlannedSource>();
  const add = (list: PlannedSource[]) => {
    for (const p of list) all.set(`${p.component} ${JSON.stringify(p.spec)}`, p);
  };
  add(planSources(s.catalog, EMPTY_POLICY));
  for (const r of s.repositories) {
    const kept = await s.store.get(sourcesKey(r));
    if (kept) add(JSON.parse(kept) as PlannedSource[]);
    else {
      try {
        add(await readSourcesOnce(s, r));
      } catch (e) {
        s.log.warn('could not read the repository policy for its feed sources', {
          repository: r.slug,
          error: e,
        });
      }
    }
  }
  return [...all.values()];
}

/**
 * One policy read per repository at a time: a burst of release deliveries before the
 * first plan kept the sources would otherwise each read the repository from GitHub.
 */
const sourceReads = new WeakMap<Services, Map<string, Promise<PlannedSource[]>>>();
function readSourcesOnce(s: Services, r: Repository): Promise<PlannedSource[]> {
  let reads = sourceReads.get(s);
  if (!reads) sourceReads.set(s, (reads = new Map()));
  let read = reads.get(r.slug);
  if (!read) {
    read = (async () => keepSources(s, r, await policyOf(s, r)))().finally(() => reads.delete(r.slug));
    reads.set(r.slug, read);
  }
  return read;
}

/** Remembers the sources a repository's policy adds (only those: the catalog's are known). */
async function keepSources(s: Services, r: Repository, policy: Policy): Promise<PlannedSource[]> {
  const own = policy.feeds?.sources.length ? planSources(s.catalog, policy) : [];
  await s.store.put(sourcesKey(r), JSON.stringify(own), { ttlMs: DAY });
  return own;
}

/** Reads the feeds (the `force` keys whatever their TTL) and keeps the releases for planning. */
export async function readFeeds(s: Services, force: readonly string[] = []): Promise<PollResult> {
  const fetchFn = s.runtime.fetch ?? ((u: string, i?: RequestInit) => fetch(u, i));
  const http = createHttpClient({ fetch: fetchFn, clock: s.clock, store: s.store, userAgent: 'cairn' });
  const vars = s.config as Record<string, unknown>;
  const result = await pollFeeds(
    await feedSources(s),
    s.catalog,
    {
      http,
      store: s.store,
      clock: s.clock,
      // A policy may name only these variables as feed credentials.
      secret: (name) =>
        name === 'GITHUB_TOKEN' || name.startsWith('CAIRN_FEED_')
          ? (vars[name] as string | undefined)
          : undefined,
    },
    { force: new Set(force) },
  );
  for (const r of result.reports) s.metrics.inc('cairn_feed_polls_total', { status: r.status });
  s.metrics.inc('cairn_feed_not_modified_total', {}, http.stats.notModified);
  await s.store.put(FEED_KEY, JSON.stringify(result.feed), { ttlMs: 7 * DAY });
  for (const r of result.reports)
    if (r.error) s.log.warn('feed source failed', { source: r.key, error: r.error, stale: r.stale ?? false });
  return result;
}

/** The releases to plan with: the catalog's lists, replaced per component by the last feed read. */
async function releases(s: Services): Promise<Record<string, Release[]>> {
  const text = await s.store.get(FEED_KEY);
  const feed = text ? (JSON.parse(text) as Record<string, Release[]>) : {};
  return { ...catalogReleases(s.catalog), ...feed };
}

// ------------------------------------------------------------------ reconcile

export interface RepositoryRun {
  repository: string;
  report?: ReconcileReport;
  gates: GateOutcome[];
  /** The repository policy's windows, as this run read them. */
  windows?: Policy['windows'];
  error?: string;
}

/** What a reconcile keeps for the next one of the same repository, by Services (`Runtime.keepPlans`). */
interface PlanMemos {
  scanCache: ScanCache;
  scanMemo?: ScanMemo;
  planMemo?: PlanMemo;
}
const memos = new WeakMap<Services, { scanCache: ScanCache; byRepo: Map<string, Required<PlanMemos>> }>();

function planMemos(s: Services, r: Repository): PlanMemos {
  const keep = s.runtime.keepPlans ?? 0;
  if (keep <= 0) return { scanCache: storeScanCache(s.store) };
  let kept = memos.get(s);
  if (!kept) memos.set(s, (kept = { scanCache: storeScanCache(s.store), byRepo: new Map() }));
  let mine = kept.byRepo.get(r.slug);
  kept.byRepo.delete(r.slug);
  mine ??= { scanCache: kept.scanCache, scanMemo: createScanMemo(), planMemo: createPlanMemo() };
  kept.byRepo.set(r.slug, mine);
  // The least recently reconciled repository lets its memos go.
  if (kept.byRepo.size > keep) kept.byRepo.delete(kept.byRepo.keys().next().value!);
  return mine;
}

/** Plans the base branch and ensures one PR per ready step (docs/github.md), windows applied. */
export async function reconcileRepository(
  s: Services,
  r: Repository,
): Promise<ReconcileReport & { windows: Policy['windows']; problems: UnreadableTarget[] }> {
  const host = s.host(r);
  let problems: UnreadableTarget[] = [];
  const now = s.now();
  const known = await releases(s);
  let policy: Policy = EMPTY_POLICY;
  const paused = new Map<string, boolean>();
  let steps: Step[] = [];
  let plan: Plan | undefined;
  const report = await reconcile({
    host,
    windowOpen: true, // decided per step below, by the policy's windows
    cache: storeBlobCache(s.store),
    log: s.log,
    plan: async (repo) => {
      const clusters = await agentFacts(
        s,
        (await readRepoPolicy(repo)).clusters.map((c) => c.name),
      );
      const planned = await planTree(repo, {
        catalog: s.catalog,
        releases: known,
        clusters,
        now,
        ...planMemos(s, r),
      });
      policy = planned.policy;
      plan = planned.plan;
      steps = planned.plan.steps;
      problems = planned.inventory.problems;
      for (const step of planned.plan.steps)
        paused.set(step.id, (await s.store.get(pauseKey(r, step.to))) !== undefined);
      return planned;
    },
    // The policy's pullRequests settings; CAIRN_AUTO_MERGE allows auto-merge wherever the
    // policy does not say otherwise, and only inside the policy's windows.
    settings: (step, fromPolicy) => ({
      ...fromPolicy,
      autoMerge:
        (fromPolicy.autoMerge ?? s.config.CAIRN_AUTO_MERGE === 'true') &&
        !paused.get(step.id) &&
        evaluateWindows(policy.windows, now, scopeOf(step)).mayMerge,
    }),
  });
  for (const a of report.actions) {
    if (a.kind !== 'opened' || a.pr === undefined) continue;
    s.metrics.inc('cairn_pull_requests_opened_total');
    const step = steps.find((x) => x.id === a.step);
    if (step)
      await notify(
        s,
        {
          kind: 'step-opened',
          step: notifyStep(step),
          pr: { number: a.pr, url: pullRequestUrl(s, r, a.pr) },
        },
        `step-opened:${r.slug}#${a.pr}`,
      );
  }
  await keepSources(s, r, policy);
  // Files the scan could not read are left alone; say which, where and why.
  for (const p of problems)
    s.log.warn('repository file skipped', {
      repository: r.slug,
      file: p.file,
      ...(p.line !== undefined ? { line: p.line } : {}),
      ...(p.field ? { field: p.field } : {}),
      reason: p.reason,
    });
  if (plan) await recordDashboard(s, r, plan, report, policy.windows);
  return { ...report, windows: policy.windows, problems };
}

const scopeOf = (step: Step) => ({
  ...(step.cluster ? { cluster: step.cluster } : {}),
  ...(step.environment ? { environment: step.environment } : {}),
});

// ------------------------------------------------------------------ gates

export interface GateOutcome {
  pr: number;
  step?: string;
  cluster: string;
  verdict: GateResult['verdict'] | 'paused' | 'invalid';
  /** The commit status set on the merge commit. */
  status?: { state: 'pending' | 'success' | 'failure'; description: string };
}

/** What GET /status/:cluster answers, per step. */
export interface StatusRecord {
  step: string;
  pr: number;
  repository: string;
  mergeCommit: string;
  verdict: GateOutcome['verdict'];
  text: string;
  reasons: string[];
  evidence: unknown[];
  configProblems: string[];
  rollback?: unknown;
  at: string;
  /** The commit status published with the verdict, and the hop (absent in older records). */
  state?: 'pending' | 'success' | 'failure';
  target?: string;
  component?: string;
  from?: string;
  to?: string;
}

const cut = (s: string) => (s.length > 140 ? `${s.slice(0, 139)}…` : s);

async function agentReading(s: Services, cluster: string | undefined): Promise<ClusterReading | undefined> {
  if (!cluster) return undefined;
  const read = async (kind: Snapshot['kind']) => {
    const t = await s.store.get(snapshotKey(cluster, kind));
    return t ? (JSON.parse(t) as Snapshot) : undefined;
  };
  const r = readingFromSnapshots(await read('snapshot'), await read('heartbeat'));
  return r ? ({ ...r, objects: r.objects } as ClusterReading) : undefined;
}

/**
 * What the agents last reported of each cluster, as the planner's facts (the Kubernetes
 * version from the Nodes, the running operators, the REC's bundled Redis versions), as
 * `cairn plan --cluster-state` reads them from kubectl output. A cluster without a
 * snapshot has none: the policy's declared versions stand.
 */
async function agentFacts(s: Services, names: readonly string[]): Promise<Record<string, ClusterFacts>> {
  const out: Record<string, ClusterFacts> = {};
  for (const name of names) {
    const reading = await agentReading(s, name);
    if (reading) out[name] = clusterFactsFrom(reading.objects, name).facts;
  }
  return out;
}

/** When a PR was merged: recorded by the webhook, else first seen merged by a run. */
async function mergedAt(s: Services, r: Repository, pr: PullRequest): Promise<Date> {
  const key = mergeKey(r, pr.number);
  const known = await s.store.get(key);
  if (known) return new Date((JSON.parse(known) as { at: string }).at);
  const at = s.now().toISOString();
  await s.store.compareAndSet(key, undefined, JSON.stringify({ commit: pr.mergeCommit, at }), {
    ttlMs: 30 * DAY,
  });
  return new Date(JSON.parse((await s.store.get(key)) ?? JSON.stringify({ at })).at as string);
}

/**
 * Re-evaluates the gate of every merged step PR whose merge commit has no `cairn/gate`
 * success yet, and publishes the verdict as that status (the PR engine opens the next
 * step on success). A verdict is never published as success outside a window.
 */
export async function evaluateGates(
  s: Services,
  r: Repository,
  only?: number,
  retryFailed = only !== undefined,
): Promise<GateOutcome[]> {
  const host = s.host(r);
  const out: GateOutcome[] = [];
  const pulls = (await host.listPullRequests(CAIRN_LABEL)).filter(
    (p) => p.state === 'merged' && p.mergeCommit && (only === undefined || p.number === only),
  );
  let policy: Policy | undefined;
  for (const pr of pulls) {
    const mergeCommit = pr.mergeCommit!;
    const current = await host.getStatus(mergeCommit, GATE_CONTEXT);
    if (current?.state === 'success') continue;
    // A failed gate stopped its path: it is read again only when asked (`/cairn retry`).
    if (current?.state === 'failure' && !retryFailed) continue;
    const decision = await decideStep(
      {
        read: (step) => (s.runtime.readCluster ? s.runtime.readCluster(step) : agentReading(s, step.cluster)),
        compare: async (base, head) => (await host.compare(base, head)).status,
        store: s.store,
        now: s.now,
      },
      {
        pullRequestBody: pr.body,
        mergeCommit,
        mergedAt: await mergedAt(s, r, pr),
        policy: DEFAULT_GATE_POLICY,
        approved: await approvedFor(s, pr.body),
      },
    );
    if (!decision.step) {
      out.push({ pr: pr.number, cluster: 'unknown', verdict: 'invalid' });
      continue;
    }
    const step = decision.step;
    const result = decision.result;
    const paused = (await s.store.get(pauseKey(r, step.to))) !== undefined;
    policy ??= await policyOf(s, r);
    const window = evaluateWindows(policy.windows, s.now(), scopeOf(step));
    let status: GateOutcome['status'];
    let verdict: GateOutcome['verdict'] = result.verdict;
    let text: string;
    switch (result.verdict) {
      case 'pass':
        if (paused) {
          verdict = 'paused';
          text = `paused by /cairn pause ${step.to}`;
          status = { state: 'pending', description: text };
        } else if (!window.mayUngate) {
          text = window.text;
          status = { state: 'pending', description: text };
        } else {
          text = 'applied, healthy and soaked';
          status = { state: 'success', description: text };
        }
        break;
      case 'wait':
        text = result.reason;
        if (result.approve) {
          // Approved and still waiting: the agent is to set the annotation (functions/approvals.ts).
          const d = await ensureDelivery(s, {
            cluster: step.cluster ?? 'default',
            step: step.id,
            repository: `${r.owner}/${r.repo}`,
            pr: pr.number,
            mergeCommit,
            by: (await s.store.get(approvalKey(step.id))) ?? 'unknown',
            target: result.approve,
          });
          if (d?.state === 'pending' && s.runtime.approve) await approveDirectly(s, d);
          if (d && (d.state === 'refused' || d.state === 'forbidden'))
            text = `${text} (the agent answered ${d.state}${d.message ? `: ${d.message}` : ''})`;
        }
        status = { state: 'pending', description: text };
        break;
      case 'needs-approval':
        // Not (or no longer) approved: an approval not yet taken by the agent is withdrawn.
        await withdrawDelivery(s, step.cluster ?? 'default', step.id, mergeCommit);
        text = `${result.reason}: comment /cairn approve ${step.to}`;
        status = { state: 'pending', description: text };
        break;
      case 'fail':
        text = result.reasons.join('; ') || 'the gate failed';
        status = { state: 'failure', description: text };
        break;
    }
    status = { ...status, description: cut(status.description) };
    await host.ensureStatus(mergeCommit, { context: GATE_CONTEXT, ...status });
    s.metrics.inc('cairn_gate_verdicts_total', { verdict });
    const ref = { number: pr.number, url: pullRequestUrl(s, r, pr.number) };
    const once = `${step.id}:${mergeCommit}`;
    if (status.state === 'success')
      await notify(
        s,
        { kind: 'gate-passed', step: notifyStep(step), pr: ref, evidence: evidenceOf(result.outcomes) },
        `gate-passed:${once}`,
      );
    else if (result.verdict === 'fail') {
      // The rollback now (reconcile ensures it again on every pass: lib/engine/revert.ts).
      await ensureRollbacks(host, pr.base.ref, [{ pr: pr.number, step, mergeCommit, reason: text }], {
        log: s.log,
      });
      await notify(
        s,
        {
          kind: 'gate-failed',
          step: notifyStep(step),
          pr: ref,
          reason: text,
          evidence: evidenceOf(result.outcomes),
        },
        `gate-failed:${once}`,
      );
    } else if (result.verdict === 'needs-approval')
      await notify(
        s,
        { kind: 'needs-approval', step: notifyStep(step), pr: ref, reason: result.reason },
        `needs-approval:${once}`,
      );
    const cluster = step.cluster ?? 'default';
    await recordStatus(s, cluster, {
      step: step.id,
      pr: pr.number,
      repository: `${r.owner}/${r.repo}`,
      mergeCommit,
      verdict,
      text,
      reasons: result.reasons,
      evidence: result.outcomes,
      configProblems: result.configProblems,
      ...(result.verdict === 'fail' ? { rollback: result.rollback } : {}),
      at: s.now().toISOString(),
      state: status.state,
      target: step.target.id,
      component: step.component,
      from: step.from,
      to: step.to,
    });
    out.push({ pr: pr.number, step: step.id, cluster, verdict, status });
  }
  return out;
}

/** All-in-one: no agent to deliver to; the service sets the annotation and records the outcome. */
async function approveDirectly(s: Services, d: Delivery): Promise<void> {
  try {
    const ack = await s.runtime.approve!(d);
    await recordAcks(s, d.cluster, [ack]);
    d.state = ack.outcome;
    if (ack.message) d.message = ack.message;
  } catch (e) {
    s.log.warn('approval not applied yet; retried on the next gate run', { approval: d.id, error: e });
  }
}

/** Whether someone with write access approved the step in this PR body (`/cairn approve`). */
async function approvedFor(s: Services, body: string): Promise<boolean> {
  const step = stepFromPullRequestBody(body);
  return step ? (await s.store.get(approvalKey(step.id))) !== undefined : false;
}

/** The repository's policy (for windows), read through the same cached tree reads as a plan. */
async function policyOf(s: Services, r: Repository): Promise<Policy> {
  const host = s.host(r);
  const head = await host.resolveBranch(await host.defaultBranch());
  if (!head) return EMPTY_POLICY;
  return readRepoPolicy(treeReader(host, await host.listTree(head), storeBlobCache(s.store)));
}

async function recordStatus(s: Services, cluster: string, rec: StatusRecord): Promise<void> {
  const key = statusKey(cluster);
  for (let attempt = 0; attempt < 5; attempt++) {
    const before = await s.store.get(key);
    const all = before ? (JSON.parse(before) as Record<string, StatusRecord>) : {};
    all[rec.step] = rec;
    if (await s.store.compareAndSet(key, before, JSON.stringify(all), { ttlMs: 30 * DAY })) return;
  }
  s.log.warn('status record lost to contention', { cluster, step: rec.step });
}

export async function readStatus(s: Services, cluster: string): Promise<Record<string, StatusRecord>> {
  const text = await s.store.get(statusKey(cluster));
  return text ? (JSON.parse(text) as Record<string, StatusRecord>) : {};
}

/** Gates first (a proven step lets the next open), then the PRs. */
export async function runRepository(s: Services, r: Repository, retryFailed = false): Promise<RepositoryRun> {
  const slug = `${r.owner}/${r.repo}`;
  try {
    const gates = await evaluateGates(s, r, undefined, retryFailed);
    const { windows, ...report } = await reconcileRepository(s, r);
    return { repository: slug, report, gates, windows };
  } catch (e) {
    s.log.error('repository run failed', { repository: slug, error: e });
    await recordRunError(s, r, (e as Error).message);
    return { repository: slug, gates: [], error: (e as Error).message };
  }
}

// ------------------------------------------------------------------ queued work

/** Every key the work queue may hold a record under, for `WorkQueue.recover`. */
export const workKeys = (s: Services): string[] => [
  'feeds',
  ...s.repositories.map((r) => keyOf({ kind: 'repository', slug: r.slug, gates: false, retryFailed: false })),
];

/**
 * Does one queued job (./work.ts); throws when it is not done, so the queue retries it.
 * Feeds: re-read the named sources, then queue a run of every repository. A repository:
 * its gates first when asked (a release, a re-run), then the re-plan at its newest head.
 */
export async function runJob(s: Services, job: Job): Promise<void> {
  if (job.kind === 'feeds') {
    await readFeeds(s, job.keys);
    for (const r of s.repositories)
      await s.work!.enqueue({ kind: 'repository', slug: r.slug, gates: true, retryFailed: false });
    return;
  }
  const r = s.repositories.find((x) => x.slug === job.slug);
  if (!r) return; // no longer configured: nothing to do
  if (!job.gates) {
    await reconcileRepository(s, r);
    return;
  }
  const run = await runRepository(s, r, job.retryFailed);
  if (run.error) throw new Error(run.error);
}
