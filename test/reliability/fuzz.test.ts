// The version parsers under random input (fast-check): for every registered scheme, on any
// string (printable noise, version-shaped noise, control characters, huge), `parse` and
// `isValid` never throw and agree; `compare`, the getters and `render` either answer or
// throw one of cairn's named errors, never a raw TypeError. (The YAML editors' property
// tests, "an edit changes the target token and no other byte", are in
// test/lib/targets/fuzz.test.ts.)
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCairnError } from '../../lib/errors.ts';
import { schemes } from '../../lib/versioning/index.ts';

const RUNS = 300;

const versionish = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.stringMatching(/^v?\d{1,4}(\.\d{1,4}){0,3}([-+][0-9A-Za-z.-]{0,20})?$/),
  fc
    .tuple(
      fc.nat(99),
      fc.nat(99),
      fc.nat(99),
      fc.constantFrom('', '-alpine', '-debian-12-r3', '-22', '+build', '-v1', '-rc.1'),
    )
    .map(([a, b, c, s]) => `${a}.${b}.${c}${s}`),
  fc.constantFrom(
    '',
    ' ',
    'latest',
    '7',
    '7.2',
    '${TAG}',
    '{{ .Values.tag }}',
    '7.2.4\n',
    '\u00007.2.4',
    '../7.2.4',
    '---',
    '9'.repeat(400),
  ),
);

function namedOnly(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!isCairnError(e)) throw e;
  }
}

describe('version parsers under random input', () => {
  for (const [id, scheme] of schemes) {
    it(`${id}: parse and isValid never throw and agree; the rest throw only named errors`, () => {
      fc.assert(
        fc.property(versionish, versionish, (a, b) => {
          const parsed = scheme.parse(a);
          expect(typeof scheme.isValid(a)).toBe('boolean');
          expect(scheme.isValid(a)).toBe(parsed.ok);
          namedOnly(() => scheme.compare(a, b));
          namedOnly(() => scheme.getMajor(a));
          namedOnly(() => scheme.getLine(a));
          namedOnly(() => scheme.isCompatible(a, b));
          namedOnly(() => scheme.isStable(a));
          namedOnly(() => {
            const out = scheme.render(a, b);
            // What render writes is always a valid version of the scheme, on one line.
            if (out !== undefined) {
              expect(out).not.toMatch(/[\r\n]/);
              expect(scheme.isValid(out)).toBe(true);
            }
          });
          if (scheme.isValid(a) && scheme.isValid(b)) {
            const c = scheme.compare(a, b);
            expect(Number.isFinite(c)).toBe(true);
            // `+ 0` folds -0 into 0: compare(a, a) is 0 both ways.
            expect(Math.sign(scheme.compare(b, a)) + 0).toBe(-Math.sign(c) + 0);
          }
        }),
        { numRuns: RUNS },
      );
    });
  }
});
