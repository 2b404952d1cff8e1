import { describe, expect, it } from 'vitest';
import { getScheme } from '../../../lib/versioning/index.ts';
import { parseRedisEnterprise } from '../../../lib/versioning/redis-enterprise.ts';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWithFixtures, fixture } from '../../support/fixtures.ts';
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
    // OpenShift REC images (release notes 7-4-6-2.md) and minimal images (8-0-20-23-june2026.md).
    ['7.4.6-22.rhel8-openshift', { patch: 6, build: 22, suffix: 'rhel8-openshift', floating: false }],
    ['6.2.18-65.rhel7-openshift', { build: 65, suffix: 'rhel7-openshift' }],
    ['8.0.20-44.23', { build: 44, subBuild: 23, suffix: undefined }],
    ['8.0.20-44.23.minimal', { build: 44, subBuild: 23, suffix: 'minimal' }],
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
    ['7.4.6-22.rhel9-openshift', /no OpenShift images are published with \.rhel9-openshift/],
    ['7.4.6-22.minimal', /minimal images are published only with a sub-build/],
    ['7.4.6-22.ubi', /not a Redis Enterprise version/],
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
    // The OpenShift suffix is kept where the release published it, dropped from 7.8.2 on
    // (RHEL9-based images, one tag for both registries), and refused outside its window.
    ['7.4.6-22.rhel8-openshift', '7.4.6-102', '7.4.6-102.rhel8-openshift'],
    ['7.4.6-22.rhel8-openshift', '7.4.6-102.rhel8-openshift', '7.4.6-102.rhel8-openshift'],
    ['6.2.10-107.rhel8-openshift', '7.2.4-52', '7.2.4-52.rhel8-openshift'],
    ['7.4.6-22.rhel8-openshift', '7.8.6-60', '7.8.6-60'],
    ['7.4.6-22.rhel8-openshift', '8.0.20-44.23', '8.0.20-44.23'],
    ['7.2.4-52.rhel7-openshift', '7.2.4-130', '7.2.4-130.rhel7-openshift'],
    ['7.2.4-52.rhel7-openshift', '7.4.6-102', undefined],
    ['7.4.6-22', '7.4.6-102.rhel8-openshift', undefined],
    ['8.0.20-44.23.minimal', '8.0.20-68.25', '8.0.20-68.25.minimal'],
    ['8.0.20-44.23', '8.0.20-68.25.minimal', undefined],
  ])('render(%s, %s) = %s', (current, target, expected) => {
    expect(s.render(current, target)).toBe(expected);
  });

  it.each([
    ['7.4.6-22.rhel8-openshift', '7.8.6-60', true],
    ['7.4.6-22.rhel8-openshift', '7.4.6-102', false],
    ['7.4.6-22', '7.4.6-102.rhel8-openshift', false],
    ['8.0.20-44.23.minimal', '8.0.20-68.25', false],
  ])('isCompatible(%s, %s) = %s', (a, b, expected) => {
    expect(s.isCompatible(a, b)).toBe(expected);
  });

  it('an OpenShift tag sorts with its build: 7.4.6-22.rhel8-openshift < 7.4.6-102 < 7.4.6-102.rhel8-openshift', () => {
    expect(s.compare('7.4.6-22.rhel8-openshift', '7.4.6-102')).toBeLessThan(0);
    expect(s.compare('7.4.6-102', '7.4.6-102.rhel8-openshift')).toBeLessThan(0);
    expect(s.compare('7.4.6-279.rhel8-openshift', '7.8.6-60')).toBeLessThan(0);
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

describeWithFixtures('redis-enterprise: every REC image tag in the release notes', () => {
  it('parses, and keeps its variant when rendered from its own plain build', () => {
    const dir = fixture('redis-enterprise-k8s/redis-docs/content/operate/kubernetes/release-notes');
    const tags = new Set<string>();
    for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
      if (!f.endsWith('.md')) continue;
      for (const m of readFileSync(join(dir, f), 'utf8').matchAll(
        /redis(?:labs\/redis|-enterprise):(\d[\w.-]*\w)/g,
      ))
        tags.add(m[1]!);
    }
    const variants = [...tags].filter((t) => /\.(rhel\d-openshift|minimal)$/.test(t));
    expect(variants.length).toBeGreaterThan(60);
    expect([...tags].filter((t) => !s.isValid(t))).toEqual([]);
    for (const t of variants) {
      const plain = t.replace(/\.(rhel\d-openshift|minimal)$/, '');
      expect(s.render(t, plain), t).toBe(t);
    }
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
