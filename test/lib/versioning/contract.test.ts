// The promises of VersionScheme, checked for every scheme in the table. A new
// scheme must bring samples here, or the first test fails.
import { describe, expect, it } from 'vitest';
import { getScheme, type SchemeId, schemes } from '../../../lib/versioning/index.ts';

const samples: Record<SchemeId, { valid: string[]; invalid: string[] }> = {
  'redis-image': {
    valid: [
      '6.2.14',
      '7',
      '7.2',
      '7.2.4',
      '7.2.10',
      '7.2.4-alpine',
      '7.2-alpine',
      '7.2.4-alpine3.19',
      '7.2.4-bookworm',
      '7.4-rc1',
      '7.4.0-rc1',
      '7.4.0',
      '8.0-m01',
      '8.0-rc1-alpine',
      '8.0.2',
      '8',
      '8.10.0',
    ],
    invalid: ['v7.2.4', '7.2.4-debian-12-r9', 'alpine', '7.2.4-1'],
  },
  'bitnami-image': {
    valid: [
      '6.2.7-debian-10-r50',
      '6.2.7-debian-11-r0',
      '7.2.4-debian-12-r9',
      '7.2.4-debian-12-r10',
      '7.2.4-debian-12',
      '7.2.4',
      '7.2',
      '7',
      '7.4.2-debian-12-r0',
      '8.2.1-debian-12-r0',
    ],
    invalid: ['7.2.4-r9', '7.2.4-alpine', 'debian-12'],
  },
  'redis-enterprise': {
    valid: [
      '6.0.6-39',
      '7.4.6',
      '7.4.6-8',
      '7.4.6-22',
      '7.4',
      '7.8.6-6',
      '7.22',
      '7.22.0-28',
      '8.0.18-23',
      '8.0.18-23.11',
      '8.0.18-36.14',
      '8.2.0-25.12',
    ],
    invalid: ['v7.4.6-22', '7', '7.4.6-rc1'],
  },
  semver: {
    valid: [
      '0.2.5',
      'v0.2.6',
      '0.2.6',
      '0.10.0',
      'v1.0.0-rc.1',
      '1.0.0-beta.2',
      '1.0.0',
      '1.2.3+build.5',
      '18.16.1',
      '19.0.0',
    ],
    invalid: ['7.8.6-6', '0.2', 'V1.0.0'],
  },
  kubedb: {
    valid: [
      '4',
      '4-v1',
      '4.0',
      '4.0-v1',
      '4.0-v2',
      '4.0.6',
      '4.0.6-v2',
      '4.0.11',
      '7.2.4',
      '7.2.5',
      'valkey-7.2.5',
      'valkey-8.0.3',
      '8.2.2',
    ],
    invalid: ['7.2.4-valkey', 'redis-7.2.4', 'v7.2.4'],
  },
  kubernetes: {
    valid: [
      '1.29',
      'v1.29.3+k3s1',
      '1.30',
      'v1.30.2',
      '1.30.2-eks-abc',
      'v1.30.1-gke.1329003',
      '1.31',
      'v1.31.0-rc.1',
      '4.09',
      '4.10',
    ],
    invalid: ['V1.30', '1', '1.30-eks'],
  },
  // ot-redis-operator/charts/*/values.yaml (`tag: v7.0.15`); only v-prefixed full versions are OT's.
  'ot-image': {
    valid: ['v6.2.14', 'v7.0.5', 'v7.0.12', 'v7.0.15', 'v7.2.4', 'v7.2.10'],
    invalid: ['7.0.15', 'v7.0', 'v7.0.15-alpine', 'V7.0.15'],
  },
};
const everywhereInvalid = ['', 'latest', '{{ .Values.image.tag }}', ' 7.2.4', 'main'];

describe('scheme table', () => {
  it('registers every scheme under its own id, each with contract samples', () => {
    expect([...schemes.keys()].sort()).toEqual(Object.keys(samples).sort());
    for (const [id, scheme] of schemes) {
      expect(scheme.id).toBe(id);
      expect(getScheme(id)).toBe(scheme);
    }
  });
});

