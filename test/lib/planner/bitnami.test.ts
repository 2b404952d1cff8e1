// Bitnami chart hops (lib/planner/products/bitnami.ts): a chart version deploys one
// image tag (the chart history in policies/catalog/bitnami.yaml), so a chart hop that
// changes the Redis line carries that image hop's rules. The release is the layout of
// the fleet example (examples/flux-fleet/apps/production/cache/release.yaml): a Flux
// HelmRelease of the bitnami redis chart from a HelmRepository in the repository.
import { describe, expect, it } from 'vitest';
import { catalogReleases } from '../../../lib/feed.ts';
import type { Catalog } from '../../../lib/catalog/schema.ts';
import type { Release } from '../../../lib/model.ts';
import { planUpgrade } from '../../../lib/planner/plan.ts';
import { memoryRepo } from '../../../lib/targets/repo.ts';
import { scanRepository } from '../../../lib/targets/scan.ts';
import { catalog, NOW, path, policy } from './helpers.ts';

const SOURCE = `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: bitnami
  namespace: flux-system
spec:
  type: oci
  url: oci://registry-1.docker.io/bitnamicharts
`;

function release(chart: string, tag?: string): string {
  return `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: cache
  namespace: cache
spec:
  chart:
    spec:
      chart: redis
      version: "${chart}"
      sourceRef:
        kind: HelmRepository
        name: bitnami
        namespace: flux-system
  values:
    architecture: replication
${tag ? `    image:\n      repository: bitnami/redis\n      tag: ${tag}\n` : ''}`;
}

const CHART = 'clusters/prod/cache/release.yaml#HelmRelease/cache/cache:spec.chart.spec.version';
const IMAGE = 'clusters/prod/cache/release.yaml#HelmRelease/cache/cache:spec.values.image.tag';

/** Plans the release with the catalog's chart history cut to `charts` (each dated long before). */
async function planRelease(text: string, charts?: string[], cat: Catalog = catalog) {
  const repo = memoryRepo({
    'clusters/prod/sources/bitnami.yaml': SOURCE,
    'clusters/prod/cache/release.yaml': text,
  });
  const inventory = await scanRepository(repo, { locate: () => ({ cluster: 'prod' }) });
  const releases: Record<string, Release[]> = catalogReleases(catalog);
  if (charts)
    releases['bitnami-redis-chart'] = charts.map((version) => ({ version, published: '2025-01-01' }));
  return planUpgrade({
    inventory,
    releases,
    clusters: {},
    policy: policy('defaults:\n  minimumReleaseAge: 0s\n'),
    catalog: cat,
    now: NOW,
  });
}

describe('Bitnami chart: a hop that changes the Redis it ships', () => {
  it('17.15.2 -> 18.0.4 moves Redis 7.0 -> 7.2: one-way (RDB 10 -> 11), backup first, rdb-one-way cited', async () => {
    const p = await planRelease(release('17.15.2'), ['17.15.2', '18.0.4']);
    expect(path(p, CHART)).toEqual(['17.15.2', '18.0.4']);
    const step = p.steps.find((s) => s.target.id === CHART)!;
    expect(step.oneWay).toBe(true);
    expect(step.risks).toContainEqual(
      expect.stringMatching(
        /ships bitnami-redis 7\.2\.1-debian-11-r0 instead of 7\.0\.12-debian-11-r19: raises the RDB format from 10 to 11/,
      ),
    );
    expect(step.rules.map((r) => r.id)).toContain('rdb-one-way');
    expect(step.preSteps.map((s) => s.kind)).toEqual(['backup']);
  });

  it('a chart patch can move the line too (17.15.3 -> 17.15.4 ships 7.0 -> 7.2): backup before the one-way hop', async () => {
    const p = await planRelease(release('17.15.3'), ['17.15.3', '17.15.4']);
    const step = p.steps.find((s) => s.target.id === CHART)!;
    expect(step.oneWay).toBe(true);
    expect(step.preSteps.map((s) => s.rule)).toEqual(['backup-before-one-way']);
  });

  it('20.x -> 21.0.0 moves Redis 7.4 -> 8.0: a Redis major, cited as backup-before-major', async () => {
    const p = await planRelease(release('20.13.4'), ['20.13.4', '21.0.0']);
    const step = p.steps.find((s) => s.target.id === CHART)!;
    expect(step.risks).toContainEqual(
      expect.stringMatching(
        /moves bitnami-redis across a major version \(7 -> 8, 7\.4\.3-debian-12-r0 -> 8\.0\.0-debian-12-r0\)/,
      ),
    );
    expect(step.preSteps.map((s) => s.rule)).toEqual(['backup-before-major']);
  });

  it('a chart patch that keeps the Redis line stays a plain hop: no one-way, no backup', async () => {
    const p = await planRelease(release('20.13.3'), ['20.13.3', '20.13.4']);
    const step = p.steps.find((s) => s.target.id === CHART)!;
    expect(step.oneWay).toBe(false);
    expect(step.preSteps).toEqual([]);
  });
});

