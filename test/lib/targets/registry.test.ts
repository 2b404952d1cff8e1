// Contract test: every kind registered in the table finds, reads and edits
// its own examples, and an edit changes exactly the version token.
import { describe, expect, it } from 'vitest';
import { editTarget } from '../../../lib/targets/edit.ts';
import { dirname } from '../../../lib/targets/paths.ts';
import { TARGET_KINDS } from '../../../lib/targets/registry.ts';
import { memoryRepo } from '../../../lib/targets/repo.ts';
import { scanRepository } from '../../../lib/targets/scan.ts';
import { parseFile } from '../../../lib/targets/yaml-file.ts';
import { bump, expectOneTokenEdit } from './helpers.ts';

describe('target kinds registry', () => {
  it('has unique ids and at least one example per kind', () => {
    const ids = TARGET_KINDS.map((k) => k.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const k of TARGET_KINDS) {
      expect(k.summary.length, k.id).toBeGreaterThan(10);
      expect(k.examples.length, k.id).toBeGreaterThan(0);
    }
  });

  for (const kind of TARGET_KINDS) {
    describe(kind.id, () => {
      for (const ex of kind.examples) {
        it(`finds, reads and edits ${ex.file}`, () => {
          const parsed = parseFile(ex.file, ex.text);
          if (!parsed.ok) throw new Error(parsed.problem.reason);
          const ctx = { file: ex.file, dir: dirname(ex.file) };
          const found = parsed.parsed.docs
            .filter((d) => kind.accepts(d, ctx))
            .flatMap((d) => kind.find(d, ctx));
          for (const e of ex.expect) {
            const f = found.find((x) => x.field === e.field);
            expect(f, `${kind.id} ${e.field} in ${found.map((x) => x.field).join(', ')}`).toBeDefined();
            expect(f!.problem).toBeUndefined();
            expect(kind.read(ex.text, f!)).toBe(e.current);
            if (e.component && f!.identity) expect(f!.identity.component).toBe(e.component);
            if (f!.change === 'ops-request') {
              expect(() => kind.edit(ex.text, f!, '9.9.9')).toThrow(/ops ?request/i);
              continue;
            }
            const next = bump(e.current);
            const out = kind.edit(ex.text, f!, next);
            expect(out.length).toBe(ex.text.length - e.current.length + next.length);
            const reparsed = parseFile(ex.file, out);
            if (!reparsed.ok) throw new Error(reparsed.problem.reason);
            const again = reparsed.parsed.docs
              .filter((d) => kind.accepts(d, ctx))
              .flatMap((d) => kind.find(d, ctx));
            expect(
              kind.read(
                out,
                again.find((x) => x.field === e.field)!,
              ),
            ).toBe(next);
          }
        });

        it(`scans ${ex.file} into identified targets`, async () => {
          const inv = await scanRepository(memoryRepo({ [ex.file]: ex.text }));
          expect(inv.problems).toEqual([]);
          for (const e of ex.expect.filter((x) => x.component)) {
            const t = inv.targets.find((x) => x.field === e.field);
            expect(t, `${e.field} in ${inv.targets.map((x) => x.id).join(', ')}`).toBeDefined();
            expect(t!.component).toBe(e.component);
            if (e.role) expect(t!.role).toBe(e.role);
            expect(t!.current).toBe(e.current);
            if (t!.change === 'in-place') {
              const next = bump(t!.current);
              expectOneTokenEdit(ex.text, editTarget(ex.text, t!, next), t!, next);
              expectOneTokenEdit(ex.text, editTarget(ex.text, t!, next, { verify: true }), t!, next);
            }
          }
        });
      }
    });
  }
});
