// Helm values kept in a ConfigMap that a Flux HelmRelease merges in
// (`spec.valuesFrom: [{kind: ConfigMap, name, valuesKey}]`, the helm-controller's
// documented way to share values): the image versions inside the values text
// (`data.values.yaml: |`). Only a literal block maps back to the file exactly
// (../embedded.ts). A ConfigMap is a target only when a HelmRelease in the
// repository names it (the scanner drops the rest) and takes its chart from
// that release; the release's own `spec.values` wins over it (Flux merges
// `valuesFrom` first).
import { isScalar, Scalar } from 'yaml';
import { liftFound, parseEmbedded } from '../embedded.ts';
import type { Found, KindExample } from '../kind.ts';
import { child, joinPath, mapItems } from '../nodes.ts';
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
