// The world every reliability test runs in: the whole app (functions/app.ts) over the
// GitHub-compatible test server seeded with the Flux example fleet (test/functions/helpers.ts),
// plus the payload builders the tests share. Faults are injected on the servers; nothing
// here stubs cairn itself.
import { afterEach } from 'vitest';
import type { GitHubTestServer } from '../support/github-server/index.ts';
import { stepFromPullRequestBody } from '../../lib/render/pull-request.ts';
import {
  fleetServer,
  githubDelivery,
  mergedPayload,
  NOW,
  openPulls,
  payload,
  pushToMain,
  service,
} from '../functions/helpers.ts';

const servers: GitHubTestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

/** A fresh fleet repository on a fresh test server, stopped after the test. */
export async function fleet(): Promise<GitHubTestServer> {
  const s = await fleetServer();
  servers.push(s);
  return s;
}

export const releasePublished = () => payload('release/published.payload.json');

/** An `issue_comment.created` on PR `number` by `login`. */
export function commentPayload(number: number, login: string, id: number, text: string): string {
  const c = JSON.parse(payload('issue_comment/created.payload.json'));
  c.issue = { ...c.issue, number, pull_request: { url: 'x' } };
  c.comment = { ...c.comment, id, body: text, user: { ...c.comment.user, login, type: 'User' } };
  return JSON.stringify(c);
}

/** The open step PRs with their step blocks. */
export function openSteps(server: GitHubTestServer) {
  // Step PRs only: a revert PR (cairn-rollback) carries no step block.
  return openPulls(server).flatMap((p) => {
    const step = stepFromPullRequestBody(p.body);
    return step ? [{ pr: p, step }] : [];
  });
}

/** Every `cairn/...` branch in the bare repository. */
export function cairnBranches(server: GitHubTestServer): string[] {
  return server
    .git(['for-each-ref', '--format=%(refname:short)', 'refs/heads/cairn/'])
    .split('\n')
    .filter(Boolean);
}

/** Branches no open or merged PR points at: what a crash must never leave behind. */
export function orphanBranches(server: GitHubTestServer): string[] {
  const used = new Set([...server.pulls.values()].map((p) => p.head));
  return cairnBranches(server).filter((b) => !used.has(b));
}

export { fleetServer, githubDelivery, mergedPayload, NOW, openPulls, payload, pushToMain, service };
