// Benchmark of the functions: CPU per webhook that needs no work (a duplicate delivery,
// an event cairn does not act on, a release of a repository no source reads), through
// the whole app (Hono routing, the 1 MB body bound, signature check, store dedupe), and
// the Worker bundle's gzipped size (esbuild with the workerd conditions, as wrangler
// bundles it). Targets: under 5 ms of CPU per such webhook (the Workers free plan allows
// 10 ms), under 1 MiB gzipped. Medians over RUNS runs of BATCH deliveries each.
// Run: scripts/with-node.sh node bench/functions.ts
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { createApp } from '../functions/app.ts';
import { memoryStore } from '../lib/store/index.ts';
import { fixturesDir, repoRoot } from '../test/support/fixtures.ts';
import type { BenchRow } from './targets.ts';

const RUNS = 7;
const BATCH = 200;
const SECRET = 'bench-webhook-secret-0001';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function payload(name: string): string {
  const file = join(fixturesDir, 'github-webhooks/octokit-webhooks/payload-examples/api.github.com', name);
  try {
    return readFileSync(file, 'utf8');
  } catch {
    // Without the shared fixtures: a payload of the same size and shape class.
    return JSON.stringify({
      action: 'completed',
      repository: { full_name: 'acme/other' },
      pad: 'x'.repeat(12_000),
    });
  }
}

export async function cpuPerWebhook(
  name: string,
  event: string,
  body: string,
  deliveryFor: (i: number) => string,
): Promise<BenchRow> {
  const store = memoryStore({ now: () => Date.now() });
  const cairn = createApp({
    store: () => store,
    clock: { now: () => Date.now() },
    instance: 'bench',
    write: () => {},
  });
  const env = {
    GITHUB_WEBHOOK_SECRET: SECRET,
    GITHUB_TOKEN: 'bench-token',
    CAIRN_REPOSITORIES: 'acme/fleet',
  };
  // The repository's feed sources, as a first plan keeps them (so no GitHub read is due).
  await store.put('functions:sources:acme/fleet', '[]');
  const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
  const send = (i: number) =>
    cairn.app.request(
      '/webhooks/github',
      {
        method: 'POST',
        headers: {
          'x-github-event': event,
          'x-github-delivery': deliveryFor(i),
          'x-hub-signature-256': signature,
        },
        body,
      },
      env,
    );
  for (let i = 0; i < 50; i++) await send(-1 - i); // warm up (JIT, first service build)
  const perRun: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const start = process.cpuUsage();
    for (let i = 0; i < BATCH; i++) {
      const res = await send(r * BATCH + i);
      if (res.status !== 200) throw new Error(`${name}: HTTP ${res.status}`);
      await res.arrayBuffer();
    }
    const used = process.cpuUsage(start);
    perRun.push((used.user + used.system) / 1000 / BATCH);
  }
  return { name: `functions: CPU per ${name}`, median: median(perRun), unit: 'ms', limit: 5, runs: RUNS };
}

async function bundleSize(): Promise<BenchRow> {
  const sizes: number[] = [];
  for (let r = 0; r < 3; r++) {
    const result = await build({
      entryPoints: [join(repoRoot, 'functions/worker.ts')],
      bundle: true,
      write: false,
      minify: true,
      platform: 'neutral',
      conditions: ['workerd', 'worker', 'browser'],
      mainFields: ['module', 'main'],
      format: 'esm',
      logLevel: 'silent',
    });
    sizes.push(gzipSync(result.outputFiles[0]!.contents).length / 1024);
  }
  return {
    name: 'functions: Worker bundle, gzipped',
    median: median(sizes),
    unit: 'KiB',
    limit: 1024,
    runs: 3,
  };
}

export async function runFunctionsBench(): Promise<BenchRow[]> {
  const release = payload('release/published.payload.json');
  const checkRun = payload('check_run/completed.payload.json');
  return [
    await cpuPerWebhook('duplicate delivery', 'release', release, () => 'same-delivery'),
    await cpuPerWebhook('irrelevant event (check_run.completed)', 'check_run', checkRun, (i) => `d-${i}`),
    await cpuPerWebhook('release no source reads', 'release', release, (i) => `r-${i}`),
    await bundleSize(),
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { formatBenchTable } = await import('./targets.ts');
  console.log(formatBenchTable(await runFunctionsBench()));
}
