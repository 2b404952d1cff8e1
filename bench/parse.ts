// Benchmark of reading hostile YAML: each shape of test/support/yaml-shapes.ts
// at 2 MiB (the default file size limit), read the two ways cairn reads
// files: the scanner's parseFile (repository files) and parseYaml (policies,
// feeds, cluster state). Each shape runs in a fresh child process so its peak
// RSS is its own; we report the median wall time of a few runs and that peak.
// The requirement is "well under a second" per 2 MB file, memory bounded by
// the size limit; the yaml library's own tokenizer dominates what is left.
// Run: scripts/with-node.sh node bench/parse.ts
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseYaml } from '../lib/input.ts';
import { parseFile } from '../lib/targets/yaml-file.ts';
import { yamlShapes } from '../test/support/yaml-shapes.ts';
import type { BenchRow } from './targets.ts';

const SIZE = 2 * 1024 * 1024 - 64;
const RUNS = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** In the child: time one shape, both readers, `RUNS` times; print ms and peak RSS (MB). */
function runOne(name: string): void {
  const text = yamlShapes(SIZE)[name]!;
  const base = process.memoryUsage().rss;
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    parseFile('x.yaml', text);
    try {
      parseYaml(text, 'x.yaml', z.any());
    } catch {
      // refused with a reason: that is an outcome, not a failure
    }
    times.push(performance.now() - start);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1000);
  }
  const peak = process.resourceUsage().maxRSS / 1024;
  console.log(
    JSON.stringify({ ms: median(times) / 2, cpu: median(cpu) / 2, peak, base: base / 1024 / 1024 }),
  );
}

export function runParseBench(): BenchRow[] {
  const rows: BenchRow[] = [];
  const self = fileURLToPath(import.meta.url);
  for (const name of Object.keys(yamlShapes(16))) {
    const out = execFileSync(process.execPath, [self, '--one', name], { encoding: 'utf8' });
    const r = JSON.parse(out.trim().split('\n').at(-1)!) as { ms: number; cpu: number; peak: number };
    rows.push({
      name: `parse 2 MiB, per reader: ${name}`,
      median: r.ms,
      unit: 'ms',
      limit: 1000,
      runs: RUNS,
    });
    // CPU time (user + system, GC threads included) depends less on a loaded machine than wall time.
    rows.push({ name: `parse 2 MiB: ${name}: CPU`, median: r.cpu, unit: 'ms', limit: 1000, runs: RUNS });
    rows.push({ name: `parse 2 MiB: ${name}: peak RSS`, median: r.peak, unit: 'MB', limit: 500, runs: 1 });
  }
  return rows;
}

if (process.argv[2] === '--one') runOne(process.argv[3]!);
else if (import.meta.url === `file://${process.argv[1]}`) {
  const { formatBenchTable } = await import('./targets.ts');
  console.log(formatBenchTable(runParseBench()));
}
