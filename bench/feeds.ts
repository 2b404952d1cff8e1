// Benchmark of release feeds: `cairn feeds snapshot` polling 200 sources
// (100 GitHub release lists, 60 OCI repositories, 40 Helm indexes) on a local
// server in a child process, where nothing changed since the last poll.
// Figures: requests the poll made, how many were conditional and answered
// 304, the GitHub rate limit spent, and the CPU time of the whole command
// (user + system, in this process; the server's CPU is not counted), with
// the default SQLite store (CAIRN_STORE) keeping the validators.
// Medians over the runs. Run: scripts/with-node.sh node bench/feeds.ts
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { main } from '../cli/main.ts';
import type { BenchRow } from './targets.ts';

const GITHUB = 100;
const OCI = 60;
const HELM = 40;
const SOURCES = GITHUB + OCI + HELM;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Child process: the feed server with 200 sources' worth of data; prints its URL. */
async function serve(): Promise<void> {
  const { startFeedServer } = await import('../test/support/feed-server.ts');
  const server = await startFeedServer();
  for (let i = 0; i < GITHUB; i++)
    server.github.set(`bench/r${i}`, [
      { tag: '7.4.1', published: '2024-10-02T11:00:00Z', body: 'notes' },
      { tag: '7.2.5', published: '2024-05-16T09:00:00Z' },
    ]);
  for (let i = 0; i < OCI; i++)
    server.registry.set(`bench/img${i}`, {
      tags: {
        '7.2.4': { created: '2024-01-09T18:00:00Z' },
        '7.4.1': { created: '2024-10-02T11:00:00Z' },
        latest: {},
      },
    });
  for (let i = 0; i < HELM; i++)
    server.helm.set(`/charts/c${i}/index.yaml`, {
      redis: [
        { version: '7.2.4', created: '2024-01-09T18:00:00Z' },
        { version: '7.4.1', created: '2024-10-02T11:00:00Z' },
      ],
    });
  process.stdout.write(`${server.url}\n`);
}

async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((res, rej) => {
    child.stdout!.once('data', (d: Buffer) => res(d.toString().trim()));
    child.once('exit', (code) => rej(new Error(`feed server exited with ${code}`)));
  });
  return { url, child };
}

interface Stats {
  requests: number;
  notModified: number;
  conditional: number;
  rateLimit: { remaining: number };
}

export async function runFeedsBench(opts: { runs?: number } = {}): Promise<BenchRow[]> {
  const runs = opts.runs ?? 5;
  const { url, child } = await startServer();
  const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-feeds-'));
  try {
    const sources = [
      ...Array.from({ length: GITHUB }, (_, i) => ({
        component: 'redis',
        type: 'github-releases',
        repo: `bench/r${i}`,
        baseUrl: url,
        token: 'CAIRN_FEED_BENCH_TOKEN',
        replace: true,
      })),
      ...Array.from({ length: OCI }, (_, i) => ({
        component: 'redis',
        type: 'oci',
        registry: url,
        repository: `bench/img${i}`,
        replace: true,
      })),
      ...Array.from({ length: HELM }, (_, i) => ({
        component: 'redis',
        type: 'helm',
        url: `${url}/charts/c${i}`,
        chart: 'redis',
        replace: true,
      })),
    ];
    // ttl 0s: every poll asks every source (conditionally), as a cron run after the TTL would.
    writeFileSync(
      join(dir, 'policy.yaml'),
      stringify({ apiVersion: 'cairn.dev/v1alpha1', kind: 'Policy', feeds: { ttl: '0s', sources } }),
    );
    const poll = async () => {
      let out = '';
      const code = await main(['feeds', 'snapshot', '--component', 'redis', '--policies', dir], {
        stdout: (t) => void (out += t),
        stderr: (t) => void process.stderr.write(t),
        env: {
          CAIRN_STORE: `sqlite:${join(dir, 'state.db')}`,
          CAIRN_FEED_BENCH_TOKEN: 'bench-token',
          CAIRN_LOG_LEVEL: 'error',
          CAIRN_LOG_FORMAT: 'json',
        },
        cwd: dir,
        isTTY: false,
      });
      if (code !== 0 || !out.includes('"7.4.1"')) throw new Error(`feeds snapshot failed (exit ${code})`);
    };
    const stats = async (): Promise<Stats> => (await (await fetch(`${url}/__stats`)).json()) as Stats;
    await poll(); // warm: the first read of every source, validators kept in the SQLite store
    const cpu: number[] = [];
    const requests: number[] = [];
    const notModified: number[] = [];
    const cost: number[] = [];
    for (let r = 0; r < runs; r++) {
      await fetch(`${url}/__reset`);
      const before = (await stats()).rateLimit.remaining;
      const start = process.cpuUsage();
      await poll();
      const used = process.cpuUsage(start);
      const s = await stats();
      cpu.push((used.user + used.system) / 1000);
      requests.push(s.requests);
      notModified.push(s.notModified);
      cost.push(before - s.rateLimit.remaining);
    }
    if (median(requests) !== SOURCES || median(notModified) !== SOURCES)
      throw new Error(
        `expected ${SOURCES} conditional requests answered 304, got ${median(requests)} / ${median(notModified)}`,
      );
    return [
      {
        name: `feeds: poll ${SOURCES} unchanged sources: requests`,
        median: median(requests),
        unit: 'req',
        limit: SOURCES + 1,
        runs,
      },
      {
        name: 'feeds: of which answered 304 (conditional)',
        median: median(notModified),
        unit: 'req',
        limit: Number.NaN,
        runs,
      },
      { name: 'feeds: GitHub rate limit spent', median: median(cost), unit: 'calls', limit: 1, runs },
      {
        name: 'feeds: CPU of the whole command (user+sys)',
        median: median(cpu),
        unit: 'ms',
        limit: 2000,
        runs,
      },
    ];
  } finally {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === '--serve') await serve();
  else {
    const { formatBenchTable } = await import('./targets.ts');
    console.log(formatBenchTable(await runFeedsBench()));
  }
}
