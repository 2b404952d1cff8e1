// Scans a GitOps repository for every version token of a known component.
// One bad file never fails the scan: it is listed in `Inventory.problems`
// with its line and the rest of the repository is still read.
import { isSeq } from 'yaml';
import type { Inventory, ResourceRef, Target, UnreadableTarget } from '../model.ts';
import { chartImage, type Identity, identifyChart } from './identify.ts';
import type { ChartRef, FindContext, Found } from './kind.ts';
import { applyLayers, argoValueFilePaths, type LayerIndex } from './layering.ts';
import { child, childIn, mapItems, seqItems, stringOf } from './nodes.ts';
import { basename, dirname, joinRepoPath } from './paths.ts';
import { groupSiblings } from './groups.ts';
import { helmReleaseChart, helmReleaseValuesFrom, isHelmRelease } from './kinds/flux-helmrelease.ts';
import {
  foundInGeneratorFile,
  generatorFileMatches,
  generatorFileScalars,
} from './kinds/argocd-generators.ts';
import { chartSourcesOutside, helmChartSource, placeChartSources } from './kinds/flux-source.ts';
import { configMapGeneratorFiles, tieGeneratedValues } from './kinds/flux-values-configmap.ts';
import { findOpsFile, type OpsFileRef, opsFilesOf } from './kinds/kustomize-patches.ts';
import { helmValues, isValuesFileName, placeArgoValueFiles, tieArgoValueFiles } from './kinds/helm-values.ts';
import { linkOpsRequests } from './kinds/kubedb.ts';
import { resolveAmbiguous } from './kinds/olm.ts';
import { TARGET_KINDS } from './registry.ts';
import type { RepoLayout } from '../policy/conventions.ts';
import type { RepoEntry, RepoReader } from './repo.ts';
import { copyInventory, entryKeys, reuseLastScan, type ScanReuse } from './scan-memo.ts';
import {
  apiGroup,
  checkBytes,
  DEFAULT_MAX_FILE_BYTES,
  type DocView,
  decodeText,
  fingerprint,
  parseFile,
} from './yaml-file.ts';

export interface ScanOptions {
  /** Which cluster / environment a file deploys to (e.g. from `clusters/<name>/…`). */
  locate?: Locate;
  /**
   * Builds `locate` from what the scan read (its files and Flux Kustomizations), so a
   * layout convention needs no second pass over the repository. Wins over `locate`.
   */
  place?: (layout: RepoLayout) => Locate;
  /** Files larger than this are reported, not read. Default 2 MiB. */
  maxFileBytes?: number;
  onProgress?: (done: number, total: number) => void;
  /** Paths never read (the policy's `ignorePaths`); asked once per YAML file. */
  ignore?: (path: string) => boolean;
  /**
   * Reads and scans regular files in parallel (a worker pool on Node): given paths in
   * order, returns one batch per contiguous run of them, in order. Without it the
   * files are read through the RepoReader on this thread.
   */
  parallel?: ParallelScan;
  /** Reuses the last scan of this repository when a push moved only positions (./scan-memo.ts). */
  reuse?: ScanReuse;
  /** Filled in: how many YAML files `ignore` left out. */
  counts?: { ignored: number };
}

export type ParallelScan = (paths: readonly string[], maxBytes: number) => Promise<ScannedBatch[]>;

/** What scanning some files gave; plain data, so it can cross a worker boundary. */
export interface ScannedBatch {
  hits: Hit[];
  index: ScanIndex;
  problems: UnreadableTarget[];
}

/** A found token with everything the scan knows about where it sits. */
export interface Hit {
  kind: string;
  file: string;
  document: number;
  resource?: ResourceRef;
  found: Found;
  line: number;
  fingerprint: string;
  identity?: Identity;
  id: string;
  shadows: Set<string>;
  shadowedBy: Set<string>;
  cluster?: string;
  environment?: string;
  /** Other tokens of the same image and tag in this manifest, changed with this one (./groups.ts). */
  siblings?: Hit[];
  /** The release manifest (`file#document`) whose chart these values configure, when they sit in a separate file. */
  release?: string;
  /** The clusters that apply this token when several do (a chart source their releases share). */
  sharedBy?: { cluster: string; environment?: string }[];
}

export interface ChartInfo {
  name: string;
  where: string;
  deps: { name: string; alias?: string; repository?: string }[];
}

export type Locate = (file: string) => { cluster?: string; environment?: string };

