// The scanner's per-blob cache: a re-plan after a push scans only the changed files, and
// what it plans is exactly what a full scan plans, whatever one file the push changed
// (including files other files depend on: Chart.yaml, kustomization.yaml, Flux
// Kustomizations, HelmRepositories). With the scan memo (lib/targets/scan-memo.ts), a push
// that moved only positions reuses the last inventory: held to full scans the same way.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createPlanMemo,
  createScanMemo,
  type PlanMemo,
  planTree,
  type ScanMemo,
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
  scanMemo?: ScanMemo,
) {
  const { git, tree } = gitOf(files);
  const stats = { cached: 0, scanned: 0 };
  const p = await planTree(treeReader(git, tree), {
    catalog,
    releases,
    now: NOW,
    ...(scanCache ? { scanCache, scanStats: stats } : {}),
    ...(planMemo ? { planMemo } : {}),
    ...(scanMemo ? { scanMemo } : {}),
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

/**
 * Files other files read again or tie to their chart: an Argo CD `$values` file, a JSON6902
 * ops file, a `configMapGenerator` values file behind a HelmRelease `valuesFrom`, an inline
 * patch and a chart beside its values (each a fact the memo must not reuse when it moves).
 */
const tied = new Map([
  [
    'apps/cache.yaml',
    `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: cache
  namespace: argocd
spec:
  sources:
    - repoURL: https://charts.example.com/bitnami
      chart: redis
      targetRevision: 20.12.2
      helm:
        valueFiles:
          - $values/settings/cache.yaml
    - repoURL: https://git.example.com/fleet
      ref: values
  destination:
    namespace: cache
`,
  ],
  ['settings/cache.yaml', '# the cache\nimage:\n  tag: 7.4.2-debian-12-r6\n'],
  [
    'base/redis.yaml',
    'apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: redis\nspec:\n  template:\n    spec:\n      containers:\n        - name: redis\n          image: redis:7.2.4\n        - name: sidecar\n          image: redis:7.2.4\n',
  ],
  ['base/kustomization.yaml', 'resources:\n  - redis.yaml\n'],
  [
    'overlays/prod/kustomization.yaml',
    `resources:
  - ../../base
patches:
  - path: ops.yaml
    target:
      kind: StatefulSet
      name: redis
  - patch: |
      apiVersion: apps/v1
      kind: StatefulSet
      metadata:
        name: redis
      spec:
        template:
          spec:
            containers:
              - name: redis
                image: redis:7.2.5
`,
  ],
  [
    'overlays/prod/ops.yaml',
    '- op: replace\n  path: /spec/template/spec/containers/1/image\n  value: redis:7.2.5\n',
  ],
  [
    'flux/release.yaml',
    `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: sessions
  namespace: apps
spec:
  chart:
    spec:
      chart: redis
      version: 20.1.0
      sourceRef:
        kind: HelmRepository
        name: bitnami
  valuesFrom:
    - kind: ConfigMap
      name: sessions-values
      valuesKey: values.yaml
`,
  ],
  [
    'flux/kustomization.yaml',
    'namespace: apps\nresources:\n  - release.yaml\nconfigMapGenerator:\n  - name: sessions-values\n    files:\n      - values.yaml=sessions.yaml\n',
  ],
  ['flux/sessions.yaml', 'image:\n  tag: 7.2.4-debian-12-r0\n'],
  [
    'charts/cache/Chart.yaml',
    'apiVersion: v2\nname: cache\nversion: 1.0.0\ndependencies:\n  - name: redis\n    version: 18.0.0\n    repository: https://charts.bitnami.com/bitnami\n',
  ],
  ['charts/cache/values.yaml', 'redis:\n  image:\n    tag: 7.2.4\n'],
  ['.cairn/policy.yaml', 'apiVersion: cairn.dev/v1alpha1\nkind: Policy\n'],
  ['README.md', '# fleet\n'],
]);

/** Pushes that move only positions (a comment, blank lines, a line of a manifest that pins nothing), and some that move more. */
const placeEdits = [
  (t: string, at: number) => {
    const lines = t.split('\n');
    lines.splice(at % lines.length, 0, '# a note');
    return lines.join('\n');
  },
  (t: string, at: number) => {
    const lines = t.split('\n');
    lines.splice(at % lines.length, 0, '');
    return lines.join('\n');
  },
  (t: string) => `# owned by the platform team\n\n${t}`,
  (t: string) => `${t}# touched\n`,
  (t: string) => t.replace(/replicas: *\d+/, 'replicas: 5'),
  (t: string) => `${t}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  a: b\n`,
  ...edits.map((e) => (t: string) => e(t)),
];

describe('the scan memo', () => {
  const repos = [...fleets, tied];

  it('a run of pushes scanned from the last scan gives exactly what full scans give, and most are not scanned again', async () => {
    let reused = 0;
    let runs = 0;
    // Runs whose plan was the last one with target lines moved (not planned again).
    let linesMoved = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: repos.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 0, max: placeEdits.length - 1 })), {
          minLength: 1,
          maxLength: 5,
        }),
        async (which, pushes) => {
          let files = repos[which]!;
          const cache = storeScanCache(undefined);
          const memo = createScanMemo();
          const planMemo = createPlanMemo();
          let last = await plan(files, cache, planMemo, memo);
          const yaml = [...files.keys()].filter((p) => /\.ya?ml$/.test(p) && !p.startsWith('.cairn/')).sort();
          for (const [pick, at, how] of pushes) {
            const path = yaml[pick % yaml.length]!;
            files = new Map(files).set(path, placeEdits[how]!(files.get(path)!, at));
            const before = memo.stats.reused;
            const planned = planMemo.stats.planned;
            const warm = await plan(files, cache, planMemo, memo);
            const full = await plan(files);
            expect(warm.inventory).toEqual(full.inventory);
            expect(warm.plan).toEqual(full.plan);
            expect(warm.conventions).toEqual(full.conventions);
            runs++;
            reused += memo.stats.reused - before;
            const moved = warm.inventory.targets.some((t, i) => t.line !== last.inventory.targets[i]?.line);
            if (moved && planMemo.stats.planned === planned) linesMoved++;
            last = warm;
          }
        },
      ),
      { seed: 21, numRuns: 60 },
    );
    // Not a property that holds by scanning everything in full: most of these pushes move only positions.
    expect(reused).toBeGreaterThan(runs / 3);
    expect(linesMoved).toBeGreaterThan(runs / 10);
    expect(reused).toBeLessThan(runs);
  });

  it("a comment above a target moves its line and offset without a scan; the plan is the full scan's", async () => {
    const files = fleets[0]!;
    const memo = createScanMemo();
    const cache = storeScanCache(undefined);
    const first = await plan(files, cache, undefined, memo);
    const path = 'infrastructure/staging/redis-operator.yaml';
    const next = new Map(files).set(path, `# pinned by the platform team\n${files.get(path)!}`);
    const warm = await plan(next, cache, undefined, memo);
    expect(memo.stats).toEqual({ reused: 1, scanned: 1 });
    expect(warm.inventory).toEqual((await plan(next)).inventory);
    const was = first.inventory.targets.filter((t) => t.file === path);
    const now = warm.inventory.targets.filter((t) => t.file === path);
    expect(now.length).toBeGreaterThan(0);
    expect(now.map((t) => t.line)).toEqual(was.map((t) => t.line + 1));
    expect(now.map((t) => t.span!.offset)).toEqual(was.map((t) => t.span!.offset + 30));
    expect(now[0]!.fingerprint).not.toBe(was[0]!.fingerprint);
  });

  it('scans in full when a file another file reads changes, a version moves, a file is added or the policy changes', async () => {
    const memo = createScanMemo();
    const cache = storeScanCache(undefined);
    await plan(tied, cache, undefined, memo);
    const pushes: [string, (t: string) => string][] = [
      ['settings/cache.yaml', (t) => `${t}# read again as the Application's values\n`],
      ['overlays/prod/ops.yaml', (t) => `${t}# read again as JSON6902 ops\n`],
      ['flux/release.yaml', (t) => t.replace('version: 20.1.0', 'version: 20.2.0')],
      ['flux/new.yaml', () => 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: new\n'],
      ['.cairn/policy.yaml', (t) => `${t}ignorePaths:\n  - charts/**\n`],
    ];
    let files = tied;
    for (const [path, edit] of pushes) {
      files = new Map(files).set(path, edit(files.get(path) ?? ''));
      const scanned = memo.stats.scanned;
      const warm = await plan(files, cache, undefined, memo);
      expect(memo.stats.scanned, path).toBe(scanned + 1);
      expect(warm.inventory).toEqual((await plan(files)).inventory);
    }
    expect(memo.stats.reused).toBe(0);
    // A push outside what the scan reads (a README) changes nothing.
    files = new Map(files).set('README.md', '# the fleet\n');
    await plan(files, cache, undefined, memo);
    expect(memo.stats.reused).toBe(1);
  });
});
