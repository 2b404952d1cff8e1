import { describe, expect, it } from 'vitest';
import { getScheme } from '../../../lib/versioning/index.ts';
import { parseRedisEnterprise } from '../../../lib/versioning/redis-enterprise.ts';
import { describeWithFixtures } from '../../support/fixtures.ts';
import { lazy, monthOrdinal, pick, readCsv, strictlyDatedPairs } from './csv.ts';

const s = getScheme('redis-enterprise');

describe('redis-enterprise: parse', () => {
  it.each([
    ['7.4.6-22', { major: 7, minor: 4, patch: 6, build: 22, subBuild: undefined, floating: false }],
    ['7.4.6-2', { patch: 6, build: 2 }],
    ['7.8.6-6', { major: 7, minor: 8, patch: 6, build: 6 }],
    ['8.0.18-23.11', { major: 8, minor: 0, patch: 18, build: 23, subBuild: 11, floating: false }],
    ['7.4.6', { patch: 6, build: undefined, floating: false }],
    ['7.22', { minor: 22, patch: undefined, floating: true }],
  ])('%s', (tag, expected) => {
    const r = parseRedisEnterprise(tag);
    expect(r.ok).toBe(true);
    if (r.ok) expect(pick(r.version, expected)).toEqual(expected);
  });

  it.each([
    ['v7.4.6-22', /no `v` prefix/],
    ['7.4.6-rc1', /not a Redis Enterprise version/],
    ['7', /not a Redis Enterprise version/],
    ['7.4.6-22-1', /not a Redis Enterprise version/],
    ['latest', /floats to whatever is newest/],
    ['', /empty version/],
    ['{{ .Values.redisEnterpriseImageSpec.versionTag }}', /template expression/],
  ])('refuses %j', (tag, reason) => {
    const r = s.parse(tag);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });
});

describe('redis-enterprise: order and render', () => {
  it.each([
    ['7.4.6-22', '7.4.6-8', 1],
    ['7.22.0-28', '7.8.6-303', 1],
    ['7.22', '7.8', 1],
    ['8.0.18-23.11', '8.0.18-23', 1],
    ['8.0.18-36.14', '8.0.18-23.11', 1],
    ['8.0.18-23.12', '8.0.18-23.11', 1],
    ['7.4.6', '7.4.6-1', -1],
    ['7.4.6', '7.4.2-129', 1],
    ['7.4', '7.4.6-279', 1],
    ['7.4', '7.8.2-34', -1],
    ['7.4.6-22', '7.4.6-22', 0],
  ])('%s vs %s -> %i', (a, b, expected) => {
    expect(Math.sign(s.compare(a, b))).toBe(expected);
    expect(Math.sign(s.compare(b, a))).toBe(-expected || 0);
  });

  it.each([
    ['7.4.6-22', '7.8.6-36', '7.8.6-36'],
    ['7.4.6-22', '7.8.6', undefined],
    ['7.4.6-22', '8.0.18-23.11', '8.0.18-23.11'],
    ['8.0.18-23.11', '8.0.20-44.23', '8.0.20-44.23'],
    ['8.0.18-23.11', '8.0.20-44', undefined],
    ['7.4.6', '7.8.6-36', '7.8.6'],
    ['7.4', '7.8.6-36', '7.8'],
    ['7.4.6', '7.8', undefined],
    ['7.4.6-22', 'latest', undefined],
  ])('render(%s, %s) = %s', (current, target, expected) => {
    expect(s.render(current, target)).toBe(expected);
  });

  it.each([
    ['7.22.0-28', '7.22'],
    ['8.0.18-23.11', '8.0'],
    ['7.4.6', '7.4'],
  ])('getLine(%s) = %s', (v, line) => {
    expect(s.getLine(v)).toBe(line);
    expect(s.isStable(v)).toBe(true);
  });
});

describeWithFixtures('redis-enterprise: real versions from the operator compatibility table', () => {
  const rows = lazy(() => readCsv('redis-enterprise-k8s/redis_enterprise_operator_compat.csv'));
  const columns = ['operator_version', 'redis_enterprise_version', 'redis_enterprise_image_tag'] as const;

  it.each(columns)('every %s parses as a release with a build', (column) => {
    const values = rows()
      .map((r) => r[column]!)
      .filter((v) => v !== '');
    expect(values.length).toBeGreaterThan(80);
    const wrong = values.filter((v) => {
      const p = s.parse(v);
      return !p.ok || p.version.build === undefined || p.version.floating;
    });
    expect(wrong).toEqual([]);
  });

  it('an image tag names the same release as its Redis Enterprise version, and a sub-build is the operator build', () => {
    const tagged = rows().filter((r) => r.redis_enterprise_image_tag !== '');
    let withSubBuild = 0;
    for (const r of tagged) {
      const tag = parseRedisEnterprise(r.redis_enterprise_image_tag!);
      const rs = parseRedisEnterprise(r.redis_enterprise_version!);
      const op = parseRedisEnterprise(r.operator_version!);
      if (!tag.ok || !rs.ok || !op.ok) throw new Error(`unparsable row ${r.operator_version}`);
      expect(s.getLine(tag.version.raw), tag.version.raw).toBe(s.getLine(rs.version.raw));
      expect(tag.version.patch, tag.version.raw).toBe(rs.version.patch);
      if (tag.version.subBuild !== undefined) {
        withSubBuild++;
        expect(tag.version.subBuild, tag.version.raw).toBe(op.version.build);
      }
    }
    expect(withSubBuild).toBeGreaterThanOrEqual(8);
  });

  it.each(['operator_version', 'redis_enterprise_image_tag'] as const)(
    '%s: within a line, a release from a later month never sorts lower',
    (column) => {
      // Earliest month each value appears in (a value can be listed again in later patch notes).
      const first = new Map<string, number>();
      for (const r of rows()) {
        const v = r[column]!;
        if (v === '') continue;
        const month = monthOrdinal(r.release_date!);
        first.set(v, Math.min(month, first.get(v) ?? month));
      }
      const items = [...first].map(([version, month]) => ({ version, month }));
      const pairs = strictlyDatedPairs(
        items,
        (i) => s.getLine(i.version),
        (a, b) => a.month < b.month,
      );
      expect(pairs.length).toBeGreaterThan(items.length);
      const wrong = pairs
        .filter(([a, b]) => s.compare(a.version, b.version) >= 0)
        .map(([a, b]) => `${a.version} >= ${b.version}`);
      expect(wrong).toEqual([]);
    },
  );
});