export interface ScanIndex extends LayerIndex {
  /** Flux Kustomizations: file and `spec.path`. */
  fluxKustomizations: { file: string; path: string }[];
  /** `Kind/namespace/name` of Flux sources -> URL. */
  sources: Map<string, string>;
  /** Directory -> the Chart.yaml in it. */
  charts: Map<string, ChartInfo>;
  /** ConfigMaps HelmReleases merge into their values (`spec.valuesFrom`), with each release's chart. */
  valuesFrom: ValuesFromRef[];
  /** The Flux sources HelmReleases take their chart from (`spec.chartRef`), by release file. */
  chartRefs: ChartSourceRef[];
  /** `HelmChart/namespace/name` -> the chart it pulls (a `chartRef` to a HelmChart). */
  helmCharts: Map<string, ChartRef>;
  /** Files a kustomization's `configMapGenerator` turns into ConfigMap keys (`files: [key=path]`). */
  generatedValues: GeneratedValuesRef[];
  /** Patch files that may hold JSON6902 ops, with the resource each patches. */
  opsFiles: OpsFileRef[];
  /** Files with a document that is a list at its root: the only ones that can hold JSON6902 ops. */
  lists: Set<string>;
}

/** One `configMapGenerator` file entry: the repository file, the ConfigMap and key it becomes. */
export interface GeneratedValuesRef {
  file: string;
  name: string;
  key: string;
  namespace?: string;
}

/** One HelmRelease `valuesFrom` ConfigMap entry. */
export interface ValuesFromRef {
  file: string;
  document: number;
  namespace: string;
  name: string;
  key: string;
  /** Position in the release's `valuesFrom`: a later entry overrides an earlier one. */
  order: number;
  chart?: ChartRef;
}

/** A HelmRelease's `spec.chartRef`. */
export interface ChartSourceRef {
  file: string;
  line: number;
  /** The release's `Kind/namespace/name`. */
  release: string;
  kind: string;
  name: string;
  namespace: string;
}

const YAML_FILE = /(\.ya?ml|^Kustomization)$/;
const CONCURRENCY = 32;

function emptyIndex(): ScanIndex {
  return {
    sources: new Map(),
    charts: new Map(),
    kustomizations: new Map(),
    argo: [],
    files: new Set(),
    fluxKustomizations: [],
    valuesFrom: [],
    chartRefs: [],
    helmCharts: new Map(),
    generatedValues: [],
    opsFiles: [],
    lists: new Set(),
  };
}

