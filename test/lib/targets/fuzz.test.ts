// Property tests of the scanner and editor on hostile input (fast-check):
// random bytes and random YAML shapes around real version pins. Whatever the
// input, no exception other than cairn's own named errors escapes; an edit
// changes the target token and no other byte; and no write path a step
// produces leaves the repository.
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { isCairnError } from '../../../lib/errors.ts';
import type { Step } from '../../../lib/planner/types.ts';
import { stepFileChanges, unsafeWritePath } from '../../../lib/steps/changes.ts';
import { editTarget } from '../../../lib/targets/edit.ts';
import { memoryRepo } from '../../../lib/targets/repo.ts';
import { scanRepository } from '../../../lib/targets/scan.ts';

const RUNS = 150;

/** Runs `fn`; a throw is allowed only when it is one of cairn's named errors. */
function cairnErrorsOnly<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (!isCairnError(e)) throw e;
    return undefined;
  }
}

/** A manifest pinning redis, buried in random surrounding YAML. */
const pinned = fc
  .record({
    noise: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }),
    tag: fc.constantFrom('7.2.4', '7.0.15', '6.2.14-alpine', '7.4.1-bookworm'),
    style: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE') as fc.Arbitrary<
      'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE'
    >,
    indent: fc.integer({ min: 2, max: 6 }),
    crlf: fc.boolean(),
    comment: fc.string({ maxLength: 20 }).map((s) => s.replace(/[\r\n]/g, ' ')),
  })
  .map(({ noise, tag, style, indent, crlf, comment }) => {
    const values = { ...noise, image: { repository: 'bitnami/redis', tag }, annotations: noise };
    const text = stringify(values, { indent, defaultStringType: style, defaultKeyType: 'PLAIN' });
    const withComment = `# ${comment}\n${text}`;
    return { text: crlf ? withComment.replace(/\n/g, '\r\n') : withComment, tag };
  });

describe('scanner and editor under random input', () => {
  it('random bytes: the scan never throws, and reports rather than reads what it cannot', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) => {
        const inv = await scanRepository(memoryRepo({ 'values.yaml': bytes, 'Chart.yaml': 'name: redis\n' }));
        for (const p of inv.problems) expect(typeof p.reason).toBe('string');
      }),
      { numRuns: RUNS },
    );
  });

  it('random text with YAML punctuation: scan and edit throw only cairn errors', async () => {
    const yamlish = fc.array(
      fc.constantFrom(
        'a',
        ':',
        ' ',
        '\n',
        '-',
        '[',
        ']',
        '{',
        '}',
        ',',
        "'",
        '"',
        '#',
        '&x',
        '*x',
        '|',
        '>',
        '!!str',
        'image: redis:7.2.4',
        '\t',
        '---',
      ),
      { maxLength: 200 },
    );
    await fc.assert(
      fc.asyncProperty(yamlish, async (parts) => {
        const text = parts.join('');
        const inv = await scanRepository(memoryRepo({ 'deploy.yaml': text }));
        for (const t of inv.targets) cairnErrorsOnly(() => editTarget(text, t, '7.2.5', { verify: true }));
      }),
      { numRuns: RUNS },
    );
  });

  it('random YAML shapes around a pin: the edit changes the token and no other byte', async () => {
    let edited = 0;
    await fc.assert(
      fc.asyncProperty(pinned, async ({ text }) => {
        const inv = await scanRepository(
          memoryRepo({
            'values.yaml': text,
            'Chart.yaml': 'name: redis\nhome: https://github.com/bitnami/charts\n',
          }),
        );
        for (const t of inv.targets) {
          const next = `${t.current.replace(/^(\d+)\.(\d+)\.(\d+)/, (_, a, b, c) => `${a}.${b}.${Number(c) + 1}`)}`;
          const out = cairnErrorsOnly(() => editTarget(text, t, next, { verify: true }));
          if (out === undefined) continue;
          const start = t.span!.offset;
          expect(out.slice(0, start)).toBe(text.slice(0, start));
          expect(out.slice(start + next.length)).toBe(text.slice(start + t.current.length));
          expect(out.slice(start, start + next.length)).toBe(next);
          edited++;
        }
      }),
      { numRuns: RUNS },
    );
    // The property is about real edits: most generated files must have yielded one.
    expect(edited).toBeGreaterThan(RUNS / 2);
  });
});

describe('writes under random manifests', () => {
  const name = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.constantFrom('../../../../tmp/x', '/etc/passwd', 'a/b', '..', '.git', 'ok-name', 'demo\n---\nkind: X'),
  );

  it('every path a step would write is a clean path inside the repository', async () => {
    let written = 0;
    await fc.assert(
      fc.asyncProperty(name, name, fc.constantFrom('db', 'a/b/c', ''), async (dbName, namespace, dir) => {
        const file = dir ? `${dir}/redis.yaml` : 'redis.yaml';
        const text = `apiVersion: kubedb.com/v1\nkind: Redis\nmetadata:\n  name: ${JSON.stringify(dbName)}\n  namespace: ${JSON.stringify(namespace)}\nspec:\n  version: 7.0.4\n`;
        const repo = memoryRepo({
          [file]: text,
          [dir ? `${dir}/kustomization.yaml` : 'kustomization.yaml']: 'resources:\n  - redis.yaml\n',
        });
        const inv = await scanRepository(repo);
        for (const t of inv.targets) {
          let changes: Awaited<ReturnType<typeof stepFileChanges>> = [];
          try {
            changes = await stepFileChanges(repo, t, { to: '7.0.14' } as Step);
          } catch (e) {
            if (!isCairnError(e)) throw e;
          }
          for (const c of changes) {
            expect(unsafeWritePath(c.path)).toBeUndefined();
            expect(c.path.startsWith(dir ? `${dir}/` : '')).toBe(true);
            expect(c.path.slice(dir ? dir.length + 1 : 0)).not.toContain('/');
            written++;
          }
        }
      }),
      // One valid manifest always runs, so the property also checks a path that is written.
      { numRuns: RUNS, examples: [['ok-name', 'ok-name', 'a/b/c']] },
    );
    expect(written).toBeGreaterThan(0);
  });
});
