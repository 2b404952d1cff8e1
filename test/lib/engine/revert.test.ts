// A merged step whose gate failed, on the GitHub-compatible test server with a real git
// repository: a revert PR when the step did not raise the RDB format (exactly one, however
// often the failure is seen), the restore-backup advice when it did, and the dashboard
// saying which.
import { afterEach, describe, expect, it } from 'vitest';
import { GATE_CONTEXT, ROLLBACK_LABEL } from '../../../lib/engine/index.ts';
import { ensureRollback } from '../../../lib/engine/revert.ts';
import type { Step } from '../../../lib/planner/types.ts';
import { stepFromPullRequestBody } from '../../../lib/render/pull-request.ts';
import type { GitHubTestServer } from '../../support/github-server/index.ts';
import { fleetServer, provider, runner } from './helpers.ts';

const servers: GitHubTestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

async function failedWorld() {
  const server = await fleetServer();
  servers.push(server);
  const run = runner(server);
  const first = await run();
  const pr = (prefix: string) =>
    first.actions.find((a) => a.branch.startsWith(prefix) && a.kind === 'opened')!.pr!;
  const operatorPr = pr('cairn/staging/howl-redis-operator/');
  const redisPr = pr('cairn/dev/redis/');
  const operatorStep = stepFromPullRequestBody(server.pulls.get(operatorPr)!.body)!;
  const redisStep = stepFromPullRequestBody(server.pulls.get(redisPr)!.body)!;
  const operatorMerge = server.merge(operatorPr);
  const redisMerge = server.merge(redisPr);
  // The gate failed on both (as functions/use-cases.ts publishes it).
  const host = provider(server);
  for (const sha of [operatorMerge, redisMerge])
    await host.ensureStatus(sha, {
      context: GATE_CONTEXT,
      state: 'failure',
      description: 'RedisCluster sessions/sessions status.phase is Degraded',
    });
  const reverts = () => [...server.pulls.values()].filter((p) => p.labels.includes(ROLLBACK_LABEL));
  const dashboard = () => [...server.issues.values()].find((i) => i.labels.includes('cairn-dashboard'))!;
  const commentsOn = (n: number) =>
    server.comments.filter((c) => c.issue === n && c.body.includes('cairn:rollback'));
  return {
    server,
    run,
    operatorPr,
    redisPr,
    operatorStep,
    redisStep,
    operatorMerge,
    redisMerge,
    reverts,
    dashboard,
    commentsOn,
  };
}

