// Bitnami's redis Helm chart and its image (tags like 7.2.4-debian-12-r9):
// the chart's versions and the image it ships are two targets of one release.
import { PODS_READY } from '../gate-conditions.ts';
import type { ProductRules } from './types.ts';

const CHART = 'bitnami-redis-chart';
const IMAGE = 'bitnami-redis';

export const bitnami: ProductRules = {
  id: 'bitnami',
  summary: 'Bitnami redis chart and its debian image tags (the chart history in the catalog)',
  components: [CHART, IMAGE],
  operators: [],
  rules: [],
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
  ],
};
