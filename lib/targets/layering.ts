// When one value is set in several layers, the layer that wins for a cluster
// is the one to edit. Two layouts are understood:
//  - Kustomize overlays: a file in an overlay's `patches[].path` /
//    `patchesStrategicMerge` overrides the same field of the same resource in
//    the bases it builds on (flux2-kustomize-helm-example: apps/base +
//    apps/staging|production HelmRelease patches).
//  - Argo CD Helm sources: `helm.valueFiles` of a chart in this repository
//    override the chart's values.yaml in order, and the Application's own
//    `helm.values` < `helm.valuesObject` < `helm.parameters` override them all
//    (argocd-example-apps helm-guestbook: values.yaml + values-production.yaml).
// The winner lists the ids it overrides in `shadows`; each loser lists its
// winners in `shadowedBy`. An override that names only a tag (no repository)
// takes its component from the layer it overrides.

import { joinRepoPath } from './paths.ts';
import type { Hit } from './scan.ts';

export interface KustomizationInfo {
  /** The kustomization file itself (its inline patches are layers too). */
  file?: string;
  /** Patch files that may hold JSON6902 ops, read after the scan (their tokens carry `Found.patch`). */
  opsFiles?: string[];
  resources: string[];
  patches: string[];
}

export interface ArgoHelmSource {
  file: string;
  document: number;
  /** Field path of the source, e.g. `spec.source` or `spec.sources[1]`. */
  sourceField: string;
  /** Directory of a chart kept in this repository (`path:`); absent for a chart from a chart repository. */
  chartDir?: string;
  /** The chart, when it comes from a chart repository (`chart:` and `repoURL`). */
  chart?: { name: string; repo?: string };
  valueFiles: string[];
  /**
   * The repository paths of `valueFiles`, in order: relative to `chartDir`, or `$<ref>/path`
   * from the root (a multi-source Application whose `ref:` source is this repository).
   */
  valueFilePaths?: string[];
}

/** Repository paths of an Argo CD source's `helm.valueFiles` (see `ArgoHelmSource.valueFilePaths`). */
export function argoValueFilePaths(
  valueFiles: readonly string[],
  chartDir: string | undefined,
  refs: ReadonlySet<string>,
): string[] {
  const out: string[] = [];
  for (const v of valueFiles) {
    const ref = /^\$([^/]+)\/(.+)$/.exec(v);
    const p = ref
      ? refs.has(ref[1]!)
        ? joinRepoPath('', ref[2]!)
        : undefined
      : chartDir !== undefined
        ? joinRepoPath(chartDir, v)
        : undefined;
    if (p !== undefined && !out.includes(p)) out.push(p);
  }
  return out;
}

export interface LayerIndex {
  kustomizations: Map<string, KustomizationInfo>;
  argo: ArgoHelmSource[];
  files: Set<string>;
}

type Locate = (file: string) => { cluster?: string; environment?: string };

export function applyLayers(hits: Hit[], index: LayerIndex, locate?: Locate): void {
  const byFile = new Map<string, Hit[]>();
  for (const h of hits) {
    const list = byFile.get(h.file) ?? [];
    list.push(h);
    byFile.set(h.file, list);
  }
  applyKustomizeLayers(byFile, index);
  applyArgoLayers(byFile, index, locate);
}

function link(winner: Hit, loser: Hit): void {
  if (winner === loser) return;
  winner.shadows.add(loser.id);
  loser.shadowedBy.add(winner.id);
  if (!winner.identity && loser.identity) {
    winner.identity = loser.identity;
    if (!winner.found.image && loser.found.image) winner.found.image = loser.found.image;
  }
}

