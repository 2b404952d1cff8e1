// The fast block-YAML reader must give exactly what the yaml library gives
// (values, scalar types, sources, every node's offsets, document ranges, line
// starts) or step aside (undefined). Checked on the repository's examples, the
// upstream fixtures, a generated fleet, hand-picked edge cases and random block
// YAML.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { isMap, isScalar, isSeq, LineCounter } from 'yaml';
import { parseBlockYaml } from '../../lib/yaml-block.ts';
import { parseYamlStream } from '../../lib/yaml-parse.ts';
import { describeWithFixtures, fixturesDir, repoRoot } from '../support/fixtures.ts';

/** Everything the scanner and editors read from a parse, as plain data. */
function shape(node: unknown): unknown {
  if (node == null) return node;
  if (isScalar(node)) {
    const extra = node as { minFractionDigits?: number };
    return [node.value, node.type, node.source, node.format, extra.minFractionDigits, node.range];
  }
  if (isMap(node)) return { map: node.items.map((p) => [shape(p.key), shape(p.value)]), range: node.range };
  if (isSeq(node)) return { seq: node.items.map(shape), range: node.range };
  return { other: String(node) };
}

/** The fast path's result (through parseYamlStream, so with its checks) and the library's. */
function both(text: string) {
  const fastLines = new LineCounter();
  const taken = parseBlockYaml(text) !== undefined;
  const fast = taken ? parseYamlStream(text, { lineCounter: fastLines, fast: true }) : undefined;
  const libLines = new LineCounter();
  const lib = parseYamlStream(text, { lineCounter: libLines });
  const view = (docs: typeof lib, lines: LineCounter) => ({
    docs: docs.map((d) => ({
      range: d.range,
      contents: shape(d.contents),
      docStart: d.directives?.docStart ?? false,
      errors: d.errors.map((e) => [e.code, e.pos]),
    })),
    lines: lines.lineStarts,
  });
  return { fast: fast && view(fast, fastLines), lib: view(lib, libLines) };
}

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    if (e === '.git' || e === 'node_modules') continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(e)) out.push(p);
  }
  return out;
}

/** Compares every file; returns how many the fast reader took. */
function compareFiles(files: string[]): number {
  let fast = 0;
  for (const file of files) {
    const r = both(readFileSync(file, 'utf8'));
    if (!r.fast) continue;
    fast++;
    expect(r.fast, file).toEqual(r.lib);
  }
  return fast;
}