describe('rollback of a failed step', () => {
  it('a step that kept the RDB format gets exactly one revert PR of its files; one that raised it gets the restore-backup advice', async () => {
    const w = await failedWorld();
    expect(w.operatorStep.oneWay).toBe(false);
    expect(w.redisStep.oneWay).toBe(true);
    const report = await w.run();

    // One revert PR, on its own branch, titled, labelled, linking the failed step PR.
    expect(w.reverts()).toHaveLength(1);
    const revert = w.reverts()[0]!;
    expect(revert.state).toBe('open');
    expect(revert.head).toMatch(/^cairn-revert\/staging\/howl-redis-operator\//);
    expect(revert.title).toBe(
      `revert: howl-redis-operator ${w.operatorStep.to} -> ${w.operatorStep.from} on staging (the gate failed on #${w.operatorPr})`,
    );
    expect(revert.body).toContain(`The gate failed on #${w.operatorPr}`);
    expect(revert.body).toContain('status.phase is Degraded');
    expect(revert.labels).not.toContain('cairn');
    // Its diff: exactly the step's files, back to their content before the merge.
    const file = w.operatorStep.target.file;
    expect(w.server.git(['diff', '--name-only', 'main', `refs/heads/${revert.head}`]).trim()).toBe(file);
    expect(w.server.git(['show', `refs/heads/${revert.head}:${file}`])).toBe(
      w.server.git(['show', `${w.operatorMerge}^1:${file}`]),
    );
    expect(w.server.git(['diff', `${w.operatorMerge}^1`, `refs/heads/${revert.head}`, '--', file])).toBe('');
    expect(w.server.git(['fsck', '--strict', '--no-dangling']).trim()).toBe('');

    // The one-way step: no revert, a comment saying rollback is the backup, naming its pre-step.
    const [advice] = w.commentsOn(w.redisPr);
    expect(advice?.body).toContain('**Do not revert this pull request.**');
    expect(advice?.body).toContain(`the backup pre-step of #${w.redisPr}`);
    expect(w.commentsOn(w.operatorPr)[0]?.body).toContain(
      `cairn opened #${revert.number} to revert this step`,
    );

    // The dashboard says both, and the path stays stopped.
    const text = w.dashboard().body;
    expect(text).toContain('## Failed (the path is stopped)');
    expect(text).toContain(`Rollback: revert #${revert.number}`);
    expect(text).toContain(
      `Rollback: do not revert (the RDB format was raised); restore the backup taken by the backup pre-step of #${w.redisPr}`,
    );
    expect(report.rollbacks.map((r) => r.outcome.kind).sort()).toEqual(['restore-backup', 'revert']);
    expect(report.inFlight.map((f) => f.pr).sort()).toEqual([w.operatorPr, w.redisPr].sort());

    // Seen again and again, and by two runs at once: still one revert PR, one comment each.
    await w.run();
    await Promise.all([w.run(), w.run()]);
    expect(w.reverts()).toHaveLength(1);
    expect(w.commentsOn(w.operatorPr)).toHaveLength(1);
    expect(w.commentsOn(w.redisPr)).toHaveLength(1);

    // A human closes the revert (fixing forward): cairn never opens another.
    w.server.close(revert.number);
    const after = await w.run();
    expect(w.reverts()).toHaveLength(1);
    expect(after.rollbacks.find((r) => r.outcome.kind === 'revert')?.outcome).toEqual({
      kind: 'revert',
      pr: revert.number,
      opened: false,
    });
  });

  it('no blind revert when the step’s file changed on the base branch since: the dashboard says why', async () => {
    const w = await failedWorld();
    const file = w.operatorStep.target.file;
    w.server.commitFiles(
      'main',
      { [file]: `${w.server.git(['show', `main:${file}`])}# a later change by someone\n` },
      'someone edits the operator file',
    );
    const report = await w.run();
    expect(w.reverts()).toHaveLength(0);
    expect(report.rollbacks.find((r) => r.pr === w.operatorPr)?.outcome).toEqual({
      kind: 'revert-blocked',
      reason: `${file} changed on the base branch after the step; a revert would undo that too: revert by hand`,
    });
    expect(w.dashboard().body).toContain('a revert, which cairn could not open');
  });
});

describe('rollback of a failed KubeDB record step', () => {
  it('opens no revert (it would write the old spec.version back) and says so on the PR', async () => {
    const comments: string[] = [];
    const host = {
      ensureComment: async (_pr: number, _marker: string, body: string) => void comments.push(body),
      listPullRequests: async () => {
        throw new Error('a record step is never reverted: no revert PR is looked for');
      },
    } as unknown as Parameters<typeof ensureRollback>[0];
    const step = {
      id: 'kubedb-redis-7.0.14-recorded-1',
      component: 'kubedb-redis',
      cluster: 'dev',
      from: '6.2.14',
      to: '7.0.14',
      change: 'record',
    } as Step;
    const entry = await ensureRollback(host, 'main', {
      pr: 7,
      step,
      mergeCommit: 'a'.repeat(40),
      reason: 'Redis sessions/sessions status.phase is Critical',
    });
    expect(entry.outcome).toEqual({
      kind: 'revert-blocked',
      reason:
        '#7 only recorded 7.0.14, which the database already ran: reverting it would make the GitOps tool write 6.2.14 back; look at the database instead',
    });
    expect(comments).toHaveLength(1);
    expect(comments[0]).toContain('**Do not revert this pull request.**');
  });
});
