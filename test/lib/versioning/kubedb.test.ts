import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { getScheme } from '../../../lib/versioning/index.ts';
import { describeWithFixtures, fixture, readFixture } from '../../support/fixtures.ts';
import { pick, readCsv } from './csv.ts';

const s = getScheme('kubedb');

describe('kubedb: parse', () => {
  it.each([
    ['7.2.4', { major: 7, minor: 2, patch: 4, build: undefined, suffix: undefined, floating: false }],
    ['4', { major: 4, minor: undefined, patch: undefined, build: undefined }],
    ['4-v1', { major: 4, minor: undefined, build: 1 }],
    ['4.0-v2', { major: 4, minor: 0, patch: undefined, build: 2 }],
    ['4.0.6-v2', { patch: 6, build: 2 }],
    ['valkey-7.2.5', { major: 7, minor: 2, patch: 5, suffix: 'valkey', build: undefined }],
  ])('%s', (name, expected) => {
    const r = s.parse(name);
    expect(r.ok).toBe(true);
    if (r.ok) expect(pick(r.version, expected)).toEqual(expected);
  });

  it.each([
    ['7.2.4-valkey', /not a KubeDB RedisVersion name/],
    ['redis-7.2.4', /not a KubeDB RedisVersion name/],
    ['v7.2.4', /not a KubeDB RedisVersion name/],
    ['7.2.4-bookworm', /not a KubeDB RedisVersion name/],
    ['latest', /floats to whatever is newest/],
    ['', /empty version/],
    ['{{ .Values.redis.version }}', /template expression/],
  ])('refuses %j', (name, reason) => {
    const r = s.parse(name);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });
});

describe('kubedb: order and render', () => {
  it.each([
    ['4.0.6-v2', '4.0.6-v1', 1],
    ['4.0.6-v1', '4.0.6', 1],
    ['4', '4-v1', -1],
    ['4-v1', '4.0', -1],
    ['4.0-v2', '4.0.6', -1],
    ['4.0.11', '4.0.6', 1],
    ['8.2.2', '8.0.4', 1],
    ['7.2.5', 'valkey-7.2.5', -1],
    ['7.4.6', '7.4.6', 0],
  ])('%s vs %s -> %i', (a, b, expected) => {
    expect(Math.sign(s.compare(a, b))).toBe(expected);
    expect(Math.sign(s.compare(b, a))).toBe(-expected || 0);
  });

  it.each([
    ['7.2.4', '7.4.1', '7.4.1'],
    ['4.0-v1', '5.0-v1', '5.0-v1'],
    ['valkey-7.2.5', 'valkey-8.0.3', 'valkey-8.0.3'],
    ['valkey-7.2.5', '8.0.4', undefined],
    ['7.2.4', 'valkey-8.0.3', undefined],
  ])('render(%s, %s) = %s', (current, target, expected) => {
    expect(s.render(current, target)).toBe(expected);
  });

  it.each([
    ['4', '4'],
    ['4.0-v2', '4.0'],
    ['valkey-8.1.1', '8.1'],
  ])('getLine(%s) = %s', (name, line) => {
    expect(s.getLine(name)).toBe(line);
  });

  it('an Official entry never upgrades to a Valkey one', () => {
    expect(s.isCompatible('7.2.4', 'valkey-7.2.5')).toBe(false);
    expect(s.isCompatible('valkey-7.2.5', 'valkey-8.0.3')).toBe(true);
  });
});

describeWithFixtures('kubedb: real RedisVersion names', () => {
  /** Numbers of a `version` value such as `4.0` or `7.2.4`, undefined where absent. */
  const numbers = (version: string) => {
    const [major, minor, patch] = version.split('.').map(Number);
    return { major, minor, patch };
  };

  it('every name in the constraints table parses to its version, distribution and build', () => {
    const rows = readCsv('kubedb/redisversion_update_constraints.csv');
    expect(rows.length).toBeGreaterThan(40);
    for (const r of rows) {
      const p = s.parse(r.name!);
      expect(p.ok, r.name).toBe(true);
      if (!p.ok) continue;
      const build = /-v(\d+)$/.exec(r.name!)?.[1];
      expect(pick(p.version, { ...numbers(r.version!), suffix: 0, build: 0 }), r.name).toEqual({
        ...numbers(r.version!),
        suffix: r.distribution === 'Valkey' ? 'valkey' : undefined,
        build: build === undefined ? undefined : Number(build),
      });
    }
  });

  it('every RedisVersion in the installer catalogs (HEAD and v2025.1.9) has a name this scheme reads', () => {
    const dirs = [
      'kubedb/installer/catalog/kubedb/raw/redis',
      'kubedb/installer-v2025.1.9/catalog/kubedb/raw/redis',
    ];
    const names: string[] = [];
    for (const dir of dirs) {
      for (const file of readdirSync(fixture(dir)).filter((f) => f.endsWith('.yaml'))) {
        for (const doc of parseAllDocuments(readFixture(join(dir, file)))) {
          const obj = doc.toJS() as {
            kind?: string;
            metadata?: { name?: unknown };
            spec?: { version?: unknown };
          };
          if (obj?.kind !== 'RedisVersion') continue;
          const name = String(obj.metadata?.name);
          names.push(name);
          expect(s.isValid(name), `${file}: ${name}`).toBe(true);
          const p = s.parse(name);
          if (p.ok)
            expect(pick(p.version, numbers(String(obj.spec?.version))), name).toEqual(
              numbers(String(obj.spec?.version)),
            );
        }
      }
    }
    expect(names.length).toBeGreaterThan(35);
    expect(names).toContain('valkey-8.1.1');
    expect(names).toContain('4.0-v2');
  });
});
