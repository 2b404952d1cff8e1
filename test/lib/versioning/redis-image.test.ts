import { describe, expect, it } from 'vitest';
import { getScheme } from '../../../lib/versioning/index.ts';
import { describeWithFixtures } from '../../support/fixtures.ts';
import { isoBefore, lazy, pick, readCsv, strictlyDatedPairs } from './csv.ts';

const s = getScheme('redis-image');
const sign = (n: number) => Math.sign(n);

describe('redis-image: parse', () => {
  it.each([
    ['7.2.4', { major: 7, minor: 2, patch: 4, floating: false }],
    ['7.2', { major: 7, minor: 2, patch: undefined, floating: true }],
    ['7', { major: 7, minor: undefined, floating: true }],
    ['7.2.4-alpine', { patch: 4, suffix: 'alpine', prerelease: undefined, floating: false }],
    ['7.2.4-bookworm', { suffix: 'bookworm' }],
    ['7.2.4-alpine3.19', { suffix: 'alpine3.19' }],
    ['7.2-alpine', { minor: 2, suffix: 'alpine', floating: true }],
    ['7.4-rc1', { minor: 4, patch: undefined, prerelease: 'rc1', suffix: undefined, floating: false }],
    ['7.4.0-rc1', { patch: 0, prerelease: 'rc1', suffix: undefined }],
    ['8.0-m01', { major: 8, minor: 0, prerelease: 'm01', floating: false }],
    ['8.0-M02-alpine', { prerelease: 'M02', suffix: 'alpine' }],
    ['7.4-rc2-bookworm', { prerelease: 'rc2', suffix: 'bookworm' }],
    ['8.0.0-rc1', { prerelease: 'rc1' }],
    ['8.0.0-beta', { prerelease: 'beta' }],
  ])('%s', (tag, expected) => {
    const r = s.parse(tag);
    expect(r.ok).toBe(true);
    if (r.ok)
      expect(pick(r.version, { raw: tag, vPrefix: false, ...expected })).toEqual({
        raw: tag,
        vPrefix: false,
        ...expected,
      });
  });

  it.each([
    ['latest', '`latest` floats to whatever is newest: pin a version so cairn can plan it'],
    ['{{ .Values.tag }}', /template expression/],
    // an envsubst placeholder left in a manifest
    ['${REDIS_TAG}', /template expression/],
    ['', /empty version/],
    ['alpine', /not a version.*pin a version/],
    ['bookworm', /not a version/],
    ['7.2.4@sha256:0123abcd', /digest/],
    [' 7.2.4', /whitespace/],
    ['v7.2.4', /not a Redis\/Valkey image tag/],
    ['7.2.4.1', /not a Redis\/Valkey image tag/],
    ['7.2.4-1', /neither a pre-release .* nor an image variant/],
    ['7-rc1', /at least major\.minor/],
    ['7.2.4-debian-12-r9', /bitnami-image/],
    ['99999999999999999999.1', /too large/],
  ])('refuses %j', (tag, reason) => {
    const r = s.parse(tag);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
    expect(s.isValid(tag)).toBe(false);
  });
});

describe('redis-image: compare', () => {
  it.each([
    ['7.2.4', '7.2.10', -1],
    ['7.10.0', '7.9.9', 1],
    ['8.10.0', '8.8.2', 1],
    ['7.4-rc1', '7.4.0', -1],
    ['7.4-rc1', '7.4.0-rc1', 0],
    ['7.4-rc1', '7.4-rc2', -1],
    ['8.0-m01', '8.0-rc1', -1],
    ['8.0-m01', '8.0-M02', -1],
    ['8.0-beta1', '8.0-m01', -1],
    ['7.2.4', '7.2.4', 0],
    // A floating tag is the newest of its line.
    ['7.2', '7.2.99', 1],
    ['7.2', '7.3-rc1', -1],
    ['7.2', '7.3.0', -1],
    ['7', '7.99.0', 1],
    ['7', '7.2', 1],
    ['7', '8.0-m01', -1],
    // Variants of one release: no suffix first, so sorting is total.
    ['7.2.4', '7.2.4-alpine', -1],
    ['7.2.4-alpine', '7.2.4-bookworm', -1],
  ])('%s vs %s -> %i', (a, b, expected) => {
    expect(sign(s.compare(a, b))).toBe(expected);
    expect(sign(s.compare(b, a))).toBe(-expected || 0);
  });

  it('throws a clear error on an invalid version', () => {
    expect(() => s.compare('latest', '7.2.4')).toThrow(
      /redis-image\.compare: invalid version `latest`.*isValid/,
    );
  });
});