describe.each([...schemes.keys()])('contract: %s', (id) => {
  const s = getScheme(id);
  const { valid, invalid } = samples[id];
  const all = [...valid, ...invalid, ...everywhereInvalid];

  it('isValid agrees with parse, and parse keeps the raw text', () => {
    for (const v of all) {
      const p = s.parse(v);
      expect(s.isValid(v), v).toBe(p.ok);
      if (p.ok) expect(p.version.raw).toBe(v);
      else expect(p.reason.length, v).toBeGreaterThan(10);
    }
    for (const v of valid) expect(s.isValid(v), v).toBe(true);
    for (const v of [...invalid, ...everywhereInvalid]) expect(s.isValid(v), v).toBe(false);
  });

  it('compare is reflexive, antisymmetric and transitive (a total preorder)', () => {
    const c = (a: string, b: string) => Math.sign(s.compare(a, b));
    for (const a of valid) {
      expect(c(a, a), a).toBe(0);
      for (const b of valid) {
        expect(c(a, b), `${a} vs ${b}`).toBe(-c(b, a) || 0);
        for (const d of valid) {
          if (c(a, b) <= 0 && c(b, d) <= 0) expect(c(a, d), `${a} <= ${b} <= ${d}`).toBeLessThanOrEqual(0);
          if (c(a, b) === 0) expect(c(a, d), `${a} == ${b} vs ${d}`).toBe(c(b, d));
        }
      }
    }
  });

  it('compare and the getters throw a clear error on an invalid version', () => {
    for (const bad of [...invalid, ...everywhereInvalid]) {
      expect(() => s.compare(bad, valid[0]!), bad).toThrow(new RegExp(`^${id}\\.compare: invalid version`));
      expect(() => s.compare(valid[0]!, bad), bad).toThrow(/check isValid/);
      expect(() => s.getMajor(bad), bad).toThrow(`${id}.getMajor`);
      expect(() => s.getLine(bad), bad).toThrow(`${id}.getLine`);
    }
  });

  it('getters agree with parse', () => {
    for (const v of valid) {
      const p = s.parse(v);
      if (!p.ok) throw new Error(v);
      expect(s.getMajor(v)).toBe(p.version.major);
      expect(s.getMinor(v)).toBe(p.version.minor);
      expect(s.getPatch(v)).toBe(p.version.patch);
      expect(s.getLine(v)).toBe(
        p.version.minor === undefined ? `${p.version.major}` : `${p.version.major}.${p.version.minor}`,
      );
      expect(s.isStable(v), v).toBe(p.version.prerelease === undefined);
    }
  });

  it('a version is compatible with itself and renders to itself', () => {
    for (const v of valid) {
      expect(s.isCompatible(v, v), v).toBe(true);
      expect(s.render(v, v), v).toBe(v);
    }
  });

  it('render writes only valid, compatible tokens for the target major, and nothing for invalid input', () => {
    let rendered = 0;
    for (const current of valid) {
      for (const target of valid) {
        const out = s.render(current, target);
        if (out === undefined) continue;
        rendered++;
        const what = `render(${current}, ${target}) = ${out}`;
        expect(s.isValid(out), what).toBe(true);
        expect(s.isCompatible(current, out), what).toBe(true);
        expect(s.getMajor(out), what).toBe(s.getMajor(target));
        if (s.getMinor(out) !== undefined) expect(s.getLine(out), what).toBe(s.getLine(target));
      }
      for (const bad of [...invalid, ...everywhereInvalid]) {
        expect(s.render(current, bad), bad).toBeUndefined();
        expect(s.render(bad, current), bad).toBeUndefined();
        expect(s.isCompatible(current, bad), bad).toBe(false);
      }
    }
    expect(rendered).toBeGreaterThan(valid.length);
  });
});
