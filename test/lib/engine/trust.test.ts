// Only cairn's own PRs say where a path stands: anyone can label a PR `cairn` and paste a
// step block, and such a block must never hold a path back, skip a step or open one.
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { stepPullRequestBody, untrustedReason } from '../../../lib/engine/index.ts';
import { githubProvider } from '../../../lib/git/github.ts';
import type { PullRequest } from '../../../lib/git/provider.ts';
import type { Plan, Step } from '../../../lib/planner/types.ts';
import { pullRequestTitle } from '../../../lib/render/pull-request.ts';
import { stepBranchName } from '../../../lib/steps/index.ts';
import { type GitHubTestServer, startGitHubServer } from '../../support/github-server/index.ts';
import { manualClock } from '../../support/store-contract.ts';
import { cairnBranches, fleetServer, openPulls, provider, runner } from './helpers.ts';

const servers: GitHubTestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

async function planned(server: GitHubTestServer): Promise<Plan> {
  let plan: Plan | undefined;
  await runner(server)({ dryRun: true, dashboard: false, onPlan: (p) => (plan = p) });
  return plan!;
}

describe('forged step blocks', () => {
  it('a merged PR a human opened with a copied step block does not hold the path back', async () => {
    const server = await fleetServer();
    servers.push(server);
    const plan = await planned(server);
    const step = plan.steps.find((s) => s.cluster === 'dev' && s.component === 'redis' && !s.after.length)!;
    server.commitFiles('fix/forged', { 'notes.md': 'not an upgrade\n' }, 'forged');
    const forged = server.openPullAs('mallory', {
      head: 'fix/forged',
      title: pullRequestTitle(step),
      body: stepPullRequestBody(step, plan),
      labels: ['cairn'],
    });
    server.merge(forged); // merged, no cairn/gate: were it trusted, the dev cluster would wait
    const report = await runner(server)();
    expect(report.ignored).toEqual([{ pr: forged, reason: 'opened by mallory, not by cairn (cairn-bot)' }]);
    expect(report.inFlight).toEqual([]);
    expect(report.actions.find((a) => a.branch === stepBranchName(step))?.kind).toBe('opened');
    const dashboard = [...server.issues.values()].find((i) => i.labels.includes('cairn-dashboard'))!;
    expect(dashboard.body).toContain(`## Ignored pull requests`);
    expect(dashboard.body).toContain(`- #${forged}: opened by mallory`);
  });

  it('a closed PR a human opened on a cairn branch does not mark the step as skipped', async () => {
    const server = await fleetServer();
    servers.push(server);
    const plan = await planned(server);
    const step = plan.steps.find((s) => !s.after.length)!;
    const other = plan.steps.find((s) => !s.after.length && s !== step)!;
    // The block of one step on the branch of another, by a human: closed unmerged.
    server.commitFiles(stepBranchName(other), { 'notes.md': 'x\n' }, 'by hand');
    const forged = server.openPullAs('mallory', {
      head: stepBranchName(other),
      title: pullRequestTitle(step),
      body: stepPullRequestBody(step, plan),
      labels: ['cairn'],
    });
    server.close(forged);
    const report = await runner(server)();
    expect(report.ignored.map((i) => i.pr)).toEqual([forged]);
    expect(report.actions.some((a) => a.kind === 'skipped-by-human')).toBe(false);
    expect(report.actions.find((a) => a.branch === stepBranchName(step))?.kind).toBe('opened');
  });

  it("a PR someone else opened from cairn's branch is not adopted: labelled, told once, left alone", async () => {
    const server = await fleetServer();
    servers.push(server);
    // A pass that dies after making the first branch, before its PR.
    server.inject({ kind: 'instead', method: 'POST', path: /\/pulls$/, status: 400 });
    await expect(runner(server)()).rejects.toThrow();
    const [branch] = cairnBranches(server);
    expect(branch).toBeDefined();
    const theirs = server.openPullAs('mallory', { head: branch!, title: 'my take', body: 'mine' });
    const run = runner(server);
    const first = await run();
    expect(first.actions.find((a) => a.branch === branch)).toMatchObject({
      kind: 'human-opened',
      pr: theirs,
    });
    const pr = server.pulls.get(theirs)!;
    expect([pr.title, pr.body]).toEqual(['my take', 'mine']);
    expect(pr.labels).toEqual(['cairn']);
    expect(pr.auto_merge).toBeNull();
    expect(server.comments.filter((c) => c.issue === theirs)).toHaveLength(1);
    expect(openPulls(server).filter((p) => p.head === branch)).toHaveLength(1);
    const from = server.log.length;
    const again = await run();
    expect(again.actions.find((a) => a.branch === branch)?.kind).toBe('human-opened');
    expect(server.comments.filter((c) => c.issue === theirs)).toHaveLength(1);
    expect(server.log.slice(from).filter((r) => r.method === 'POST' && r.path.endsWith('/pulls'))).toEqual(
      [],
    );
  });

  it('trusts a block only from cairn, on a cairn branch', () => {
    const step = {
      cluster: 'dev',
      component: 'redis',
      target: { id: 'apps/dev/redis.yaml#HelmRelease/redis:spec.values.image.tag' },
      from: '7.2.4',
    } as unknown as Step;
    const branch = stepBranchName(step);
    const pr = (author: string | undefined, ref: string) =>
      ({ number: 1, author, head: { ref, sha: '' } }) as unknown as PullRequest;
    expect(untrustedReason(pr('cairn[bot]', branch), 'cairn[bot]')).toBeUndefined();
    expect(untrustedReason(pr('alice', branch), 'cairn[bot]')).toBe(
      'opened by alice, not by cairn (cairn[bot])',
    );
    expect(untrustedReason(pr(undefined, branch), 'cairn[bot]')).toMatch(/unknown user/);
    expect(untrustedReason(pr('cairn[bot]', 'main'), 'cairn[bot]')).toBe(
      'its branch main is not a cairn branch',
    );
  });
});

