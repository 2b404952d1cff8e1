// Helm values kept in a ConfigMap that a Flux HelmRelease merges in
// (`spec.valuesFrom: [{kind: ConfigMap, name, valuesKey}]`, the helm-controller's
// documented way to share values): the image versions inside the values text
// (`data.values.yaml: |`). Only a literal block maps back to the file exactly
// (../embedded.ts). A ConfigMap is a target only when a HelmRelease in the
// repository names it (the scanner drops the rest) and takes its chart from
// that release; the release's own `spec.values` wins over it (Flux merges
// `valuesFrom` first).
//
// The same values are often kept as a plain file that a kustomization's
// `configMapGenerator` (`files: [values.yaml=values-prod.yaml]`) turns into
// that ConfigMap, as the Flux docs suggest for values in Git: such a file is
// tied to the release the same way (tieGeneratedValues), and edits go to it.
import { isScalar, Scalar } from 'yaml';
import { liftFound, parseEmbedded } from '../embedded.ts';
import type { Found, KindExample } from '../kind.ts';
import { child, joinPath, mapItems, seqItems, stringOf } from '../nodes.ts';
import { basename, joinRepoPath } from '../paths.ts';
import type { GeneratedValuesRef, Hit, ScanIndex } from '../scan.ts';
import type { DocView } from '../yaml-file.ts';
import { findValuesImages } from '../values.ts';
import { defineKind } from './define.ts';

const examples: KindExample[] = [
  {
    file: 'apps/cache/values.yaml',
    text: [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: cache-values',
      '  namespace: cache',
      'data:',
      '  values.yaml: |',
      '    architecture: replication',
      '    image:',
      '      repository: bitnami/redis',
      '      tag: 7.2.4-debian-12-r9',
      '---',
      'apiVersion: helm.toolkit.fluxcd.io/v2',
      'kind: HelmRelease',
      'metadata:',
      '  name: cache',
      '  namespace: cache',
      'spec:',
      '  chart:',
      '    spec:',
      '      chart: redis',
      '      sourceRef:',
      '        kind: HelmRepository',
      '        name: bitnami',
      '  valuesFrom:',
      '    - kind: ConfigMap',
      '      name: cache-values',
      '',
    ].join('\n'),
    expect: [
      { field: 'data.values.yaml/image.tag', current: '7.2.4-debian-12-r9', component: 'bitnami-redis' },
    ],
  },
];

export const fluxValuesConfigMap = defineKind({
  id: 'flux-values-configmap',
  summary: 'Helm values in a ConfigMap a Flux HelmRelease names in spec.valuesFrom',
  accepts: (view) => view.kind === 'ConfigMap' && (view.apiVersion ?? 'v1') === 'v1',
  find: (view) => {
    const out: Found[] = [];
    for (const it of mapItems(child(view.doc.contents, 'data'))) {
      const key = typeof it.key === 'string' ? it.key : undefined;
      const value = it.value;
      // Values are a YAML map written as a literal block; anything else (redis.conf, JSON) is not read.
      if (!key || !isScalar(value) || value.type !== Scalar.BLOCK_LITERAL) continue;
      const field = joinPath('data', key);
      const parsed = parseEmbedded(view, value, field);
      if (!parsed.ok) continue;
      const inner = parsed.embedded.view;
      for (const f of findValuesImages(inner, inner.doc.contents ?? undefined, '')) {
        const lifted = liftFound(view.text, parsed.embedded, f);
        out.push({ ...lifted, field: `${field}/${f.field}`, valuesOf: { name: view.name ?? '', key } });
      }
    }
    return out;
  },
  examples,
});

/** The files a kustomization's `configMapGenerator` entries turn into ConfigMap keys. */
export function configMapGeneratorFiles(view: DocView, dir: string): GeneratedValuesRef[] {
  const root = view.doc.contents;
  const namespace = stringOf(child(root, 'namespace'));
  return seqItems(child(root, 'configMapGenerator')).flatMap((g) => {
    const name = stringOf(child(g, 'name'));
    if (!name) return [];
    const ns = stringOf(child(g, 'namespace')) ?? namespace;
    return seqItems(child(g, 'files')).flatMap((f) => {
      const spec = stringOf(f);
      if (!spec) return [];
      const eq = spec.indexOf('=');
      const rel = eq < 0 ? spec : spec.slice(eq + 1);
      const file = joinRepoPath(dir, rel);
      if (file === undefined) return [];
      const key = eq < 0 ? basename(rel) : spec.slice(0, eq);
      return [{ file, name, key, ...(ns ? { namespace: ns } : {}) }];
    });
  });
}

/**
 * A values file a `configMapGenerator` makes into a ConfigMap that a HelmRelease names in
 * `valuesFrom` is that ConfigMap's values: it takes the release's chart and precedence.
 */
export function tieGeneratedValues(hits: readonly Hit[], index: ScanIndex): void {
  for (const g of index.generatedValues) {
    const named = index.valuesFrom.some(
      (r) =>
        r.name === g.name && r.key === g.key && (g.namespace === undefined || r.namespace === g.namespace),
    );
    if (!named) continue;
    for (const hit of hits) {
      if (hit.file !== g.file || hit.kind !== 'helm-values' || hit.found.valuesOf) continue;
      hit.found.valuesOf = {
        name: g.name,
        key: g.key,
        generated: g.namespace ? { namespace: g.namespace } : {},
      };
      if (hit.found.chart?.dir !== undefined && !index.charts.has(hit.found.chart.dir))
        delete hit.found.chart;
    }
  }
}