export async function scanRepository(repo: RepoReader, opts: ScanOptions = {}): Promise<Inventory> {
  const maxBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const listed = await repo.list();
  const keys = opts.reuse && entryKeys(listed, opts.reuse);
  if (opts.reuse && keys) {
    const last = await reuseLastScan(opts.reuse, listed, keys, maxBytes, (path) =>
      scanOne(repo, path, maxBytes, opts.parallel),
    );
    if (last) {
      // What a full scan tells the caller: the layout it places files by, the files left out.
      opts.place?.(last.layout);
      if (opts.counts) opts.counts.ignored = last.ignored;
      opts.onProgress?.(last.considered.size, last.considered.size);
      return copyInventory(last.inventory);
    }
  }
  const yaml = listed.filter((e) => YAML_FILE.test(basename(e.path)));
  const entries = yaml.filter((e) => !opts.ignore?.(e.path)).sort(byPath);
  if (opts.counts) opts.counts.ignored = yaml.length - entries.length;
  const problems: UnreadableTarget[] = [];
  const hits: Hit[] = [];
  const index = emptyIndex();
  let done = 0;
  let next = 0;
  // With a parallel scanner, this thread only handles what needs no reading (links, oversize files).
  const here = opts.parallel ? entries.filter((e) => e.isSymbolicLink || e.size > maxBytes) : entries;
  const worker = async () => {
    while (next < here.length) {
      const entry = here[next++]!;
      const text = await readEntry(repo, entry, maxBytes, problems);
      if (text !== undefined) scanText(entry.path, text, index, hits, problems);
      done++;
      opts.onProgress?.(done, entries.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, here.length) }, worker));
  if (opts.parallel) {
    const regular = entries.filter((e) => !e.isSymbolicLink && e.size <= maxBytes).map((e) => e.path);
    for (const batch of await opts.parallel(regular, maxBytes)) {
      mergeBatch(batch, index, hits, problems);
      done += batch.index.files.size;
    }
    opts.onProgress?.(entries.length, entries.length);
  }

  // Files read again for what other files found in them: a memo must scan in full when one changes.
  const reread = new Set<string>();
  const again: RepoReader = opts.reuse
    ? {
        list: () => repo.list(),
        read: (p) => (reread.add(p), repo.read(p)),
        realpath: (p) => repo.realpath(p),
      }
    : repo;
  await scanNamedValueFiles(again, index, maxBytes, hits);
  await scanGeneratorFiles(again, listed, opts, maxBytes, hits);
  tieArgoValueFiles(hits, index);
  tieGeneratedValues(hits, index);
  for (const hit of hits) resolveIdentity(hit, index);
  const unique = dedupe(hits);
  assignIds(unique);
  linkValuesFrom(unique, index);
  const layout = { files: entries.map((e) => e.path), fluxKustomizations: index.fluxKustomizations };
  const locate = opts.place ? opts.place(layout) : opts.locate;
  for (const hit of unique) {
    const where = locate?.(hit.file);
    if (where?.cluster) hit.cluster = where.cluster;
    if (where?.environment) hit.environment = where.environment;
    // A token that names its own cluster (an ApplicationSet element) deploys there, wherever its file sits.
    if (hit.found.cluster) {
      hit.cluster = hit.found.cluster;
      if (hit.found.environment) hit.environment = hit.found.environment;
      else delete hit.environment;
    }
  }
  if (locate) {
    placeChartSources(unique, index.chartRefs, locate);
    placeArgoValueFiles(unique, index, locate);
  }
  problems.push(...chartSourcesOutside(unique, index));
  applyLayers(unique, index, locate);
  resolveAmbiguous(unique);

  const targets: Target[] = [];
  const kept = groupSiblings(unique.filter((h) => h.identity));
  const keptIds = new Set(kept.filter((h) => h.found.token).map((h) => h.id));
  for (const hit of kept) {
    if (!hit.found.token || hit.found.problem) {
      problems.push({
        file: hit.file,
        line: hit.line,
        field: hit.found.field,
        reason: hit.found.problem ?? 'no readable version',
      });
      continue;
    }
    targets.push(toTarget(hit, keptIds));
  }
  // KubeDB ops requests in the repository belong to their database, not the plan.
  const linked = linkOpsRequests(targets);
  targets.length = 0;
  targets.push(...linked.targets);
  for (const o of linked.orphans) {
    problems.push({
      file: o.file,
      line: o.line,
      field: o.field,
      reason: `${o.resource?.kind} ${o.resource?.name} changes a database that is not in the repository: not planned`,
    });
  }
  targets.sort((a, b) => byPath({ path: a.file }, { path: b.file }) || a.span!.offset - b.span!.offset);
  problems.sort((a, b) => byPath({ path: a.file }, { path: b.file }) || (a.line ?? 0) - (b.line ?? 0));
  const inventory = { targets, problems };
  if (opts.reuse && keys) {
    opts.reuse.memo.stats.scanned++;
    opts.reuse.memo.last = {
      context: opts.reuse.context,
      maxBytes,
      paths: listed.map((e) => e.path),
      keys,
      considered: new Set(layout.files),
      read: new Set(entries.filter((e) => !e.isSymbolicLink && e.size <= maxBytes).map((e) => e.path)),
      reread,
      layout,
      ignored: yaml.length - entries.length,
      inventory: copyInventory(inventory),
    };
  }
  return inventory;
}

/** One regular file scanned as the full scan would: through the parallel scanner when there is one. */
async function scanOne(
  repo: RepoReader,
  path: string,
  maxBytes: number,
  parallel: ParallelScan | undefined,
): Promise<ScannedBatch | undefined> {
  if (parallel) return (await parallel([path], maxBytes))[0];
  const file = await repo.read(path).then(
    (bytes) => ({ path, bytes }),
    (e: Error) => ({ path, problem: e.message }),
  );
  return scanBatch([file], maxBytes);
}

function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

async function readEntry(
  repo: RepoReader,
  entry: RepoEntry,
  maxBytes: number,
  problems: UnreadableTarget[],
): Promise<string | undefined> {
  if (entry.isSymbolicLink) {
    const real = await repo.realpath(entry.path);
    if (real === undefined) {
      problems.push({
        file: entry.path,
        reason: 'symbolic link points outside the repository (or nowhere): not read',
      });
    }
    // A link inside the repository is read at its real path.
    return undefined;
  }
  if (entry.size > maxBytes) {
    problems.push({
      file: entry.path,
      reason: `file is ${entry.size} bytes, over the ${maxBytes}-byte limit: not read (raise maxFileBytes to include it)`,
    });
    return undefined;
  }
  let bytes: Uint8Array;
  try {
    bytes = await repo.read(entry.path);
  } catch (e) {
    problems.push({ file: entry.path, reason: `cannot read: ${(e as Error).message}` });
    return undefined;
  }
  const bad = checkBytes(entry.path, bytes, maxBytes);
  if (bad) {
    problems.push(bad);
    return undefined;
  }
  const decoded = decodeText(entry.path, bytes);
  if ('problem' in decoded) {
    problems.push(decoded.problem);
    return undefined;
  }
  return decoded.text;
}

