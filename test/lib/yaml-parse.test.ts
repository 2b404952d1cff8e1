// The one YAML parser (lib/yaml-parse.ts): duplicate keys in linear time,
// bounded nesting, and libyaml's reading of multi-line quoted scalars.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../../lib/errors.ts';
import { parseYaml } from '../../lib/input.ts';
import { memoryRepo } from '../../lib/targets/repo.ts';
import { scanRepository } from '../../lib/targets/scan.ts';
import { parseFile } from '../../lib/targets/yaml-file.ts';
import { MAX_NESTING_DEPTH, parseYamlDocument, parseYamlStream } from '../../lib/yaml-parse.ts';
import { describeWithFixtures, readFixture } from '../support/fixtures.ts';
import { yamlShapes } from '../support/yaml-shapes.ts';

describe('duplicate keys', () => {
  it('are found at the line of the repeated key, in any map', () => {
    const [doc] = parseYamlStream('a:\n  b: 1\n  c: 2\n  b: 3\n');
    expect(doc!.errors.map((e) => e.code)).toEqual(['DUPLICATE_KEY']);
    expect(() => parseYaml('a:\n  b: 1\n  c: 2\n  b: 3\n', 'f.yaml', z.any())).toThrow(/f\.yaml:4/);
  });

  it('compare keys as the yaml library does: 1 and "1" differ, a repeated merge key is allowed', () => {
    expect(parseYamlDocument('1: a\n"1": b\n').errors).toEqual([]);
    expect(parseYamlDocument('x: &x {a: 1}\ny: &y {b: 1}\nz:\n  <<: *x\n  <<: *y\n').errors).toEqual([]);
    expect(parseYamlDocument('{a: 1, a: 2}').errors.map((e) => e.code)).toEqual(['DUPLICATE_KEY']);
  });

  // The library's own check compares every key with every earlier one: 40k keys took ~50 s,
  // a 2 MB file never finished. One hash set per map makes this a fraction of a second;
  // the test's timeout is only a generous bound, the figures are in bench/parse.ts.
  it('in a 40,000-key map is linear work (finishes far inside the test timeout)', () => {
    const keys = Array.from({ length: 40_000 }, (_, i) => `k${i}: v`);
    const data = parseYaml(keys.join('\n'), 'big.yaml', z.record(z.string(), z.string()));
    expect(Object.keys(data)).toHaveLength(40_000);
    expect(() => parseYaml([...keys, 'k7: again'].join('\n'), 'big.yaml', z.any())).toThrow(
      /big\.yaml:40001.*unique/,
    );
  }, 20_000);
});

describe('aliases', () => {
  // The yaml library resolves each alias by scanning every anchor before it: 15k aliases took 13 s.
  it('more than 1000 in one document are refused with the reason, before any is resolved', () => {
    const many = Array.from({ length: 1500 }, (_, i) => `a${i}: &x${i} v\nb${i}: *x${i}`).join('\n');
    expect(() => parseYaml(many, 'a.yaml', z.any())).toThrow(/a\.yaml:2.*1500 aliases.*over the limits/);
    const r = parseFile('a.yaml', many);
    expect(r.ok ? undefined : r.problem.line).toBe(2);
  });

  it('a few are read', () => {
    expect(parseYaml('a: &x {k: 1}\nb: *x\n', 'a.yaml', z.any())).toEqual({ a: { k: 1 }, b: { k: 1 } });
  });
});

describe('token budget', () => {
  it('a file of more than 300,000 YAML tokens is refused with the reason, whatever its shape', () => {
    const blank = '\n'.repeat(400_000);
    const r = parseFile('blank.yaml', blank);
    expect(r.ok ? undefined : r.problem.reason).toMatch(/more than 300000 YAML tokens/);
    expect(() => parseYaml('- a\n'.repeat(200_000), 'f.yaml', z.any())).toThrow(
      /f\.yaml:60000:\d+: more than 300000 YAML tokens/,
    );
  });
});

describe('nesting', () => {
  it(`deeper than ${MAX_NESTING_DEPTH} levels is a file:line error, not a stack overflow`, () => {
    const deep = '['.repeat(50_000);
    expect(() => parseYaml(deep, 'deep.yaml', z.any())).toThrow(ValidationError);
    expect(() => parseYaml(deep, 'deep.yaml', z.any())).toThrow(/deep\.yaml:1.*nested more than 256/);
    const r = parseFile('deep.yaml', Array.from({ length: 400 }, (_, i) => `${' '.repeat(i)}k:`).join('\n'));
    expect(r.ok ? undefined : r.problem.reason).toMatch(/nested more than 256 levels/);
  });

  it('of a real depth is read', () => {
    const nested = Array.from({ length: 60 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n');
    expect(parseFile('ok.yaml', `${nested} leaf\n`).ok).toBe(true);
  });
});

describe('every hostile shape of 128 KB', () => {
  it.each(Object.entries(yamlShapes(128 * 1024)))(
    '%s: read or refused with a reason, never a throw',
    async (_, text) => {
      const r = parseFile('x.yaml', text);
      if (!r.ok) expect(r.problem.reason).not.toMatch(/call stack/);
      const inv = await scanRepository(memoryRepo({ 'x.yaml': text }));
      expect(inv.targets).toEqual([]);
      let error: unknown;
      try {
        parseYaml(text, 'x.yaml', z.any());
      } catch (e) {
        error = e;
      }
      if (error) expect(error).toBeInstanceOf(ValidationError);
    },
  );
});

describe('quoted scalars continued at the key indentation (libyaml and go-yaml read them)', () => {
  it('read as one folded string', () => {
    const text = "spec:\n  description: 'additional mounts.\n  More info: https://x'\n  type: object\n";
    expect(parseYaml(text, 'crd.yaml', z.any())).toEqual({
      spec: { description: 'additional mounts. More info: https://x', type: 'object' },
    });
  });

  it('an unclosed quote is still malformed', () => {
    expect(parseFile('bad.yaml', "a: 'open\nb: c\n").ok).toBe(false);
  });
});

describeWithFixtures('Redis Enterprise vendor CRD bundle', () => {
  // controller-gen writes multi-line single-quoted descriptions at the key's own indentation
  // (rec_crd.yaml line 4588); the bundle.yaml install file embeds the same CRDs.
  const file = 'redis-enterprise-k8s/redis-enterprise-k8s-docs/crds/rec_crd.yaml';

  it('reads as valid YAML, with the description at line 4588 folded as kubectl reads it', () => {
    const r = parseFile(file, readFixture(file));
    expect(r.ok ? 'ok' : r.problem.reason).toBe('ok');
    const doc = (r as Extract<typeof r, { ok: true }>).parsed.docs[0]!.doc.toJS() as {
      spec: { versions: { schema: { openAPIV3Schema: unknown } }[] };
    };
    expect(JSON.stringify(doc)).toContain(
      'additional volume mounts within the redis enterprise containers. More info: https://kubernetes.io/docs/concepts/storage/volumes/',
    );
  });
});
