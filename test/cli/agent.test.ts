// `cairn agent` as a process: it reads the test Kubernetes API server through
// a kubeconfig and POSTs signed snapshots to a receiver that verifies them.
import { systemClock } from '../../lib/node/clock.ts';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Snapshot, verifySnapshot } from '../../lib/agent/index.ts';
import { memoryStore } from '../../lib/store/index.ts';
import { repoRoot } from '../support/fixtures.ts';
import { pods, redisCluster } from '../support/gate-world.ts';
import { startKubeServer, type KubeTestServer } from '../support/kube-server/index.ts';

const SECRET = 'cli-agent-secret-0123456789abcdef';

describe('cairn agent', () => {
  let kube: KubeTestServer;
  afterEach(() => kube?.stop());

  it('pushes a verified snapshot of the cluster, and stops cleanly on SIGTERM', async () => {
    kube = await startKubeServer([redisCluster('Healthy'), ...pods('redis:7.4.1')]);
    const dir = mkdtempSync(join(tmpdir(), 'cairn-agent-'));
    writeFileSync(join(dir, 'kubeconfig'), kube.kubeconfig());
    const seen = memoryStore(systemClock);
    const got: Snapshot[] = [];
    let onSnapshot!: () => void;
    const first = new Promise<void>((r) => (onSnapshot = r));
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        void verifySnapshot(body, req.headers as Record<string, string>, SECRET, new Date(), seen).then(
          (v) => {
            res.writeHead(v.ok ? 204 : 401).end();
            if (v.ok) {
              got.push(v.snapshot);
              if (v.snapshot.objects.some((o) => o.kind === 'RedisCluster')) onSnapshot();
            }
          },
        );
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const port = (receiver.address() as { port: number }).port;
    const child = spawn(
      process.execPath,
      [
        'cli/main.ts',
        'agent',
        '--cluster',
        'prod',
        '--push',
        `http://127.0.0.1:${port}/snapshots`,
        '--kubeconfig',
        join(dir, 'kubeconfig'),
        '--agent-id',
        'agent-test',
      ],
      { cwd: repoRoot, env: { ...process.env, CAIRN_AGENT_SECRET: SECRET, CAIRN_LOG_FORMAT: 'json' } },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    await first;
    child.kill('SIGTERM');
    const code = await exited;
    receiver.close();
    expect(code).toBe(0);
    expect(got[0]).toMatchObject({ version: 1, kind: 'snapshot', cluster: 'prod', agent: 'agent-test' });
    expect(stderr).not.toContain(SECRET);
    expect(stderr).toContain('agent: stopped');
  });

  it('refuses to start without a signing secret', async () => {
    const child = spawn(
      process.execPath,
      ['cli/main.ts', 'agent', '--cluster', 'prod', '--push', 'http://127.0.0.1:9/x'],
      {
        cwd: repoRoot,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
      },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(2);
    expect(stderr).toContain('CAIRN_AGENT_SECRET is not set');
  });
});