/** Reads and scans files on this thread (what a parallel scanner's worker runs). */
export function scanBatch(
  files: Iterable<{ path: string; bytes: Uint8Array } | { path: string; problem: string }>,
  maxBytes: number,
): ScannedBatch {
  const batch: ScannedBatch = { hits: [], index: emptyIndex(), problems: [] };
  for (const f of files) {
    if ('problem' in f) {
      batch.problems.push({ file: f.path, reason: `cannot read: ${f.problem}` });
      continue;
    }
    const bad = checkBytes(f.path, f.bytes, maxBytes);
    if (bad) {
      batch.problems.push(bad);
      continue;
    }
    const decoded = decodeText(f.path, f.bytes);
    if ('problem' in decoded) batch.problems.push(decoded.problem);
    else scanText(f.path, decoded.text, batch.index, batch.hits, batch.problems);
  }
  return batch;
}

/** Adds a batch in file order: later files win in the index, as in a sequential scan. */
function mergeBatch(batch: ScannedBatch, index: ScanIndex, hits: Hit[], problems: UnreadableTarget[]): void {
  for (const [k, v] of batch.index.sources) index.sources.set(k, v);
  for (const [k, v] of batch.index.charts) index.charts.set(k, v);
  for (const [k, v] of batch.index.kustomizations) index.kustomizations.set(k, v);
  for (const f of batch.index.files) index.files.add(f);
  index.argo.push(...batch.index.argo);
  index.fluxKustomizations.push(...batch.index.fluxKustomizations);
  index.valuesFrom.push(...batch.index.valuesFrom);
  index.chartRefs.push(...batch.index.chartRefs);
  for (const [k, v] of batch.index.helmCharts) index.helmCharts.set(k, v);
  index.generatedValues.push(...batch.index.generatedValues);
  index.opsFiles.push(...batch.index.opsFiles);
  for (const f of batch.index.lists) index.lists.add(f);
  hits.push(...batch.hits);
  problems.push(...batch.problems);
}

/**
 * Scans one file's text into hits (exported for edit.ts, which re-locates a target in new text).
 * `asValues` reads it as Helm values even when its name does not say so (a named values file).
 */
export function findInText(
  file: string,
  text: string,
  opts: { asValues?: boolean; asPatchOps?: boolean; asGeneratorFile?: boolean } = {},
): { hits: Hit[]; problem?: UnreadableTarget } {
  const hits: Hit[] = [];
  const problems: UnreadableTarget[] = [];
  const index = emptyIndex();
  scanText(file, text, index, hits, problems);
  if (opts.asValues && !problems.length && !isValuesFileName(file)) hits.push(...valuesHits(file, text));
  if (opts.asPatchOps && !problems.length) hits.push(...opsHits(file, text));
  if (opts.asGeneratorFile && !problems.length) {
    const parsed = parseFile(file, text);
    const fp = fingerprint(text);
    if (parsed.ok)
      for (const view of parsed.parsed.docs.filter((v) => !v.kind))
        hits.push(...generatorFileScalars(view).map((f) => newHit('argocd-application', view, f, fp)));
  }
  return problems[0] ? { hits, problem: problems[0] } : { hits };
}

/**
 * Values files an Argo CD source names in `helm.valueFiles` whose name does not say "values"
 * (`infra/helm/values/redis.yaml`): read again here as Helm values (the scan skipped them).
 */
async function scanNamedValueFiles(
  repo: RepoReader,
  index: ScanIndex,
  maxBytes: number,
  hits: Hit[],
): Promise<void> {
  const named = new Set([
    ...index.argo.flatMap((s) => (s.chart ? (s.valueFilePaths ?? []) : [])),
    ...index.generatedValues.map((g) => g.file),
  ]);
  for (const file of [...named].sort()) {
    if (isValuesFileName(file) || !index.files.has(file)) continue;
    let bytes: Uint8Array;
    try {
      bytes = await repo.read(file);
    } catch {
      continue;
    }
    if (checkBytes(file, bytes, maxBytes)) continue;
    const decoded = decodeText(file, bytes);
    if ('problem' in decoded) continue;
    hits.push(...valuesHits(file, decoded.text));
  }
  // JSON6902 ops files: kind-less lists of ops, known as patches only from their kustomization.
  // Only a file with a list at its root can be ops; a strategic-merge patch file is not read again.
  for (const ref of index.opsFiles) {
    if (!index.lists.has(ref.file)) continue;
    let bytes: Uint8Array;
    try {
      bytes = await repo.read(ref.file);
    } catch {
      continue;
    }
    if (checkBytes(ref.file, bytes, maxBytes)) continue;
    const decoded = decodeText(ref.file, bytes);
    if ('problem' in decoded) continue;
    hits.push(...opsHits(ref.file, decoded.text, ref.target));
  }
}

