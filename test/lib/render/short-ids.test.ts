// Short ids: what a person copies from the text plan into `explain` and `apply`.
import { describe, expect, it } from 'vitest';
import { shortIdsOf } from '../../../lib/render/short-ids.ts';

describe('shortIdsOf', () => {
  const ids = Array.from({ length: 20000 }, (_, i) => `apps/c${i}/values.yaml#values.yaml:image.tag`);
  const short = shortIdsOf(ids);

  it('gives every id its own hex id of 6 to 16 characters', () => {
    const values = [...short.values()];
    expect(new Set(values).size).toBe(ids.length);
    for (const v of values) expect(v).toMatch(/^[0-9a-f]{6,16}$/);
    // Most ids keep the 6-character form even in a fleet of 20,000 targets.
    expect(values.filter((v) => v.length === 6).length).toBeGreaterThan(ids.length / 2);
  });

  it('is prefix-free, so a short id never names two things', () => {
    const sorted = [...short.values()].sort();
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.startsWith(sorted[i - 1]!)).toBe(false);
  });

  it('is stable: the same id keeps its short id when unrelated ids come and go', () => {
    const few = shortIdsOf(ids.slice(0, 3));
    const again = shortIdsOf([ids[2]!, 'other#x:y', ids[0]!, ids[1]!]);
    for (const id of ids.slice(0, 3)) expect(again.get(id)).toBe(few.get(id));
  });
});
