// Nothing newer is ever "up-to-date" (lib/planner/unplanned.ts): a target
// with a newer known release the plan does not reach is reported as blocked,
// with the reason and what would unblock it.
import { describe, expect, it } from 'vitest';
import type { Release } from '../../../lib/model.ts';
import { NOW, path, plan, policy, target } from './helpers.ts';

const t = target({ id: 'values.yaml#values:image.tag', component: 'redis', current: '8.0.2' });
const at = (version: string, published?: string): Release => ({
  version,
  ...(published ? { published } : {}),
});

describe('a newer release the plan does not reach is reported', () => {
  it('too young for the release age: blocked, with the day it becomes eligible', () => {
    // NOW is 2026-11-21T09:00Z; the default minimum release age is 3 days.
    const p = plan([t], { releases: { redis: [at('8.0.2', '2025-01-01'), at('8.0.3', '2026-11-20')] } });
    expect(p.steps).toEqual([]);
    expect(p.targets[0]!.status).toBe('blocked');
    expect(p.targets[0]!.note).toBeUndefined();
    expect(p.blocked).toEqual([
      expect.objectContaining({
        wanted: '8.0.3',
        reason: expect.stringContaining('8.0.3 was published 2026-11-20; minimum age is 3 day(s)'),
        unblock: 'wait until 2026-11-23, when 8.0.3 is old enough, or lower minimumReleaseAge for redis',
      }),
    ]);
    expect(p.blocked[0]!.rule?.id).toBe('release-age');
    expect(NOW.toISOString().slice(0, 10)).toBe('2026-11-21');
  });

  it('an unknown release date: blocked, asking for the date', () => {
    const p = plan([t], { releases: { redis: [at('8.0.2', '2025-01-01'), at('8.2.1')] } });
    expect(p.targets[0]!.status).toBe('blocked');
    expect(p.blocked).toHaveLength(1);
    expect(p.blocked[0]!.reason).toContain('the release date of 8.2.1 is unknown');
    expect(p.blocked[0]!.unblock).toContain('set minimumReleaseAge: 0s');
  });

  it('a pin below the current version: blocked, naming the pin', () => {
    const p = plan([t], {
      releases: { redis: [at('8.0.2', '2025-01-01'), at('8.2.1', '2025-06-01')] },
      policy: policy('defaults:\n  pin: "7.x"\n'),
    });
    expect(p.targets[0]!.status).toBe('blocked');
    expect(p.blocked[0]!.reason).toContain('8.2.1 is outside the pin "7.x"');
    expect(p.blocked[0]!.unblock).toBe('widen or remove the pin "7.x" for redis in the policy');
  });

  it('planned short of the newest: the step stays, and the newest is reported with its reason', () => {
    const p = plan([t], {
      releases: { redis: [at('8.0.2', '2025-01-01'), at('8.0.3', '2025-02-01'), at('8.0.5', '2026-11-20')] },
    });
    expect(path(p, t.id)).toEqual(['8.0.2', '8.0.3']);
    expect(p.targets[0]!.status).toBe('planned');
    expect(p.blocked.map((b) => b.wanted)).toEqual(['8.0.5']);
  });

  it('an older OS line that can go no further: the last build of the line is planned, the newer line is reported', () => {
    const old = target({
      id: 'cache.yaml#values:image.tag',
      component: 'bitnami-redis',
      current: '7.2.4-debian-11-r3',
    });
    const p = plan([old], {
      releases: {
        'bitnami-redis': [
          at('7.2.4-debian-11-r3', '2024-01-01'),
          at('7.2.4-debian-11-r5', '2024-02-01'),
          at('7.2.5-debian-12-r0', '2024-06-01'),
        ],
      },
    });
    expect(path(p, old.id)).toEqual(['7.2.4-debian-11-r3', '7.2.4-debian-11-r5']);
    const b = p.blocked.find((x) => x.target.id === old.id)!;
    expect(b.wanted).toBe('7.2.5-debian-12-r0');
    expect(b.reason).toContain('no release of it is known in the variant of 7.2.4-debian-11-r3');
    expect(b.reason).toContain('the plan stops at 7.2.4-debian-11-r5');
  });

  it('up to date only when nothing newer is known', () => {
    const p = plan([t], { releases: { redis: [at('7.4.1', '2025-01-01'), at('8.0.2', '2025-01-01')] } });
    expect(p.targets[0]!.status).toBe('up-to-date');
    expect(p.blocked).toEqual([]);
  });
});