/**
 * ApplicationSet values set by a git files generator: found in each repository file its globs
 * match (JSON or YAML; `opts.ignore` still applies). The template's own report is dropped
 * when at least one file gives the value.
 */
async function scanGeneratorFiles(
  repo: RepoReader,
  listed: readonly RepoEntry[],
  opts: ScanOptions,
  maxBytes: number,
  hits: Hit[],
): Promise<void> {
  const templates = hits.filter((h) => h.found.generatorFiles);
  if (!templates.length) return;
  const paths = listed
    .filter((e) => !e.isSymbolicLink && e.size <= maxBytes && !opts.ignore?.(e.path))
    .map((e) => e.path)
    .sort();
  const texts = new Map<string, string | undefined>();
  const read = async (file: string) => {
    if (texts.has(file)) return texts.get(file);
    let text: string | undefined;
    try {
      const bytes = await repo.read(file);
      const decoded = checkBytes(file, bytes, maxBytes) ? undefined : decodeText(file, bytes);
      text = decoded && 'text' in decoded ? decoded.text : undefined;
    } catch {
      text = undefined;
    }
    texts.set(file, text);
    return text;
  };
  for (const t of templates) {
    let found = 0;
    for (const file of paths.filter((p) => generatorFileMatches(t.found, p))) {
      const text = await read(file);
      const parsed = text === undefined ? undefined : parseFile(file, text);
      const view = parsed?.ok ? parsed.parsed.docs[0] : undefined;
      const f = view && !view.kind ? foundInGeneratorFile(t.found, view) : undefined;
      if (!view || !f) continue;
      const hit = newHit(t.kind, view, f, fingerprint(text!));
      if (t.resource) hit.resource = t.resource;
      hits.push(hit);
      found++;
    }
    if (found) hits.splice(hits.indexOf(t), 1);
  }
}

/** The version tokens of a JSON6902 ops file, as `kustomize` hits on the resource it patches. */
function opsHits(file: string, text: string, target?: OpsFileRef['target']): Hit[] {
  const parsed = parseFile(file, text);
  if (!parsed.ok) return [];
  const fp = fingerprint(text);
  return parsed.parsed.docs
    .filter((view) => !view.kind)
    .flatMap((view) => findOpsFile(view, target).map((found) => newHit('kustomize', view, found, fp)));
}

/** A file read as Helm values whatever its name (a values file an Application names). */
function valuesHits(file: string, text: string): Hit[] {
  const parsed = parseFile(file, text);
  if (!parsed.ok) return [];
  const fp = fingerprint(text);
  const ctx: FindContext = { file, dir: dirname(file) };
  return parsed.parsed.docs
    .filter((view) => !view.kind && !view.apiVersion)
    .flatMap((view) => helmValues.find(view, ctx).map((found) => newHit(helmValues.id, view, found, fp)));
}

function newHit(kind: string, view: DocView, found: Found, fp: string): Hit {
  const offset = found.token?.start ?? found.problemOffset ?? view.doc.contents?.range?.[0] ?? 0;
  const hit: Hit = {
    kind,
    file: view.file,
    document: view.index,
    found,
    line: view.lines.linePos(offset).line,
    fingerprint: fp,
    id: '',
    shadows: new Set(),
    shadowedBy: new Set(),
  };
  const resource = found.patch?.resource ?? resourceOf(view);
  if (resource) hit.resource = resource;
  if (found.identity) hit.identity = found.identity;
  const deploy = deployNamespace(view);
  if (deploy) found.fields = { ...found.fields, [deploy.field]: deploy.namespace };
  return hit;
}

/**
 * Where a release manifest's workloads run, when that is not the manifest's own namespace: an
 * Argo CD Application's `spec.destination.namespace`, a Flux HelmRelease's `spec.targetNamespace`
 * (the gate reads a chart's StatefulSets there). A templated value is not a namespace.
 */
function deployNamespace(view: DocView): { field: string; namespace: string } | undefined {
  const path =
    view.kind === 'Application' && view.apiVersion?.startsWith('argoproj.io/')
      ? ['spec', 'destination', 'namespace']
      : isHelmRelease(view)
        ? ['spec', 'targetNamespace']
        : undefined;
  const namespace = path && stringOf(childIn(view.doc.contents, path));
  return namespace && !namespace.includes('{{') ? { field: path.join('.'), namespace } : undefined;
}

function scanText(
  file: string,
  text: string,
  index: ScanIndex,
  hits: Hit[],
  problems: UnreadableTarget[],
): void {
  index.files.add(file);
  const parsed = parseFile(file, text);
  if (!parsed.ok) {
    problems.push(parsed.problem);
    return;
  }
  const fp = fingerprint(text);
  const ctx: FindContext = { file, dir: dirname(file) };
  for (const view of parsed.parsed.docs) {
    if (isSeq(view.doc.contents)) index.lists.add(file);
    collectIndex(view, ctx, index);
    for (const kind of TARGET_KINDS) {
      if (!kind.accepts(view, ctx)) continue;
      for (const found of kind.find(view, ctx)) hits.push(newHit(kind.id, view, found, fp));
    }
  }
}

