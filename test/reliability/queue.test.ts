// The webhook work queue (functions/work.ts) through the whole app, as `cairn serve` and
// the Worker run it: deliveries are answered 202 once their work is recorded; a burst of
// pushes is coalesced into a bounded number of re-plans that end at the newest head; a
// re-plan that throws is retried with backoff and its record kept until it is done; and
// duplicates and overlapping runs still leave one branch, one PR and one Slack message.
import { expect, it } from 'vitest';
import { runCron } from '../../functions/cron.ts';
import { reconcileRepository } from '../../functions/use-cases.ts';
import { workKey } from '../../functions/work.ts';
import type { FetchFn } from '../../lib/feeds/http.ts';
import { describeWithFixtures } from '../support/fixtures.ts';
import type { GitHubTestServer } from '../support/github-server/index.ts';
import { SLACK_URL, writes } from '../functions/helpers.ts';
import {
  fleet,
  githubDelivery,
  openSteps,
  orphanBranches,
  pushToMain,
  releasePublished,
  service,
} from './world.ts';

const REPO_WORK = workKey('repository:codertocat/hello-world');

function queued(server: GitHubTestServer, extraEnv: Record<string, string> = {}, fetch?: FetchFn) {
  const sleeps: number[] = [];
  const svc = service(server, extraEnv, {
    work: 'queue',
    sleep: async (ms) => void sleeps.push(ms),
    github: {
      writeSpacing: 'none',
      retryAfterUnitMs: 1,
      ...(fetch ? { fetch: fetch as typeof globalThis.fetch } : {}),
    },
  });
  const work = () => svc.cairn.services(svc.env).work!;
  const runs = (outcome: 'done' | 'failed') =>
    svc.cairn.metrics.get('cairn_work_runs_total', { kind: 'repository', outcome });
  return { ...svc, sleeps, work, runs };
}

