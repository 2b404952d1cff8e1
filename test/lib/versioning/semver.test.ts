import { describe, expect, it } from 'vitest';
import { getScheme } from '../../../lib/versioning/index.ts';
import { describeWithFixtures } from '../../support/fixtures.ts';
import { isoBefore, lazy, pick, readCsv, strictlyDatedPairs } from './csv.ts';

const s = getScheme('semver');

describe('semver: parse', () => {
  it.each([
    ['v0.2.6', { major: 0, minor: 2, patch: 6, vPrefix: true, prerelease: undefined, floating: false }],
    ['0.2.6', { major: 0, minor: 2, patch: 6, vPrefix: false }],
    ['18.16.1', { major: 18, minor: 16, patch: 1 }],
    ['1.0.0-rc.1', { prerelease: 'rc.1' }],
    ['v2.0.0-beta.2', { prerelease: 'beta.2', vPrefix: true }],
    ['1.2.3+build.5', { patch: 3, prerelease: undefined }],
  ])('%s', (tag, expected) => {
    const r = s.parse(tag);
    expect(r.ok).toBe(true);
    if (r.ok) expect(pick(r.version, expected)).toEqual(expected);
  });

  it.each([
    ['7.8.6-6', /purely numeric pre-release.*7\.8\.6 build 6.*redis-enterprise/],
    ['0.2', /not a semantic version/],
    ['V1.2.3', /not a semantic version/],
    ['=1.2.3', /not a semantic version/],
    ['vv1.2.3', /not a semantic version/],
    ['1.2.3 ', /whitespace/],
    ['latest', /floats to whatever is newest/],
    ['', /empty version/],
    ['{{ .Chart.AppVersion }}', /template expression/],
  ])('refuses %j', (tag, reason) => {
    const r = s.parse(tag);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });
});

describe('semver: order and render', () => {
  it.each([
    ['v0.2.6', '0.2.5', 1],
    ['0.10.0', '0.9.0', 1],
    ['18.16.1', '18.9.0', 1],
    ['1.0.0-rc.1', '1.0.0', -1],
    ['1.0.0-beta.2', '1.0.0-rc.1', -1],
    ['v0.2.6', '0.2.6', 0],
  ])('%s vs %s -> %i', (a, b, expected) => {
    expect(Math.sign(s.compare(a, b))).toBe(expected);
    expect(Math.sign(s.compare(b, a))).toBe(-expected || 0);
  });

  it.each([
    ['v0.2.5', '0.2.6', 'v0.2.6'],
    ['0.2.5', 'v0.2.6', '0.2.6'],
    ['v0.2.5', 'v1.0.0-rc.1', 'v1.0.0-rc.1'],
    ['18.16.1', '19.0.0', '19.0.0'],
    ['v0.2.5', '7.8.6-6', undefined],
  ])('render(%s, %s) = %s', (current, target, expected) => {
    expect(s.render(current, target)).toBe(expected);
  });

  it('the v prefix is style, not a variant', () => {
    expect(s.isCompatible('v0.2.5', '0.2.6')).toBe(true);
    expect(s.getLine('v0.2.6')).toBe('0.2');
    expect(s.isStable('v0.2.6')).toBe(true);
    expect(s.isStable('1.0.0-rc.1')).toBe(false);
  });

  it('Redis Enterprise chart versions belong to redis-enterprise, which orders builds above the release', () => {
    expect(s.isValid('7.8.6-6')).toBe(false);
    expect(getScheme('redis-enterprise').compare('7.8.6-6', '7.8.6')).toBeGreaterThan(0);
  });
});

describeWithFixtures('semver: real operator tags and chart versions', () => {
  const howl = lazy(() =>
    readCsv('howl-redis-operator/DERIVED-release-tags.csv').map((r) => ({ v: r.tag!, date: r.date! })),
  );
  const charts = lazy(() =>
    readCsv('bitnami-redis/bitnami_redis_chart_history.csv').map((r) => ({
      v: r.chart_version!,
      date: r.commit_date!,
    })),
  );

  it.each([
    ['howl-cloud/redis-operator release tags', howl, true],
    ['bitnami/redis chart versions', charts, false],
  ])('every one of the %s parses, in its own v style', (_name, load, vPrefix) => {
    const items = load();
    expect(items.length).toBeGreaterThan(10);
    for (const { v } of items) {
      expect(s.parse(v), v).toMatchObject({ ok: true, version: { vPrefix } });
      expect(s.render(v, v), v).toBe(v);
    }
  });

  it.each([
    ['howl-cloud/redis-operator release tags', howl],
    ['bitnami/redis chart versions', charts],
  ])('%s: within a line, a later date never sorts lower', (_name, load) => {
    const items = load();
    const pairs = strictlyDatedPairs(
      items,
      (i) => s.getLine(i.v),
      (a, b) => isoBefore(a.date, b.date),
    );
    expect(pairs.length).toBeGreaterThan(items.length / 2);
    const wrong = pairs.filter(([a, b]) => s.compare(a.v, b.v) >= 0).map(([a, b]) => `${a.v} >= ${b.v}`);
    expect(wrong).toEqual([]);
  });
});
