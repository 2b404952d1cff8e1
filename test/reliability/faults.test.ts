// Rate limits and faults through the whole app: GitHub's secondary and primary limits,
// 5xx after a write, an installation token that dies mid-run, Slack down or limiting,
// and the Kubernetes API down or forbidding. Each ends with the same single PRs and no
// lost work, or with the gate closed and the reason published.
import { generateKeyPairSync } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createApp } from '../../functions/app.ts';
import { runCron } from '../../functions/cron.ts';
import { readForStep } from '../../lib/cluster/reader.ts';
import { GATE_CONTEXT } from '../../lib/engine/index.ts';
import { kubeTransport, loadKubeConfig } from '../../lib/node/kube-client.ts';
import { describeWithFixtures, repoRoot } from '../support/fixtures.ts';
import { startGitHubServer, type GitHubTestServer } from '../support/github-server/index.ts';
import { startKubeServer } from '../support/kube-server/index.ts';
import { gitCopy } from '../cli/run.ts';
import { outsideWorld, SLACK_URL, STATUS_TOKEN } from '../functions/helpers.ts';
import {
  fleet,
  githubDelivery,
  mergedPayload,
  openSteps,
  orphanBranches,
  pushToMain,
  releasePublished,
  service,
} from './world.ts';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of stops.splice(0)) await f();
});

const posts = (server: GitHubTestServer, path: RegExp, status?: number) =>
  server.log.filter(
    (r) => r.method === 'POST' && path.test(r.path) && (status === undefined || r.status === status),
  );

function oneEach(server: GitHubTestServer) {
  const steps = openSteps(server);
  expect(steps.length).toBeGreaterThan(0);
  expect(new Set(steps.map((s) => s.step.id)).size).toBe(steps.length);
  expect(orphanBranches(server)).toEqual([]);
  return steps;
}

const warnings = (logs: string[], msg: string) =>
  logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === msg);

