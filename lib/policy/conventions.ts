// How files map to clusters when the policy does not say. Conventions are
// reported in the plan so nobody has to guess which one applied. Linear in
// the number of files: rules are directory prefixes, looked up per ancestor.
import { environmentFromName } from './environments.ts';
import type { Placement } from './resolve.ts';

/** What the scanner learned about a repository's layout while reading it once. */
export interface RepoLayout {
  /** Every YAML file the scanner considered, repository-relative. */
  files: readonly string[];
  /** Flux `Kustomization` objects: the file they are in and their `spec.path`. */
  fluxKustomizations: readonly { file: string; path: string }[];
}

export interface Mapping {
  /** Directory prefix ('' for the whole repository) -> the clusters it belongs to, first rule first. */
  prefixes: Map<string, { cluster: string; environment?: string }[]>;
  conventions: string[];
}

function normalize(path: string): string {
  return path.replace(/^\.\//, '').replace(/\/+$/, '');
}

/**
 * Flux-style layout: `clusters/<name>/...` belongs to `<name>`, and so does every
 * path a Flux Kustomization under it points at (`spec.path: ./apps/production`).
 * A single `--cluster-state` with no other mapping covers the whole repository.
 */
export function conventionalMapping(layout: RepoLayout, clusterStateNames: readonly string[]): Mapping {
  const prefixes: Mapping['prefixes'] = new Map();
  const conventions: string[] = [];
  const add = (prefix: string, cluster: string, environment?: string) => {
    const list = prefixes.get(prefix) ?? [];
    if (!list.some((r) => r.cluster === cluster))
      list.push({ cluster, ...(environment ? { environment } : {}) });
    prefixes.set(prefix, list);
  };
  const referenced = new Map<string, Set<string>>();
  for (const f of layout.files) {
    const cluster = /^clusters\/([^/]+)\//.exec(f)?.[1];
    if (cluster && !referenced.has(cluster)) referenced.set(cluster, new Set());
  }
  for (const k of layout.fluxKustomizations) {
    const cluster = /^clusters\/([^/]+)\//.exec(k.file)?.[1];
    const p = normalize(k.path);
    if (cluster && p && !p.startsWith('clusters/') && !p.split('/').includes('..'))
      referenced.get(cluster)?.add(p);
  }
  for (const cluster of [...referenced.keys()].sort()) {
    const paths = [...referenced.get(cluster)!].sort();
    // `dev-1`, `prod-eu`: the environment the name says (./environments.ts), else the cluster itself.
    const environment = environmentFromName(cluster) ?? cluster;
    add(`clusters/${cluster}`, cluster, environment);
    for (const p of paths) add(p, cluster, environment);
    conventions.push(
      `Flux layout: clusters/${cluster}/ is cluster "${cluster}"${paths.length ? `, with the paths its Kustomizations apply (${paths.join(', ')})` : ''}`,
    );
  }
  if (!prefixes.size && clusterStateNames.length === 1) {
    add('', clusterStateNames[0]!);
    conventions.push(
      `one --cluster-state and no other mapping: the whole repository is cluster "${clusterStateNames[0]}"`,
    );
  }
  return { prefixes, conventions };
}

/**
 * Placement by conventions. A path shared by several clusters (a Kustomize base)
 * stays unassigned: its targets are edited through each cluster's overlay.
 */
export function placeByMapping(mapping: Mapping, file: string): Placement {
  let found: { cluster: string; environment?: string } | undefined;
  const names = new Set<string>();
  const visit = (prefix: string) => {
    for (const r of mapping.prefixes.get(prefix) ?? []) {
      found ??= r;
      names.add(r.cluster);
    }
  };
  visit('');
  for (let i = file.indexOf('/'); i >= 0; i = file.indexOf('/', i + 1)) visit(file.slice(0, i));
  if (names.size !== 1 || !found) return {};
  return { cluster: found.cluster, ...(found.environment ? { environment: found.environment } : {}) };
}

/** Every cluster (with its environment) that applies a file several clusters apply; undefined otherwise. */
export function sharedByMapping(
  mapping: Mapping,
  file: string,
): { cluster: string; environment?: string }[] | undefined {
  const byCluster = new Map<string, string | undefined>();
  const visit = (prefix: string) => {
    for (const r of mapping.prefixes.get(prefix) ?? [])
      if (!byCluster.has(r.cluster)) byCluster.set(r.cluster, r.environment);
  };
  visit('');
  for (let i = file.indexOf('/'); i >= 0; i = file.indexOf('/', i + 1)) visit(file.slice(0, i));
  if (byCluster.size < 2) return undefined;
  return [...byCluster]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([cluster, environment]) => ({ cluster, ...(environment ? { environment } : {}) }));
}
