// Bad input: each file gets a clear problem naming the file and line, the rest
// of the repository is still scanned, editTarget throws UnsafeFileError, and
// nothing on disk is written.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnsafeFileError } from '../../../lib/errors.ts';
import type { Inventory, Target } from '../../../lib/model.ts';
import { editTarget } from '../../../lib/targets/edit.ts';
import { nodeRepo } from '../../../lib/node/repo.ts';
import { scanRepository } from '../../../lib/targets/scan.ts';

const good =
  'apiVersion: redis.io/v1\nkind: RedisCluster\nmetadata:\n  name: cache\nspec:\n  imageName: redis:7.2.4\n';

const bomb = [
  'a: &a ["x","x","x","x","x","x","x","x","x"]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
  'image:',
  '  repository: redis',
  '  tag: 7.2.4',
  '',
].join('\n');

// Each bad file, the line the problem must name (undefined: the file as a whole) and the reason.
const BAD: Record<string, { text: string | Uint8Array; line?: number; reason: RegExp }> = {
  'malformed/values.yaml': {
    text: 'image:\n  repository: redis\n  tag: [7.2.4\n',
    line: 4,
    reason: /malformed YAML/,
  },
  'duplicate/values.yaml': {
    text: 'image:\n  repository: redis\n  tag: 7.2.4\n  tag: 7.2.5\n',
    line: 4,
    reason: /duplicate key/,
  },
  'variable/release.yaml': {
    // a Flux-substitution variable, on purpose
    text: good.replace('redis:7.2.4', 'redis:${TAG}'),
    line: 6,
    reason: /template or variable/,
  },
  'template/cluster.yaml': {
    text: good.replace('redis:7.2.4', '"redis:{{ .Values.redisTag }}"'),
    line: 6,
    reason: /template or variable/,
  },
  'chart/templates/redis.yaml': {
    text: '{{- if .Values.enabled }}\napiVersion: redis.io/v1\nkind: RedisCluster\nspec:\n  imageName: {{ .Values.image }}\n{{- end }}\n',
    line: 1,
    reason: /cannot read safely/,
  },
  'bomb/values.yaml': { text: bomb, line: 1, reason: /alias/ },
  'binary/values.yaml': {
    text: new Uint8Array([...new TextEncoder().encode('image:\n  tag: 7.2.4\n'), 0, 1, 2]),
    line: 3,
    reason: /binary/,
  },
  'big/values.yaml': {
    text: `image:\n  repository: redis\n  tag: 7.2.4\n${'#'.repeat(4096)}\n`,
    reason: /over the 4000-byte limit/,
  },
};

describe('bad input', () => {
  let root: string;
  let outside: string;
  let inv: Inventory;
  const before = new Map<string, Buffer>();

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'cairn-bad-'));
    outside = mkdtempSync(join(tmpdir(), 'cairn-outside-'));
    writeFileSync(join(outside, 'secret.yaml'), good);
    mkdirSync(join(root, 'ok'));
    writeFileSync(join(root, 'ok/cluster.yaml'), good);
    for (const [path, c] of Object.entries(BAD)) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), c.text);
    }
    symlinkSync(join(outside, 'secret.yaml'), join(root, 'escape.yaml'));
    symlinkSync(join(root, 'ok/cluster.yaml'), join(root, 'inside.yaml'));
    for (const p of [...Object.keys(BAD), 'ok/cluster.yaml']) before.set(p, readFileSync(join(root, p)));
    inv = await scanRepository(nodeRepo(root), { maxFileBytes: 4000 });
  });

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('still reports every good target (a link inside the repository is read at its real path)', () => {
    expect(inv.targets.map((t) => t.id)).toEqual(['ok/cluster.yaml#RedisCluster/cache:spec.imageName']);
  });

  it.each(Object.entries(BAD))('reports %s with its line', (file, c) => {
    const problems = inv.problems.filter((p) => p.file === file);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.reason).toMatch(c.reason);
    expect(problems[0]!.line).toBe(c.line);
  });

  it('reports a symbolic link out of the repository without reading it', () => {
    expect(inv.problems).toContainEqual({
      file: 'escape.yaml',
      reason: expect.stringMatching(/outside the repository/),
    });
    expect(inv.targets.some((t) => t.file === 'escape.yaml')).toBe(false);
  });

  it.each(Object.entries(BAD).filter(([f]) => !f.startsWith('big/')))(
    'refuses to edit %s, naming the file and line, and writes nothing',
    (file, c) => {
      const text = typeof c.text === 'string' ? c.text : new TextDecoder().decode(c.text);
      const isValues = file.endsWith('values.yaml');
      const t: Target = {
        id: `${file}#x`,
        kind: isValues ? 'helm-values' : 'howl-rediscluster',
        file,
        line: c.line ?? 1,
        document: 0,
        field: isValues ? 'image.tag' : 'spec.imageName',
        component: 'redis',
        role: 'data-plane',
        current: '7.2.4',
        change: 'in-place',
      };
      let error: unknown;
      try {
        editTarget(text, t, '7.2.5');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UnsafeFileError);
      expect((error as Error).message).toContain(`${file}:${c.line}`);
      expect(readFileSync(join(root, file))).toEqual(before.get(file));
    },
  );

  it('refuses a file over the size limit when editing', () => {
    const c = BAD['big/values.yaml']!;
    const t = inv.targets[0]!;
    expect(() =>
      editTarget(c.text as string, { ...t, file: 'big/values.yaml', fingerprint: 'x' }, '7.2.5', {
        maxFileBytes: 4000,
      }),
    ).toThrow(/big\/values.yaml: file is \d+ bytes, over the 4000-byte limit/);
  });

  it('never trusts a stale scan: a changed token is refused, not overwritten', () => {
    const t = inv.targets[0]!;
    expect(() => editTarget(good.replace('7.2.4', '7.2.9'), t, '7.4.0')).toThrow(/now "7.2.9", not "7.2.4"/);
  });
});
