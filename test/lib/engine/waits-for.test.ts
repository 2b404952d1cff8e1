// What a waiting step's PR status and dashboard line say it waits for: short enough for a
// commit status (GitHub keeps 140 characters), however many steps a production step waits on.
import { describe, expect, it } from 'vitest';
import { waitsFor } from '../../../lib/engine/reconcile.ts';

describe('waitsFor', () => {
  it('names one or two steps in full', () => {
    expect(waitsFor(['redis-7.2.5-0a1b2c3d'])).toBe('waits for redis-7.2.5-0a1b2c3d');
    expect(waitsFor(['a-1-0', 'b-1-0'])).toBe('waits for a-1-0, b-1-0');
  });

  it('names the count and the first of hundreds, within a commit status', () => {
    const after = Array.from(
      { length: 335 },
      (_, i) => `bitnami-redis-chart-18.0.4-${i.toString(16).padStart(8, '0')}`,
    );
    const text = waitsFor(after);
    expect(text).toBe('waits for 335 steps: bitnami-redis-chart-18.0.4-00000000 and 334 more');
    expect(text.length).toBeLessThanOrEqual(140);
  });
});
