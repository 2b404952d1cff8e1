// Benchmark of reading hostile YAML: each shape of test/support/yaml-shapes.ts
// at 2 MiB (the default file size limit), read the two ways cairn reads
// files: the scanner's parseFile (repository files) and parseYaml (policies,
// feeds, cluster state). Reports the median of a few runs and the peak RSS.
// The requirement is "well under a second" per 2 MB file; the yaml library's
// own tokenizer dominates what is left.
// Run: scripts/with-node.sh node bench/parse.ts
import { z } from 'zod';
import { parseYaml } from '../lib/input.ts';
import { parseFile } from '../lib/targets/yaml-file.ts';
import { yamlShapes } from '../test/support/yaml-shapes.ts';
import type { BenchRow } from './targets.ts';

const SIZE = 2 * 1024 * 1024 - 64;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

export function runParseBench(runs = 3): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const [name, text] of Object.entries(yamlShapes(SIZE))) {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      parseFile('x.yaml', text);
      try {
        parseYaml(text, 'x.yaml', z.any());
      } catch {
        // refused with a reason: that is an outcome, not a failure
      }
      times.push(performance.now() - start);
    }
    rows.push({ name: `parse 2 MiB: ${name}`, median: median(times), unit: 'ms', limit: 1000, runs });
  }
  rows.push({
    name: 'parse: peak RSS',
    median: process.resourceUsage().maxRSS / 1024,
    unit: 'MB',
    limit: 500,
    runs: 1,
  });
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { formatBenchTable } = await import('./targets.ts');
  console.log(formatBenchTable(runParseBench()));
}
