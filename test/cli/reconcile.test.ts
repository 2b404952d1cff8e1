// `cairn reconcile` as a CI schedule would run it: a separate process, credentials from
// the environment, GITHUB_API_URL pointing at the GitHub-compatible test server.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/fixtures.ts';
import { type GitHubTestServer, startGitHubServer } from '../support/github-server/index.ts';
import { git } from './run.ts';

const TOKEN = 'ghp_reconcilesecret0123456789';

/** Runs the CLI without blocking this process's event loop (the server lives here). */
function cairnAsync(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'cli/main.ts'), ...args], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        CAIRN_LOG_FORMAT: 'json',
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('cairn reconcile --github', () => {
  let server: GitHubTestServer;
  let seed: string;
  const env = () => ({ GITHUB_TOKEN: TOKEN, GITHUB_API_URL: server.url, CAIRN_STORE: 'memory:' });
  const args = ['reconcile', '--github', 'acme/fleet', '--now', '2026-11-21T09:00:00Z'];

  beforeAll(async () => {
    seed = mkdtempSync(join(tmpdir(), 'cairn-reconcile-cli-'));
    mkdirSync(join(seed, 'clusters/dev'), { recursive: true });
    writeFileSync(
      join(seed, 'clusters/dev/sessions.yaml'),
      'apiVersion: redis.io/v1\nkind: RedisCluster\nmetadata:\n  name: sessions\n  namespace: sessions\nspec:\n  instances: 3\n  imageName: redis:7.2.4 # pinned\n',
    );
    git(seed, 'init', '-q', '-b', 'main');
    git(seed, 'add', '-A');
    git(seed, 'commit', '-q', '-m', 'fleet');
    server = await startGitHubServer({ seedFrom: seed, token: TOKEN });
  });
  afterAll(async () => {
    await server.stop();
    rmSync(seed, { recursive: true, force: true });
  });

  it('--dry-run prints the PR it would open and writes nothing', async () => {
    const r = await cairnAsync([...args, '--dry-run'], env());
    expect(r.stderr).not.toContain('"level":"error"');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('dry run, nothing written');
    expect(r.stdout).toMatch(/would-open\s+cairn\/dev\/redis\//);
    expect(server.log.filter((x) => x.method !== 'GET')).toEqual([]);
  });

  it('opens the PR and the dashboard, and a second run changes nothing', async () => {
    const r = await cairnAsync(args, env());
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/opened\s+#1 cairn\/dev\/redis\//);
    expect(r.stdout).toContain('dashboard: #2');
    expect([...server.pulls.values()].map((p) => p.title)).toEqual([
      expect.stringMatching(/^chore\(deps\): upgrade redis 7\.2\.4 -> 8\.0\.\d+ on dev$/),
    ]);
    const again = await cairnAsync([...args, '--format', 'json'], env());
    expect(again.code).toBe(0);
    const report = JSON.parse(again.stdout) as { actions: { kind: string }[] };
    expect(report.actions.map((a) => a.kind)).toContain('unchanged');
    expect(server.pulls.size).toBe(1);
    expect(r.stdout + r.stderr + again.stdout + again.stderr).not.toContain(TOKEN);
  });

  it('exits 2 without credentials or with a malformed --github', async () => {
    const none = await cairnAsync(args, { GITHUB_API_URL: server.url });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('reconcile needs credentials');
    const bad = await cairnAsync(['reconcile', '--github', 'not a repo'], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--github takes OWNER/REPO');
  });
});
