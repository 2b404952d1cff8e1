import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonChunks, MappedArray } from '../../../lib/render/json-stream.ts';

function streamed(value: unknown, depth?: number): string {
  return [...jsonChunks(value, depth)].join('');
}

describe('jsonChunks', () => {
  it('writes exactly what JSON.stringify(value, null, 2) writes, for any JSON-like value and depth', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 0, max: 4 }), (value, depth) => {
        expect(streamed(value, depth)).toBe(JSON.stringify(value, null, 2));
      }),
      { numRuns: 300 },
    );
  });

  it('omits undefined members, writes undefined array items as null, and honours toJSON', () => {
    const value = { a: undefined, b: [undefined, 1], c: new Date(0), d: { e: undefined }, f: [] };
    expect(streamed(value)).toBe(JSON.stringify(value, null, 2));
  });

  it('writes large arrays member by member', () => {
    const chunks = [...jsonChunks({ steps: Array.from({ length: 1000 }, (_, i) => ({ id: i })) })];
    expect(chunks.length).toBeGreaterThan(1000);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(100);
  });

  it('writes a MappedArray as the array of its mapped items, mapping each only when written', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue()), fc.integer({ min: 0, max: 4 }), (items, depth) => {
        const wrap = (x: unknown) => ({ item: x, list: [x] });
        const value = { before: 1, list: new MappedArray(items, wrap), after: [2] };
        const expected = { before: 1, list: items.map(wrap), after: [2] };
        expect(streamed(value, depth)).toBe(JSON.stringify(expected, null, 2));
      }),
      { numRuns: 200 },
    );
    let mapped = 0;
    const chunks = jsonChunks(new MappedArray([1, 2, 3], (x) => (mapped++, x)), 1);
    chunks.next();
    expect(mapped).toBe(0);
    expect([...chunks].join('')).toBe('\n  1,\n  2,\n  3\n]');
    expect(mapped).toBe(3);
  });
});
