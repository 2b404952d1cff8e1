// A HelmRelease whose HelmRepository is applied from outside the repository (a shared
// sources repository, as in the fleet example's flux-system sources): the chart is
// identified by its name and the source's name where that is unambiguous.
import { describe, expect, it } from 'vitest';
import { memoryRepo } from '../../../lib/targets/repo.ts';
import { scanRepository } from '../../../lib/targets/scan.ts';

function release(chart: string, source: string, values = ''): string {
  return `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: cache
  namespace: cache
spec:
  chart:
    spec:
      chart: ${chart}
      version: "18.16.1"
      sourceRef:
        kind: HelmRepository
        name: ${source}
        namespace: flux-system
${values}`;
}

async function scan(text: string) {
  return scanRepository(memoryRepo({ 'apps/cache/release.yaml': text }));
}

describe('HelmRelease with its HelmRepository outside the repository', () => {
  it('chart redis from a source named bitnami is the Bitnami chart, and its image.tag the Bitnami image', async () => {
    const inv = await scan(
      release('redis', 'bitnami', '  values:\n    image:\n      tag: 7.2.4-debian-12-r9\n'),
    );
    expect(inv.targets.map((t) => [t.field, t.component, t.current])).toEqual([
      ['spec.chart.spec.version', 'bitnami-redis-chart', '18.16.1'],
      ['spec.values.image.tag', 'bitnami-redis', '7.2.4-debian-12-r9'],
    ]);
  });

  it('a source name that says nothing leaves the shared chart name unidentified', async () => {
    const inv = await scan(release('redis', 'charts'));
    expect(inv.targets).toEqual([]);
  });

  it('a chart name only one publisher uses needs no source: redis-enterprise-operator', async () => {
    const inv = await scan(release('redis-enterprise-operator', 'redis'));
    expect(inv.targets.map((t) => t.component)).toEqual(['redis-enterprise-operator']);
  });

  it('a source in the repository still wins: its URL decides, not its name', async () => {
    const source =
      'apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: bitnami\n  namespace: flux-system\nspec:\n  url: https://charts.example.com/other\n';
    const inv = await scanRepository(
      memoryRepo({ 'apps/cache/release.yaml': release('redis', 'bitnami'), 'sources/bitnami.yaml': source }),
    );
    expect(inv.targets).toEqual([]);
  });
});
