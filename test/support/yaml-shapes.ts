// Generated YAML texts of hostile shapes, each close to a size in bytes: the
// inputs that used to make parsing quadratic or overflow the stack. Shared by
// test/lib/yaml-parse.test.ts and bench/parse.ts.

function fill(unit: (i: number) => string, bytes: number, sep = '\n'): string {
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const u = unit(i);
    parts.push(u);
    size += u.length + sep.length;
  }
  return parts.join(sep);
}

export function yamlShapes(bytes: number): Record<string, string> {
  return {
    'flat map, many keys': fill((i) => `k${i}: v`, bytes),
    'many documents': fill(() => 'a: 1\n---', bytes),
    'flow map, many keys': `{${fill((i) => `k${i}: v`, bytes - 2, ', ')}}`,
    'multi-line quoted scalars': fill((i) => `k${i}: 'a\n  b'`, bytes),
    'anchors and aliases': fill((i) => `a${i}: &x${i} v\nb${i}: *x${i}`, bytes),
    'deep flow nesting': '['.repeat(bytes),
    'deep block nesting': fill((i) => `${' '.repeat(i % 4000)}k:`, bytes),
    'one long line': `a: ${'x'.repeat(bytes - 3)}`,
    'blank lines': '\n'.repeat(bytes),
    comments: fill(() => '#', bytes),
  };
}
