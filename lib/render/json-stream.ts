// Gives a value's text as `JSON.stringify(value, null, 2)` would, byte for
// byte, but in pieces: a plan of a large fleet is tens of megabytes of JSON, and holding
// it as one string would more than double the process's peak memory.

const indent = (level: number) => '  '.repeat(level);

/** Serialises `value` at nesting `level`; `undefined` when JSON.stringify would omit it. */
function whole(value: unknown, level: number): string | undefined {
  const text = JSON.stringify(value, null, 2) as string | undefined;
  return text === undefined || level === 0 ? text : text.replace(/\n/g, `\n${indent(level)}`);
}

/**
 * The text of `value` in pieces; containers down to `depth` levels come one
 * member at a time, anything deeper as one piece.
 */
export function* jsonChunks(value: unknown, depth = 2, level = 0): Generator<string> {
  const v =
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
      ? (value as { toJSON: () => unknown }).toJSON()
      : value;
  if (depth === 0 || v === null || typeof v !== 'object') {
    yield whole(v, level) ?? 'null';
    return;
  }
  const inner = indent(level + 1);
  if (Array.isArray(v)) {
    if (!v.length) return yield '[]';
    yield '[';
    for (let i = 0; i < v.length; i++) {
      const item: unknown = v[i];
      yield `${i ? ',' : ''}\n${inner}`;
      const serialisable = item !== undefined && typeof item !== 'function' && typeof item !== 'symbol';
      if (serialisable) yield* jsonChunks(item, depth - 1, level + 1);
      else yield 'null';
    }
    yield `\n${indent(level)}]`;
    return;
  }
  let first = true;
  for (const [key, item] of Object.entries(v)) {
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    yield `${first ? '{' : ','}\n${inner}${JSON.stringify(key)}: `;
    first = false;
    yield* jsonChunks(item, depth - 1, level + 1);
  }
  yield first ? '{}' : `\n${indent(level)}}`;
}
