// The gate's notifications through the GitHub provider: the `cairn/gate` status, the
// check run (a GitHub App's privilege) and a marked comment, each edited in place on
// repeat rather than duplicated.
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { githubProvider } from '../../../lib/git/github.ts';
import { githubNotifier } from '../../../lib/git/notifier.ts';
import {
  GATE_CONTEXT,
  gateCheckRun,
  gateCommitStatus,
  type GateSummary,
} from '../../../lib/notify/github.ts';
import { type GitHubTestServer, startGitHubServer } from '../../support/github-server/index.ts';
import { manualClock } from '../../support/store-contract.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const step = { id: 'redis-8.0.6-x', component: 'redis', from: '7.2.4', to: '8.0.6', cluster: 'dev' };
const waiting: GateSummary = { outcome: 'waiting', reason: 'waiting for the soak (2h left)', evidence: [] };
const passed: GateSummary = { outcome: 'passed', reason: 'applied and healthy', evidence: [] };

const servers: GitHubTestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

async function setup(app: boolean) {
  const server = await startGitHubServer(app ? { app: { id: 42, publicKey, installationId: 7 } } : {});
  servers.push(server);
  const gh = githubProvider({
    owner: server.owner,
    repo: server.repo,
    auth: app ? { appId: 42, privateKey, installationId: 7 } : { token: 'test-token' },
    baseUrl: server.url,
    clock: manualClock(Date.now()),
    writeSpacing: 'none',
    retryAfterUnitMs: 1,
  });
  return { server, notifier: githubNotifier(gh), sha: server.branchSha('main')! };
}

describe('GitHub notifier', () => {
  it('sets the gate status, and a repeat of the same status writes nothing', async () => {
    const { server, notifier, sha } = await setup(false);
    expect(await notifier.setCommitStatus(sha, gateCommitStatus(waiting))).toEqual({ ok: true });
    expect(await notifier.setCommitStatus(sha, gateCommitStatus(waiting))).toEqual({ ok: true });
    expect(await notifier.setCommitStatus(sha, gateCommitStatus(passed))).toEqual({ ok: true });
    expect(server.statuses.get(sha)!.map((s) => [s.context, s.state])).toEqual([
      [GATE_CONTEXT, 'success'],
      [GATE_CONTEXT, 'pending'],
    ]);
  });

  it('creates the check run once and edits it as the gate moves on', async () => {
    const { server, notifier, sha } = await setup(true);
    expect(await notifier.upsertCheckRun(sha, gateCheckRun(step, waiting))).toEqual({ ok: true });
    expect(await notifier.upsertCheckRun(sha, gateCheckRun(step, passed))).toEqual({ ok: true });
    expect(server.checkRuns).toHaveLength(1);
    expect(server.checkRuns[0]).toMatchObject({ status: 'completed', conclusion: 'success' });
  });

  it('reports, without throwing, a check run a token may not create', async () => {
    const { notifier, sha } = await setup(false);
    const r = await notifier.upsertCheckRun(sha, gateCheckRun(step, waiting));
    expect(r.ok).toBe(false);
    expect(r.error).toContain('GitHub App');
  });

  it('edits the comment carrying the marker instead of adding another', async () => {
    const { server, notifier } = await setup(false);
    const n = server.issues.size + server.pulls.size + 1;
    server.issues.set(n, {
      number: n,
      title: 't',
      body: '',
      state: 'open',
      labels: [],
      assignees: [],
      user: 'u',
      created_at: '',
      updated_at: '',
    });
    await notifier.upsertComment(n, '<!-- m -->', '<!-- m -->\none');
    await notifier.upsertComment(n, '<!-- m -->', '<!-- m -->\ntwo');
    await notifier.upsertComment(n, '<!-- m -->', '<!-- m -->\ntwo');
    expect(server.comments.filter((c) => c.issue === n).map((c) => c.body)).toEqual(['<!-- m -->\ntwo']);
    expect(
      server.log.filter((r) => r.method === 'PATCH' && r.path.includes('/issues/comments/')),
    ).toHaveLength(1);
  });
});