describe('Bitnami chart with an image.tag override in the same release', () => {
  it('the override pins Redis independently: the chart hop says so and claims no Redis change', async () => {
    const p = await planRelease(release('17.15.2', '7.0.12-debian-11-r19'), ['17.15.2', '18.0.4']);
    const step = p.steps.find((s) => s.target.id === CHART)!;
    expect(step.oneWay).toBe(false);
    expect(step.risks).toContainEqual(
      expect.stringMatching(
        /spec\.values\.image\.tag \(clusters\/prod\/cache\/release\.yaml:\d+\) pins bitnami-redis \(7\.0\.12-debian-11-r19 today\) independently of the chart/,
      ),
    );
    const image = p.targets.find((t) => t.target.id === IMAGE)!;
    expect(image.note).toMatch(
      /pins bitnami-redis independently of the chart \(spec\.chart\.spec\.version 17\.15\.2\)/,
    );
  });
});

describe('Bitnami chart: a hop that ships an older Redis', () => {
  it('17.17.0 -> 17.17.1 went back from Redis 7.2 to 7.0 (the chart history): the step says so', async () => {
    const p = await planRelease(release('17.17.0'), ['17.17.0', '17.17.1']);
    const step = p.steps.find((s) => s.target.id === CHART)!;
    expect(step.risks).toContainEqual(
      expect.stringMatching(/ships an older bitnami-redis \(7\.0\.\S+\) than 17\.17\.0 did \(7\.2\.\S+\)/),
    );
  });
});

/** The shipped catalog with some chart versions taken out of the chart history (and their images). */
function withoutCharts(drop: (chart: string) => boolean): Catalog {
  const components = new Map(catalog.components);
  const chart = components.get('bitnami-redis-chart')!;
  components.set('bitnami-redis-chart', {
    ...chart,
    releases: chart.releases.filter((r) => !drop(r.version)),
  });
  return {
    ...catalog,
    components,
    chartImages: catalog.chartImages.filter((c) => c.component !== 'bitnami-redis-chart' || !drop(c.chart)),
  };
}

/** The shipped catalog with the image a chart ships replaced (a hypothetical chart history). */
function withShipped(tags: Record<string, string>): Catalog {
  return {
    ...catalog,
    chartImages: catalog.chartImages.map((c) =>
      c.component === 'bitnami-redis-chart' && tags[c.chart]
        ? { ...c, image: { ...c.image, tag: tags[c.chart]! } }
        : c,
    ),
  };
}

describe('Bitnami chart: a hop across a Redis major lands on the earliest minor of the new major', () => {
  it('with no chart that ships Redis 8.0 (the 21.x charts taken out), 20.13.4 -> 22.0.2 (Redis 7.4 -> 8.2) is blocked', async () => {
    const cat = withoutCharts((v) => v.startsWith('21.'));
    const p = await planRelease(release('20.13.4'), ['20.13.4', '22.0.2'], cat);
    expect(path(p, CHART)).toEqual([]);
    const b = p.blocked.find((x) => x.target.id === CHART)!;
    expect(b.reason).toMatch(
      /chart 22\.0\.2 ships bitnami-redis 8\.2\.0-debian-12-r0, across a Redis major from 7\.4\.3-debian-12-r0: a Redis major first goes to its earliest minor \(8\.0\)/,
    );
    expect(b.unblock).toContain('a chart that ships bitnami-redis 8.0');
    expect(b.rule?.id).toBe('major-via-earliest-minor');
  });

  it('a chart major that ships a later Redis minor first stops at the chart that ships the earliest (hypothetical history)', async () => {
    // Hypothetical: 21.0.4 ships Redis 8.2 while 20.13.5 (a chart patch) already ships 8.0.
    const cat = withShipped({ '21.0.4': '8.2.0-debian-12-r0', '20.13.4': '8.0.0-debian-12-r0' });
    const p = await planRelease(release('20.13.3'), ['20.13.3', '20.13.4', '21.0.4'], cat);
    expect(path(p, CHART)).toEqual(['20.13.3', '20.13.4', '21.0.4']);
    const stop = p.steps.find((s) => s.target.id === CHART && s.to === '20.13.4')!;
    expect(stop.rules.map((r) => r.id)).toContain('major-via-earliest-minor');
  });

  it('on the shipped history the rule holds on its own: 20.13.4 -> 21.x (Redis 8.0) -> 22.x', async () => {
    const p = await planRelease(release('20.13.4'), ['20.13.4', '21.2.19', '22.0.2']);
    expect(path(p, CHART)).toEqual(['20.13.4', '21.2.19', '22.0.2']);
  });
});