/** Files a kustomization directory builds from (its resources, recursively, and their patches). */
function baseFiles(dir: string, index: LayerIndex, seen = new Set<string>()): string[] {
  if (seen.has(dir)) return [];
  seen.add(dir);
  const k = index.kustomizations.get(dir);
  if (!k) return [];
  const out: string[] = [];
  for (const r of k.resources) {
    if (r.includes('://') || /^[\w.-]+\.[a-z]{2,}\//i.test(r)) continue;
    const p = joinRepoPath(dir, r);
    if (p === undefined) continue;
    if (index.files.has(p)) out.push(p);
    else if (index.kustomizations.has(p)) {
      out.push(...baseFiles(p, index, seen));
      for (const patch of index.kustomizations.get(p)!.patches) {
        const pp = joinRepoPath(p, patch);
        if (pp) out.push(pp);
      }
    }
  }
  return out;
}

function sameResource(a: Hit, b: Hit): boolean {
  const ra = a.resource;
  const rb = b.resource;
  if (!ra || !rb) return false;
  if (ra.kind !== rb.kind || ra.name !== rb.name) return false;
  return !ra.namespace || !rb.namespace || ra.namespace === rb.namespace;
}

/**
 * Whether a base field is the one a JSON6902 path names: a position (`containers[0]`) matches
 * a named list item (`containers[name=redis]`), since the base's field does not keep positions.
 */
function pointerMatches(pointerField: string, field: string): boolean {
  const a = pointerField.split(/(?=\[)|\./);
  const b = field.split(/(?=\[)|\./);
  if (a.length !== b.length) return false;
  return a.every((seg, i) => seg === b[i] || (/^\[\d+\]$/.test(seg) && b[i]!.startsWith('[')));
}

/** Inline patches of a kustomization (`Found.patch`) override the field they name in its bases. */
function linkInlinePatches(winners: Hit[], bases: Hit[]): void {
  for (const winner of winners) {
    const patch = winner.found.patch;
    if (!patch) continue;
    const matches = bases.filter(
      (loser) =>
        sameResource(winner, loser) &&
        (patch.pointer
          ? pointerMatches(patch.field, loser.found.field) &&
            // A position that writes another image is not the same container.
            (!winner.found.image || !loser.found.image || winner.found.image === loser.found.image)
          : loser.found.field === patch.field),
    );
    // A JSON6902 position that could be several list items links none rather than a wrong one.
    if (patch.pointer && matches.length > 1) continue;
    for (const loser of matches) link(winner, loser);
  }
  // Kustomize applies patches in order: of two that override the same base value, the later wins.
  const ordered = winners.filter((w) => w.shadows.size).sort((a, b) => offsetOf(a) - offsetOf(b));
  ordered.forEach((earlier, i) => {
    for (const later of ordered.slice(i + 1)) {
      if ([...earlier.shadows].some((id) => later.shadows.has(id))) link(later, earlier);
    }
  });
}

function offsetOf(hit: Hit): number {
  return hit.found.token?.start ?? 0;
}

function applyKustomizeLayers(byFile: Map<string, Hit[]>, index: LayerIndex): void {
  for (const [dir, k] of index.kustomizations) {
    const inline = [k.file, ...(k.opsFiles ?? [])].flatMap((f) =>
      f ? (byFile.get(f) ?? []).filter((h) => h.found.patch) : [],
    );
    if (!k.patches.length && !inline.length) continue;
    const bases = baseFiles(dir, index).flatMap((f) => byFile.get(f) ?? []);
    if (!bases.length) continue;
    linkInlinePatches(inline, bases);
    for (const patch of k.patches) {
      const file = joinRepoPath(dir, patch);
      if (!file) continue;
      for (const winner of byFile.get(file) ?? []) {
        for (const loser of bases) {
          if (loser.found.field === winner.found.field && sameResource(winner, loser)) link(winner, loser);
        }
      }
    }
  }
}

/** Precedence of an Application's own Helm settings, above every values file. */
function appLayer(field: string, sourceField: string): number | undefined {
  if (!field.startsWith(`${sourceField}.helm.`)) return undefined;
  const rest = field.slice(sourceField.length + '.helm.'.length);
  if (rest.startsWith('values/')) return 1000;
  if (rest.startsWith('valuesObject')) return 1001;
  if (rest.startsWith('parameters')) return 1002;
  return undefined;
}

function applyArgoLayers(byFile: Map<string, Hit[]>, index: LayerIndex, locate?: Locate): void {
  for (const src of index.argo) {
    const files: string[] = [];
    const chartValues = src.chartDir === undefined ? undefined : joinRepoPath(src.chartDir, 'values.yaml');
    if (chartValues !== undefined) files.push(chartValues);
    for (const p of src.valueFilePaths ?? argoValueFilePaths(src.valueFiles, src.chartDir, new Set()))
      if (!files.includes(p)) files.push(p);
    const layered: { hit: Hit; layer: number }[] = [];
    files.forEach((f, i) => {
      for (const hit of byFile.get(f) ?? []) if (hit.kind === 'helm-values') layered.push({ hit, layer: i });
    });
    for (const hit of byFile.get(src.file) ?? []) {
      if (hit.document !== src.document) continue;
      const layer = appLayer(hit.found.field, src.sourceField);
      if (layer !== undefined) layered.push({ hit, layer });
    }
    const where = locate?.(src.file) ?? {};
    const byPath = new Map<string, { hit: Hit; layer: number }[]>();
    for (const l of layered) {
      const key = l.hit.found.valuesPath;
      if (!key) continue;
      const list = byPath.get(key) ?? [];
      list.push(l);
      byPath.set(key, list);
    }
    for (const list of byPath.values()) {
      if (list.length < 2) continue;
      list.sort((a, b) => a.layer - b.layer);
      const winner = list[list.length - 1]!;
      for (const l of list.slice(0, -1)) link(winner.hit, l.hit);
      // An override file selected by this Application deploys where the Application does.
      if (!winner.hit.cluster && where.cluster) winner.hit.cluster = where.cluster;
      if (!winner.hit.environment && where.environment) winner.hit.environment = where.environment;
    }
  }
}
