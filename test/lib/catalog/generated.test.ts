// The generated catalog files checked against the upstream fixtures they are built from.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kubedbEntry, platformSupportFor, rdbFor, releasesOf } from '../../../lib/catalog/index.ts';
import { defaultCatalogDir, loadCatalogDir } from '../../../lib/node/catalog-dir.ts';
import { GENERATED_MARK, parseCsv, writeCatalog } from '../../../scripts/build-catalog.ts';
import { describeWithFixtures, fixturesDir, readFixture } from '../../support/fixtures.ts';

const catalog = loadCatalogDir(defaultCatalogDir);

describeWithFixtures('generated catalog files are reproducible', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('regenerates the committed files byte for byte, and twice the same', () => {
    dirs.push(mkdtempSync(join(tmpdir(), 'cairn-catalog-')), mkdtempSync(join(tmpdir(), 'cairn-catalog-')));
    const first = writeCatalog(fixturesDir, dirs[0]!);
    const second = writeCatalog(fixturesDir, dirs[1]!);
    expect(second).toEqual(first);
    for (const name of first) {
      const fresh = readFileSync(join(dirs[0]!, name), 'utf8');
      expect(readFileSync(join(dirs[1]!, name), 'utf8')).toBe(fresh);
      expect(readFileSync(join(defaultCatalogDir, name), 'utf8'), `${name} is stale: regenerate it`).toBe(
        fresh,
      );
    }
    // No committed file claims to be generated unless the generator still writes it.
    const committedGenerated = readdirSync(defaultCatalogDir).filter((n) =>
      readFileSync(join(defaultCatalogDir, n), 'utf8').includes(GENERATED_MARK),
    );
    expect(committedGenerated.sort()).toEqual([...first].sort());
  });
});

