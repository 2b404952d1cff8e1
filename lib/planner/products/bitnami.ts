// Bitnami's redis Helm chart and its image (tags like 7.2.4-debian-12-r9):
// the chart's versions and the image it ships are two targets of one release.
//
// A chart version deploys one image tag (`chartImages` in
// policies/catalog/bitnami.yaml, from the chart's values.yaml history), so a
// chart hop that changes the Redis line it ships (17.15.2 -> 18.0.4 moves
// Redis 7.0 -> 7.2, RDB 10 -> 11) carries that image hop's one-way risk,
// backup pre-step and major rules (`ships`, applied in ../steps.ts). An
// `image.tag` override in the same release (the same manifest document)
// pins Redis independently of the chart: the chart's hops then say so and do
// not claim to move Redis, and the override is its own target (`couple`).
import type { Catalog } from '../../catalog/schema.ts';
import type { Target } from '../../model.ts';
import { PODS_READY } from '../gate-conditions.ts';
import type { ProductRules } from './types.ts';

const CHART = 'bitnami-redis-chart';
const IMAGE = 'bitnami-redis';

/** The image a chart version deploys, by catalog (undefined when the chart history does not list it). */
function chartImage(catalog: Catalog, version: string) {
  return catalog.chartImages.find((c) => c.component === CHART && c.chart === version)?.image;
}

/** The same release: the same manifest document (a HelmRelease's `spec.values`, an Application's `helm.valuesObject`). */
function sameRelease(a: Target, b: Target): boolean {
  return a.file === b.file && a.document === b.document;
}

export const bitnami: ProductRules = {
  id: 'bitnami',
  summary: 'Bitnami redis chart and its debian image tags (the chart history in the catalog)',
  components: [CHART, IMAGE],
  operators: [],
  rules: ['rdb-one-way', 'backup-before-major'],
  ships(catalog, t, version) {
    if (t.component !== CHART) return undefined;
    const image = chartImage(catalog, version);
    return image ? { component: image.component, version: image.tag } : undefined;
  },
  couple({ works }) {
    for (const chart of works.filter((w) => w.target.component === CHART)) {
      const override = works.find(
        (w) =>
          w.target.component === IMAGE &&
          w.target.role === 'data-plane' &&
          sameRelease(chart.target, w.target),
      );
      if (!override) continue;
      chart.pinnedBy = override.target;
      override.note ??= `pins ${IMAGE} independently of the chart (${chart.target.field} ${chart.target.current}): a chart hop does not change it`;
    }
  },
  health: (t) =>
    t.component === CHART
      ? ['the HelmRelease / Application is Ready for the new chart version', 'every pod is Ready']
      : PODS_READY,
  examples: [
    {
      summary: 'the chart and its image tag, each within its line',
      targets: [
        {
          id: 'cache/release.yaml#HelmRelease/cache/cache:spec.chart.spec.version',
          component: CHART,
          current: '17.15.2',
        },
        {
          id: 'cache/release.yaml#HelmRelease/cache/cache:spec.values.image.tag',
          component: IMAGE,
          current: '7.2.4-debian-12-r9',
        },
      ],
      releases: { [CHART]: ['17.15.2', '17.15.6'], [IMAGE]: ['7.2.4-debian-12-r9', '7.2.5-debian-12-r0'] },
      paths: {
        'cache/release.yaml#HelmRelease/cache/cache:spec.chart.spec.version': ['17.15.2', '17.15.6'],
        'cache/release.yaml#HelmRelease/cache/cache:spec.values.image.tag': [
          '7.2.4-debian-12-r9',
          '7.2.5-debian-12-r0',
        ],
      },
    },
    {
      summary: 'a chart major that moves the Redis it ships from 7.0 to 7.2 takes a backup first',
      targets: [
        {
          id: 'cache/release.yaml#HelmRelease/cache/cache:spec.chart.spec.version',
          component: CHART,
          current: '17.15.2',
        },
      ],
      releases: { [CHART]: ['17.15.2', '18.0.4'] },
      paths: { 'cache/release.yaml#HelmRelease/cache/cache:spec.chart.spec.version': ['17.15.2', '18.0.4'] },
      preSteps: { 'cache/release.yaml#HelmRelease/cache/cache:spec.chart.spec.version': ['backup'] },
    },
  ],
};
