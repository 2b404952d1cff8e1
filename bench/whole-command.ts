// The whole `cairn plan --format json` as a user runs it: the compiled CLI in a
// fresh process, on fleets made by ../shared/bench/gen-gitops-repo.mjs (3, 100
// and 1,000 clusters), plus `cairn --version`. Wall time and peak RSS are the
// process's own (GNU time), medians over the runs, with user+sys CPU (the
// steadier figure on a shared machine); every plan is scored against the
// generator's --truth list of pins.
// Run: scripts/with-node.sh node bench/whole-command.ts [--runs N]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './targets.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const generator = join(root, '../shared/bench/gen-gitops-repo.mjs');
const cli = join(root, 'bin/cairn.js');
const NOW = '2026-11-21T09:00:00Z';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** One run of the CLI under GNU time: wall ms, user+sys CPU ms, peak RSS MiB and stdout. */
function timed(args: string[]): { ms: number; cpu: number; mib: number; stdout: string } {
  const out = join(tmpdir(), `cairn-bench-time-${process.pid}`);
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', '-o', out, cli, ...args], {
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`cairn ${args.join(' ')} failed: ${r.stderr}`);
  const [secs, kb, user, sys] = readFileSync(out, 'utf8').trim().split(' ').map(Number) as [
    number,
    number,
    number,
    number,
  ];
  rmSync(out, { force: true });
  return { ms: secs * 1000, cpu: (user + sys) * 1000, mib: kb / 1024, stdout: r.stdout };
}

interface Pin {
  file: string;
  line: number;
  value: string;
}

/** Targets that match a pin (same file and line, the pin's value ending in the target's version). */
function score(planJson: string, truthFile: string) {
  const plan = JSON.parse(planJson) as {
    targets: { target: { file: string; line: number }; current: string }[];
  };
  const pins = (JSON.parse(readFileSync(truthFile, 'utf8')) as { pins: Pin[] }).pins;
  const byPlace = new Map(pins.map((p) => [`${p.file}:${p.line}`, p.value]));
  let found = 0;
  for (const t of plan.targets) {
    const value = byPlace.get(`${t.target.file}:${t.target.line}`);
    if (value !== undefined && (value === t.current || value.endsWith(`:${t.current}`))) found++;
  }
  return {
    targets: plan.targets.length,
    found,
    falsePositives: plan.targets.length - found,
    pins: pins.length,
  };
}

export async function runWholeCommandBench(runs = 5): Promise<BenchRow[]> {
  if (!existsSync(generator)) {
    process.stderr.write(`SKIP whole-command bench: ${generator} not found\n`);
    return [];
  }
  if (!existsSync('/usr/bin/time')) {
    process.stderr.write(
      'SKIP whole-command bench: GNU time (/usr/bin/time, Debian package `time`) not found\n',
    );
    return [];
  }
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  const work = mkdtempSync(join(tmpdir(), 'cairn-bench-'));
  const rows: BenchRow[] = [];
  try {
    const version = Array.from({ length: runs }, () => timed(['--version']).ms);
    rows.push({ name: 'cairn --version', median: median(version), unit: 'ms', limit: 150, runs });
    const perFile: Record<number, { ms: number; files: number }> = {};
    for (const clusters of [3, 100, 1000]) {
      const dir = join(work, `c${clusters}`);
      const truth = join(work, `c${clusters}.truth.json`);
      execFileSync(
        process.execPath,
        [generator, dir, '--clusters', String(clusters), '--seed', '1', '--truth', truth],
        {
          stdio: 'ignore',
        },
      );
      const files = (JSON.parse(readFileSync(truth, 'utf8')) as { files: number }).files;
      const results = Array.from({ length: runs }, () =>
        timed(['plan', '--repo', dir, '--format', 'json', '--now', NOW]),
      );
      const s = score(results[0]!.stdout, truth);
      const ms = median(results.map((r) => r.ms));
      perFile[clusters] = { ms, files };
      const limit = clusters === 1000 ? 2500 : clusters === 3 ? 400 : Number.NaN;
      rows.push({
        name: `plan, ${clusters} clusters (${files} files): wall`,
        median: ms,
        unit: 'ms',
        limit,
        runs,
      });
      rows.push({
        name: `plan, ${clusters} clusters: user+sys CPU`,
        median: median(results.map((r) => r.cpu)),
        unit: 'ms',
        limit: Number.NaN,
        runs,
      });
      rows.push({
        name: `plan, ${clusters} clusters: peak RSS`,
        median: median(results.map((r) => r.mib)),
        unit: 'MiB',
        limit: clusters === 1000 ? 200 : Number.NaN,
        runs,
      });
      process.stderr.write(
        `${clusters} clusters: ${s.targets} targets, ${s.found} match a --truth pin, ${s.falsePositives} false positives, ${s.pins - s.found} pins not targeted (of ${s.pins})\n`,
      );
    }
    const a = perFile[100]!;
    const b = perFile[1000]!;
    rows.push({
      name: 'plan: ms per added file, 100 -> 1,000 clusters',
      median: (b.ms - a.ms) / (b.files - a.files),
      unit: 'ms',
      limit: Number.NaN,
      runs,
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { formatBenchTable } = await import('./targets.ts');
  const i = process.argv.indexOf('--runs');
  console.log(formatBenchTable(await runWholeCommandBench(i > 0 ? Number(process.argv[i + 1]) : 5)));
}