describeWithFixtures('GitHub limits and 5xx', () => {
  it('a secondary rate limit with retry-after is waited out, and each PR is created once', async () => {
    const server = await fleet();
    const { request, logs } = service(server);
    server.inject({
      method: 'POST',
      path: /\/pulls$/,
      kind: 'secondary-rate-limit',
      retryAfter: 7,
      times: 2,
    });
    await request('/webhooks/github', githubDelivery('push', pushToMain()));
    const steps = oneEach(server);
    expect(posts(server, /\/pulls$/, 403)).toHaveLength(2);
    expect(posts(server, /\/pulls$/, 201)).toHaveLength(steps.length);
    const waited = warnings(logs, 'github secondary rate limit');
    expect(waited.map((w) => w.retryAfter)).toEqual([7, 7]);
  });

  it('an exhausted primary quota: the write waits for the reset, then goes once', async () => {
    const server = await fleet();
    const { request, logs } = service(server);
    server.inject({ method: 'POST', path: /\/git\/commits$/, kind: 'primary-rate-limit', resetIn: 120 });
    await request('/webhooks/github', githubDelivery('push', pushToMain()));
    const steps = oneEach(server);
    const waited = warnings(logs, 'github primary rate limit');
    expect(waited).toHaveLength(1);
    // Until the reset GitHub gave (120 s away, give or take the clock's second).
    expect(Number(waited[0]!.retryAfter)).toBeGreaterThanOrEqual(119);
    expect(posts(server, /\/git\/commits$/, 201)).toHaveLength(steps.length);
  });

  it('POST /pulls answers 502 after it opened the PR (the retry too): the PR is adopted, not doubled', async () => {
    const server = await fleet();
    const { request } = service(server);
    server.inject({ method: 'POST', path: /\/pulls$/, kind: 'after', status: 502, times: 4 });
    const res = await request('/webhooks/github', githubDelivery('push', pushToMain()));
    expect(res.status).toBe(200);
    const steps = oneEach(server);
    expect(server.pulls.size).toBe(steps.length);
  });

  it('enabling auto-merge answers 500 after it took effect: cairn reads the PR again instead of sending it twice', async () => {
    const server = await fleet();
    const { request } = service(server, { CAIRN_AUTO_MERGE: 'true' });
    server.inject({ method: 'POST', path: /^\/graphql$/, kind: 'after', status: 500 });
    await request('/webhooks/github', githubDelivery('push', pushToMain()));
    await request('/webhooks/github', githubDelivery('push', pushToMain('9'.repeat(40))));
    const steps = oneEach(server);
    const auto = steps.filter((s) => s.pr.auto_merge !== null);
    expect(auto.length).toBeGreaterThan(0);
    // One mutation per PR that has auto-merge: the one that got the 500 was not re-sent blind.
    expect(posts(server, /^\/graphql$/)).toHaveLength(auto.length);
  });

  it('an installation token that stops working mid-run is refreshed once, and the run completes', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const dir = gitCopy(join(repoRoot, 'examples/flux-fleet'));
    const server = await startGitHubServer({
      seedFrom: dir,
      owner: 'Codertocat',
      repo: 'Hello-World',
      app: { id: 42, publicKey, installationId: 7 },
    });
    rmSync(dir, { recursive: true, force: true });
    stops.push(() => server.stop());
    const { request } = service(server, {
      GITHUB_TOKEN: '',
      CAIRN_GITHUB_APP_ID: '42',
      CAIRN_GITHUB_APP_PRIVATE_KEY: privateKey,
      CAIRN_GITHUB_APP_INSTALLATION_ID: '7',
    });
    // The third commit of the run: every token issued so far is revoked just before it.
    let seen = 0;
    server.inject({
      method: 'POST',
      path: /\/git\/commits$/,
      kind: 'before',
      times: 3,
      run: (s) => {
        if (++seen === 3) s.expireTokens();
      },
    });
    const res = await request('/webhooks/github', githubDelivery('push', pushToMain()));
    expect(res.status).toBe(200);
    oneEach(server);
    expect(seen).toBe(3);
    expect(posts(server, /^\/app\/installations\/7\/access_tokens$/, 201)).toHaveLength(2);
    // Every 401 came before the one refresh (auth-app retries a fresh token a few times
    // first, for GitHub's replication lag); none after it.
    const refreshed = server.log.findLastIndex((r) => r.path.endsWith('/access_tokens'));
    const refused = server.log.flatMap((r, i) => (r.status === 401 ? [i] : []));
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((i) => i < refreshed)).toBe(true);
  });
});

describeWithFixtures('Slack limits and outages', () => {
  it('Slack answering 429 with retry-after: the message waits that long and is delivered once; the PRs did not wait for it', async () => {
    const server = await fleet();
    const svc = service(server, { SLACK_WEBHOOK_URL: SLACK_URL });
    const slept: number[] = [];
    const delivered: string[] = [];
    let limited = 2;
    svc.runtime.sleep = async (ms) => void slept.push(ms);
    svc.runtime.fetch = outsideWorld({
      slack: (init) => {
        if (limited-- > 0)
          return new Response('rate_limited', { status: 429, headers: { 'retry-after': '30' } });
        delivered.push(JSON.parse(String(init?.body)).text);
        return new Response('ok');
      },
    });
    const res = await svc.request('/webhooks/github', githubDelivery('release', releasePublished()));
    expect(res.status).toBe(200);
    const steps = oneEach(server);
    expect(slept.filter((ms) => ms >= 30_000)).toHaveLength(2);
    expect(delivered).toHaveLength(steps.length);
    expect(new Set(delivered).size).toBe(steps.length);
  });

  it('Slack down altogether: every PR still opens, the failure is logged, and the held messages go out once Slack is back', async () => {
    const server = await fleet();
    const svc = service(server, { SLACK_WEBHOOK_URL: SLACK_URL });
    let attempts = 0;
    let down = true;
    const delivered: string[] = [];
    svc.runtime.fetch = outsideWorld({
      slack: (init) => {
        attempts++;
        if (down) return new Response('upstream connect error', { status: 503 });
        delivered.push(JSON.parse(String(init?.body)).text);
        return new Response('ok');
      },
    });
    const res = await svc.request('/webhooks/github', githubDelivery('release', releasePublished()));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ outcome: 'done' });
    const steps = oneEach(server);
    expect(
      warnings(svc.logs, 'slack notification failed').filter((w) => w.event === 'step-opened'),
    ).toHaveLength(steps.length);
    expect(attempts).toBeLessThanOrEqual(steps.length * 5);
    // Still down at the next cron run: the first held message is tried once, the rest wait.
    const before = attempts;
    await runCron(svc.cairn.services(svc.env), 'still-down');
    expect(attempts - before).toBeLessThanOrEqual(5);
    expect(delivered).toHaveLength(0);
    down = false;
    await runCron(svc.cairn.services(svc.env), 'back');
    expect(delivered.filter((t) => t.startsWith('Step opened:'))).toHaveLength(steps.length);
    expect(new Set(delivered).size).toBe(delivered.length);
    await runCron(svc.cairn.services(svc.env), 'again');
    expect(delivered.filter((t) => t.startsWith('Step opened:'))).toHaveLength(steps.length);
  });
});

