// The core (everything in lib/ but the Node adapters in lib/node/) must run on
// Node, in workerd and inside the service: it imports no Node built-in and reads
// neither the disk, the environment nor the clock (those come in as inputs).
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/fixtures.ts';

const lib = join(repoRoot, 'lib');
/** Folders whose modules are Node adapters by design. */
const ADAPTERS = ['node/'];

function coreModules(dir = lib): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    const rel = relative(lib, path).split('\\').join('/');
    if (e.isDirectory()) return ADAPTERS.includes(`${rel}/`) ? [] : coreModules(path);
    return e.name.endsWith('.ts') ? [rel] : [];
  });
}

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const FORBIDDEN: [RegExp, string][] = [
  [/\bprocess\.(env|cwd|argv|stdout|stderr|exit|hrtime)\b/, 'reads the process environment'],
  [/\bDate\.now\(\)/, 'reads the clock (take a Clock or `now` as input)'],
  [/new Date\(\)/, 'reads the clock (take a Clock or `now` as input)'],
  [/\bperformance\.now\(\)/, 'reads the clock'],
];

describe('the core is runtime-neutral', () => {
  const modules = coreModules();

  it('finds the core modules', () => {
    expect(modules).toContain('plan-repository.ts');
    expect(modules).toContain('planner/plan.ts');
    expect(modules.some((m) => m.startsWith('node/'))).toBe(false);
  });

  it('imports no Node built-in and reads no environment or clock', () => {
    const problems: string[] = [];
    for (const m of modules) {
      const text = readFileSync(join(lib, m), 'utf8');
      for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
        if (builtins.has(spec!)) problems.push(`lib/${m} imports ${spec}`);
        if (spec!.startsWith('.') && spec!.includes('/node/'))
          problems.push(`lib/${m} imports the adapter ${spec}`);
      }
      text.split('\n').forEach((line, i) => {
        if (/^\s*(\/\/|\*)/.test(line)) return;
        for (const [re, why] of FORBIDDEN) if (re.test(line)) problems.push(`lib/${m}:${i + 1} ${why}`);
      });
    }
    expect(problems).toEqual([]);
  });

  it('bundles for workerd (no Node platform, every core module reachable)', async () => {
    const entry = modules.map((m) => `export * as m${modules.indexOf(m)} from './${m}';`).join('\n');
    const result = await build({
      stdin: { contents: entry, resolveDir: lib, loader: 'ts', sourcefile: 'core-entry.ts' },
      bundle: true,
      write: false,
      platform: 'neutral',
      conditions: ['workerd', 'worker', 'browser'],
      mainFields: ['module', 'main'],
      format: 'esm',
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    expect(result.outputFiles[0]!.text.length).toBeGreaterThan(100_000);
  });
});
