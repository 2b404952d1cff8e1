import { describe, expect, it } from 'vitest';
import { getScheme } from '../../../lib/versioning/index.ts';
import { describeWithFixtures } from '../../support/fixtures.ts';
import { isoBefore, lazy, pick, readCsv, strictlyDatedPairs } from './csv.ts';

const s = getScheme('bitnami-image');
const suffixOf = (tag: string) => {
  const p = s.parse(tag);
  return p.ok ? p.version.suffix : undefined;
};

describe('bitnami-image: parse', () => {
  it.each([
    ['7.2.4-debian-12-r9', { major: 7, minor: 2, patch: 4, suffix: 'debian-12', build: 9, floating: false }],
    ['8.2.1-debian-12-r0', { major: 8, minor: 2, patch: 1, suffix: 'debian-12', build: 0, floating: false }],
    ['7.2.4-debian-12', { patch: 4, suffix: 'debian-12', build: undefined, floating: true }],
    ['7.2.4', { patch: 4, suffix: undefined, build: undefined, floating: true }],
    ['7.2', { minor: 2, patch: undefined, floating: true }],
  ])('%s', (tag, expected) => {
    const r = s.parse(tag);
    expect(r.ok).toBe(true);
    if (r.ok) expect(pick(r.version, expected)).toEqual(expected);
  });

  it.each([
    ['latest', /floats to whatever is newest/],
    ['', /empty version/],
    ['{{ .Values.image.tag }}', /template expression/],
    ['7.2.4-alpine-r1', /not a Bitnami image tag/],
    ['7.2.4-r9', /revision \(-rN\) only follows a full version and OS/],
    ['7.2-debian-12-r9', /revision/],
    ['v7.2.4-debian-12-r9', /not a Bitnami image tag/],
  ])('refuses %j', (tag, reason) => {
    const r = s.parse(tag);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });
});

describe('bitnami-image: order, compatibility, render', () => {
  it.each([
    ['7.2.4-debian-12-r10', '7.2.4-debian-12-r9', 1],
    ['7.2.5-debian-12-r0', '7.2.4-debian-12-r99', 1],
    ['7.10.0-debian-12-r0', '7.9.0-debian-12-r0', 1],
    ['6.2.7-debian-11-r0', '6.2.7-debian-10-r50', 1],
    ['7.2.4-debian-12-r9', '7.2.4-debian-12-r9', 0],
    // Rolling tags are the newest of what they cover.
    ['7.2.4', '7.2.4-debian-12-r9', 1],
    ['7.2.4-debian-12', '7.2.4-debian-12-r9', 1],
    ['7.2', '7.2.5-debian-12-r3', 1],
    ['7.2', '7.4.0-debian-12-r0', -1],
  ])('%s vs %s -> %i', (a, b, expected) => {
    expect(Math.sign(s.compare(a, b))).toBe(expected);
    expect(Math.sign(s.compare(b, a))).toBe(-expected || 0);
  });

  it.each([
    ['7.2.4-debian-12-r9', '7.4.2-debian-12-r0', true],
    ['7.2.4-debian-11-r9', '7.4.2-debian-12-r0', false],
    ['7.2.4-debian-12-r9', '7.4.2', false],
    ['7.2', '7.4.2-debian-12-r0', true],
    ['7.2-debian-12', '7.4.2-debian-11-r1', false],
  ])('isCompatible(%s, %s) = %s', (a, b, expected) => {
    expect(s.isCompatible(a, b)).toBe(expected);
  });

  it.each([
    ['7.2.4-debian-12-r9', '7.4.2-debian-12-r0', '7.4.2-debian-12-r0'],
    // Cannot invent a revision.
    ['7.2.4-debian-12-r9', '7.4.2', undefined],
    ['7.2.4-debian-12-r9', '7.4.2-debian-12', undefined],
    ['7.2.4-debian-11-r9', '7.4.2-debian-12-r0', undefined],
    ['7.2', '7.4.2-debian-12-r0', '7.4'],
    ['7.2.4-debian-12', '7.4.2-debian-12-r3', '7.4.2-debian-12'],
    ['7.2.4', '7.4.2-debian-12-r3', '7.4.2'],
    ['7.2.4', '7.4', undefined],
  ])('render(%s, %s) = %s', (current, target, expected) => {
    expect(s.render(current, target)).toBe(expected);
  });

  it('a Bitnami tag has a line and is stable', () => {
    expect(s.getLine('7.2.4-debian-12-r9')).toBe('7.2');
    expect(s.isStable('7.2.4-debian-12-r9')).toBe(true);
    expect(s.getPatch('7.2.4-debian-12-r9')).toBe(4);
  });
});

describeWithFixtures('bitnami-image: real tags from the bitnami/redis chart history', () => {
  const rows = lazy(() => readCsv('bitnami-redis/bitnami_redis_chart_history.csv'));

  it('every redis_image_tag parses as an immutable tag whose version is the chart appVersion', () => {
    expect(rows().length).toBeGreaterThan(500);
    const wrong = rows().filter((r) => {
      const p = s.parse(r.redis_image_tag!);
      if (!p.ok) return true;
      const v = p.version;
      return (
        v.floating ||
        v.build === undefined ||
        !/^debian-\d+$/.test(v.suffix ?? '') ||
        `${v.major}.${v.minor}.${v.patch}` !== r.app_version
      );
    });
    expect(wrong.map((r) => `${r.chart_version}: ${r.redis_image_tag} (app ${r.app_version})`)).toEqual([]);
  });

  it('within a line and OS, an image first shipped later never sorts lower', () => {
    // First commit date at which each tag appears in the chart.
    const first = new Map<string, string>();
    for (const r of rows()) {
      const seen = first.get(r.redis_image_tag!);
      if (seen === undefined || r.commit_date! < seen) first.set(r.redis_image_tag!, r.commit_date!);
    }
    const tags = [...first].map(([tag, date]) => ({ tag, date }));
    const pairs = strictlyDatedPairs(
      tags,
      (t) => `${s.getLine(t.tag)} ${suffixOf(t.tag)}`,
      (a, b) => isoBefore(a.date, b.date),
    );
    expect(pairs.length).toBeGreaterThan(tags.length);
    const wrong = pairs
      .filter(([a, b]) => s.compare(a.tag, b.tag) >= 0)
      .map(([a, b]) => `${a.tag} (${a.date}) >= ${b.tag} (${b.date})`);
    expect(wrong).toEqual([]);
  });
});