describe('redis-image: compatibility and render', () => {
  it.each([
    ['7.2.4-alpine', '7.4.1-bookworm', false],
    ['7.2.4-alpine', '7.4.1-alpine', true],
    ['7.2.4-alpine3.19', '7.4.1-alpine3.20', false],
    ['7.2.4', '7.4.1', true],
    ['7.2.4', '7.4.1-alpine', false],
    ['7.2.4', 'latest', false],
  ])('isCompatible(%s, %s) = %s', (a, b, expected) => {
    expect(s.isCompatible(a, b)).toBe(expected);
  });

  it.each([
    ['7.2.4-alpine', '7.4.1', '7.4.1-alpine'],
    ['7.2.4-alpine', '7.4.1-alpine', '7.4.1-alpine'],
    ['7.2.4-alpine', '7.4.1-bookworm', undefined],
    ['7.2.4-alpine3.19', '7.4.1', '7.4.1-alpine3.19'],
    ['7.2', '7.4.1', '7.4'],
    ['7', '8.0.2', '8'],
    ['7.2-alpine', '7.4.1', '7.4-alpine'],
    ['7.2', '8.0-rc1', undefined],
    ['7.2', '8', undefined],
    ['7.2.4', '7.4', undefined],
    ['7.2.4', '8.0-m01', '8.0-m01'],
    ['7.2.4-bookworm', '7.4-rc2', '7.4-rc2-bookworm'],
    ['7.2.4', 'latest', undefined],
    ['latest', '7.4.1', undefined],
  ])('render(%s, %s) = %s', (current, target, expected) => {
    expect(s.render(current, target)).toBe(expected);
  });

  it.each([
    ['7.2.4', true],
    ['7.2', true],
    ['7.4-rc1', false],
    ['8.0-m01', false],
    ['8.0.0-rc2', false],
    ['7.2.4-alpine', true],
  ])('isStable(%s) = %s', (tag, expected) => {
    expect(s.isStable(tag)).toBe(expected);
  });

  it.each([
    ['7.2.4', '7.2'],
    ['7.2.4-alpine', '7.2'],
    ['8.10.1', '8.10'],
    ['7.4-rc1', '7.4'],
    ['7', '7'],
  ])('getLine(%s) = %s', (tag, line) => {
    expect(s.getLine(tag)).toBe(line);
  });
});

describeWithFixtures('redis-image: real Redis and Valkey tags', () => {
  const redis = lazy(() => readCsv('redis-versions/redis_releases.csv'));
  const valkey = lazy(() =>
    readCsv('redis-versions/valkey_tags.csv').map((r) => ({
      version: r.tag!,
      release_date: r.tag_commit_date!,
    })),
  );
  const lineText = (v: string) => v.split(/[.-]/).slice(0, 2).join('.');

  it.each([
    ['redis', redis],
    ['valkey', valkey],
  ])('every %s tag parses, pins a release and belongs to the line its text names', (_name, load) => {
    const rows = load();
    expect(rows.length).toBeGreaterThan(5);
    for (const { version } of rows) {
      expect(s.parse(version!), version).toMatchObject({ ok: true, version: { floating: false } });
      expect(s.getLine(version!), version).toBe(lineText(version!));
      // Releases are x.y.z; everything else in these tables is a pre-release.
      expect(s.isStable(version!), version).toBe(/^\d+\.\d+\.\d+$/.test(version!));
    }
  });

  it.each([
    ['redis', redis],
    ['valkey', valkey],
  ])('%s: within a line, a later release date never sorts lower', (_name, load) => {
    const rows = load();
    const pairs = strictlyDatedPairs(
      rows,
      (r) => s.getLine(r.version!),
      (a, b) => isoBefore(a.release_date!, b.release_date!),
    );
    expect(pairs.length).toBeGreaterThan(rows.length);
    const wrong = pairs
      .filter(([a, b]) => s.compare(a.version!, b.version!) >= 0)
      .map(([a, b]) => `${a.version} (${a.release_date}) >= ${b.version} (${b.release_date})`);
    expect(wrong).toEqual([]);
  });

  it('every pre-release of a line sorts below its .0 release, and the floating line tag above all of it', () => {
    const byLine = new Map<string, string[]>();
    for (const { version } of redis()) {
      const line = s.getLine(version!);
      byLine.set(line, [...(byLine.get(line) ?? []), version!]);
    }
    let checked = 0;
    for (const [line, versions] of byLine) {
      const ga = `${line}.0`;
      if (!versions.includes(ga)) continue;
      checked++;
      for (const v of versions) {
        if (!s.isStable(v)) expect(s.compare(v, ga), `${v} < ${ga}`).toBeLessThan(0);
        expect(s.compare(line, v), `${line} > ${v}`).toBeGreaterThan(0);
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('KubeDB db images (redis:7.2.4-bookworm, redis:5.0.14-bullseye) parse with their variant and version', () => {
    const rows = readCsv('kubedb/redisversion_update_constraints.csv').filter((r) =>
      /(appscode-images|docker\.io\/library)\/(redis|valkey):/.test(r.db_image!),
    );
    expect(rows.length).toBeGreaterThan(20);
    for (const r of rows) {
      const tag = r.db_image!.split(':')[1]!;
      const p = s.parse(tag);
      expect(p.ok, tag).toBe(true);
      if (!p.ok) continue;
      const [major, minor, patch] = r.version!.split('.').map(Number);
      expect(p.version, tag).toMatchObject({ major, minor, patch });
      expect([undefined, 'bookworm', 'bullseye'], tag).toContain(p.version.suffix);
    }
  });
});
