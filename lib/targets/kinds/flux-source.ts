// Flux sources that carry the version themselves: OCIRepository `spec.ref.tag`
// / `spec.ref.semver` (a chart pulled by a HelmRelease `chartRef`), HelmChart
// `spec.version` (the other `chartRef` kind: a chart from a HelmRepository) and
// GitRepository `spec.ref.tag` (an operator's manifests from its Git tags).
// A HelmRepository holds no version; it is indexed to identify chart names.
// A chart source is often kept apart from the releases that use it (a shared
// `sources/` folder no cluster's Kustomization applies): it deploys where the
// HelmReleases that name it in `chartRef` do (placeChartSources).
import { foundAt } from '../found.ts';
import { identifyChart, identifyGitRepository } from '../identify.ts';
import type { ChartRef, Found, KindExample } from '../kind.ts';
import { childIn, stringOf } from '../nodes.ts';
import type { UnreadableTarget } from '../../model.ts';
import type { ChartSourceRef, Hit, Locate, ScanIndex } from '../scan.ts';
import { isVersionRange } from '../tokens.ts';
import { apiGroup, type DocView } from '../yaml-file.ts';
import { defineKind } from './define.ts';

const examples: KindExample[] = [
  {
    file: 'infrastructure/redis-operator.yaml',
    text: [
      '---',
      'apiVersion: source.toolkit.fluxcd.io/v1',
      'kind: OCIRepository',
      'metadata:',
      '  name: redis-operator',
      '  namespace: flux-system',
      'spec:',
      '  url: oci://mirror.example.com/howl-cloud/charts/redis-operator',
      '  ref:',
      '    tag: 0.2.5',
      '',
    ].join('\n'),
    expect: [{ field: 'spec.ref.tag', current: '0.2.5', component: 'howl-redis-operator', role: 'operator' }],
  },
];

/** The chart a HelmChart pulls: `spec.chart` from `spec.sourceRef` (a HelmRepository). */
export function helmChartSource(view: DocView): ChartRef | undefined {
  const root = view.doc.contents;
  const name = stringOf(childIn(root, ['spec', 'chart']));
  const kind = stringOf(childIn(root, ['spec', 'sourceRef', 'kind']));
  const src = stringOf(childIn(root, ['spec', 'sourceRef', 'name']));
  if (!name) return undefined;
  const namespace = view.namespace;
  return {
    name,
    ...(kind && src ? { sourceRef: { kind, name: src, ...(namespace ? { namespace } : {}) } } : {}),
  };
}

/**
 * Places each chart source no cluster's paths apply with the HelmReleases that name it
 * (`spec.chartRef`, same kind, name and namespace): on their one cluster, or, when releases
 * of several clusters share it, as shared by them (one edit changes them all).
 */
export function placeChartSources(hits: Hit[], refs: readonly ChartSourceRef[], locate: Locate): void {
  for (const hit of hits) {
    if (hit.kind !== 'flux-source' || !hit.found.chartVersion || hit.cluster || !hit.resource) continue;
    const { kind, name, namespace = '' } = hit.resource;
    const where = new Map<string, string | undefined>();
    for (const r of refs) {
      if (r.kind !== kind || r.name !== name || r.namespace !== namespace) continue;
      const at = locate(r.file);
      if (at.cluster && !where.has(at.cluster)) where.set(at.cluster, at.environment);
    }
    const clusters = [...where].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (clusters.length === 1) {
      const [[cluster, environment]] = clusters as [[string, string | undefined]];
      hit.cluster = cluster;
      if (environment) hit.environment = environment;
    } else if (clusters.length > 1) {
      hit.sharedBy = clusters.map(([cluster, environment]) => ({
        cluster,
        ...(environment ? { environment } : {}),
      }));
    }
  }
}

/**
 * A release whose values cairn plans but whose chart source is not in the repository (applied
 * from another one): its chart version cannot be planned here, and the plan says so.
 */
export function chartSourcesOutside(hits: readonly Hit[], index: ScanIndex): UnreadableTarget[] {
  const out: UnreadableTarget[] = [];
  for (const r of index.chartRefs) {
    const key = `${r.kind}/${r.namespace}/${r.name}`;
    if (index.sources.has(key) || index.helmCharts.has(key)) continue;
    const planned = hits.some(
      (h) =>
        h.identity &&
        h.file === r.file &&
        h.kind === 'flux-helmrelease' &&
        `${h.resource?.kind}/${h.resource?.namespace ?? ''}/${h.resource?.name}` === r.release,
    );
    if (!planned) continue;
    out.push({
      file: r.file,
      line: r.line,
      field: 'spec.chartRef',
      reason: `the chart version is pinned by ${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}, which is not in this repository: only the release's values are planned here (plan the repository that holds the ${r.kind} for the chart)`,
    });
  }
  return out;
}

export const fluxSource = defineKind({
  id: 'flux-source',
  summary:
    'Flux OCIRepository spec.ref.tag/semver and HelmChart spec.version (Helm chart), GitRepository spec.ref.tag',
  accepts: (view) =>
    apiGroup(view.apiVersion) === 'source.toolkit.fluxcd.io' &&
    (view.kind === 'OCIRepository' || view.kind === 'GitRepository' || view.kind === 'HelmChart'),
  find: (view) => {
    const root = view.doc.contents;
    const url = stringOf(childIn(root, ['spec', 'url'])) ?? '';
    const out: Found[] = [];
    if (view.kind === 'HelmChart') {
      const node = childIn(root, ['spec', 'version']);
      const chart = helmChartSource(view);
      if (!node || !chart) return out;
      const f = foundAt(view, 'spec.version', node);
      f.chartVersion = true;
      f.chart = chart;
      if (f.token && isVersionRange(f.token.text)) f.range = true;
      out.push(f);
      return out;
    }
    for (const key of ['tag', 'semver'] as const) {
      const node = childIn(root, ['spec', 'ref', key]);
      if (!node) continue;
      const f = foundAt(view, `spec.ref.${key}`, node);
      if (view.kind === 'OCIRepository') {
        const name = url.replace(/\/+$/, '').split('/').pop() ?? '';
        const id = identifyChart(name, url);
        if (id) f.identity = { component: id.component, role: id.role };
        f.chartVersion = true;
      } else {
        const id = identifyGitRepository(url);
        if (id) f.identity = id;
      }
      if (key === 'semver' || (f.token && isVersionRange(f.token.text))) f.range = true;
      out.push(f);
    }
    return out;
  },
  examples,
});
