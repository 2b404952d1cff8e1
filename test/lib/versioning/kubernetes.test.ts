import { describe, expect, it } from 'vitest';
import { getScheme } from '../../../lib/versioning/index.ts';
import { describeWithFixtures } from '../../support/fixtures.ts';
import { lazy, pick, readCsv } from './csv.ts';

const s = getScheme('kubernetes');

describe('kubernetes: parse', () => {
  it.each([
    ['1.30', { major: 1, minor: 30, patch: undefined, floating: true, vPrefix: false }],
    ['v1.30.2', { major: 1, minor: 30, patch: 2, floating: false, vPrefix: true, suffix: undefined }],
    ['1.30.2-eks-abc', { patch: 2, suffix: 'eks', prerelease: undefined }],
    ['v1.30.1-gke.1329003', { patch: 1, suffix: 'gke' }],
    ['v1.29.3+k3s1', { minor: 29, suffix: 'k3s' }],
    ['v1.31.0-rc.1', { minor: 31, prerelease: 'rc.1', suffix: undefined }],
    ['4.14', { major: 4, minor: 14, floating: true }],
    ['4.09', { major: 4, minor: 9 }],
  ])('%s', (v, expected) => {
    const r = s.parse(v);
    expect(r.ok).toBe(true);
    if (r.ok) expect(pick(r.version, expected)).toEqual(expected);
  });

  it.each([
    ['V1.30', /not a Kubernetes version/],
    ['1', /not a Kubernetes version/],
    ['1.30-eks', /follows a full version/],
    ['latest', /floats to whatever is newest/],
    ['', /empty version/],
    ['{{ .Capabilities.KubeVersion }}', /template expression/],
    ['v1.30.2 ', /whitespace/],
  ])('refuses %j', (v, reason) => {
    const r = s.parse(v);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });
});

describe('kubernetes: compare by minor, render in style', () => {
  it.each([
    ['1.30', 'v1.30.2', 0],
    ['v1.30.2', '1.30.2-eks-abc', 0],
    ['v1.30.9', 'v1.30.1', 0],
    ['1.31', 'v1.30.9', 1],
    ['1.9', '1.10', -1],
    ['4.09', '4.10', -1],
    ['v1.31.0-rc.1', '1.31', 0],
    ['2.0', '1.99', 1],
  ])('%s vs %s -> %i', (a, b, expected) => {
    expect(Math.sign(s.compare(a, b))).toBe(expected);
    expect(Math.sign(s.compare(b, a))).toBe(-expected || 0);
  });

  it.each([
    ['1.30.2-eks-abc', '1.30'],
    ['v1.29.3+k3s1', '1.29'],
    ['4.09', '4.9'],
  ])('getLine(%s) = %s', (v, line) => {
    expect(s.getLine(v)).toBe(line);
  });

  it('pre-releases are not stable', () => {
    expect(s.isStable('v1.31.0-rc.1')).toBe(false);
    expect(s.isStable('v1.31.0-eks-abc')).toBe(true);
  });

  it.each([
    ['1.29', 'v1.30.2', '1.30'],
    ['v1.29.3', '1.30.2', 'v1.30.2'],
    ['1.29.3-eks-abc', '1.30.2', undefined],
    ['v1.29.3-eks-abc', '1.30.2-eks-def', 'v1.30.2-eks-def'],
    ['v1.29.3-eks-abc', 'v1.30.2-gke.1', undefined],
    ['1.29', 'v1.31.0-rc.1', undefined],
    ['v1.29.3', '1.31.0-rc.1', 'v1.31.0-rc.1'],
    ['v1.29.3', '1.31', undefined],
  ])('render(%s, %s) = %s', (current, target, expected) => {
    expect(s.render(current, target)).toBe(expected);
  });

  it('a platform build stays on its platform; a plain version accepts any', () => {
    expect(s.isCompatible('1.29.3-eks-abc', '1.30.2-gke.1')).toBe(false);
    expect(s.isCompatible('1.29', '1.30.2-eks-a')).toBe(true);
  });
});

describeWithFixtures('kubernetes: real support-matrix versions (Redis Enterprise operator)', () => {
  const rows = lazy(() => readCsv('redis-enterprise-k8s/redis_enterprise_operator_compat.csv'));
  const columns = [
    'supported_k8s_versions',
    'deprecated_k8s_versions',
    'eol_k8s_versions',
    'openshift_versions',
    'openshift_deprecated_versions',
  ] as const;

  it.each(columns)('%s: every minor parses as a floating line and lists read newest first', (column) => {
    const cells = rows()
      .map((r) => r[column]!)
      .filter((c) => c !== '');
    expect(cells.length).toBeGreaterThan(5);
    for (const cell of cells) {
      const versions = cell.split(';');
      for (const v of versions)
        expect(s.parse(v), v).toMatchObject({ ok: true, version: { floating: true } });
      const sorted = [...versions].sort((a, b) => s.compare(b, a));
      expect(sorted, cell).toEqual(versions);
    }
  });
});
