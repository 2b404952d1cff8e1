import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonChunks } from '../../../lib/render/json-stream.ts';

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
});
