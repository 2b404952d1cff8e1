// `cairn plan --kubeconfig NAME=FILE` plans against live clusters: the
// example's three cluster-state files are served by the test Kubernetes API
// server, one per cluster, and the plan must be the one the files give.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readClusterState } from '../../lib/cluster-state.ts';
import { RESOURCES } from '../../lib/cluster/resources.ts';
import { repoRoot } from '../support/fixtures.ts';
import { startKubeServer, type KubeTestServer } from '../support/kube-server/index.ts';
import { readFileSync } from 'node:fs';

const run = promisify(execFile);
const EXAMPLE = join(repoRoot, 'examples/argocd-fleet');
const ENVS = ['dev', 'staging', 'prod'] as const;
const served = (o: { apiVersion?: string; kind?: string }) =>
  RESOURCES.some(
    (r) => (r.group ? `${r.group}/${r.version}` : r.version) === o.apiVersion && r.kind === o.kind,
  );

async function cairn(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, ['cli/main.ts', ...args], {
      cwd: repoRoot,
      env: { ...process.env, CAIRN_POLICIES: '', CAIRN_LOG_FORMAT: 'json', CAIRN_LOG_LEVEL: 'warn' },
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

describe('cairn plan --kubeconfig', () => {
  const servers: KubeTestServer[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'cairn-kube-'));
  const base = [
    'plan',
    '--repo',
    EXAMPLE,
    '--now',
    '2026-11-21T09:00:00Z',
    '--feed',
    join(EXAMPLE, 'feed.yaml'),
    '--format',
    'json',
  ];

  beforeAll(async () => {
    for (const env of ENVS) {
      // prod's nodes move to Kubernetes 1.33, where the declared 1.27 no longer holds, so the facts change the plan.
      const text = readFileSync(join(EXAMPLE, `cluster-state/${env}.yaml`), 'utf8').replaceAll(
        'v1.27.16-eks-2f46c53',
        'v1.33.1-eks-1',
      );
      const file = join(dir, `${env}.yaml`);
      writeFileSync(file, text);
      const state = readClusterState(text, file, env);
      const server = await startKubeServer(state.objects.filter(served));
      servers.push(server);
      writeFileSync(join(dir, `${env}.kubeconfig`), server.kubeconfig());
    }
  });
  afterAll(async () => {
    for (const s of servers) await s.stop();
  });

  it('gives the same plan as the cluster-state files the clusters were loaded from', async () => {
    const fromFiles = await cairn(
      ...base,
      ...ENVS.flatMap((e) => ['--cluster-state', `${e}=${join(dir, `${e}.yaml`)}`]),
    );
    const live = await cairn(
      ...base,
      ...ENVS.flatMap((e) => ['--kubeconfig', `${e}=${join(dir, `${e}.kubeconfig`)}`]),
    );
    expect(live.stderr).toBe('');
    expect(live.code).toBe(fromFiles.code);
    expect(JSON.parse(live.stdout)).toEqual(JSON.parse(fromFiles.stdout));
    // …and the facts matter: without them the plan differs.
    const blind = await cairn(...base);
    expect(JSON.parse(blind.stdout)).not.toEqual(JSON.parse(live.stdout));
    // The readers really went to the API: Nodes and Deployments of every cluster were listed.
    for (const s of servers)
      expect(s.requests.map((q) => q.path)).toEqual(
        expect.arrayContaining(['/api/v1/nodes', '/apis/apps/v1/deployments']),
      );
  });

  it('an unreachable cluster is an error that names it, not a plan without its facts', async () => {
    const down = servers[2]!;
    down.setDown(true);
    const r = await cairn(...base, '--kubeconfig', `prod=${join(dir, 'prod.kubeconfig')}`);
    down.setDown(false);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('kubernetes (prod): cannot read the cluster');
  });
});
