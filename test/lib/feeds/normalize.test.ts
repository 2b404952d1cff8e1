// Hostile feed data is normalised or rejected with a reason a user can act on.
import { describe, expect, it } from 'vitest';
import { judgeDate, judgeTag, MAX_ITEMS, normalizeItems } from '../../../lib/feeds/normalize.ts';
import { getScheme } from '../../../lib/versioning/index.ts';

const redis = getScheme('redis-image');
const semver = getScheme('semver');
const NOW = Date.parse('2026-11-30T12:00:00Z');

describe('tags', () => {
  it.each([
    ['7.2.4', { version: '7.2.4' }],
    ['8.4-rc1', { version: '8.4-rc1' }],
    ['latest', { skip: 'not a redis-image version' }],
    ['7.2', { skip: 'a floating tag names a line, not a release' }],
    ['7.2.4-alpine', { skip: 'a variant of a release' }],
    ['7.2.4\nmalicious: true', { reject: 'contains a newline or control character' }],
    ['7.2.4\u2028', { reject: 'contains a newline or control character' }],
    ['../../etc/passwd', { reject: 'contains a path character (/, \\ or ..)' }],
    ['7.2.4/evil', { reject: 'contains a path character (/, \\ or ..)' }],
    ['7.2.4;rm -rf', { reject: 'contains characters no version has' }],
    ['7'.repeat(200), { reject: 'longer than 128 characters' }],
    ['', { reject: 'empty tag' }],
  ])('%j -> %j', (tag, verdict) => {
    expect(judgeTag(tag, redis)).toEqual(verdict);
  });

  it('a chart pushed to a registry: the tag 1.2.3_abc is the chart version 1.2.3+abc', () => {
    expect(judgeTag('23.1.1_build.7', semver)).toEqual({ version: '23.1.1+build.7' });
    expect(judgeTag('7.2.4_x', redis)).toEqual({ skip: 'not a redis-image version' });
  });

  it('a tag pattern picks the component and extracts the version', () => {
    const p = /^redis-operator-(v.*)$/;
    expect(judgeTag('redis-operator-v0.18.0', semver, p)).toEqual({ version: 'v0.18.0' });
    expect(judgeTag('redis-cluster-v0.18.0', semver, p)).toEqual({ skip: 'does not match the tag pattern' });
  });
});

describe('dates', () => {
  it.each([
    ['2026-10-03T10:00:00Z', { date: '2026-10-03T10:00:00Z' }],
    ['2026-10-03T10:00:00.123456789+02:00', { date: '2026-10-03T08:00:00.123Z' }],
    ['2026-10-03', { date: '2026-10-03T00:00:00Z' }],
    ['0001-01-01T00:00:00Z', { problem: 'publish date 0001-01-01T00:00:00Z is before 2000 (a zero date)' }],
    ['2027-06-01T00:00:00Z', { problem: 'publish date 2027-06-01T00:00:00Z is in the future' }],
    ['yesterday', { problem: 'publish date "yesterday" is not an ISO-8601 date' }],
    ['2026-02-30T00:00:00Z', { problem: 'publish date "2026-02-30T00:00:00Z" is not a real date' }],
  ])('%s -> %j', (text, verdict) => {
    expect(judgeDate(text, NOW)).toEqual(verdict);
  });
});

describe('lists', () => {
  it('an absurdly long list is cut with a warning, and rejections are counted beyond those listed', () => {
    const items = Array.from({ length: MAX_ITEMS + 5 }, (_, i) => ({
      tag: i % 2 ? `bad\n${i}` : `7.${i}.0`,
    }));
    const n = normalizeItems(items, { scheme: redis, now: NOW });
    expect(n.warnings[0]).toBe(
      `the source listed ${MAX_ITEMS + 5} entries; only the first ${MAX_ITEMS} were read`,
    );
    expect(n.rejectedCount).toBe(MAX_ITEMS / 2);
    expect(n.rejected.length).toBe(20);
    expect(n.rejected[0]).toEqual({ tag: '"bad\\n1"', reason: 'contains a newline or control character' });
    expect(n.releases.length).toBe(MAX_ITEMS / 2);
  });

  it('a bad date leaves the release in with its age unknown, and says so', () => {
    const n = normalizeItems([{ tag: '7.2.4', published: 'soon' }], { scheme: redis, now: NOW });
    expect(n.releases).toEqual([{ version: '7.2.4' }]);
    expect(n.warnings).toEqual(['7.2.4: publish date "soon" is not an ISO-8601 date; its age is unknown']);
  });

  it('a digest that changed since the last read is a re-pushed tag', () => {
    const n = normalizeItems([{ tag: '7.2.4', digest: 'sha256:bbb' }], {
      scheme: redis,
      now: NOW,
      previousDigests: { '7.2.4': 'sha256:aaa' },
    });
    expect(n.warnings).toEqual(['re-pushed tag: 7.2.4 was sha256:aaa, now sha256:bbb']);
  });
});
