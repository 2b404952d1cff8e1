// Benchmark of the PR engine against the GitHub-compatible test server, driven by the
// real Octokit. Reports:
//   - content-creating requests per new step (tree, commit, ref, PR, labels+assignees,
//     reviewers, status, auto-merge): limit 8;
//   - an idle reconcile: its requests, how many were not conditional (limit 0) and how
//     many were rate limited (limit 0);
//   - incremental planning on a generated fleet (../shared/bench/gen-gitops-repo.mjs,
//     1,000 clusters, 10,000 files): requests and CPU time to re-plan after a push that
//     changes one file (limits 3 requests, 100 ms), and the cold plan for reference. Three
//     kinds of push: one that moves no pinned version and no line of one (a comment at the
//     end of a file; most pushes to a GitOps repository touch other things), answered from
//     the scan memo and the plan memo; one that moves the lines of a file's targets (a
//     comment at its top: the last plan with those lines moved; the first such push after
//     a plan indexes where the plan names lines); and one that moves a version in a
//     staging cluster (promotion to production changes), planned again.
// Run: scripts/with-node.sh node bench/github.ts
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPlanMemo, createScanMemo, planTree, reconcile, storeScanCache } from '../lib/engine/index.ts';
import { catalogReleases } from '../lib/feed.ts';
import { githubProvider } from '../lib/git/github.ts';
import { memoryBlobCache, treeReader } from '../lib/git/reader.ts';
import { loadShippedCatalog } from '../lib/node/files.ts';
import { startGitHubServer, type GitHubTestServer } from '../test/support/github-server/index.ts';
import { type BenchRow, formatBenchTable } from './targets.ts';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const NOW = new Date('2026-11-21T09:00:00Z');
const catalog = loadShippedCatalog();
const releases = catalogReleases(catalog);
const clock = { now: () => Date.now() };

function git(cwd: string, ...args: string[]): void {
  const r = spawnSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@localhost', ...args], { cwd });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
}

function host(server: GitHubTestServer) {
  return githubProvider({
    owner: server.owner,
    repo: server.repo,
    auth: { token: 'test-token' },
    baseUrl: server.url,
    clock,
    writeSpacing: 'none',
  });
}

const row = (name: string, median: number, unit: string, limit = Number.NaN): BenchRow => ({
  name,
  median,
  unit,
  limit,
  runs: 1,
});

async function engineRows(): Promise<BenchRow[]> {
  const seed = mkdtempSync(join(tmpdir(), 'cairn-bench-github-'));
  cpSync(join(root, 'examples/flux-fleet'), seed, { recursive: true });
  git(seed, 'init', '-q', '-b', 'main');
  git(seed, 'add', '-A');
  git(seed, 'commit', '-q', '-m', 'fleet');
  const server = await startGitHubServer({ seedFrom: seed });
  try {
    const gh = host(server);
    const cache = memoryBlobCache();
    const run = () =>
      reconcile({
        host: gh,
        cache,
        windowOpen: true,
        settings: () => ({ reviewers: ['alice'], assignees: ['bob'], autoMerge: true }),
        plan: (repo) => planTree(repo, { catalog, releases, now: NOW }),
      });
    const first = await run();
    const opened = first.actions.filter((a) => a.kind === 'opened').length;
    // Writes for the steps: everything but the dashboard issue's.
    const dashboard = (path: string) =>
      path.endsWith('/issues') || server.issues.has(Number(/\/issues\/(\d+)$/.exec(path)?.[1]));
    const stepWrites = server.log.filter((r) => r.method !== 'GET' && !dashboard(r.path)).length;
    await run();
    const from = server.log.length;
    await run();
    const idle = server.log.slice(from);
    return [
      row(
        `github: content-creating requests per new step (${opened} steps; ≤ 8)`,
        stepWrites / opened,
        'req',
        9,
      ),
      row('github: requests per idle reconcile', idle.length, 'req'),
      row(
        'github: non-conditional requests per idle reconcile',
        idle.filter((r) => !r.conditional).length,
        'req',
        1,
      ),
      row(
        'github: rate-limited requests per idle reconcile',
        idle.filter((r) => r.status === 403 || r.status === 429).length,
        'req',
        1,
      ),
    ];
  } finally {
    await server.stop();
    rmSync(seed, { recursive: true, force: true });
  }
}