function resourceOf(view: DocView): ResourceRef | undefined {
  if (!view.kind || !view.name) return undefined;
  return {
    kind: view.kind,
    name: view.name,
    ...(view.apiVersion ? { apiVersion: view.apiVersion } : {}),
    ...(view.namespace ? { namespace: view.namespace } : {}),
  };
}

function collectIndex(view: DocView, ctx: FindContext, index: ScanIndex): void {
  const root = view.doc.contents;
  if (isHelmRelease(view)) {
    const chart = helmReleaseChart(view);
    const ref = chart?.sourceRef && !chart.name ? chart.sourceRef : undefined;
    if (ref) {
      const pair = mapItems(child(root, 'spec')).find((it) => it.key === 'chartRef')?.pair;
      const at = (pair?.key as { range?: [number] } | undefined)?.range?.[0] ?? 0;
      index.chartRefs.push({
        file: ctx.file,
        line: view.lines.linePos(at).line,
        release: `HelmRelease/${view.namespace ?? ''}/${view.name ?? ''}`,
        kind: ref.kind,
        name: ref.name,
        namespace: ref.namespace ?? '',
      });
    }
    for (const [order, v] of helmReleaseValuesFrom(view).entries()) {
      index.valuesFrom.push({
        file: ctx.file,
        document: view.index,
        namespace: view.namespace ?? '',
        order,
        ...v,
        ...(chart ? { chart } : {}),
      });
    }
    return;
  }
  if (apiGroup(view.apiVersion) === 'kustomize.toolkit.fluxcd.io' && view.kind === 'Kustomization') {
    const path = stringOf(childIn(root, ['spec', 'path']));
    if (path) index.fluxKustomizations.push({ file: ctx.file, path });
    return;
  }
  if (apiGroup(view.apiVersion) === 'source.toolkit.fluxcd.io' && view.kind && view.name) {
    const url = stringOf(childIn(root, ['spec', 'url']));
    if (url) index.sources.set(`${view.kind}/${view.namespace ?? ''}/${view.name}`, url);
    const chart = view.kind === 'HelmChart' ? helmChartSource(view) : undefined;
    if (chart) index.helmCharts.set(`HelmChart/${view.namespace ?? ''}/${view.name}`, chart);
    return;
  }
  if (basename(ctx.file) === 'Chart.yaml') {
    const name = stringOf(child(root, 'name'));
    if (!name) return;
    const where = [stringOf(child(root, 'home')), ...seqItems(child(root, 'sources')).map(stringOf)]
      .filter(Boolean)
      .join(' ');
    const deps = seqItems(child(root, 'dependencies')).flatMap((d) => {
      const depName = stringOf(child(d, 'name'));
      if (!depName) return [];
      const alias = stringOf(child(d, 'alias'));
      const repository = stringOf(child(d, 'repository'));
      return [{ name: depName, ...(alias ? { alias } : {}), ...(repository ? { repository } : {}) }];
    });
    index.charts.set(ctx.dir, { name, where, deps });
    return;
  }
  const isKustomization =
    (view.kind === 'Kustomization' && (view.apiVersion ?? '').startsWith('kustomize.config.k8s.io')) ||
    (!view.kind && /^(kustomization\.ya?ml|Kustomization)$/.test(basename(ctx.file)));
  if (isKustomization) {
    const resources = seqItems(child(root, 'resources'))
      .concat(seqItems(child(root, 'bases')))
      .map(stringOf)
      .filter((s): s is string => !!s);
    const patches = seqItems(child(root, 'patches'))
      .map((p) => stringOf(child(p, 'path')))
      .concat(seqItems(child(root, 'patchesStrategicMerge')).map(stringOf))
      .filter((s): s is string => !!s);
    const ops = opsFilesOf(root, (rel) => joinRepoPath(ctx.dir, rel));
    index.kustomizations.set(ctx.dir, {
      file: ctx.file,
      resources,
      patches,
      ...(ops.length ? { opsFiles: ops.map((o) => o.file) } : {}),
    });
    index.opsFiles.push(...ops);
    index.generatedValues.push(...configMapGeneratorFiles(view, ctx.dir));
    return;
  }
  if (
    apiGroup(view.apiVersion) === 'argoproj.io' &&
    (view.kind === 'Application' || view.kind === 'ApplicationSet')
  ) {
    const specPath = view.kind === 'ApplicationSet' ? ['spec', 'template', 'spec'] : ['spec'];
    const spec = childIn(root, specPath);
    const base = specPath.join('.');
    const sources: [unknown, string][] = [];
    const single = child(spec, 'source');
    if (single) sources.push([single, `${base}.source`]);
    seqItems(child(spec, 'sources')).forEach((s, i) => {
      sources.push([s, `${base}.sources[${i}]`]);
    });
    // Sources with `ref: <name>` let another source's valueFiles say `$<name>/path` (multiple sources).
    const refs = new Set(sources.map(([s]) => stringOf(child(s, 'ref'))).filter((r): r is string => !!r));
    for (const [source, field] of sources) {
      // A chart from a chart repository has no values files here; its own settings still layer.
      const chartName = stringOf(child(source, 'chart'));
      const path = chartName ? undefined : stringOf(child(source, 'path'));
      const chartDir = path === undefined ? undefined : joinRepoPath('', path);
      const valueFiles = seqItems(childIn(source, ['helm', 'valueFiles']))
        .map(stringOf)
        .filter((s): s is string => !!s);
      const repoURL = stringOf(child(source, 'repoURL'));
      index.argo.push({
        file: ctx.file,
        document: view.index,
        sourceField: field,
        ...(chartDir !== undefined ? { chartDir } : {}),
        ...(chartName ? { chart: { name: chartName, ...(repoURL ? { repo: repoURL } : {}) } } : {}),
        valueFiles,
        valueFilePaths: argoValueFilePaths(valueFiles, chartDir, refs),
      });
    }
  }
}

