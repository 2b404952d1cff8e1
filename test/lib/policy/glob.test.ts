// Path globs (ignorePaths, cluster paths): a file matches a list when it matches one of them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesAnyGlob, matchesGlob } from '../../../lib/policy/glob.ts';

describe('matchesAnyGlob', () => {
  it('matches exactly the paths one glob of the list matches', () => {
    const part = fc.constantFrom('a', 'b', 'c.yaml', 'x.y', '*', '**', '?', 'a*', '(', '+');
    const glob = fc.array(part, { minLength: 1, maxLength: 4 }).map((xs) => xs.join('/'));
    const path = fc
      .array(fc.constantFrom('a', 'b', 'c.yaml', 'x.y', 'ab', '(', '+', 'a+b'), {
        minLength: 1,
        maxLength: 5,
      })
      .map((xs) => xs.join('/'));
    fc.assert(
      fc.property(fc.array(glob, { maxLength: 4 }), path, (globs, p) => {
        expect(matchesAnyGlob(p, globs)).toBe(globs.some((g) => matchesGlob(p, g)));
      }),
      { numRuns: 500 },
    );
  });

  it('an empty list matches nothing', () => {
    expect(matchesAnyGlob('a.yaml', [])).toBe(false);
  });
});
