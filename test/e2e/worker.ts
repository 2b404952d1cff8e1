// The service as the Worker build in real workerd (`wrangler dev`, local mode, the
// repository's wrangler.toml and its Durable Object store), for `WorldOptions.remote`.
// workerd keeps its own (real) clock, so a world on it starts at the real time and only
// short journeys fit: the agents' signatures allow 5 minutes of skew.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../support/fixtures.ts';
import type { RemoteService } from './world.ts';

export const WRANGLER = join(repoRoot, 'node_modules/wrangler/bin/wrangler.js');
export const canRunWorkerd = () => existsSync(WRANGLER) && Number(process.versions.node.split('.')[0]) >= 22;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export function workerd(): RemoteService & { output(): string } {
  let child: ChildProcess | undefined;
  let out = '';
  let persist = '';
  return {
    output: () => out,
    async start(vars) {
      persist = mkdtempSync(join(tmpdir(), 'cairn-e2e-wrangler-'));
      const port = await freePort();
      child = spawn(
        process.execPath,
        [
          WRANGLER,
          'dev',
          '--ip',
          '127.0.0.1',
          '--port',
          String(port),
          '--inspector-port',
          '0',
          '--test-scheduled',
          '--persist-to',
          persist,
          ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
        ],
        {
          cwd: repoRoot,
          env: {
            ...process.env,
            WRANGLER_SEND_METRICS: 'false',
            CLOUDFLARE_CF_FETCH_ENABLED: 'false',
            NO_COLOR: '1',
          },
        },
      );
      child.stdout!.on('data', (d) => (out += String(d)));
      child.stderr!.on('data', (d) => (out += String(d)));
      const end = Date.now() + 120_000;
      while (!/Ready on http:\/\/\S+/.test(out)) {
        if (Date.now() > end || child.exitCode !== null)
          throw new Error(`wrangler dev did not start:\n${out}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      return { url: `http://127.0.0.1:${port}` };
    },
    async cron(url) {
      const res = await fetch(`${url}/__scheduled?cron=${encodeURIComponent('*/5 * * * *')}`);
      if (!res.ok) throw new Error(`__scheduled: ${res.status}`);
    },
    async stop() {
      if (child && child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child!.once('exit', r));
      }
      if (persist) rmSync(persist, { recursive: true, force: true });
    },
  };
}
