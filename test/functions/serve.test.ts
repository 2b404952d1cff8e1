// `cairn serve` as a user runs it: a separate Node process on a random port, driven over
// real HTTP. The same flow as the app.request tests: a signed release.published is
// answered 202 and its queued work opens the step PRs on the GitHub-compatible test
// server; SIGTERM stops it cleanly; work a killed process left recorded is done at the
// next start.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { stepFromPullRequestBody } from '../../lib/render/pull-request.ts';
import { describeWithFixtures, repoRoot } from '../support/fixtures.ts';
import type { GitHubTestServer } from '../support/github-server/index.ts';
import { fleetServer, githubDelivery, HELLO_RELEASES, openPulls, payload, SECRET, sign } from './helpers.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function releasesServer(): Promise<string> {
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith('/repos/Codertocat/Hello-World/releases')) {
      res
        .writeHead(200, { 'content-type': 'application/json', etag: '"r1"' })
        .end(JSON.stringify(HELLO_RELEASES));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface Running {
  child: ChildProcess;
  url: Promise<string>;
  exit: Promise<number | null>;
  out: () => string;
}

function serve(env: Record<string, string>): Running {
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'cli/main.ts'), 'serve', '--port', '0', '--host', '127.0.0.1', '--no-cron'],
    {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        CAIRN_LOG_FORMAT: 'json',
        CAIRN_STORE: 'memory:',
        ...env,
      },
    },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (out += String(d)));
  const url = new Promise<string>((resolve, reject) => {
    const check = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    };
    child.stdout.on('data', check);
    child.once('exit', () => reject(new Error(`serve exited: ${out}`)));
  });
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  cleanup.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return { child, url, exit, out: () => out };
}

/** Polls GET /metrics until it holds `line` (the queued work ran); bounded, not timed. */
async function until(url: string, line: string): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if ((await (await fetch(`${url}/metrics`)).text()).includes(line)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`GET /metrics never showed ${line}`);
}

describeWithFixtures('cairn serve over HTTP', () => {
  let github: GitHubTestServer;

  it('a signed release.published opens the step PRs; unsigned is 401; SIGTERM stops it with exit 0', async () => {
    github = await fleetServer(await releasesServer());
    cleanup.push(() => github.stop());
    const running = serve({
      GITHUB_WEBHOOK_SECRET: SECRET,
      GITHUB_TOKEN: 'test-token',
      GITHUB_API_URL: github.url,
      CAIRN_REPOSITORIES: `${github.owner}/${github.repo}`,
    });
    const url = await running.url;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const body = payload('release/published.payload.json');
    const unsigned = await fetch(`${url}/webhooks/github`, {
      method: 'POST',
      headers: { 'x-github-event': 'release', 'x-github-delivery': 'serve-0' },
      body,
    });
    expect(unsigned.status).toBe(401);
    expect(openPulls(github)).toHaveLength(0);
    const init = githubDelivery('release', body);
    const res = await fetch(`${url}/webhooks/github`, init);
    // Answered once the work is queued; the re-plan runs after the answer.
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ outcome: 'queued' });
    await until(url, 'cairn_work_runs_total{kind="repository",outcome="done"} 1');
    const steps = openPulls(github).map((p) => stepFromPullRequestBody(p.body)!);
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.find((s) => s.component === 'howl-redis-operator')?.to).toBe('0.2.7');
    // The same delivery again: answered, nothing more happens.
    const before = github.log.length;
    const again = await fetch(
      `${url}/webhooks/github`,
      githubDelivery('release', body, { delivery: new Headers(init.headers).get('x-github-delivery')! }),
    );
    expect(await again.json()).toMatchObject({ outcome: 'duplicate' });
    expect(github.log.length).toBe(before);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('cairn_webhooks_total{event="release",outcome="queued",source="github"} 1');
    expect(metrics).toContain('cairn_work_waiting 0');
    running.child.kill('SIGTERM');
    expect(await running.exit).toBe(0);
    expect(running.out()).toContain('cairn serve: stopped');
    expect(running.out()).not.toContain(SECRET);
    expect(running.out()).not.toContain(sign(body).slice(7));
  });

  it("SIGTERM while a delivery's work runs: new requests are refused, the running job finishes, exit 0", async () => {
    github = await fleetServer(await releasesServer());
    cleanup.push(() => github.stop());
    const running = serve({
      GITHUB_WEBHOOK_SECRET: SECRET,
      GITHUB_TOKEN: 'test-token',
      GITHUB_API_URL: github.url,
      CAIRN_REPOSITORIES: `${github.owner}/${github.repo}`,
    });
    const url = await running.url;
    const answered = await fetch(
      `${url}/webhooks/github`,
      githubDelivery('release', payload('release/published.payload.json')),
    );
    expect(answered.status).toBe(202);
    // Wait until the job is writing to GitHub (GitHub's one-second spacing makes it last).
    for (let i = 0; i < 600 && !github.log.some((r) => r.method !== 'GET'); i++)
      await new Promise((r) => setTimeout(r, 50));
    running.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    const refused = await fetch(`${url}/readyz`).then(
      (r) => r.status,
      () => 'closed',
    );
    expect([503, 'closed']).toContain(refused);
    expect(await running.exit).toBe(0);
    expect(openPulls(github).length).toBeGreaterThan(0);
    // The job ran to its end: every branch it pushed has its PR.
    const heads = new Set([...github.pulls.values()].map((p) => p.head));
    const branches = github
      .git(['for-each-ref', '--format=%(refname:short)', 'refs/heads/cairn/'])
      .split('\n')
      .filter(Boolean);
    expect(branches.filter((b) => !heads.has(b))).toEqual([]);
  });

  it('killed right after answering 202: the next start finds the recorded work and does it', async () => {
    github = await fleetServer(await releasesServer());
    cleanup.push(() => github.stop());
    const dir = mkdtempSync(join(tmpdir(), 'cairn-serve-work-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const env = {
      GITHUB_WEBHOOK_SECRET: SECRET,
      GITHUB_TOKEN: 'test-token',
      GITHUB_API_URL: github.url,
      CAIRN_REPOSITORIES: `${github.owner}/${github.repo}`,
      CAIRN_STORE: `sqlite:${join(dir, 'cairn.db')}`,
    };
    const first = serve(env);
    const res = await fetch(
      `${await first.url}/webhooks/github`,
      githubDelivery('release', payload('release/published.payload.json')),
    );
    expect(res.status).toBe(202);
    // Killed while the job runs (GitHub's one-second write spacing makes it last seconds).
    first.child.kill('SIGKILL');
    await first.exit;
    const second = serve(env);
    const url = await second.url;
    await until(url, 'cairn_work_runs_total{kind="repository",outcome="done"} 1');
    expect(second.out()).toContain('queued work recovered');
    const steps = openPulls(github).map((p) => stepFromPullRequestBody(p.body)!);
    expect(steps.find((s) => s.component === 'howl-redis-operator')?.to).toBe('0.2.7');
    expect(new Set(steps.map((s) => s.id)).size).toBe(steps.length);
    second.child.kill('SIGTERM');
    expect(await second.exit).toBe(0);
  });

  it('refuses to start without a webhook secret, naming it', async () => {
    const running = serve({ GITHUB_TOKEN: 'test-token', CAIRN_REPOSITORIES: 'acme/fleet' });
    await expect(running.url).rejects.toThrow(/GITHUB_WEBHOOK_SECRET/);
    expect(await running.exit).not.toBe(0);
  });
});