function resolveChart(
  ref: ChartRef | undefined,
  index: ScanIndex,
): (Identity & { chart?: ChartInfo }) | undefined {
  if (!ref) return undefined;
  if (ref.dir !== undefined) {
    const info = index.charts.get(ref.dir);
    if (!info) return undefined;
    const id = identifyChart(info.name, info.where);
    return id
      ? { component: id.component, role: id.role, chart: info }
      : { component: '', role: 'data-plane', chart: info };
  }
  // A HelmRelease `chartRef` to a HelmChart installs the chart that HelmChart pulls.
  if (ref.sourceRef?.kind === 'HelmChart' && !ref.name) {
    const { kind, namespace, name } = ref.sourceRef;
    return resolveChart(index.helmCharts.get(`${kind}/${namespace ?? ''}/${name}`), index);
  }
  let url = ref.repo;
  // A source outside the repository (a shared HelmRepository applied from elsewhere) is known
  // only by its name: `redis` from a HelmRepository named `bitnami` is Bitnami's chart. A name
  // that says nothing (`charts`) leaves a chart several publishers share unidentified.
  let where = url;
  if (ref.sourceRef) {
    url = index.sources.get(`${ref.sourceRef.kind}/${ref.sourceRef.namespace ?? ''}/${ref.sourceRef.name}`);
    where = url ?? (ref.name ? ref.sourceRef.name : undefined);
  }
  const name = ref.name ?? url?.replace(/\/+$/, '').split('/').pop();
  if (!name) return undefined;
  const id = identifyChart(name, where);
  return id ? { component: id.component, role: id.role } : undefined;
}

/** The HelmRelease entries that merge this ConfigMap hit's values (same namespace, name and key). */
function valuesFromOf(hit: Hit, index: ScanIndex): ValuesFromRef[] {
  const v = hit.found.valuesOf;
  if (!v) return [];
  // A generated ConfigMap is in the namespace its kustomization sets; unset, the release's decides.
  const ns = v.generated ? v.generated.namespace : (hit.resource?.namespace ?? '');
  return index.valuesFrom.filter(
    (r) => r.name === v.name && r.key === v.key && (ns === undefined || r.namespace === ns),
  );
}

/**
 * A ConfigMap's values belong to the HelmRelease that names them: the release's own
 * `spec.values` win over them, and a later `valuesFrom` entry over an earlier one
 * (helm-controller docs, spec/v2/helmreleases.md "Values references").
 */
function linkValuesFrom(hits: Hit[], index: ScanIndex): void {
  const shadow = (winner: Hit, loser: Hit) => {
    winner.shadows.add(loser.id);
    loser.shadowedBy.add(winner.id);
  };
  for (const hit of hits) {
    if (!hit.found.valuesOf || !hit.identity || hit.found.valuesPath === undefined) continue;
    for (const r of valuesFromOf(hit, index)) {
      for (const h of hits) {
        if (h === hit || h.found.valuesPath !== hit.found.valuesPath) continue;
        if (h.kind === 'flux-helmrelease' && h.file === r.file && h.document === r.document) shadow(h, hit);
        const later = valuesFromOf(h, index).some(
          (o) => o.file === r.file && o.document === r.document && o.order > r.order,
        );
        if (later) shadow(h, hit);
      }
    }
  }
}

