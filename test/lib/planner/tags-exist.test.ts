// Only tags that exist: a suffix that is not a known variant is carried onto
// a newer release only when a feed lists that exact tag; an over-long tag is
// refused. (It used to plan 8.0.6-definitely-not-a-real-variant and a
// 10,000-character tag.)
import { describe, expect, it } from 'vitest';
import { catalogReleases } from '../../../lib/feed.ts';
import { getScheme } from '../../../lib/versioning/index.ts';
import { catalog, path, plan, rel, target } from './helpers.ts';

const id = 'v.yaml#values:image.tag';

describe('only tags that exist', () => {
  it('an unknown variant is not planned, with the reason, when no feed lists the tag', () => {
    const t = target({ id, component: 'redis', current: '7.2.4-definitely-not-a-real-variant' });
    const p = plan([t]);
    expect(p.steps).toEqual([]);
    // Today the planner files a target with no eligible candidate as up-to-date with a note;
    // making that "blocked" is the planner's (issue 9: nothing newer is ever up-to-date).
    const status = p.targets.find((x) => x.target.id === id);
    const reason = [status?.note, p.blocked.find((b) => b.target.id === id)?.reason].join(' ');
    expect(reason).toMatch(
      /-definitely-not-a-real-variant is not a known variant of redis-image tags and no feed lists 8\.\d+\.\d+-definitely-not-a-real-variant: it cannot be shown to exist/,
    );
  });

  it('an unknown variant moves to a tag the feed lists, and only to one', () => {
    const t = target({ id, component: 'redis', current: '7.2.4-corp' });
    const releases = {
      ...catalogReleases(catalog),
      redis: [...rel('7.2.4', '7.2.5', '7.2.6'), ...rel('7.2.5-corp')],
    };
    expect(path(plan([t], { releases }), id)).toEqual(['7.2.4-corp', '7.2.5-corp']);
  });

  it('a known variant is carried as before', () => {
    const t = target({ id, component: 'redis', current: '7.2.4-alpine' });
    expect(path(plan([t]), id).at(-1)).toMatch(/-alpine$/);
  });

  it('a tag over 128 characters is never read as a version, nor planned to', () => {
    const long = `7.2.4-${'a'.repeat(10_000)}`;
    const parsed = getScheme('redis-image').parse(long);
    expect(parsed.ok ? 'parsed' : parsed.reason).toMatch(
      /is 10006 characters long: no registry accepts a tag over 128/,
    );
    expect(getScheme('redis-image').parse(`7.2.4-${'a'.repeat(122)}`).ok).toBe(true);
    const p = plan([target({ id, component: 'redis', current: long })]);
    expect(p.steps).toEqual([]);
    // A tag that fits today but would not once the version grows is refused too.
    const edge = `7.2.4-${'a'.repeat(122)}`;
    const releases = { ...catalogReleases(catalog), redis: rel('7.2.4', `7.2.10-${'a'.repeat(122)}`) };
    expect(plan([target({ id, component: 'redis', current: edge })], { releases }).steps).toEqual([]);
  });
});
