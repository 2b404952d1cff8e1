// The functions run on Workers as well as Node: nothing in functions/ but the Node adapter
// (node.ts) imports a Node built-in, reads the process or imports lib/node/, and the
// Worker entry bundles for workerd (platform neutral, the workerd conditions) without
// node-cron, @hono/node-server or any Node-only module, under 1 MiB gzipped.
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/fixtures.ts';

const dir = join(repoRoot, 'functions');
const NODE_ADAPTER = 'node.ts';
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

describe('the functions are runtime-neutral', () => {
  // Sub-folders too (functions/dashboard/).
  const modules = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));

  it('only the Node adapter imports Node built-ins, lib/node or Node-only packages, or reads the process', () => {
    expect(modules).toContain('worker.ts');
    const problems: string[] = [];
    for (const m of modules.filter((x) => x !== NODE_ADAPTER)) {
      const text = readFileSync(join(dir, m), 'utf8');
      for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
        if (builtins.has(spec!)) problems.push(`functions/${m} imports ${spec}`);
        if (spec!.includes('/node/')) problems.push(`functions/${m} imports the adapter ${spec}`);
        if (spec === 'node-cron' || spec!.startsWith('@hono/node-server'))
          problems.push(`functions/${m} imports ${spec}`);
      }
      text.split('\n').forEach((line, i) => {
        if (!/^\s*(\/\/|\*)/.test(line) && /\bprocess\.\w+/.test(line))
          problems.push(`functions/${m}:${i + 1} reads process`);
      });
    }
    expect(problems).toEqual([]);
  });

  it('the Worker entry bundles for workerd, under 1 MiB gzipped', async () => {
    const result = await build({
      entryPoints: [join(dir, 'worker.ts')],
      bundle: true,
      write: false,
      minify: true,
      platform: 'neutral',
      conditions: ['workerd', 'worker', 'browser'],
      mainFields: ['module', 'main'],
      format: 'esm',
      metafile: true,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((i) => i.includes('node_modules/hono/'))).toBe(true);
    expect(
      inputs.filter((i) => /node-cron|@hono\/node-server|lib\/node\/|functions\/node\.ts/.test(i)),
    ).toEqual([]);
    const gz = gzipSync(result.outputFiles[0]!.contents).length;
    expect(gz).toBeLessThan(1024 * 1024);
  });
});