/** One PR per step, no cairn branch without its PR, and (`fresh`: opened on this main) each one commit over main. */
function converged(server: GitHubTestServer, fresh = true) {
  const steps = openSteps(server);
  expect(steps.length).toBeGreaterThan(0);
  const ids = steps.map((s) => s.step.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(orphanBranches(server)).toEqual([]);
  if (fresh)
    for (const { pr } of steps)
      expect(server.git(['rev-list', '--count', `main..${pr.head}`]).trim(), pr.head).toBe('1');
  return steps;
}

describeWithFixtures('the webhook work queue', () => {
  it('answers 202 once the work is recorded, and the record is cleared when the work is done', async () => {
    const server = await fleet();
    const { request, work, store, runs } = queued(server);
    const res = await request('/webhooks/github', githubDelivery('release', releasePublished()));
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ outcome: 'queued', merged: false });
    // Recorded before the answer: a process that dies now leaves it for the next start.
    expect(await store.get(workKey('feeds'))).toBeTruthy();
    await work().idle();
    expect(runs('done')).toBe(1);
    expect(await store.get(workKey('feeds'))).toBe('');
    expect(await store.get(REPO_WORK)).toBe('');
    const dev = openSteps(server).find(
      (s) => s.step.component === 'howl-redis-operator' && s.step.environment === 'dev',
    );
    expect(dev?.step.to).toBe('0.2.7');
  });

  it('200 pushes while a re-plan runs: two re-plans in all, and the PRs end as the last push needs', async () => {
    // A GitHub whose answers can be held: the first re-plan is kept running while the burst arrives.
    let hold: Promise<void> | undefined;
    const gated: FetchFn = async (url, init) => {
      if (hold) await hold;
      return fetch(url, init);
    };
    const server = await fleet();
    const { request, work, runs, cairn, env } = queued(server, {}, gated);
    await request('/webhooks/github', githubDelivery('release', releasePublished()));
    await work().idle();
    expect(runs('done')).toBe(1);
    const before = openSteps(server).find(
      (s) => s.step.component === 'howl-redis-operator' && s.step.environment === 'dev',
    );
    expect(before?.step.to).toBe('0.2.7');

    let release!: () => void;
    hold = new Promise<void>((r) => (release = r));
    const answers: { status: number; merged?: boolean }[] = [];
    let head = '';
    const N = 200;
    for (let i = 1; i <= N; i++) {
      // The last push is a human upgrading the dev operator to 0.2.7 themselves.
      head = server.commitFiles(
        'main',
        i === N
          ? {
              'infrastructure/dev/redis-operator.yaml': server
                .git(['show', 'main:infrastructure/dev/redis-operator.yaml'])
                .replace('version: "0.2.6"', 'version: "0.2.7"'),
            }
          : { 'notes.txt': `note ${i}\n` },
        `push ${i}`,
      );
      const res = await request('/webhooks/github', githubDelivery('push', pushToMain(head)));
      answers.push({ status: res.status, ...((await res.json()) as { merged?: boolean }) });
    }
    expect(answers.every((a) => a.status === 202)).toBe(true);
    // The first push started a re-plan (held); the second waits; the other 198 joined it.
    expect(answers.filter((a) => a.merged).length).toBe(N - 2);
    expect(cairn.metrics.get('cairn_work_queued_total', { kind: 'repository', merged: 'true' })).toBe(N - 2);
    hold = undefined;
    release();
    await work().idle();
    expect(runs('done')).toBe(1 + 2);
    expect(runs('failed')).toBe(0);
    // The state after the last push: no dev operator PR (a human did it), and a re-plan at
    // that head now finds nothing to change.
    const steps = converged(server, false);
    expect(
      steps.find((s) => s.step.component === 'howl-redis-operator' && s.step.environment === 'dev'),
    ).toBeUndefined();
    const s = cairn.services(env);
    const writesBefore = writes(server).length;
    const again = await reconcileRepository(s, s.repositories[0]!);
    expect(again.commit).toBe(head);
    expect(writes(server).length).toBe(writesBefore);
    expect(s.work!.size()).toBe(0);
  });

  it('a re-plan that fails is retried with a growing backoff, its record kept, until it is done', async () => {
    const server = await fleet();
    const svc = queued(server);
    const { request, work, runs, store, sleeps } = svc;
    // GitHub answers 502 to every tree listing for a while: each re-plan throws.
    server.inject({ method: 'GET', path: /\/git\/trees\//, kind: 'instead', status: 502, times: 12 });
    const recordWhileFailing: (string | undefined)[] = [];
    svc.runtime.sleep = async (ms) => {
      sleeps.push(ms);
      recordWhileFailing.push(await store.get(REPO_WORK));
    };
    const res = await request(
      '/webhooks/github',
      githubDelivery('push', pushToMain(server.branchSha('main'))),
    );
    expect(res.status).toBe(202);
    await work().idle();
    const failed = runs('failed');
    expect(failed).toBeGreaterThanOrEqual(2);
    expect(runs('done')).toBe(1);
    // The queue's own backoff (Octokit's retries use the provider's 1 ms unit, not this sleep).
    const backoff = sleeps.filter((ms) => ms >= 1000);
    expect(backoff.slice(0, failed)).toEqual(Array.from({ length: failed }, (_, i) => 1000 * 2 ** i));
    // Not dropped while failing: the record stood until the run that succeeded.
    expect(recordWhileFailing.filter((r) => r).length).toBeGreaterThanOrEqual(failed);
    expect(await store.get(REPO_WORK)).toBe('');
    converged(server);
  });

  it('50 deliveries of one release at once, before any plan: the repository policy is read from GitHub once, not once each', async () => {
    const server = await fleet();
    const { request, work } = queued(server);
    const body = releasePublished();
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => request('/webhooks/github', githubDelivery('release', body))),
    );
    const outcomes = await Promise.all(
      answers.map(async (a) => ((await a.json()) as { outcome: string }).outcome),
    );
    expect(outcomes.filter((o) => o === 'queued')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'ignored')).toHaveLength(49);
    // Each delivery needs the policy's feed sources to know whom the release concerns.
    const treeReads = () =>
      server.log.filter((r) => r.method === 'GET' && /\/git\/trees\//.test(r.path)).length;
    const beforeWork = treeReads();
    expect(beforeWork).toBe(1);
    await work().idle();
    expect(openSteps(server).length).toBeGreaterThan(0);
  });

  it('the same release 3× at once, a push and a cron run overlapping: one branch, one PR, one Slack message per step', async () => {
    const server = await fleet();
    const { request, cairn, env, slack, work } = queued(server, { SLACK_WEBHOOK_URL: SLACK_URL });
    const body = releasePublished();
    const answers = await Promise.all([
      request('/webhooks/github', githubDelivery('release', body)),
      request('/webhooks/github', githubDelivery('release', body)),
      request('/webhooks/github', githubDelivery('release', body)),
      request('/webhooks/github', githubDelivery('push', pushToMain(server.branchSha('main')))),
      runCron(cairn.services(env), 'overlap'),
    ]);
    const statuses = answers.slice(0, 4).map((a) => (a as Response).status);
    // One release delivery is queued; the other two are the same release (200, already handled).
    expect(statuses.filter((s) => s === 202).length).toBe(2);
    expect(statuses.filter((s) => s === 200).length).toBe(2);
    await work().idle();
    const steps = converged(server);
    const opened = slack.map((m) => m.text ?? '').filter((t) => t.startsWith('Step opened:'));
    expect(opened.length).toBe(steps.length);
    expect(new Set(opened).size).toBe(opened.length);
  });
});
