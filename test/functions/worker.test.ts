// The Worker in real workerd: `wrangler dev` (local mode, the repository's wrangler.toml,
// the Durable Object store) started by the test on a free port. A signed
// release.published opens the step PRs on the GitHub-compatible test server, a replay
// does nothing, and a scheduled event (the cron trigger) re-evaluates the gate of a
// merged step. Needs Node >= 22 (scripts/with-node.sh) and the wrangler devDependency.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GATE_CONTEXT } from '../../lib/engine/index.ts';
import { stepFromPullRequestBody } from '../../lib/render/pull-request.ts';
import { describeWithFixtures } from '../support/fixtures.ts';
import type { GitHubTestServer } from '../support/github-server/index.ts';
import { canRunWorkerd, startWranglerDev, type WranglerDev } from '../support/wrangler.ts';
import {
  fleetServer,
  githubDelivery,
  HELLO_RELEASES,
  openPulls,
  payload,
  SECRET,
  STATUS_TOKEN,
} from './helpers.ts';

const DASHBOARD_TOKEN = 'workerd-dashboard-token-1';

async function until<T>(
  what: string,
  fn: () => T | undefined | Promise<T | undefined>,
  ms = 120_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const suite = canRunWorkerd()
  ? describeWithFixtures
  : (name: string, _fn: () => void) => {
      process.stderr.write(`SKIP "${name}": needs wrangler and Node >= 22\n`);
    };

suite('the Worker in workerd (wrangler dev)', () => {
  let github: GitHubTestServer;
  let releases: Server;
  let dev: WranglerDev | undefined;
  let url = '';

  beforeAll(async () => {
    releases = createServer((req, res) => {
      if (req.url?.startsWith('/repos/Codertocat/Hello-World/releases'))
        res
          .writeHead(200, { 'content-type': 'application/json', etag: '"r1"' })
          .end(JSON.stringify(HELLO_RELEASES));
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => releases.listen(0, '127.0.0.1', r));
    github = await fleetServer(`http://127.0.0.1:${(releases.address() as AddressInfo).port}`);
    const vars = {
      GITHUB_WEBHOOK_SECRET: SECRET,
      GITHUB_TOKEN: 'test-token',
      GITHUB_API_URL: github.url,
      CAIRN_REPOSITORIES: `${github.owner}/${github.repo}`,
      CAIRN_STATUS_TOKEN: STATUS_TOKEN,
      CAIRN_DASHBOARD_TOKEN: DASHBOARD_TOKEN,
    };
    dev = await startWranglerDev(vars, { testScheduled: true });
    url = dev.url;
  }, 180_000);

  afterAll(async () => {
    await dev?.stop();
    await github?.stop();
    await new Promise<void>((r) => (releases ? releases.close(() => r()) : r()));
  });

  it('answers health and refuses an unsigned delivery with 401', async () => {
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ ok: true });
    expect(await (await fetch(`${url}/readyz`)).json()).toMatchObject({ ready: true, repositories: 1 });
    const res = await fetch(`${url}/webhooks/github`, {
      method: 'POST',
      headers: { 'x-github-event': 'release' },
      body: '{}',
    });
    expect(res.status).toBe(401);
    expect(github.log).toHaveLength(0);
  });

  it('a signed release.published opens the step PRs; the same delivery again changes nothing', async () => {
    const body = payload('release/published.payload.json');
    const init = githubDelivery('release', body, { delivery: 'workerd-release-1' });
    const res = await fetch(`${url}/webhooks/github`, init);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ outcome: 'done' });
    const steps = openPulls(github).map((p) => stepFromPullRequestBody(p.body)!);
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.find((s) => s.component === 'howl-redis-operator')?.to).toBe('0.2.7');
    const before = github.log.length;
    const again = await fetch(
      `${url}/webhooks/github`,
      githubDelivery('release', body, { delivery: 'workerd-release-1' }),
    );
    expect(await again.json()).toMatchObject({ outcome: 'duplicate' });
    expect(github.log.length).toBe(before);
  }, 180_000);

  it('a scheduled event re-evaluates the gate of a merged step (pending: no cluster reading yet)', async () => {
    const pr = openPulls(github).find((p) => stepFromPullRequestBody(p.body)!.environment === 'dev')!;
    const merge = github.merge(pr.number);
    const res = await fetch(`${url}/__scheduled?cron=${encodeURIComponent('*/5 * * * *')}`);
    expect(res.status).toBe(200);
    const status = await until('cairn/gate on the merge commit', () =>
      github.statuses.get(merge)?.find((s) => s.context === GATE_CONTEXT),
    );
    expect(status.state).toBe('pending');
    const view = await until('the verdict in /status/dev', async () => {
      const r = await fetch(`${url}/status/dev`, { headers: { authorization: `Bearer ${STATUS_TOKEN}` } });
      const j = (await r.json()) as { steps: { pr: number; verdict: string }[] };
      return j.steps.length ? j : undefined;
    });
    expect(view.steps).toEqual([expect.objectContaining({ pr: pr.number, verdict: 'wait' })]);
    expect(dev!.output()).not.toContain(SECRET);
  });

  it('the fleet dashboard renders in workerd: 401 without the token, the merged step in flight with it', async () => {
    expect((await fetch(`${url}/`)).status).toBe(401);
    const res = await fetch(`${url}/`, { headers: { authorization: `Bearer ${DASHBOARD_TOKEN}` } });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('Codertocat/Hello-World');
    expect(page).toMatch(/merged, gate pending/);
  });
});
