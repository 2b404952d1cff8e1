// Reviewers, assignees, labels and auto-merge come from the repository's own policy
// (`pullRequests` in defaults and rules), per environment and component.
import { afterEach, describe, expect, it } from 'vitest';
import { stepFromPullRequestBody } from '../../../lib/render/pull-request.ts';
import type { GitHubTestServer } from '../../support/github-server/index.ts';
import { fleetServer, openPulls, runner } from './helpers.ts';

const servers: GitHubTestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

/** A fleet whose policy is edited by `edit` (committed as `message`). */
async function fleetWithPolicy(
  edit: (policy: string, server: GitHubTestServer) => string,
  message: string,
): Promise<GitHubTestServer> {
  const server = await fleetServer();
  servers.push(server);
  const policy = server.git(['show', 'main:.cairn/policy.yaml']);
  server.commitFiles('main', { '.cairn/policy.yaml': edit(policy, server) }, message);
  return server;
}

describe('pull request settings from the policy', () => {
  it('each step PR gets the reviewers, assignees, labels and auto-merge its environment says', async () => {
    const server = await fleetWithPolicy(
      (policy) =>
        policy
          .replace(
            'defaults:\n',
            'defaults:\n  pullRequests:\n    reviewers: [alice]\n    assignees: [bob]\n    labels: [upgrades]\n',
          )
          .replace(
            'rules:\n',
            'rules:\n  - match: { environments: [dev] }\n    pullRequests: { autoMerge: true }\n  - match: { environments: [staging] }\n    pullRequests: { reviewers: [staging-oncall] }\n',
          ),
      'PR settings',
    );
    await runner(server)({ windowOpen: true });
    const prs = openPulls(server).map((p) => ({ p, step: stepFromPullRequestBody(p.body)! }));
    const dev = prs.filter((x) => x.step.environment === 'dev');
    const staging = prs.filter((x) => x.step.environment === 'staging');
    expect(dev.length).toBeGreaterThan(0);
    expect(staging.length).toBeGreaterThan(0);
    for (const { p } of dev) {
      expect(p.reviewers).toEqual(['alice']);
      expect(p.assignees).toEqual(['bob']);
      expect([...p.labels].sort()).toEqual(['cairn', 'upgrades']);
      expect(p.auto_merge).not.toBeNull();
    }
    for (const { p } of staging) {
      expect(p.reviewers).toEqual(['staging-oncall']);
      expect(p.assignees).toEqual(['bob']);
      expect(p.auto_merge).toBeNull();
    }
  });

  it('reviewers and teams are asked once, when the PR opens: not again after they review', async () => {
    const server = await fleetWithPolicy(
      (policy, { owner }) =>
        policy.replace(
          'defaults:\n',
          `defaults:\n  pullRequests:\n    reviewers: [alice, ${owner}/platform]\n`,
        ),
      'reviewers',
    );
    const run = runner(server);
    await run();
    const prs = openPulls(server);
    expect(prs.length).toBeGreaterThan(0);
    for (const p of prs) {
      expect(p.reviewers).toEqual(['alice']);
      expect(p.teams).toEqual(['platform']);
    }
    // Alice and the team review: GitHub takes them off the requested lists.
    for (const p of prs) {
      p.reviewers = [];
      p.teams = [];
    }
    const asked = () =>
      server.log.filter((r) => r.method === 'POST' && r.path.endsWith('/requested_reviewers'));
    const before = asked().length;
    expect(before).toBe(prs.length);
    await run();
    expect(asked().length).toBe(before);
  });

  it('outside a window, no auto-merge even where the policy allows it', async () => {
    const server = await fleetWithPolicy(
      (policy) => policy.replace('defaults:\n', 'defaults:\n  pullRequests: { autoMerge: true }\n'),
      'auto-merge',
    );
    await runner(server)({ windowOpen: false });
    expect(openPulls(server).length).toBeGreaterThan(0);
    expect(openPulls(server).every((p) => p.auto_merge === null)).toBe(true);
    expect(server.log.some((r) => r.path === '/graphql')).toBe(false);
  });
});
