// How files map to clusters when the policy does not say. Conventions are
// reported in the plan so nobody has to guess which one applied.
import { parseYamlDocuments } from '../input.ts';
import { environmentFromName } from '../policy/environments.ts';
import { matchesGlob } from '../policy/glob.ts';
import type { Placement } from '../policy/resolve.ts';

export interface Mapping {
  /** Path globs per cluster, first match wins. */
  rules: { glob: string; cluster: string; environment?: string }[];
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
export function conventionalMapping(
  files: readonly string[],
  read: (file: string) => string | undefined,
  clusterStateNames: readonly string[],
): Mapping {
  const rules: Mapping['rules'] = [];
  const conventions: string[] = [];
  const clusters = [
    ...new Set(files.map((f) => /^clusters\/([^/]+)\//.exec(f)?.[1]).filter((c): c is string => !!c)),
  ].sort();
  for (const cluster of clusters) {
    const referenced: string[] = [];
    for (const f of files.filter((x) => x.startsWith(`clusters/${cluster}/`) && /\.ya?ml$/.test(x))) {
      const text = read(f);
      if (!text) continue;
      let docs: ReturnType<typeof parseYamlDocuments>;
      try {
        docs = parseYamlDocuments(text, f);
      } catch {
        continue;
      }
      for (const d of docs) {
        const v = d.value as { apiVersion?: string; kind?: string; spec?: { path?: unknown } };
        if (
          v?.kind === 'Kustomization' &&
          v.apiVersion?.startsWith('kustomize.toolkit.fluxcd.io/') &&
          typeof v.spec?.path === 'string'
        ) {
          const p = normalize(v.spec.path);
          if (p && !p.startsWith('clusters/')) referenced.push(p);
        }
      }
    }
    const environment = environmentFromName(cluster) ?? cluster;
    rules.push({ glob: `clusters/${cluster}/**`, cluster, environment });
    for (const p of [...new Set(referenced)].sort()) rules.push({ glob: `${p}/**`, cluster, environment });
    conventions.push(
      `Flux layout: clusters/${cluster}/ is cluster "${cluster}"${referenced.length ? `, with the paths its Kustomizations apply (${[...new Set(referenced)].sort().join(', ')})` : ''}`,
    );
  }
  if (!rules.length && clusterStateNames.length === 1) {
    rules.push({ glob: '**', cluster: clusterStateNames[0]! });
    conventions.push(
      `one --cluster-state and no other mapping: the whole repository is cluster "${clusterStateNames[0]}"`,
    );
  }
  return { rules, conventions };
}

/** Every cluster (with its environment) that applies a file several clusters apply; undefined otherwise. */
export function sharedByMapping(
  mapping: Mapping,
  file: string,
): { cluster: string; environment?: string }[] | undefined {
  const byCluster = new Map<string, string | undefined>();
  for (const r of mapping.rules)
    if (!byCluster.has(r.cluster) && matchesGlob(file, r.glob)) byCluster.set(r.cluster, r.environment);
  if (byCluster.size < 2) return undefined;
  return [...byCluster]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([cluster, environment]) => ({ cluster, ...(environment ? { environment } : {}) }));
}

/**
 * Placement by conventions. A path shared by several clusters (a Kustomize base)
 * stays unassigned: its targets are edited through each cluster's overlay.
 */
export function placeByMapping(mapping: Mapping, file: string): Placement {
  const hits = mapping.rules.filter((r) => matchesGlob(file, r.glob));
  const names = new Set(hits.map((h) => h.cluster));
  if (names.size !== 1) return {};
  const h = hits[0]!;
  return { cluster: h.cluster, ...(h.environment ? { environment: h.environment } : {}) };
}