describeWithFixtures('catalog facts match the fixtures', () => {
  it('gives the RDB version of each Redis line as redis/redis src/rdb.h says', () => {
    const rows = parseCsv(readFixture('redis-versions/rdb_versions.csv'));
    const rdbOf = (line: string) => Number(rows.find((r) => r.server_minor === line)?.rdb_version);
    expect(rdbFor(catalog, 'redis', '7.2')).toMatchObject({ rdb: 11, confidence: 'source' });
    expect(rdbFor(catalog, 'redis', '7.4')).toMatchObject({ rdb: 12, confidence: 'source' });
    for (const line of ['6.2', '7.0', '7.2', '7.4'])
      expect(rdbFor(catalog, 'redis', line)?.rdb).toBe(rdbOf(line));
    expect(rdbFor(catalog, 'redis', '8.2')).toMatchObject({ rdb: rdbOf('8.2'), confidence: 'inferred' });
    expect(rdbFor(catalog, 'redis', '8.4')).toMatchObject({ rdb: rdbOf('8.4'), confidence: 'inferred' });
    expect(rdbFor(catalog, 'redis', '8.6')?.rdb).toBe(13);
    expect(rdbFor(catalog, 'redis', '8.8')).toBeUndefined();
    expect(rdbFor(catalog, 'redis', '8.10')).toBeUndefined();
    expect(rdbFor(catalog, 'valkey', '9.0')).toMatchObject({ rdb: 80, confidence: 'inferred' });
  });

  it('lists every Redis release of the CSV with its date', () => {
    const rows = parseCsv(readFixture('redis-versions/redis_releases.csv'));
    const releases = releasesOf(catalog, 'redis');
    expect(releases.map((r) => r.version).sort()).toEqual(rows.map((r) => r.version).sort());
    expect(releases.find((r) => r.version === '7.2.4')?.published).toBe('2024-01-09');
    expect(releases.find((r) => r.version === '8.6.2')?.published).toBe('2026-03');
  });

  // Read inside tests: a skipped suite still runs this body to collect its tests.
  const compatRows = () => parseCsv(readFixture('redis-enterprise-k8s/redis_enterprise_operator_compat.csv'));
  const split = (s: string | undefined) => (s ? s.split(';') : []);

  it('gives an operator version of the support-matrix table the same Kubernetes lists as its CSV row', () => {
    const row = compatRows().find((r) => r.operator_version === '7.8.6-1')!;
    const ps = platformSupportFor(catalog, 'redis-enterprise-operator', '7.8.6-1');
    expect(ps?.kubernetes).toEqual({
      supported: split(row.supported_k8s_versions),
      deprecated: split(row.deprecated_k8s_versions),
      eol: split(row.eol_k8s_versions),
    });
    expect(ps?.openshift).toEqual({
      supported: split(row.openshift_versions),
      deprecated: split(row.openshift_deprecated_versions),
    });
    expect(ps?.ships.map((s) => s.version)).toEqual(['7.8.6-1', '7.8.6-36', '7.8.6-60']);
  });

  it('checks every table row, writing OpenShift 4.08 as 4.8', () => {
    for (const row of compatRows().filter((r) => r.supported_k8s_versions)) {
      const ps = platformSupportFor(catalog, 'redis-enterprise-operator', row.operator_version!);
      expect(ps?.kubernetes?.supported, row.operator_version).toEqual(split(row.supported_k8s_versions));
      expect(ps?.openshift?.supported).toEqual(
        split(row.openshift_versions).map((v) => v.replace(/\.0(\d)$/, '.$1')),
      );
    }
    expect(
      platformSupportFor(catalog, 'redis-enterprise-operator', '6.2.4-1')?.openshift?.supported,
    ).toContain('4.8');
  });

  it('leaves Kubernetes support unknown for a patch release outside the table', () => {
    const row = compatRows().find((r) => r.operator_version === '7.4.6-6')!;
    expect(row.supported_k8s_versions).toBe('');
    const ps = platformSupportFor(catalog, 'redis-enterprise-operator', '7.4.6-6');
    expect(ps?.kubernetes).toBeNull();
    expect(ps?.openshift).toBeNull();
    expect(ps?.ships.map((s) => s.version)).toContain('7.4.6-102');
  });

  it('turns the Redis Software upgrade matrix into patterns and leaves out the downgrade cells', () => {
    const rows = parseCsv(readFixture('redis-enterprise-k8s/redis_software_upgrade_paths.csv'));
    const paths = catalog.upgradePaths.filter((u) => u.component === 'redis-enterprise');
    expect(paths).toHaveLength(rows.filter((r) => r.direct_upgrade !== 'n/a').length);
    expect(paths).toContainEqual(
      expect.objectContaining({ from: '6.4.x', to: '8.0.2..8.0.10', direct: 'supported' }),
    );
    expect(paths).toContainEqual(
      expect.objectContaining({ from: '6.2.8', to: '7.8.x', direct: 'not-supported' }),
    );
    expect(paths.some((u) => u.from === '7.4.x' && u.to === '7.2.x')).toBe(false);
  });

  it('keeps the KubeDB 7.4.6 allowlist exactly as upstream writes it', () => {
    const upstream = parse(
      readFixture('kubedb/installer/catalog/kubedb/raw/redis/redis-7.4.6-official.yaml'),
    );
    expect(kubedbEntry(catalog, '7.4.6')?.allowlist).toEqual(upstream.spec.updateConstraints.allowlist);
    expect(kubedbEntry(catalog, '7.4.6')?.allowlist).toEqual(['>= 7.4.6, < 8.2.2']);
    expect(kubedbEntry(catalog, 'valkey-8.1.1')?.distribution).toBe('Valkey');
    expect(releasesOf(catalog, 'kubedb-redis').map((r) => r.version)).toContain('4.0.6-v2');
  });

  it('maps each Bitnami chart version to the image tag it deploys', () => {
    const chartImage = (chart: string) => catalog.chartImages.find((c) => c.chart === chart)?.image.tag;
    expect(chartImage('18.16.1')).toBe('7.2.4-debian-12-r9');
    const values = parse(readFixture('bitnami-redis/chart-18.16.1/bitnami/redis/values.yaml'));
    expect(chartImage('18.16.1')).toBe(values.image.tag);
    const head = parse(readFixture('bitnami-redis/bitnami/redis/Chart.yaml'));
    expect(chartImage(head.version)).toBe(
      parse(readFixture('bitnami-redis/bitnami/redis/values.yaml')).image.tag,
    );
    expect(catalog.chartImages).toHaveLength(535);
  });

  it('names the image repositories found in the upstream manifests', () => {
    const imagesOf = (id: string) => catalog.components.get(id)?.images ?? [];
    const values = parse(readFixture('howl-redis-operator/charts/redis-operator/values.yaml'));
    expect(imagesOf('howl-redis-operator')).toContain(values.image.repository);
    expect(readFixture('redis-enterprise-k8s/redis-enterprise-k8s-docs/operator.yaml')).toMatch(
      new RegExp(`image: ${imagesOf('redis-enterprise-operator')[0]}:`),
    );
    expect(imagesOf('bitnami-redis')).toContain(
      parse(readFixture('bitnami-redis/bitnami/redis/values.yaml')).image.repository,
    );
    expect(imagesOf('ot-redis')).toContain(
      parse(readFixture('ot-redis-operator/charts/redis-cluster/values.yaml')).redisCluster.image,
    );
    expect(imagesOf('ot-redis-sentinel')).toContain(
      parse(readFixture('ot-redis-operator/charts/redis-sentinel/values.yaml')).redisSentinel.image,
    );
    expect(imagesOf('redis').some((i) => i.includes('opstree'))).toBe(false);
  });

  it('lists the howl operator tags and the Alauda-supported Redis lines', () => {
    const tags = parseCsv(readFixture('howl-redis-operator/DERIVED-release-tags.csv'));
    expect(releasesOf(catalog, 'howl-redis-operator')).toEqual(
      tags.map((t) => ({ version: t.tag, published: t.date, source: 'howl-tags' })),
    );
    expect(releasesOf(catalog, 'alauda-redis').map((r) => r.version)).toEqual([
      '6.0',
      '6.2',
      '7.0',
      '7.2',
      '7.4',
    ]);
  });
});
