// Flux HelmRelease: `spec.chart.spec.version` (the chart version, identified
// through its HelmRepository / OCIRepository source) and image versions in
// `spec.values`. A HelmRelease patch in a Kustomize overlay is found the same
// way; layering decides which one wins (../layering.ts).
import { foundAt } from '../found.ts';
import type { ChartRef, Found, KindExample } from '../kind.ts';
import { child, childIn, seqItems, stringOf } from '../nodes.ts';
import { isVersionRange } from '../tokens.ts';
import { findValuesImages } from '../values.ts';
import { apiGroup, type DocView } from '../yaml-file.ts';
import { defineKind } from './define.ts';

const examples: KindExample[] = [
  {
    file: 'apps/base/cache/release.yaml',
    text: [
      'apiVersion: helm.toolkit.fluxcd.io/v2',
      'kind: HelmRelease',
      'metadata:',
      '  name: cache',
      '  namespace: cache',
      'spec:',
      '  chart:',
      '    spec:',
      '      chart: redis-operator',
      '      version: "0.2.6"',
      '      sourceRef:',
      '        kind: HelmRepository',
      '        name: howl',
      '  values:',
      '    image:',
      '      repository: mirror.example.com/howl-cloud/redis-operator',
      '      tag: 0.2.6',
      '',
    ].join('\n'),
    expect: [
      {
        field: 'spec.values.image.tag',
        current: '0.2.6',
        component: 'howl-redis-operator',
        role: 'operator',
      },
      { field: 'spec.chart.spec.version', current: '0.2.6' },
    ],
  },
];

export function isHelmRelease(view: { apiVersion?: string; kind?: string }): boolean {
  return view.kind === 'HelmRelease' && apiGroup(view.apiVersion) === 'helm.toolkit.fluxcd.io';
}

/** The chart a HelmRelease installs: `spec.chart.spec` (name and source) or `spec.chartRef`. */
export function helmReleaseChart(view: DocView): ChartRef | undefined {
  const spec = view.doc.contents;
  const chartSpec = childIn(spec, ['spec', 'chart', 'spec']);
  const chartRefNode = childIn(spec, ['spec', 'chartRef']);
  if (chartSpec) {
    const name = stringOf(childIn(chartSpec, ['chart']));
    const srcKind = stringOf(childIn(chartSpec, ['sourceRef', 'kind']));
    const srcName = stringOf(childIn(chartSpec, ['sourceRef', 'name']));
    const srcNs = stringOf(childIn(chartSpec, ['sourceRef', 'namespace'])) ?? view.namespace;
    const chart: ChartRef = {};
    if (name) chart.name = name.replace(/\/+$/, '').split('/').pop() ?? name;
    if (srcKind && srcName)
      chart.sourceRef = { kind: srcKind, name: srcName, ...(srcNs ? { namespace: srcNs } : {}) };
    return chart;
  }
  if (chartRefNode) {
    const srcKind = stringOf(childIn(chartRefNode, ['kind']));
    const srcName = stringOf(childIn(chartRefNode, ['name']));
    const srcNs = stringOf(childIn(chartRefNode, ['namespace'])) ?? view.namespace;
    if (srcKind && srcName)
      return { sourceRef: { kind: srcKind, name: srcName, ...(srcNs ? { namespace: srcNs } : {}) } };
  }
  return undefined;
}

/**
 * The ConfigMaps a HelmRelease merges into its values (`spec.valuesFrom`, kind ConfigMap,
 * whole-values entries only: one with `targetPath` sets a single value and is not read).
 */
export function helmReleaseValuesFrom(view: DocView): { name: string; key: string }[] {
  return seqItems(childIn(view.doc.contents, ['spec', 'valuesFrom'])).flatMap((v) => {
    const name = stringOf(child(v, 'name'));
    if (stringOf(child(v, 'kind')) !== 'ConfigMap' || !name || child(v, 'targetPath')) return [];
    return [{ name, key: stringOf(child(v, 'valuesKey')) ?? 'values.yaml' }];
  });
}

export const fluxHelmRelease = defineKind({
  id: 'flux-helmrelease',
  summary: 'Flux HelmRelease spec.chart.spec.version and spec.values images',
  accepts: (view) => isHelmRelease(view),
  find: (view) => {
    const out: Found[] = [];
    const spec = view.doc.contents;
    const chartSpec = childIn(spec, ['spec', 'chart', 'spec']);
    const chart = helmReleaseChart(view);
    out.push(...findValuesImages(view, childIn(spec, ['spec', 'values']), 'spec.values', chart));
    const version = childIn(chartSpec, ['version']);
    if (version) {
      const f = foundAt(view, 'spec.chart.spec.version', version);
      f.chartVersion = true;
      if (chart) f.chart = chart;
      if (f.token && isVersionRange(f.token.text)) f.range = true;
      out.push(f);
    }
    return out;
  },
  examples,
});
