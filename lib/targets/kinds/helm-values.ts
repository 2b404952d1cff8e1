// Helm values files (`values.yaml`, `values-production.yaml`, …): image tags in
// every shape the real charts use (see ../values.ts). The chart they configure
// is the Chart.yaml in the same directory, resolved after the scan.
import type { KindExample } from '../kind.ts';
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

export const helmValues = defineKind({
  id: 'helm-values',
  summary:
    'Helm values files: image.tag, image.repository+tag, registry+repository+tag, imageName, sub-chart values',
  accepts: (view, ctx) => !view.kind && !view.apiVersion && /values[^/]*\.ya?ml$/i.test(basename(ctx.file)),
  find: (view, ctx) => findValuesImages(view, view.doc.contents ?? undefined, '', { dir: ctx.dir }),
  examples,
});
