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
//
// The major rule holds for the Redis a chart ships, not only for the chart's
// own version (`chartPath`): a chart hop that crosses a Redis major lands on a
// chart whose Redis is the earliest minor of the new major (8.0 for Redis 8),
// or the path is blocked. Chart majors have followed Redis majors so far
// (21.x ships 8.0, 22.x ships 8.2); the rule does not rely on that.
import type { Catalog } from '../../catalog/schema.ts';
import type { Target } from '../../model.ts';
import { getScheme } from '../../versioning/index.ts';
import type { SchemeId, VersionScheme } from '../../versioning/types.ts';
import type { Verdict } from '../candidates.ts';
import { PODS_READY } from '../gate-conditions.ts';
import { type PathContext, type PathResult, semverPath } from '../paths.ts';
import { catalogRule } from '../rules.ts';
import type { ProductRules } from './types.ts';

const CHART = 'bitnami-redis-chart';
const IMAGE = 'bitnami-redis';

/** The chart history by chart version, built once per catalog (paths ask for it per hop). */
const chartImagesOf = new WeakMap<Catalog, Map<string, Catalog['chartImages'][number]['image']>>();

/** The image a chart version deploys, by catalog (undefined when the chart history does not list it). */
function chartImage(catalog: Catalog, version: string) {
  let byChart = chartImagesOf.get(catalog);
  if (!byChart) {
    byChart = new Map();
    for (const c of catalog.chartImages)
      if (c.component === CHART && !byChart.has(c.chart)) byChart.set(c.chart, c.image);
    chartImagesOf.set(catalog, byChart);
  }
  return byChart.get(version);
}

function imageScheme(catalog: Catalog): VersionScheme | undefined {
  const comp = catalog.components.get(IMAGE);
  return comp ? getScheme(comp.scheme as SchemeId) : undefined;
}

/** The earliest Redis line of a major that Bitnami published an image of (its releases and what its charts ship). */
const earliestLines = new WeakMap<Catalog, Map<number, string | undefined>>();

function earliestLine(catalog: Catalog, scheme: VersionScheme, major: number): string | undefined {
  let known = earliestLines.get(catalog);
  if (!known) earliestLines.set(catalog, (known = new Map()));
  if (!known.has(major)) known.set(major, findEarliestLine(catalog, scheme, major));
  return known.get(major);
}

function findEarliestLine(catalog: Catalog, scheme: VersionScheme, major: number): string | undefined {
  const tags = [
    ...(catalog.components.get(IMAGE)?.releases.map((r) => r.version) ?? []),
    ...catalog.chartImages.filter((c) => c.component === CHART).map((c) => c.image.tag),
  ].filter((t) => scheme.isValid(t) && scheme.getMajor(t) === major);
  const lines = [...new Set(tags.map((t) => scheme.getLine(t)))];
  return lines.sort((a, b) => {
    const [a1, a2] = a.split('.').map(Number);
    const [b1, b2] = b.split('.').map(Number);
    return a1! - b1! || a2! - b2!;
  })[0];
}

/**
 * The chart's semantic-version path, then the Redis major rule on what each hop ships: a
 * hop into a new Redis major must land on a chart shipping that major's earliest line, else
 * the path stops at the newest chart that does (blocked when none is eligible).
 */
export function chartPath(ctx: PathContext, usable: Verdict[], depth = 0): PathResult {
  const base = semverPath(ctx, usable);
  const scheme = imageScheme(ctx.catalog);
  if (!scheme || depth > 8 || ctx.settings.majorUpgrade === 'direct') return base;
  const shipped = (chart: string) => {
    const tag = chartImage(ctx.catalog, chart)?.tag;
    return tag && scheme.isValid(tag) ? tag : undefined;
  };
  const rule = catalogRule(ctx.catalog, 'major-via-earliest-minor');
  let from = ctx.current.raw;
  for (const [i, hop] of base.hops.entries()) {
    const a = shipped(from);
    const b = shipped(hop.release);
    if (!a || !b || scheme.getMajor(b) <= scheme.getMajor(a)) {
      from = hop.release;
      continue;
    }
    const major = scheme.getMajor(a) + 1;
    const need = earliestLine(ctx.catalog, scheme, major);
    if (!need || (scheme.getMajor(b) === major && scheme.getLine(b) === need)) {
      from = hop.release;
      continue;
    }
    const fromChart = from;
    const stop = usable
      .filter(
        (v) => ctx.scheme.compare(v.version, fromChart) > 0 && ctx.scheme.compare(v.version, hop.release) < 0,
      )
      .filter((v) => {
        const t = shipped(v.version);
        return t !== undefined && scheme.getMajor(t) === major && scheme.getLine(t) === need;
      })
      .at(-1);
    if (!stop) {
      return {
        hops: base.hops.slice(0, i),
        blocked: {
          wanted: usable.at(-1)!.token,
          reason: `chart ${hop.to} ships ${IMAGE} ${b}, across a Redis major from ${a}: a Redis major first goes to its earliest minor (${need}), and no eligible chart between ${fromChart} and ${hop.to} ships ${need}`,
          unblock: `let a chart that ships ${IMAGE} ${need} pass the policy (release age, pin, deny), or set image.tag to a ${need} tag for one step, or set majorUpgrade: direct`,
          rule,
        },
      };
    }
    // Up to the stop, then on from it; each part obeys both rules.
    const first = chartPath(
      ctx,
      usable.filter((v) => ctx.scheme.compare(v.version, stop.version) <= 0),
      depth + 1,
    );
    const landed = first.hops.at(-1);
    if (first.blocked || landed?.release !== stop.version) return first;
    if (!landed.rules.some((r) => r.id === rule.id)) landed.rules.push(rule);
    const rest = chartPath(
      { ...ctx, current: stop.parsed },
      usable.filter((v) => ctx.scheme.compare(v.version, stop.version) > 0),
      depth + 1,
    );
    const hops = [...first.hops, ...rest.hops];
    return {
      hops,
      ...(rest.blocked ? { blocked: rest.blocked } : {}),
      direct: `${ctx.current.raw} -> ${usable.at(-1)!.token} crosses a Redis major (${a} -> ${b}): it first stops at chart ${stop.token}, which ships ${shipped(stop.version)}, the earliest minor of Redis ${major} [major-via-earliest-minor]`,
    };
  }
  return base;
}

/**
 * The same release: the same manifest document (a HelmRelease's `spec.values`, an Application's
 * `helm.valuesObject`), or a values file that manifest names (`b.release`: Argo CD
 * `helm.valueFiles`, a Flux `valuesFrom` ConfigMap).
 */
function sameRelease(chart: Target, b: Target): boolean {
  // An umbrella chart's dependency (Chart.yaml) and the `<dependency>.image.tag` in its values files.
  return (
    (chart.file === b.file && chart.document === b.document) ||
    b.release === `${chart.file}#${chart.document}`
  );
}

export const bitnami: ProductRules = {
  id: 'bitnami',
  summary: 'Bitnami redis chart and its debian image tags (the chart history in the catalog)',
  components: [CHART, IMAGE],
  operators: [],
  rules: ['rdb-one-way', 'backup-before-major', 'major-via-earliest-minor'],
  path: (ctx, usable) => (ctx.component === CHART ? chartPath(ctx, usable) : semverPath(ctx, usable)),
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