describeWithFixtures('the Kubernetes API failing under the gate', () => {
  async function mergedDevStep(problem: 'down' | 'forbidden') {
    const kube = await startKubeServer([]);
    stops.push(() => kube.stop());
    const transport = kubeTransport(loadKubeConfig({ kubeconfigText: kube.kubeconfig() }));
    const server = await fleet();
    const svc = service(server);
    const app = createApp({
      ...svc.runtime,
      readCluster: (step) => readForStep(transport, step, () => new Date(svc.clock.now())),
    });
    const request = (path: string, init?: RequestInit) => app.app.request(path, init, svc.env);
    await request('/webhooks/github', githubDelivery('push', pushToMain()));
    const dev =
      openSteps(server).find((s) => s.step.environment === 'dev' && s.step.component === 'redis') ??
      openSteps(server).find((s) => s.step.environment === 'dev')!;
    if (problem === 'down') kube.setDown(true);
    else {
      kube.forbid('kustomize.toolkit.fluxcd.io', 'kustomizations');
      kube.forbid('argoproj.io', 'applications');
    }
    const merge = server.merge(dev.pr.number);
    const res = await request(
      '/webhooks/github',
      githubDelivery('pull_request', mergedPayload(dev.pr.number, merge)),
    );
    return { server, app, svc, request, res, merge, dev };
  }

  it.each(['down', 'forbidden'] as const)(
    'the API %s: the gate stays closed, and the status and /status say why',
    async (problem) => {
      const { server, request, res, merge, dev, app, svc } = await mergedDevStep(problem);
      expect(await res.json()).toMatchObject({
        outcome: 'done',
        gates: [{ pr: dev.pr.number, verdict: 'wait' }],
      });
      const status = server.statuses.get(merge)?.find((s) => s.context === GATE_CONTEXT);
      expect(status?.state).toBe('pending');
      expect(status?.description).toMatch(/could not be read/);
      if (problem === 'forbidden') expect(status?.description).toMatch(/forbidden/);
      const view = await request('/status/dev', { headers: { authorization: `Bearer ${STATUS_TOKEN}` } });
      const json = (await view.json()) as { steps: { verdict: string; text: string; reasons: string[] }[] };
      expect(json.steps[0]).toMatchObject({ verdict: 'wait' });
      expect(json.steps[0]!.text).toMatch(/could not be read/);
      // A later cron run still reads it closed: nothing opens the next environment's step.
      const later = () =>
        openSteps(server).filter(
          (s) => s.step.component === dev.step.component && s.step.environment !== 'dev',
        ).length;
      const before = later();
      await runCron(app.services(svc.env), 'while-broken');
      expect(server.statuses.get(merge)?.find((s) => s.context === GATE_CONTEXT)?.state).toBe('pending');
      expect(later()).toBe(before);
    },
  );
});
