// Helm values files (`values.yaml`, `values-production.yaml`, …): image tags in
// every shape the real charts use (see ../values.ts). The chart they configure
// is the Chart.yaml in the same directory, resolved after the scan, or the
// chart of the Argo CD Application whose `helm.valueFiles` name the file
// (whatever its name: `$values/infra/helm/values/redis.yaml`), tied by
// tieArgoValueFiles.
import type { KindExample } from '../kind.ts';
import type { Hit, Locate, ScanIndex } from '../scan.ts';
import { basename } from '../paths.ts';
import { findValuesImages } from '../values.ts';
import { defineKind } from './define.ts';

const examples: KindExample[] = [
  {
    file: 'charts/cache/values.yaml',
    text: [
      '# Bitnami-style image',
      'image:',
      '  registry: mirror.example.com',
      '  repository: bitnami/redis',
      '  tag: 7.2.4-debian-12-r9 # pinned',
      '  digest: ""',
      'sentinel:',
      '  image: {repository: library/redis, tag: "7.2.4"}',
      '',
    ].join('\n'),
    expect: [
      { field: 'image.tag', current: '7.2.4-debian-12-r9', component: 'bitnami-redis', role: 'data-plane' },
      { field: 'sentinel.image.tag', current: '7.2.4', component: 'redis', role: 'data-plane' },
    ],
  },
];

/** Whether a file's name says it holds Helm values (`values.yaml`, `values-prod.yaml`, `redis-values.yaml`). */
export function isValuesFileName(file: string): boolean {
  return /values[^/]*\.ya?ml$/i.test(basename(file));
}

export const helmValues = defineKind({
  id: 'helm-values',
  summary:
    'Helm values files: image.tag, image.repository+tag, registry+repository+tag, imageName, sub-chart values',
  accepts: (view, ctx) => !view.kind && !view.apiVersion && isValuesFileName(ctx.file),
  find: (view, ctx) => findValuesImages(view, view.doc.contents ?? undefined, '', { dir: ctx.dir }),
  examples,
});

/**
 * Values files an Argo CD source names in `helm.valueFiles` configure that source's chart:
 * a file with no chart of its own (no Chart.yaml beside it) takes the Application's chart, and
 * `Hit.release` links it to the Application (a Bitnami chart hop then knows the file's
 * `image.tag` pins Redis for that chart instance).
 */
export function tieArgoValueFiles(hits: readonly Hit[], index: ScanIndex): void {
  for (const src of index.argo) {
    if (!src.chart) continue;
    for (const path of src.valueFilePaths ?? []) {
      for (const hit of hits) {
        if (hit.file !== path || hit.kind !== 'helm-values' || hit.release) continue;
        if (hit.found.chart?.dir !== undefined && index.charts.has(hit.found.chart.dir)) continue;
        hit.found.chart = src.chart;
        hit.release = `${src.file}#${src.document}`;
      }
    }
  }
}

/** A tied values file deploys where the Applications that name it do (several: shared by them). */
export function placeArgoValueFiles(hits: readonly Hit[], index: ScanIndex, locate: Locate): void {
  for (const hit of hits) {
    if (!hit.release || hit.cluster || hit.kind !== 'helm-values') continue;
    const where = new Map<string, string | undefined>();
    for (const src of index.argo) {
      if (!(src.valueFilePaths ?? []).includes(hit.file)) continue;
      const at = locate(src.file);
      if (at.cluster && !where.has(at.cluster)) where.set(at.cluster, at.environment);
    }
    const clusters = [...where].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (clusters.length === 1) {
      hit.cluster = clusters[0]![0];
      const env = clusters[0]![1];
      if (env) hit.environment = env;
    } else if (clusters.length > 1) {
      hit.sharedBy = clusters.map(([cluster, environment]) => ({
        cluster,
        ...(environment ? { environment } : {}),
      }));
    }
  }
}