describe("the provider's own login", () => {
  it('a token: GET /user, read once per provider (and conditional after that)', async () => {
    const server = await startGitHubServer({ actor: 'fleet-bot' });
    servers.push(server);
    const gh = provider(server);
    expect(await gh.identity()).toBe('fleet-bot');
    expect(await gh.identity()).toBe('fleet-bot');
    expect(server.log.filter((r) => r.path === '/user')).toHaveLength(1);
  });

  it('a GitHub App: its bot, from GET /app signed with the JWT', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const server = await startGitHubServer({ app: { id: 42, publicKey, installationId: 7 } });
    servers.push(server);
    const gh = githubProvider({
      owner: server.owner,
      repo: server.repo,
      auth: { appId: 42, privateKey, installationId: 7 },
      baseUrl: server.url,
      clock: manualClock(Date.now()),
      writeSpacing: 'none',
    });
    expect(await gh.identity()).toBe('cairn[bot]');
  });

  it('the Actions token, which may not read GET /user, acts as github-actions[bot]', async () => {
    const server = await startGitHubServer();
    servers.push(server);
    server.inject({ kind: 'instead', method: 'GET', path: /^\/user$/, status: 403, times: 5 });
    const base = {
      owner: server.owner,
      repo: server.repo,
      auth: { token: 'test-token' },
      baseUrl: server.url,
      clock: manualClock(),
      writeSpacing: 'none' as const,
    };
    await expect(githubProvider(base).identity()).rejects.toThrow(/CAIRN_GITHUB_LOGIN/);
    expect(await githubProvider({ ...base, loginWhenRefused: 'github-actions[bot]' }).identity()).toBe(
      'github-actions[bot]',
    );
    const given = githubProvider({ ...base, login: 'someone' });
    const before = server.log.length;
    expect(await given.identity()).toBe('someone');
    expect(server.log.length).toBe(before);
  });
});
