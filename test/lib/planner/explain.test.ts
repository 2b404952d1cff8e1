import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../../lib/errors.ts';
import { explain } from '../../../lib/planner/explain.ts';
import { EMPTY_POLICY } from '../../../lib/policy/load.ts';
import { catalog, NOW, policy, rel, target } from './helpers.ts';

const t = target({ id: 'v.yaml#values:image.tag', component: 'redis', current: '6.2.14' });
const input = (releases: ReturnType<typeof rel>, pol = EMPTY_POLICY) => ({
  inventory: { targets: [t], problems: [] },
  releases: { redis: releases },
  clusters: {},
  policy: pol,
  catalog,
  now: NOW,
});

describe('explain', () => {
  it('lists every rule checked and the path when the version is reachable', () => {
    const e = explain(input(rel('7.0.15', '7.2.4', '8.0.2')), t.id, '7.2.4');
    expect(e.reachable).toBe(true);
    expect(e.checks.map((c) => c.rule)).toEqual([
      'known-release',
      'version-scheme',
      'variant',
      'no-downgrade',
      'prerelease',
      'release-age',
      'update-type',
      'path',
    ]);
    expect(e.checks.every((c) => c.passed)).toBe(true);
    expect(e.path.map((s) => s.to)).toEqual(['7.0.15', '7.2.4']);
    // Two steps: explain says why not one.
    expect(e.direct).toBe(
      '6.2.14 -> 7.2.4 crosses a major: it first goes to the earliest available minor of each major on the way (7.0.15) [major-via-earliest-minor]',
    );
    expect(e.checks.at(-1)!.detail).toContain('; not in one hop: 6.2.14 -> 7.2.4 crosses a major');
  });

  it('a one-step path has no direct-hop note', () => {
    const e = explain(input(rel('6.2.16', '7.0.15')), t.id, '6.2.16');
    expect(e.path).toHaveLength(1);
    expect(e.direct).toBeUndefined();
  });

  it('says which rule fails for a denied version', () => {
    const e = explain(input(rel('7.0.15', '7.2.4'), policy('defaults:\n  deny: ["7.2.4"]\n')), t.id, '7.2.4');
    expect(e.reachable).toBe(false);
    const failed = e.checks.filter((c) => !c.passed);
    expect(failed.map((c) => c.rule)).toEqual(['deny', 'path']);
    expect(failed[0]!.detail).toBe('7.2.4 is inside deny entry "7.2.4"');
  });

  it('reports an unknown version and an unknown target', () => {
    const e = explain(input(rel('7.0.15')), t.id, '9.9.9');
    expect(e.checks[0]).toMatchObject({ rule: 'known-release', passed: false });
    expect(() => explain(input(rel('7.0.15')), 'nope', '7.0.15')).toThrow(NotFoundError);
  });
});