function resolveIdentity(hit: Hit, index: ScanIndex): void {
  if (hit.found.valuesOf) {
    const refs = valuesFromOf(hit, index);
    if (!refs.length) {
      delete hit.identity;
      return;
    }
    if (!hit.found.chart && refs[0]!.chart) hit.found.chart = refs[0]!.chart;
    hit.release ??= `${refs[0]!.file}#${refs[0]!.document}`;
  }
  if (hit.identity) return;
  const f = hit.found;
  const chart = resolveChart(f.chart, index);
  if (!chart) return;
  if (f.chartVersion) {
    if (chart.component) hit.identity = { component: chart.component, role: chart.role };
    return;
  }
  if (f.imagePath === undefined) return;
  if (chart.component) {
    const own = chartImage(chart.component, f.imagePath);
    if (own) {
      hit.identity = own;
      return;
    }
  }
  // A sub-chart's values sit under the dependency's name (or alias): `redis.image.tag`.
  const [first, ...rest] = f.imagePath.split('.');
  const dep = chart.chart?.deps.find((d) => (d.alias ?? d.name) === first);
  if (dep && rest.length) {
    const depChart = identifyChart(dep.name, dep.repository);
    const img = depChart && chartImage(depChart.component, rest.join('.'));
    if (img) {
      hit.identity = img;
      // The umbrella chart's Chart.yaml pins the dependency: its values pin the image for it.
      if (f.chart?.dir !== undefined) hit.release ??= `${joinRepoPath(f.chart.dir, 'Chart.yaml')}#0`;
    }
  }
}

/** One hit per token: the first kind wins, but a `# cairn:` marker's identity overrides it. */
function dedupe(hits: Hit[]): Hit[] {
  const byToken = new Map<string, Hit>();
  const out: Hit[] = [];
  for (const hit of hits) {
    const start = hit.found.token?.start;
    if (start === undefined) {
      out.push(hit);
      continue;
    }
    const key = `${hit.file}\u0000${start}`;
    const prev = byToken.get(key);
    if (!prev) {
      byToken.set(key, hit);
      out.push(hit);
    } else if (hit.found.marker === 'cairn' && hit.identity) {
      prev.identity = hit.identity;
    }
  }
  return out;
}

function assignIds(hits: Hit[]): void {
  const seen = new Set<string>();
  for (const hit of hits) {
    const r = hit.resource;
    let where: string;
    if (r) where = r.namespace ? `${r.kind}/${r.namespace}/${r.name}` : `${r.kind}/${r.name}`;
    else if (hit.kind === 'helm-values') where = 'values';
    else if (hit.kind === 'helm-chart') where = 'Chart';
    else if (hit.kind === 'kustomize') where = 'Kustomization';
    else where = `doc${hit.document}`;
    let id = `${hit.file}#${where}:${hit.found.field}`;
    if (seen.has(id)) id = `${id}@${hit.document}`;
    seen.add(id);
    hit.id = id;
  }
}

function toTarget(hit: Hit, keptIds: Set<string>): Target {
  const f = hit.found;
  const token = f.token!;
  const id = hit.identity!;
  const t: Target = {
    id: hit.id,
    kind: hit.kind,
    file: hit.file,
    line: hit.line,
    document: hit.document,
    field: f.field,
    component: id.component,
    role: id.role,
    current: token.text,
    change: f.change ?? 'in-place',
    span: { offset: token.start, style: token.style, whole: token.whole },
    fingerprint: hit.fingerprint,
  };
  if (hit.resource) t.resource = hit.resource;
  if (id.managedBy) t.managedBy = id.managedBy;
  if (f.image) t.image = f.image;
  if (hit.cluster) t.cluster = hit.cluster;
  if (hit.environment) t.environment = hit.environment;
  const shadows = [...hit.shadows].filter((s) => keptIds.has(s)).sort();
  const shadowedBy = [...hit.shadowedBy].filter((s) => keptIds.has(s)).sort();
  if (shadows.length) t.shadows = shadows;
  if (shadowedBy.length) t.shadowedBy = shadowedBy;
  if (f.sharedWith?.length) t.sharedWith = f.sharedWith;
  if (hit.sharedBy) t.sharedBy = hit.sharedBy;
  if (hit.release) t.release = hit.release;
  if (f.range) t.range = true;
  if (f.requestFor) (t as Target & { requestFor?: ResourceRef }).requestFor = f.requestFor;
  if (f.fields) t.fields = f.fields;
  if (hit.siblings?.length) {
    t.siblings = hit.siblings.map((s) => ({
      field: s.found.field,
      line: s.line,
      span: { offset: s.found.token!.start, style: s.found.token!.style, whole: s.found.token!.whole },
    }));
  }
  return t;
}
