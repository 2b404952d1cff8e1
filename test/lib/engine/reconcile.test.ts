// The PR engine against the GitHub-compatible test server, one test per guarantee of
// issue 11: one PR per ready step however often or concurrently it runs, faults and
// crashes converge, gates hold dependents back, humans are never overridden.
import { afterEach, describe, expect, it } from 'vitest';
import { GATE_CONTEXT, type ReconcileReport } from '../../../lib/engine/index.ts';
import { stepFromPullRequestBody } from '../../../lib/render/pull-request.ts';
import type { GitHubTestServer } from '../../support/github-server/index.ts';
import { cairnBranches, fleetServer, openPulls, provider, runner, writes } from './helpers.ts';

const servers: GitHubTestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});
async function fleet() {
  const s = await fleetServer();
  servers.push(s);
  return s;
}

const opened = (r: ReconcileReport) => r.actions.filter((a) => a.kind === 'opened');
const prFor = (s: GitHubTestServer, branch: string) => [...s.pulls.values()].filter((p) => p.head === branch);

/** The state a user sees: open PRs by branch, with the commits each branch has over main. */
function snapshot(s: GitHubTestServer) {
  return openPulls(s)
    .map((p) => ({
      branch: p.head,
      title: p.title,
      labels: [...p.labels].sort(),
      commits: Number(s.git(['rev-list', '--count', `main..refs/heads/${p.head}`]).trim()),
      tree: s.git(['rev-parse', `refs/heads/${p.head}^{tree}`]).trim(),
      gate: s.statuses.get(s.branchSha(p.head)!)?.find((x) => x.context === GATE_CONTEXT)?.state,
    }))
    .sort((a, b) => (a.branch < b.branch ? -1 : 1));
}

