// The scanner's per-blob cache: a re-plan after a push scans only the changed files, and
// what it plans is exactly what a full scan plans, whatever one file the push changed
// (including files other files depend on: Chart.yaml, kustomization.yaml, Flux
// Kustomizations, HelmRepositories).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createPlanMemo,
  type PlanMemo,
  planTree,
  scannerVersion,
  storeScanCache,
} from '../../../lib/engine/index.ts';
import { catalogReleases } from '../../../lib/feed.ts';
import type { GitReader, Tree } from '../../../lib/git/provider.ts';
import { treeReader } from '../../../lib/git/reader.ts';
import { loadShippedCatalog } from '../../../lib/node/files.ts';
import { memoryStore } from '../../../lib/store/index.ts';
import { repoRoot } from '../../support/fixtures.ts';
import { manualClock } from '../../support/store-contract.ts';
import { NOW } from './helpers.ts';

const catalog = loadShippedCatalog();
const releases = catalogReleases(catalog);
const enc = new TextEncoder();

function load(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

/** A Git repository in memory: blob ids name contents only, as in git. */
function gitOf(files: Map<string, string>): { git: GitReader & { reads: number }; tree: Tree } {
  const blobs = new Map<string, string>();
  const sha = (text: string) => {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    return `${(h >>> 0).toString(16).padStart(8, '0')}${text.length.toString(16).padStart(32, '0')}`;
  };
  const entries = [...files].map(([path, text]) => {
    const id = sha(text);
    blobs.set(id, text);
    return { path, mode: '100644', sha: id, size: enc.encode(text).byteLength };
  });
  const git = {
    reads: 0,
    resolveBranch: async () => 'c0ffee',
    listTree: async () => tree,
    readBlob: async (id: string) => {
      git.reads++;
      return enc.encode(blobs.get(id)!);
    },
  };
  const tree: Tree = { commit: 'c0ffee', tree: 'c0ffee', entries };
  return { git, tree };
}

async function plan(
  files: Map<string, string>,
  scanCache?: ReturnType<typeof storeScanCache>,
  planMemo?: PlanMemo,
) {
  const { git, tree } = gitOf(files);
  const stats = { cached: 0, scanned: 0 };
  const p = await planTree(treeReader(git, tree), {
    catalog,
    releases,
    now: NOW,
    ...(scanCache ? { scanCache, scanStats: stats } : {}),
    ...(planMemo ? { planMemo } : {}),
  });
  return { plan: p.plan, inventory: p.inventory, conventions: p.conventions, stats, reads: git.reads };
}

const fleets = ['examples/flux-fleet', 'examples/argocd-fleet'].map((d) => load(join(repoRoot, d)));

/** One-file changes a push may make, including to files that others depend on. */
const edits = [
  // Move a version token (the first digit run after a colon or a `version:`).
  (t: string) =>
    t.replace(
      /(version: *["']?|tag: *["']?|:)(\d+)\./,
      (_m, a: string, d: string) => `${a}${Number(d) + 1}.`,
    ),
  (t: string) => t.replace(/(\d+)\.(\d+)\.(\d+)/, (_m, a: string, b: string) => `${a}.${b}.0`),
  (t: string) => `${t}\n# touched\n`,
  (t: string) => t.replace(/name: *(\S+)/, 'name: renamed-$1'),
  (t: string) => t.replace(/url: *(\S+)/, 'url: https://charts.example.com/other'),
  (t: string) => t.replace(/path: *(\S+)/, 'path: ./elsewhere'),
  (t: string) => t.replace(/^/, 'not: [valid\n'),
];

describe('the scan cache', () => {
  it('a re-plan scans only the changed file and plans exactly what a full scan plans', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: fleets.length - 1 }),
        fc.nat(),
        fc.integer({ min: 0, max: edits.length + 1 }),
        async (which, pick, how) => {
          const files = fleets[which]!;
          const cache = storeScanCache(undefined);
          const first = await plan(files, cache);
          expect(first.stats.cached).toBe(0);
          const yaml = [...files.keys()].filter((p) => /\.ya?ml$/.test(p)).sort();
          const path = yaml[pick % yaml.length]!;
          const next = new Map(files);
          if (how === edits.length) next.delete(path);
          else if (how === edits.length + 1)
            next.set(path.replace(/\.ya?ml$/, '-copy.yaml'), files.get(path)!);
          else next.set(path, edits[how]!(files.get(path)!));
          const warm = await plan(next, cache);
          const full = await plan(next);
          expect(warm.plan).toEqual(full.plan);
          expect(warm.inventory).toEqual(full.inventory);
          expect(warm.conventions).toEqual(full.conventions);
          const changed = next.get(path) !== files.get(path) || !next.has(path) ? 1 : 0;
          const added = next.size > files.size ? 1 : 0;
          // The copy has the same blob as the original but another path: scanned again.
          expect(warm.stats.scanned).toBe(Math.min(changed, next.has(path) ? 1 : 0) + added);
        },
      ),
      { seed: 11, numRuns: 40 },
    );
  });

  it('a run of pushes re-planned from the scan cache and the plan memo plans what a full run plans', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: fleets.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: edits.length - 1 })), {
          minLength: 1,
          maxLength: 4,
        }),
        async (which, pushes) => {
          let files = fleets[which]!;
          const cache = storeScanCache(undefined);
          const memo = createPlanMemo();
          await plan(files, cache, memo);
          const yaml = [...files.keys()].filter((p) => /\.ya?ml$/.test(p)).sort();
          for (const [pick, how] of pushes) {
            const path = yaml[pick % yaml.length]!;
            files = new Map(files).set(path, edits[how]!(files.get(path)!));
            const warm = await plan(files, cache, memo);
            const full = await plan(files);
            expect(warm.plan).toEqual(full.plan);
            expect(warm.inventory).toEqual(full.inventory);
          }
        },
      ),
      { seed: 12, numRuns: 25 },
    );
  });

  it('a push that moves no target is answered from the plan memo; one that moves a version plans again', async () => {
    const files = fleets[0]!;
    const memo = createPlanMemo();
    const cache = storeScanCache(undefined);
    const original = await plan(files, cache, memo);
    // Staging's operator: production's promotion waits on it.
    const path = 'infrastructure/staging/redis-operator.yaml';
    const commented = new Map(files).set(path, `${files.get(path)!}# touched\n`);
    expect((await plan(commented, cache, memo)).plan).toEqual((await plan(commented)).plan);
    expect(memo.stats).toEqual({ reused: 1, planned: 1 });
    const bumped = new Map(files).set(path, files.get(path)!.replace('version: "0.2.3"', 'version: "0.2.0"'));
    const warm = await plan(bumped, cache, memo);
    expect(warm.plan).toEqual((await plan(bumped)).plan);
    expect(warm.plan.steps).not.toEqual(original.plan.steps);
    expect(memo.stats).toEqual({ reused: 1, planned: 2 });
  });

  it('a Chart.yaml change alone re-identifies the values files beside it', async () => {
    const files = new Map([
      ['charts/cache/Chart.yaml', 'apiVersion: v2\nname: cache\nversion: 1.0.0\n'],
      ['charts/cache/values.yaml', 'image:\n  repository: redis\n  tag: 7.2.4\n'],
    ]);
    const cache = storeScanCache(undefined);
    await plan(files, cache);
    const next = new Map(files).set(
      'charts/cache/Chart.yaml',
      'apiVersion: v2\nname: cache\nversion: 1.0.0\ndependencies:\n  - name: redis\n    version: 18.0.0\n    repository: https://charts.bitnami.com/bitnami\n',
    );
    const warm = await plan(next, cache);
    expect(warm.stats).toEqual({ cached: 1, scanned: 1 });
    expect(warm.inventory).toEqual((await plan(next)).inventory);
  });

  it('is kept in the store: a new process re-plans without reading a blob it scanned before', async () => {
    const store = memoryStore(manualClock());
    const files = fleets[0]!;
    const first = await plan(files, storeScanCache(store));
    const again = await plan(files, storeScanCache(store));
    expect(again.stats).toEqual({ cached: first.stats.scanned, scanned: 0 });
    // Only the policy (.cairn/) is read: every other file's findings come from the store.
    expect(again.reads).toBe([...files.keys()].filter((p) => p.startsWith('.cairn/')).length);
    expect(again.plan).toEqual(first.plan);
  });

  it('another scanner version reads nothing an older one stored', async () => {
    const store = memoryStore(manualClock());
    await plan(fleets[0]!, storeScanCache(store));
    expect(scannerVersion('0.2.0')).not.toBe(scannerVersion());
    const { git, tree } = gitOf(fleets[0]!);
    const stats = { cached: 0, scanned: 0 };
    const { cachedScan } = await import('../../../lib/engine/scan-cache.ts');
    const reader = treeReader(git, tree);
    const scan = cachedScan(reader, (p) => reader.entry(p)?.sha, storeScanCache(store), {
      version: scannerVersion('0.2.0'),
      stats,
    });
    await scan(['clusters/dev/apps.yaml'], 2 << 20);
    expect(stats).toEqual({ cached: 0, scanned: 1 });
  });

  it('is bounded in memory', async () => {
    const files = fleets[0]!;
    const cache = storeScanCache(undefined, { memoryEntries: 3 });
    const first = await plan(files, cache);
    const again = await plan(files, cache);
    expect(again.stats.cached).toBeLessThanOrEqual(3);
    expect(again.stats.scanned).toBe(first.stats.scanned - again.stats.cached);
  });
});
