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

  it('pushes a verified snapshot of the cluster, and on SIGTERM aborts its watches and exits 0 at once', async () => {
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
    // Every resource is being watched, and the server would keep each stream open for 25 s.
    while (kube.openWatches < 10) await new Promise((r) => setTimeout(r, 20));
    const killedAt = Date.now();
    child.kill('SIGTERM');
    const code = await exited;
    const tookMs = Date.now() - killedAt;
    receiver.close();
    expect(code).toBe(0);
    // Prompt: the watches are aborted, not waited out (a generous bound; it takes well under 1 s).
    expect(tookMs).toBeLessThan(10_000);
    expect(got[0]).toMatchObject({ version: 1, kind: 'snapshot', cluster: 'prod', agent: 'agent-test' });
    expect(stderr).not.toContain(SECRET);
    const stopped = stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; level: string; signal?: string })
      .filter((l) => l.level !== 'debug');
    expect(stopped.find((l) => l.msg === 'agent: stopped')).toMatchObject({ signal: 'SIGTERM' });
    // A clean shutdown: nothing failed on the way out.
    expect(stopped.filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
  }, 30_000);

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