describe('reconcile against GitHub', () => {
  it('opens one labelled PR per ready step, each one commit whose diff touches only the version token', async () => {
    const server = await fleet();
    const report = await runner(server)();
    const ready = report.actions.filter((a) => a.kind === 'opened');
    expect(ready.length).toBeGreaterThanOrEqual(3);
    expect(report.actions.filter((a) => a.kind === 'waiting').length).toBeGreaterThan(0);
    expect(openPulls(server)).toHaveLength(ready.length);
    expect(cairnBranches(server).sort()).toEqual(ready.map((a) => a.branch).sort());
    for (const pr of openPulls(server)) {
      const step = stepFromPullRequestBody(pr.body)!;
      expect(pr.labels).toContain('cairn');
      expect(pr.body).toContain('```mermaid');
      expect(pr.body).toContain('### Gate: the next step opens only when');
      expect(server.git(['rev-list', '--count', `main..refs/heads/${pr.head}`]).trim()).toBe('1');
      const lines = server
        .git(['diff', '-U0', 'main', `refs/heads/${pr.head}`])
        .split('\n')
        .filter((l) => /^[-+](?![-+])/.test(l));
      const minus = lines.filter((l) => l.startsWith('-'));
      const plus = lines.filter((l) => l.startsWith('+'));
      expect(minus.length).toBe(1);
      expect(plus.map((l) => l.slice(1))).toEqual(minus.map((l) => l.slice(1).replace(step.from, step.to)));
      expect(server.statuses.get(server.branchSha(pr.head)!)?.[0]).toMatchObject({
        context: GATE_CONTEXT,
        state: 'success',
      });
    }
    expect(server.git(['fsck', '--strict', '--no-dangling']).trim()).toBe('');
    // At most 8 content-creating requests per step (tree, commit, ref, PR, labels, status).
    expect(
      writes(server).filter((w) => !w.path.endsWith('/issues')).length / ready.length,
    ).toBeLessThanOrEqual(8);
    const dashboards = [...server.issues.values()].filter((i) => i.labels.includes('cairn-dashboard'));
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]!.body).toContain('## Positions');
  });

  it('three concurrent reconciles give one branch, one commit and one PR per ready step', async () => {
    const server = await fleet();
    const solo = await fleet();
    await runner(solo)();
    const runs = [runner(server), runner(server), runner(server)];
    await Promise.all(runs.map((run) => run()));
    expect(snapshot(server).map(({ tree: _t, ...x }) => x)).toEqual(
      snapshot(solo).map(({ tree: _t, ...x }) => x),
    );
    expect(snapshot(server).every((p) => p.commits === 1)).toBe(true);
    expect(server.pulls.size).toBe(solo.pulls.size);
    expect([...server.issues.values()].filter((i) => i.state === 'open')).toHaveLength(1);
  });

  it('a 502 on POST /pulls after the PR was created ends in one PR', async () => {
    const server = await fleet();
    server.inject({ method: 'POST', path: /\/pulls$/, kind: 'after', status: 502 });
    const report = await runner(server)();
    expect(
      server.log
        .filter((r) => r.method === 'POST' && r.path.endsWith('/pulls'))
        .map((r) => r.status)
        .slice(0, 2),
    ).toEqual([502, 422]);
    expect(openPulls(server)).toHaveLength(opened(report).length);
    const branches = openPulls(server).map((p) => p.head);
    expect(new Set(branches).size).toBe(branches.length);
  });

  it('a secondary rate limit is waited out, with no duplicate write', async () => {
    const server = await fleet();
    server.inject({
      method: 'POST',
      path: /\/git\/refs$/,
      kind: 'secondary-rate-limit',
      retryAfter: 1,
      times: 2,
    });
    server.inject({ method: 'POST', path: /\/pulls$/, kind: 'secondary-rate-limit', retryAfter: 1 });
    const report = await runner(server)();
    expect(server.log.filter((r) => r.status === 403).length).toBe(3);
    expect(openPulls(server)).toHaveLength(opened(report).length);
    const created = server.log.filter(
      (r) => r.method === 'POST' && /\/(git\/refs|pulls)$/.test(r.path) && r.status === 201,
    );
    expect(created.length).toBe(2 * opened(report).length);
  });

  it('a crash between any two API calls, then a rerun, converges to the same single PRs', async () => {
    const clean = await fleet();
    await runner(clean)();
    const want = snapshot(clean).map(({ tree: _t, ...x }) => x);
    const total = clean.log.length;
    // Each kind of write (the first step's tree, commit, ref, PR, labels and status, and
    // the dashboard), and reads at the start and in the middle of the pass.
    const writeAt = clean.log.flatMap((r, i) => (r.method !== 'GET' ? [i + 1] : []));
    const positions = [1, 2, 3, total >> 1, ...writeAt.slice(0, 6), writeAt.at(-1)!];
    for (const n of positions) {
      const server = await fleet();
      server.failNth(n);
      await expect(runner(server)()).rejects.toThrow();
      await runner(server)();
      expect(
        snapshot(server).map(({ tree: _t, ...x }) => x),
        `crash at request ${n}`,
      ).toEqual(want);
      expect([...server.issues.values()].filter((i) => i.state === 'open')).toHaveLength(1);
      await server.stop();
      servers.splice(servers.indexOf(server), 1);
    }
  }, 180_000);

  it('a steady-state reconcile with nothing new makes only conditional requests', async () => {
    const server = await fleet();
    const run = runner(server);
    await run();
    await run();
    const from = server.log.length;
    const report = await run();
    const idle = server.log.slice(from);
    expect(report.actions.every((a) => a.kind === 'unchanged' || a.kind === 'waiting')).toBe(true);
    expect(idle.length).toBeGreaterThan(0);
    expect(idle.filter((r) => !(r.method === 'GET' && r.conditional && r.status === 304))).toEqual([]);
  });

  it('a newer release for the same hop updates the open PR instead of opening a second one', async () => {
    const server = await fleet();
    const run = runner(server);
    const hide = (r: Record<string, { version: string }[]>) => ({
      ...r,
      redis: r.redis!.filter((x) => x.version !== '8.0.6'),
    });
    const first = await run({ releases: hide });
    const dev = first.actions.find((a) => a.branch.startsWith('cairn/dev/redis/') && a.kind === 'opened')!;
    const before = server.pulls.get(dev.pr!)!;
    expect(before.title).toMatch(/7\.2\.4 -> 8\.0\.5 on dev/);
    const second = await run();
    expect(second.actions.find((a) => a.branch === dev.branch)).toMatchObject({
      kind: 'updated',
      pr: dev.pr,
    });
    expect(prFor(server, dev.branch)).toHaveLength(1);
    expect(server.pulls.get(dev.pr!)!.title).toMatch(/7\.2\.4 -> 8\.0\.6 on dev/);
    // A fast-forward onto the base with the old commit as second parent: no force-push,
    // and the PR's diff against the base is only the new token.
    expect(server.git(['rev-list', '--count', `main..refs/heads/${dev.branch}`]).trim()).toBe('2');
    const diff = server.git(['diff', '-U0', 'main', `refs/heads/${dev.branch}`]);
    expect(diff.split('\n').filter((l) => /^[-+](?![-+])/.test(l))).toEqual([
      '-  imageName: redis:7.2.4',
      '+  imageName: redis:8.0.6',
    ]);
  });

  it('a merged step whose gate has not passed keeps the next step and the next environment unopened', async () => {
    const server = await fleet();
    const run = runner(server);
    const first = await run();
    const byBranch = (prefix: string) =>
      first.actions.find((a) => a.branch.startsWith(prefix) && a.kind === 'opened')!;
    const devRedis = byBranch('cairn/dev/redis/');
    const stagingOperator = byBranch('cairn/staging/howl-redis-operator/');
    const devMerge = server.merge(devRedis.pr!);
    const opMerge = server.merge(stagingOperator.pr!);
    server.setStatus(opMerge, GATE_CONTEXT, 'success'); // the operator is proven; dev redis is not
    const held = await run();
    expect(held.inFlight.map((f) => f.pr)).toEqual([devRedis.pr]);
    const nextDev = held.actions.find((a) => a.branch.startsWith('cairn/dev/redis/'))!;
    const staging = held.actions.find((a) => a.branch.startsWith('cairn/staging/redis/'))!;
    for (const a of [nextDev, staging]) {
      expect(a.kind).toBe('waiting');
      expect(a.reason).toContain(`#${devRedis.pr}`);
      expect(a.reason).toContain('merged but not proven');
      expect(prFor(server, a.branch)).toEqual([]);
    }
    const dashboard = [...server.issues.values()].find((i) => i.labels.includes('cairn-dashboard'))!;
    expect(dashboard.body).toContain(`#${devRedis.pr}`);
    expect(dashboard.body).toContain(devMerge.slice(0, 12));
    server.setStatus(devMerge, GATE_CONTEXT, 'success');
    const proven = await run();
    expect(proven.inFlight).toEqual([]);
    expect(proven.actions.find((a) => a.branch === nextDev.branch)?.kind).toBe('opened');
    expect(proven.actions.find((a) => a.branch === staging.branch)?.kind).toBe('opened');
  });

  it('when someone moves the version on the base branch, the old hop PR is closed: one open PR per path', async () => {
    const server = await fleet();
    const run = runner(server);
    const first = await run();
    const dev = first.actions.find((a) => a.branch.startsWith('cairn/dev/redis/') && a.kind === 'opened')!;
    const step = stepFromPullRequestBody(server.pulls.get(dev.pr!)!.body)!;
    const text = server.git(['show', `main:${step.target.file}`]);
    expect(text).toContain('redis:7.2.4');
    server.commitFiles(
      'main',
      { [step.target.file]: text.replace('redis:7.2.4', 'redis:7.2.5') },
      'manual bump',
    );
    const second = await run();
    expect(second.actions.find((a) => a.pr === dev.pr)).toMatchObject({ kind: 'superseded' });
    expect(server.pulls.get(dev.pr!)!.state).toBe('closed');
    expect(server.comments.find((c) => c.issue === dev.pr)?.body).toContain('the repository now has 7.2.5');
    const open = openPulls(server).filter(
      (p) => stepFromPullRequestBody(p.body)!.target.id === step.target.id,
    );
    expect(open).toHaveLength(1);
    expect(stepFromPullRequestBody(open[0]!.body)!.from).toBe('7.2.5');
    // The PR cairn closed is not mistaken for one a human closed.
    const third = await run();
    expect(third.actions.some((a) => a.kind === 'skipped-by-human' || a.kind === 'superseded')).toBe(false);
  });

  it('a PR a human closed is not recreated: the path is reported as skipped by a human', async () => {
    const server = await fleet();
    const run = runner(server);
    const first = await run();
    const a = opened(first)[0]!;
    server.close(a.pr!);
    const again = await run();
    expect(again.actions.find((x) => x.branch === a.branch)).toMatchObject({
      kind: 'skipped-by-human',
      pr: a.pr,
    });
    expect(prFor(server, a.branch)).toHaveLength(1);
    const dashboard = [...server.issues.values()].find((i) => i.labels.includes('cairn-dashboard'))!;
    expect(dashboard.body).toMatch(new RegExp(`## Skipped by a human\\n\\n- #${a.pr} `));
  });

  it('a branch a human pushed to is never force-updated: cairn comments, once', async () => {
    const server = await fleet();
    const run = runner(server);
    const hide = (r: Record<string, { version: string }[]>) => ({
      ...r,
      redis: r.redis!.filter((x) => x.version !== '8.0.6'),
    });
    const first = await run({ releases: hide });
    const dev = first.actions.find((a) => a.branch.startsWith('cairn/dev/redis/'))!;
    const human = server.commitFiles(dev.branch, { 'notes.md': 'tweak\n' }, 'a fix of my own');
    const second = await run();
    expect(second.actions.find((a) => a.branch === dev.branch)).toMatchObject({
      kind: 'human-pushed',
      pr: dev.pr,
    });
    expect(server.branchSha(dev.branch)).toBe(human);
    await run();
    const comments = server.comments.filter((c) => c.issue === dev.pr);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('never force-updates');
    expect(
      server.log.some((r) => r.method === 'PATCH' && r.path.includes('/git/refs/') && r.status === 200),
    ).toBe(false);
  });

  it('auto-merge only when the policy allows it, inside a window, for the head cairn made', async () => {
    const server = await fleet();
    const run = runner(server);
    const settings = () => ({ autoMerge: true, reviewers: ['alice'], assignees: ['bob'] });
    await run({ settings, windowOpen: false });
    expect(server.log.some((r) => r.path === '/graphql')).toBe(false);
    expect(
      [...server.pulls.values()].every((p) => p.reviewers.includes('alice') && p.assignees.includes('bob')),
    ).toBe(true);
    await run({ settings: () => ({ autoMerge: false }), windowOpen: true });
    expect(server.log.some((r) => r.path === '/graphql')).toBe(false);
    await run({ settings, windowOpen: true });
    expect(openPulls(server).every((p) => p.auto_merge?.merge_method === 'merge')).toBe(true);
  });

  it('auto-merge is refused when the PR head is not the commit cairn expects', async () => {
    const server = await fleet();
    const gh = provider(server);
    const run = runner(server);
    await run();
    const pr = openPulls(server)[0]!;
    const prs = await gh.listPullRequests('cairn');
    const mine = prs.find((p) => p.number === pr.number)!;
    server.commitFiles(pr.head, { 'x.md': 'x\n' }, 'human');
    expect(await gh.ensureAutoMerge(mine, mine.head.sha)).toBe(false);
    expect(server.pulls.get(pr.number)!.auto_merge).toBeNull();
  });

  it('--dry-run writes nothing and says what it would do', async () => {
    const server = await fleet();
    const report = await runner(server)({ dryRun: true });
    expect(writes(server)).toEqual([]);
    expect(report.actions.some((a) => a.kind === 'would-open')).toBe(true);
    expect(cairnBranches(server)).toEqual([]);
  });
});
