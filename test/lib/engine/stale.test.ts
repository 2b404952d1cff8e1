// A step PR whose step the plan no longer has is closed, with a comment saying why: its
// target was deleted, or the policy now pins it. cairn's branch goes with it; a branch a
// human pushed to is kept, and the comment says so. Each of these happens once.
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSED_BY_CAIRN, type ReconcileReport } from '../../../lib/engine/index.ts';
import { stepFromPullRequestBody } from '../../../lib/render/pull-request.ts';
import type { GitHubTestServer } from '../../support/github-server/index.ts';
import { cairnBranches, fleetServer, runner, writes } from './helpers.ts';

const servers: GitHubTestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

async function devRedis() {
  const server = await fleetServer();
  servers.push(server);
  const run = runner(server);
  const first = await run();
  const a = first.actions.find((x) => x.branch.startsWith('cairn/dev/redis/') && x.kind === 'opened')!;
  const step = stepFromPullRequestBody(server.pulls.get(a.pr!)!.body)!;
  return { server, run, a, step };
}

const about = (r: ReconcileReport, pr: number) => r.actions.filter((x) => x.pr === pr);
const commentsOn = (s: GitHubTestServer, pr: number) => s.comments.filter((c) => c.issue === pr);

describe('stale step PRs', () => {
  it('a deleted target: the PR is closed with the reason, its branch deleted, once', async () => {
    const { server, run, a, step } = await devRedis();
    const text = server.git(['show', `main:${step.target.file}`]);
    server.commitFiles('main', { [step.target.file]: '# moved to another repository\n' }, 'drop redis');
    const second = await run();
    expect(about(second, a.pr!)).toEqual([
      expect.objectContaining({
        kind: 'vanished',
        reason: expect.stringContaining('no longer in the repository'),
      }),
    ]);
    const pr = server.pulls.get(a.pr!)!;
    expect(pr.state).toBe('closed');
    expect(pr.body).toContain(CLOSED_BY_CAIRN);
    expect(commentsOn(server, a.pr!)).toHaveLength(1);
    expect(commentsOn(server, a.pr!)[0]!.body).toContain(`${step.target.id} is no longer in the repository`);
    expect(commentsOn(server, a.pr!)[0]!.body).toContain(`Its branch \`${a.branch}\` is deleted`);
    expect(cairnBranches(server)).not.toContain(a.branch);
    // Idempotent: the next pass writes nothing about it.
    const before = writes(server).length;
    const third = await run();
    expect(about(third, a.pr!)).toEqual([]);
    expect(commentsOn(server, a.pr!)).toHaveLength(1);
    expect(
      writes(server)
        .slice(before)
        .filter((w) => w.path.includes(`/${a.pr}`)),
    ).toEqual([]);
    // The target comes back: cairn closed that PR itself, so it is not a human's "no".
    server.commitFiles('main', { [step.target.file]: text }, 'bring redis back');
    const fourth = await run();
    const again = fourth.actions.find((x) => x.branch === a.branch)!;
    expect(again.kind).toBe('opened');
    expect(again.pr).not.toBe(a.pr);
  });

  it('a target the policy now pins: the PR is closed, saying the plan no longer has the hop', async () => {
    const { server, run, a, step } = await devRedis();
    const policy = server.git(['show', 'main:.cairn/policy.yaml']);
    const pinned = policy.replace(
      'rules:\n',
      `rules:\n  - description: Hold dev redis.\n    match: { components: [redis], environments: [dev] }\n    pin: "${step.from}"\n`,
    );
    expect(pinned).not.toBe(policy);
    server.commitFiles('main', { '.cairn/policy.yaml': pinned }, 'pin dev redis');
    const second = await run();
    const closed = about(second, a.pr!);
    expect(closed).toEqual([
      expect.objectContaining({
        kind: 'stale',
        reason: expect.stringContaining(`the plan no longer has ${step.from} -> ${step.to}`),
      }),
    ]);
    expect(server.pulls.get(a.pr!)!.state).toBe('closed');
    expect(cairnBranches(server)).not.toContain(a.branch);
  });

  it.each([
    ['the closing comment', 'POST', /\/issues\/\d+\/comments$/],
    ['the mark in the body', 'PATCH', /\/pulls\/\d+$/],
    ['the branch deletion', 'DELETE', /\/git\/refs\/heads\//],
  ])(
    'killed after %s: a rerun finishes the close, with one comment and no branch left',
    async (_name, method, path) => {
      const { server, run, a, step } = await devRedis();
      server.commitFiles('main', { [step.target.file]: '# gone\n' }, 'drop redis');
      // The write happens and its answer is lost (400: not retried), as if the process died.
      server.inject({ method, path, kind: 'after', status: 400 });
      await run().catch(() => undefined);
      expect(server.log.some((r) => r.method === method && path.test(r.path) && r.status === 400)).toBe(true);
      await run();
      const pr = server.pulls.get(a.pr!)!;
      expect(pr.state).toBe('closed');
      expect(pr.body.split(CLOSED_BY_CAIRN)).toHaveLength(2);
      expect(commentsOn(server, a.pr!)).toHaveLength(1);
      expect(cairnBranches(server)).not.toContain(a.branch);
      // Closed by cairn, not by a human: the target coming back opens a new PR.
      server.commitFiles(
        'main',
        { [step.target.file]: server.git(['show', `main~1:${step.target.file}`]) },
        'back',
      );
      expect((await run()).actions.find((x) => x.branch === a.branch)?.kind).toBe('opened');
    },
  );

  it('a branch a human pushed to is kept, and the closing comment says so', async () => {
    const { server, run, a, step } = await devRedis();
    const human = server.commitFiles(a.branch, { 'notes.md': 'my notes\n' }, 'notes');
    server.commitFiles('main', { [step.target.file]: '# gone\n' }, 'drop redis');
    const second = await run();
    expect(about(second, a.pr!)[0]?.kind).toBe('vanished');
    expect(server.pulls.get(a.pr!)!.state).toBe('closed');
    expect(server.branchSha(a.branch)).toBe(human);
    expect(commentsOn(server, a.pr!)[0]!.body).toContain(
      `Someone else pushed ${human.slice(0, 12)} to \`${a.branch}\`, so cairn keeps the branch`,
    );
  });

  it('a target whose file is broken on the base branch is not closed: it may come back', async () => {
    const { server, run, a, step } = await devRedis();
    const text = server.git(['show', `main:${step.target.file}`]);
    server.commitFiles('main', { [step.target.file]: `${text}\n  bad: [unclosed\n` }, 'oops');
    const second = await run();
    expect(about(second, a.pr!)).toEqual([
      expect.objectContaining({ kind: 'waiting', reason: expect.stringContaining('cannot be read now') }),
    ]);
    expect(server.pulls.get(a.pr!)!.state).toBe('open');
    expect(commentsOn(server, a.pr!)).toEqual([]);
  });

  it('--dry-run says which PRs it would close and closes none', async () => {
    const { server, run, a, step } = await devRedis();
    server.commitFiles('main', { [step.target.file]: '# gone\n' }, 'drop redis');
    const before = writes(server).length;
    const dry = await run({ dryRun: true });
    expect(about(dry, a.pr!)[0]?.kind).toBe('vanished');
    expect(writes(server).length).toBe(before);
    expect(server.pulls.get(a.pr!)!.state).toBe('open');
  });
});
