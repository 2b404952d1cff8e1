// Gives a value's text as `JSON.stringify(value, null, 2)` would, byte for
// byte, but in pieces: a plan of a large fleet is tens of megabytes of JSON, and holding
// it as one string would more than double the process's peak memory.

const indent = (level: number) => '  '.repeat(level);

/** `level` nested one-item arrays around a value: their JSON text indents it as if it sat `level` deep. */
const wrappers: { open: number; close: number }[] = [];
function wrapper(level: number): { open: number; close: number } {
  // `[\n` plus the indent of each level opens; a newline, the indent and `]` of each closes.
  let w = wrappers[level];
  if (!w) {
    let open = 0;
    let close = 0;
    for (let i = 1; i <= level; i++) {
      open += 2 + 2 * i;
      close += 2 + 2 * (i - 1);
    }
    wrappers[level] = w = { open, close };
  }
  return w;
}

/**
 * Serialises `value` at nesting `level`; `undefined` when JSON.stringify would omit it.
 * Deeper than the top it is stringified inside `level` one-item arrays and cut
 * out, so JSON.stringify writes the indent itself (no pass over the text to re-indent it).
 */
function whole(value: unknown, level: number): string | undefined {
  if (level === 0) return JSON.stringify(value, null, 2) as string | undefined;
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return undefined;
  let wrapped: unknown = value;
  for (let i = 0; i < level; i++) wrapped = [wrapped];
  const text = JSON.stringify(wrapped, null, 2);
  const { open, close } = wrapper(level);
  return text.slice(open, text.length - close);
}

/**
 * An array whose items are made only as they are written: a large list can be
 * checked or reshaped one item at a time, so no whole copy of it is ever held.
 * `jsonChunks` writes it as the array `items.map(map)` (and so does JSON.stringify, through `toJSON`).
 */
export class MappedArray<T = unknown> {
  readonly items: readonly T[];
  readonly map: (item: T) => unknown;
  constructor(items: readonly T[], map: (item: T) => unknown) {
    this.items = items;
    this.map = map;
  }
  toJSON(): unknown[] {
    return this.items.map((item) => this.map(item));
  }
}

/**
 * The text of `value` in pieces; containers down to `depth` levels come one
 * member at a time, anything deeper as one piece.
 */
export function* jsonChunks(value: unknown, depth = 2, level = 0): Generator<string> {
  const mapped = value instanceof MappedArray && depth > 0 ? (value as MappedArray) : undefined;
  const v =
    !mapped &&
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
  if (mapped || Array.isArray(v)) {
    const items = mapped ? mapped.items : (v as unknown[]);
    if (!items.length) return yield '[]';
    yield '[';
    for (let i = 0; i < items.length; i++) {
      const item: unknown = mapped ? mapped.map(items[i]) : items[i];
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
