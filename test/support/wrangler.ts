// The Worker build in real workerd: `wrangler dev` in local mode on 127.0.0.1, with the
// repository's wrangler.toml, its Durable Object store in a temporary folder, and the
// service's variables passed as `--var`. Offline: no metrics, no Cloudflare fetches.
// Used by the Worker tests, the e2e journey in workerd and bench/workerd-cpu.ts.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './fixtures.ts';

export const WRANGLER = join(repoRoot, 'node_modules/wrangler/bin/wrangler.js');
/** wrangler needs Node 22 or later, and its package installed. */
export const canRunWorkerd = () => existsSync(WRANGLER) && Number(process.versions.node.split('.')[0]) >= 22;

/** A port nothing listens on now (bound, read and released). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface WranglerDev {
  url: string;
  child: ChildProcess;
  /** What wrangler printed so far (the last 1 MB). */
  output(): string;
  stop(): Promise<void>;
}

export async function startWranglerDev(
  vars: Record<string, string>,
  opts: { testScheduled?: boolean; readyWithinMs?: number } = {},
): Promise<WranglerDev> {
  const persist = mkdtempSync(join(tmpdir(), 'cairn-wrangler-'));
  const port = await freePort();
  const child = spawn(
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
      ...(opts.testScheduled ? ['--test-scheduled'] : []),
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
  let out = '';
  const keep = (d: unknown) => (out = (out + String(d)).slice(-1_000_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(persist, { recursive: true, force: true });
  };
  const end = Date.now() + (opts.readyWithinMs ?? 120_000);
  while (!/Ready on http:\/\/\S+/.test(out)) {
    if (Date.now() > end || child.exitCode !== null) {
      await stop();
      throw new Error(`wrangler dev did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url: `http://127.0.0.1:${port}`, child, output: () => out, stop };
}