describe('parseBlockYaml', () => {
  it('reads the examples exactly as the library does', () => {
    const files = yamlFiles(join(repoRoot, 'examples'));
    const fast = compareFiles(files);
    // Most example manifests are plain block YAML; the rest (block scalars, flow) go to the library.
    expect(fast).toBeGreaterThan(files.length / 2);
  });

  it.each([
    [
      'nested maps, sequences at and below their key',
      'a:\n  b: 1\nlist:\n- x\n- y: 2\n  z: 3\nn:\n  - - deep\n',
    ],
    ['empty values and items', 'a:\nb:   \nl:\n-\n- x\n'],
    [
      'comments after, between and deeper than values',
      'a: 1 # one\nb:\n  c: x\n    # deeper\n  # at c\n# top\nd: 2\n',
    ],
    ['trailing comments of a nested block', 'a:\n  b:\n    c: 1\n    # c4\n  # c2\n'],
    ['trailing comments before a dedent with indentation', 'a:\n  b:\n    c: 1\n    # c4\n  z: 1\n'],
    ['blank lines around comments', 'a:\n  b: 1\n\n  # c2\n\nz: 1\n'],
    ['a sequence with trailing comments', 'a:\n  - 1\n  # c2\nz: 1\n'],
    ['quoted keys and values', `"k": 'it''s'\n'q': "v" # c\nn: "7.2"\n`],
    [
      'core-schema scalars',
      'a: 1\nb: 1.50\nc: true\nd: ~\ne: 0x1F\nf: 0o17\ng: .inf\nh: -.5e3\ni: null\nj: Yes\nk: 007\n',
    ],
    ['documents and markers', '# head\n---\na: 1\n---   # marker comment\nb: 2\n---\n\n---\nc: [x]\n'],
    ['no final newline', 'a: 1\nb: x'],
    ['a value with colons, hashes and brackets inside', 'url: http://x:80/a#b\ns: a, [b] {c}\n'],
  ])('%s: the same as the library, or the library', (_name, text) => {
    const r = both(text);
    if (r.fast) expect(r.fast).toEqual(r.lib);
  });

  it.each([
    ['a block scalar', 'a: |\n  text\n'],
    ['a flow collection', 'a: [1, 2]\n'],
    ['a multi-line plain scalar', 'a: one\n  two\n'],
    ['an anchor and an alias', 'a: &x 1\nb: *x\n'],
    ['a tag', 'a: !!str 1\n'],
    ['an escape', 'a: "x\\ty"\n'],
    ['a tab', 'a:\t1\n'],
    ['CRLF line ends', 'a: 1\r\nb: 2\r\n'],
    ['a directive', '%YAML 1.2\n---\na: 1\n'],
    ['a document end marker', 'a: 1\n...\n'],
    ['a complex key', '? a\n: 1\n'],
    ['a mapping value in a value', 'a: b: c\n'],
    ['an empty value with a comment', 'a: # nothing\nb: 1\n'],
    ['bad indentation', 'a:\n    b: 1\n  c: 2\n'],
    ['a sequence item at a map column', 'a: 1\n- b\n'],
    ['a comment-only file', '# just a comment\n'],
    ['an indented top-level map', '  a: 1\n  b: 2\n'],
  ])('leaves %s to the library', (_name, text) => {
    expect(parseBlockYaml(text)).toBeUndefined();
  });

  it('reports duplicate keys through parseYamlStream like the library path', () => {
    const [doc] = parseYamlStream('a: 1\na: 2\n', { fast: true });
    expect(doc!.errors.map((e) => e.code)).toEqual(['DUPLICATE_KEY']);
  });

  it('matches the library on random block YAML', () => {
    const key = fc.oneof(
      fc.stringMatching(/^[a-z][a-z0-9_./-]{0,8}$/),
      fc.constantFrom('true', '1', '"q k"', "'s'", 'null', 'a:b', 'x y'),
    );
    const scalar = fc.oneof(
      fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9 .:/#,_-]{0,10}$/),
      fc.constantFrom(
        '1',
        '-2',
        '1.50',
        '.5',
        'true',
        'False',
        '~',
        'null',
        '0x1f',
        '"7.2"',
        "'a''b'",
        '"a#b"',
        '',
        '7.2.4-debian-12-r9',
      ),
    );
    const comment = fc.constantFrom(
      '',
      ' # c',
      '   ',
      '\n# own',
      '\n    # deep',
      '\n      # deeper',
      '\n  # mid',
      '\n',
      '\n\n',
      '\n\n  # after a blank\n',
    );
    type Tree = string | { map: [string, Tree][] } | { seq: Tree[] };
    const tree: fc.Arbitrary<Tree> = fc.letrec<{ t: Tree }>((tie) => ({
      t: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        scalar,
        fc.record({ map: fc.array(fc.tuple(key, tie('t')), { minLength: 1, maxLength: 4 }) }),
        fc.record({ seq: fc.array(tie('t'), { minLength: 1, maxLength: 3 }) }),
      ),
    })).t;
    const render = (t: Tree, indent: number, notes: string[]): string[] => {
      const pad = ' '.repeat(indent);
      const note = () => notes.pop() ?? '';
      if (typeof t === 'string') return [t];
      const lines: string[] = [];
      if ('map' in t)
        for (const [k, v] of t.map) {
          if (typeof v === 'string') lines.push(`${pad}${k}: ${v}${note()}`);
          else lines.push(`${pad}${k}:${note()}`, ...render(v, indent + 2, notes));
        }
      else
        for (const v of t.seq) {
          if (typeof v === 'string') lines.push(`${pad}- ${v}${note()}`);
          else lines.push(`${pad}-${note()}`, ...render(v, indent + 2, notes));
        }
      return lines;
    };
    let fast = 0;
    fc.assert(
      fc.property(
        fc.array(fc.record({ map: fc.array(fc.tuple(key, tree), { minLength: 1, maxLength: 4 }) }), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.array(comment, { maxLength: 12 }),
        (docs, notes) => {
          const text = docs.map((d) => render(d, 0, [...notes]).join('\n')).join('\n---\n') + '\n';
          const r = both(text);
          if (!r.fast) return;
          fast++;
          expect(r.fast, JSON.stringify(text)).toEqual(r.lib);
        },
      ),
      { numRuns: 1000 },
    );
    // The property is about the files it reads: most generated ones must be read fast.
    expect(fast).toBeGreaterThan(100);
  });
});

describeWithFixtures('parseBlockYaml on the upstream fixtures', () => {
  it('reads every fixture it takes exactly as the library does', () => {
    const files = yamlFiles(fixturesDir);
    expect(compareFiles(files)).toBeGreaterThan(50);
  });
});

const generator = join(repoRoot, '../shared/bench/gen-gitops-repo.mjs');
if (existsSync(generator)) {
  describe('parseBlockYaml on a generated fleet', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-yaml-block-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    it('reads every generated manifest, exactly as the library does', () => {
      const r = spawnSync(process.execPath, [generator, dir, '--clusters', '12', '--seed', '3']);
      expect(r.status, String(r.stderr)).toBe(0);
      const files = yamlFiles(dir);
      expect(files.length).toBeGreaterThan(100);
      expect(compareFiles(files)).toBe(files.length);
    });
  });
} else process.stderr.write(`SKIP "parseBlockYaml on a generated fleet": ${generator} not found\n`);