async function incrementalRows(): Promise<BenchRow[]> {
  const generator = resolve(root, '../shared/bench/gen-gitops-repo.mjs');
  if (!existsSync(generator)) {
    console.error('SKIP incremental: ../shared/bench/gen-gitops-repo.mjs not found');
    return [];
  }
  const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-fleet-'));
  const out = join(dir, 'repo');
  const gen = spawnSync(process.execPath, [generator, out, '--clusters', '1000', '--seed', '1']);
  if (gen.status !== 0) throw new Error(`generator failed: ${gen.stderr}`);
  const server = await startGitHubServer({ seedFrom: out });
  try {
    const gh = host(server);
    const cache = memoryBlobCache();
    const scanCache = storeScanCache(undefined);
    const planMemo = createPlanMemo();
    const scanMemo = createScanMemo();
    const memos = { scanCache, planMemo, scanMemo };
    const readerAt = async () => treeReader(gh, await gh.listTree((await gh.resolveBranch('main'))!), cache);
    let n = server.log.length;
    let t = performance.now();
    const cold = await planTree(await readerAt(), { catalog, releases, now: NOW, ...memos });
    const coldMs = performance.now() - t;
    const coldReq = server.log.length - n;
    const cpuOf = async (f: () => Promise<unknown>) => {
      const before = process.cpuUsage();
      await f();
      const used = process.cpuUsage(before);
      return (used.user + used.system) / 1000;
    };
    // The scan cache and plan memo alone (the round before the scan memo), for the ratio.
    const without = { scanCache, planMemo: createPlanMemo() };
    await planTree(await readerAt(), { catalog, releases, now: NOW, ...without });
    const requests: number[] = [];
    const withScanCache: number[] = [];
    const withoutScanMemo: number[] = [];
    const blobsOnly: number[] = [];
    const wall: number[] = [];
    // Pushes that each change one file (a different target file each time).
    const files = [...new Set(cold.inventory.targets.map((x) => x.file))];
    for (let i = 0; i < 7; i++) {
      const file = files[(i * 997) % files.length]!;
      const text = server.git(['show', `main:${file}`]);
      server.commitFiles('main', { [file]: `${text}# touched ${i}\n` }, `one-file push ${i}`);
      n = server.log.length;
      t = performance.now();
      // The reads of a re-plan: the moved ref, the new tree, the changed blob (the rest is cached).
      const reader = await readerAt();
      await reader.read(file);
      requests.push(server.log.length - n);
      // Then scan and plan, measured alone (the test server shares this process).
      let warm: Awaited<ReturnType<typeof planTree>> | undefined;
      withScanCache.push(
        await cpuOf(async () => {
          warm = await planTree(reader, { catalog, releases, now: NOW, ...memos });
        }),
      );
      wall.push(performance.now() - t);
      if (server.log.length - n !== requests.at(-1))
        throw new Error('the re-plan read more than the changed blob');
      withoutScanMemo.push(await cpuOf(() => planTree(reader, { catalog, releases, now: NOW, ...without })));
      // Before the scan cache: blobs cached, every file scanned again.
      let full: Awaited<ReturnType<typeof planTree>> | undefined;
      blobsOnly.push(
        await cpuOf(async () => {
          full = await planTree(reader, { catalog, releases, now: NOW });
        }),
      );
      if (JSON.stringify(warm!.plan) !== JSON.stringify(full!.plan))
        throw new Error('the re-plan from the scan cache differs from a full scan');
    }
    if (scanMemo.stats.reused < withScanCache.length) throw new Error('a one-file push was scanned in full');
    /** Pushes `text` to `file`, then re-plans with the memos: its CPU, checked against a full plan. */
    const pushAndReplan = async (file: string, text: string, what: string) => {
      server.commitFiles('main', { [file]: text }, what);
      const reader = await readerAt();
      await reader.read(file);
      let warm: Awaited<ReturnType<typeof planTree>> | undefined;
      const cpu = await cpuOf(async () => {
        warm = await planTree(reader, { catalog, releases, now: NOW, ...memos });
      });
      const full = await planTree(reader, { catalog, releases, now: NOW });
      if (JSON.stringify(warm!.plan) !== JSON.stringify(full.plan))
        throw new Error(`the re-plan after a ${what} differs from a full plan`);
      return cpu;
    };
    // Pushes that each put a comment at the top of a target file: scanned from the memo, lines moved in the plan.
    const moved: number[] = [];
    const plannedBefore = planMemo.stats.planned;
    for (let i = 0; i < 7; i++) {
      const file = files[(i * 389 + 11) % files.length]!;
      const reused = scanMemo.stats.reused;
      moved.push(
        await pushAndReplan(file, `# moved ${i}\n${server.git(['show', `main:${file}`])}`, 'line push'),
      );
      if (scanMemo.stats.reused !== reused + 1)
        throw new Error('a push that moved lines was scanned in full');
      if (planMemo.stats.planned !== plannedBefore)
        throw new Error('a push that moved lines was planned again');
    }
    // Pushes that each move one version in a staging cluster: planned again (memo miss).
    const bumps: number[] = [];
    const staging = [
      ...new Set(cold.inventory.targets.filter((x) => x.environment === 'staging').map((x) => x.file)),
    ];
    for (let i = 0; i < 5; i++) {
      const file = staging[(i * 389) % staging.length]!;
      const text = server.git(['show', `main:${file}`]);
      const bumped = text.replace(
        /(version: *["']?\d+\.\d+\.)(\d+)/,
        (_m, a: string, p: string) => `${a}${Math.max(0, Number(p) - 1)}`,
      );
      if (bumped === text) continue;
      const planned = planMemo.stats.planned;
      bumps.push(await pushAndReplan(file, bumped, 'version push'));
      if (planMemo.stats.planned !== planned + 1) throw new Error('a version push was not planned again');
    }
    const count = (await gh.listTree((await gh.resolveBranch('main'))!)).entries.length;
    return [
      row(`github: cold plan of a ${count}-file fleet: requests`, coldReq, 'req'),
      row('github: cold plan: wall time', coldMs, 'ms'),
      row('github: re-plan after a one-file push: requests', median(requests), 'req', 4),
      row('github: re-plan after a one-file push: scan + plan CPU', median(withScanCache), 'ms', 100),
      row('github: same, without the scan memo (scan cache and plan memo)', median(withoutScanMemo), 'ms'),
      row('github: same, blob cache only (every file scanned again)', median(blobsOnly), 'ms'),
      row(
        "github: re-plan after a push that moves the lines of a file's targets: CPU",
        median(moved),
        'ms',
        100,
      ),
      row('github: same, the first after a plan (indexes where the plan names lines)', moved[0]!, 'ms'),
      ...(bumps.length
        ? [row('github: re-plan after a push that moves a staging version: CPU', median(bumps), 'ms')]
        : []),
      row('github: re-plan after a one-file push: wall time', median(wall), 'ms'),
    ];
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function runGitHubBench(): Promise<BenchRow[]> {
  return [...(await engineRows()), ...(await incrementalRows())];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(formatBenchTable(await runGitHubBench()));
}
