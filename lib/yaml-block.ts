// A fast reader for the plain block YAML that most GitOps manifests are:
// block maps and sequences of one-line plain or simply quoted scalars, with
// comments, blank lines and `---` between documents. It builds the same
// `yaml` nodes (Document, YAMLMap, YAMLSeq, Pair, Scalar) with the same values,
// scalar types and offsets as the library's Parser and Composer, in one pass
// over the lines and about a fifth of the time.
//
// Anything outside that subset (flow collections, block scalars, multi-line
// scalars, anchors, aliases, tags, escapes, directives, tabs, CR line ends,
// `...`, complex keys, odd indentation, files over 256 KiB) returns
// `undefined`, and the caller parses the text with the library instead: the
// reader never guesses, so no error, value or offset differs from the
// library's. test/lib/yaml-block.test.ts holds it to that on every example,
// fixture and generated file, and on random block YAML.
//
// Comments are not attached to nodes (`commentBefore`, `comment`,
// `spaceBefore`): the scanner reads comments from the text. So a document from
// here is for reading and offset-exact edits, never for `toString()`; that is
// why only the scanner's `parseFile` asks for it.
import { Document, isScalar, type LineCounter, Pair, Scalar, type ScalarTag, YAMLMap, YAMLSeq } from 'yaml';

/** Larger texts go to the library, whose token budget guards them. */
const MAX_FAST_BYTES = 256 * 1024;
/** Deeper nesting goes to the library, whose depth guard reports it. */
const MAX_FAST_DEPTH = 64;

/** Thrown inside the reader when the text leaves the subset; never escapes it. */
class NotPlain extends Error {}
const notPlain = new NotPlain();

/** Characters that may not start a plain scalar (`-`, `?`, `:` only when followed by a space). */
const INDICATOR = new Set(['[', ']', '{', '}', '#', '&', '*', '!', '|', '>', "'", '"', '%', '@', '`', ',']);

type Node = Scalar | YAMLMap | YAMLSeq;

interface Ctx {
  text: string;
  /** Start offset of each line of the document (and one past its last). */
  starts: number[];
  /** End offset of each line (its `\n`, or the end of the text). */
  ends: number[];
  /** Indent of each line, or -1 for a blank or comment-only line. */
  indents: number[];
  /** Column of the `#` of each comment-only line, or -1. */
  comments: number[];
  /** Offset of the first ` #` on each line, or -1 (found once per text, not once per key). */
  hashes: number[];
  /** Index of the first line after the document. */
  stop: number;
  schema: Document['schema'];
  options: Document['options'];
  tags: ScalarTag[];
  str: ScalarTag;
  /** The default YAML 1.2 core schema, whose scalar tags MAYBE_NOT_STR describes. */
  core: boolean;
}

/** The first content line at or after `i`, or `ctx.stop`. */
function nextContent(ctx: Ctx, i: number): number {
  while (i < ctx.stop && ctx.indents[i]! < 0) i++;
  return i;
}

/** Offset just past line `i`'s newline (the end of the text on the last line). */
function afterLine(ctx: Ctx, i: number): number {
  const e = ctx.ends[i]!;
  return e < ctx.text.length ? e + 1 : e;
}

/**
 * Only these can start a core-schema null, bool, int or float (`~`, `null`,
 * `true`, `false`, digits, signs, `.inf`, `.nan`); any other plain scalar is a
 * string without testing each tag.
 */
const MAYBE_NOT_STR = /^(?:$|[~nNtTfF0-9+\-.])/;

function plainScalar(ctx: Ctx, source: string, atKey: boolean): Scalar {
  let tag = ctx.str;
  if (!ctx.core || MAYBE_NOT_STR.test(source))
    for (const t of ctx.tags)
      if ((t.default === true || (atKey && t.default === 'key')) && t.test?.test(source)) {
        tag = t;
        break;
      }
  const res =
    tag === ctx.str
      ? source
      : tag.resolve(
          source,
          () => {
            throw notPlain;
          },
          ctx.options as never,
        );
  const node = isScalar(res) ? (res as Scalar) : new Scalar(res);
  node.source = source;
  node.type = Scalar.PLAIN;
  if (tag.format) node.format = tag.format;
  return node;
}

/** The first ` #` at or after `q` on line `i` (ending at `end`), or -1. */
function hashAfter(ctx: Ctx, i: number, q: number, end: number): number {
  const h = ctx.hashes[i]!;
  if (h < 0 || h >= q) return h;
  const again = ctx.text.indexOf(' #', q);
  return again >= 0 && again < end ? again : -1;
}

/** Offset of the closing quote of a one-line quoted scalar opening at `q`, or throws. */
function closingQuote(text: string, q: number, end: number): number {
  const quote = text[q]!;
  for (let i = q + 1; i < end; i++) {
    const c = text[i];
    if (quote === '"' && c === '\\') throw notPlain;
    if (c !== quote) continue;
    if (quote === "'" && text[i + 1] === "'") {
      i++;
      continue;
    }
    return i;
  }
  throw notPlain;
}

function quoted(ctx: Ctx, q: number, close: number): Scalar {
  const raw = ctx.text.slice(q + 1, close);
  const single = ctx.text[q] === "'";
  const value = single ? raw.replaceAll("''", "'") : raw;
  const node = new Scalar(value);
  node.source = value;
  node.type = single ? Scalar.QUOTE_SINGLE : Scalar.QUOTE_DOUBLE;
  return node;
}

/** After a node ends at `p` on a line ending at `end`: only spaces, then at most a comment. */
function checkRest(text: string, p: number, end: number): void {
  let i = p;
  while (i < end && text[i] === ' ') i++;
  if (i < end && (text[i] !== '#' || i === p)) throw notPlain;
}

/** Whether a plain scalar may start at `q` (line end `end`). */
function plainStart(text: string, q: number, end: number): boolean {
  const c = text[q]!;
  if (INDICATOR.has(c)) return false;
  if (c === '-' || c === '?' || c === ':') {
    const n = q + 1 < end ? text[q + 1] : ' ';
    if (n === ' ') return false;
  }
  // Document markers are only at column 0, and lines there were split off already.
  return true;
}

/**
 * The implicit key starting at `q` on a line ending at `end`: its node and the
 * offset just after its `:`; undefined when the line holds no key.
 */
function keyAt(ctx: Ctx, line: number, q: number, end: number): { key: Scalar; after: number } | undefined {
  const text = ctx.text;
  const c = text[q]!;
  if (c === '"' || c === "'") {
    const close = closingQuote(text, q, end);
    let p = close + 1;
    while (p < end && text[p] === ' ') p++;
    if (text[p] !== ':' || (p + 1 < end && text[p + 1] !== ' ')) return undefined;
    const key = quoted(ctx, q, close);
    key.range = [q, close + 1, close + 1];
    return { key, after: p + 1 };
  }
  if (!plainStart(text, q, end)) return undefined;
  // The first `:` followed by a space or the line end; a comment before it means no key.
  let i = q;
  do i = text.indexOf(':', i + 1);
  while (i >= 0 && i + 1 < end && text[i + 1] !== ' ');
  if (i < 0 || i >= end) return undefined;
  const hash = hashAfter(ctx, line, q, end);
  if (hash >= 0 && hash < i) return undefined;
  let k = i;
  while (text[k - 1] === ' ') k--;
  const key = plainScalar(ctx, text.slice(q, k), true);
  key.range = [q, k, k];
  return { key, after: i + 1 };
}

/** A one-line scalar value starting at `q` on line `i`, its range ending after the line. */
function inlineValue(ctx: Ctx, i: number, q: number): Scalar {
  const text = ctx.text;
  const end = ctx.ends[i]!;
  const c = text[q]!;
  let node: Scalar;
  let valueEnd: number;
  if (c === '"' || c === "'") {
    const close = closingQuote(text, q, end);
    checkRest(text, close + 1, end);
    node = quoted(ctx, q, close);
    valueEnd = close + 1;
  } else {
    if (!plainStart(text, q, end)) throw notPlain;
    const hash = hashAfter(ctx, i, q, end);
    valueEnd = hash >= 0 ? hash : end;
    // `a: b: c` is an error, `a: b:` a key in a value: both for the library.
    for (let p = text.indexOf(':', q + 1); p >= 0 && p < valueEnd; p = text.indexOf(':', p + 1))
      if (p + 1 === end || text[p + 1] === ' ') throw notPlain;
    while (text[valueEnd - 1] === ' ') valueEnd--;
    node = plainScalar(ctx, text.slice(q, valueEnd), false);
  }
  node.range = [q, valueEnd, afterLine(ctx, i)];
  return node;
}

function emptyAt(ctx: Ctx, p: number): Scalar {
  const node = plainScalar(ctx, '', false);
  node.range = [p, p, p];
  return node;
}

function isDash(text: string, q: number, end: number): boolean {
  return text[q] === '-' && (q + 1 === end || text[q + 1] === ' ');
}

/** Skips spaces from `p`; the first offset that is not one. */
function skipSpaces(text: string, p: number, end: number): number {
  while (p < end && text[p] === ' ') p++;
  return p;
}

/**
 * The value after an indicator (`:` or `-`) ending at `p` on line `i`, whose
 * block sits at `indent`: inline on the line, a block on the lines below, or
 * empty. `sameIndentSeq` allows a sequence at `indent` itself (a map value).
 */
function valueAfter(
  ctx: Ctx,
  i: number,
  p: number,
  indent: number,
  sameIndentSeq: boolean,
  depth: number,
): [Node, number] {
  const text = ctx.text;
  const end = ctx.ends[i]!;
  const q = skipSpaces(text, p, end);
  if (q < end && text[q] !== '#') {
    const node = inlineValue(ctx, i, q);
    const j = nextContent(ctx, i + 1);
    // A deeper line after a one-line scalar would continue it (multi-line plain scalar).
    if (j < ctx.stop && ctx.indents[j]! > indent) throw notPlain;
    // Comment lines deeper than the block, right after the scalar, end it (the library's parser).
    for (let m = i + 1; m < j; m++) {
      const c = ctx.comments[m]!;
      if (c > indent) node.range![2] = afterLine(ctx, m);
      else if (c >= 0) break;
    }
    return [node, j];
  }
  const j = nextContent(ctx, i + 1);
  if (j < ctx.stop) {
    const ind = ctx.indents[j]!;
    const start = ctx.starts[j]! + ind;
    if (ind > indent) return block(ctx, j, start, ind, depth + 1);
    if (ind === indent && sameIndentSeq && isDash(text, start, ctx.ends[j]!))
      return seqAt(ctx, j, start, ind, depth + 1);
  }
  // An empty value with a comment after it takes the comment's lines into its range: not here.
  if (q < end) throw notPlain;
  for (let m = i + 1; m < j; m++) if (ctx.comments[m]! >= 0) throw notPlain;
  return [emptyAt(ctx, q), j];
}

/**
 * Where the next item of a block at column `col` starts, when the next content
 * line is `j`: undefined when the block ends there; a deeper line is not ours.
 */
function nextItem(ctx: Ctx, j: number, col: number): number | undefined {
  if (j >= ctx.stop || ctx.indents[j]! < col) return undefined;
  if (ctx.indents[j]! > col) throw notPlain;
  return ctx.starts[j]! + col;
}

/** The block node whose first token is at `start` (column `col`) on line `i`. */
function block(ctx: Ctx, i: number, start: number, col: number, depth: number): [Node, number] {
  if (depth > MAX_FAST_DEPTH) throw notPlain;
  if (isDash(ctx.text, start, ctx.ends[i]!)) return seqAt(ctx, i, start, col, depth);
  return mapAt(ctx, i, start, col, depth);
}

function seqAt(ctx: Ctx, i: number, start: number, col: number, depth: number): [YAMLSeq, number] {
  const text = ctx.text;
  const seq = new YAMLSeq(ctx.schema);
  let at = start;
  let last: Node | undefined;
  for (;;) {
    const end = ctx.ends[i]!;
    if (!isDash(text, at, end)) throw notPlain;
    const q = skipSpaces(text, at + 1, end);
    let item: Node;
    let j: number;
    if (q < end && q > at + 1 && isDash(text, q, end))
      [item, j] = seqAt(ctx, i, q, q - ctx.starts[i]!, depth + 1);
    else if (q < end && q > at + 1 && text[q] !== '#' && keyAt(ctx, i, q, end))
      [item, j] = mapAt(ctx, i, q, q - ctx.starts[i]!, depth + 1);
    else {
      [item, j] = valueAfter(ctx, i, at + 1, col, false, depth);
      // An empty item after comment lines takes them into its range: the library's.
      if (isScalar(item) && item.source === '' && item.range![0] === item.range![2])
        for (let m = i - 1; m >= 0 && ctx.indents[m]! < 0; m--) if (ctx.comments[m]! >= 0) throw notPlain;
    }
    seq.items.push(item);
    last = item;
    i = j;
    const next = nextItem(ctx, j, col);
    // A map key at the sequence's column ends a same-indent sequence (its parent's next key).
    if (next === undefined || !isDash(text, next, ctx.ends[j]!)) break;
    at = next;
  }
  const lastEnd = last!.range![2];
  seq.range = [start, lastEnd, trailing(ctx, lastEnd, i, col)];
  return [seq, i];
}

function mapAt(ctx: Ctx, i: number, start: number, col: number, depth: number): [YAMLMap, number] {
  const text = ctx.text;
  const map = new YAMLMap(ctx.schema);
  let at = start;
  let last: Node | undefined;
  for (;;) {
    const end = ctx.ends[i]!;
    const found = keyAt(ctx, i, at, end);
    if (!found) throw notPlain;
    const [value, j] = valueAfter(ctx, i, found.after, col, true, depth);
    map.items.push(new Pair(found.key, value));
    last = value;
    i = j;
    const next = nextItem(ctx, j, col);
    if (next === undefined) break;
    // A sequence item at a map's column belongs to no key: the library reports it.
    if (isDash(text, next, ctx.ends[j]!)) throw notPlain;
    at = next;
  }
  const lastEnd = last!.range![2];
  map.range = [start, lastEnd, trailing(ctx, lastEnd, i, col)];
  return [map, i];
}

/**
 * Where a block at column `col` ends whose last value ends at `from`, when the
 * next content line is `j`. The comment lines in between belong to the
 * innermost block; the library's parser hands them to the parent unless the
 * block is at column 0 or one of them sits at its column or deeper. A block
 * that keeps them ends where the next content starts.
 */
function trailing(ctx: Ctx, from: number, j: number, col: number): number {
  if (col === 0) return from;
  let k = j;
  while (k > 0 && ctx.starts[k - 1]! >= from) k--;
  let keep = false;
  for (let m = k; m < j; m++) if (ctx.comments[m]! >= col) keep = true;
  if (!keep) return from;
  if (j < ctx.stop) return ctx.starts[j]! + ctx.indents[j]!;
  return j < ctx.starts.length ? ctx.starts[j]! : ctx.text.length;
}

/** Whether line text at `s..e` is a document marker line `---` (optionally with a comment). */
function docStartLine(text: string, s: number, e: number): boolean {
  if (!text.startsWith('---', s) || (s + 3 < e && text[s + 3] !== ' ')) return false;
  checkRest(text, s + 3, e);
  return true;
}

export interface BlockYamlOptions {
  lineCounter?: LineCounter;
  prettyErrors?: boolean;
}

/**
 * Every document of `text` when it is plain block YAML, exactly as the
 * library's `parseAllDocuments` (with `uniqueKeys: false`) would compose them
 * apart from comments; otherwise undefined.
 */
export function parseBlockYaml(text: string, opts: BlockYamlOptions = {}): Document.Parsed[] | undefined {
  if (text.length > MAX_FAST_BYTES || text.length === 0) return undefined;
  // Outside the subset everywhere: tabs, CR line ends, a byte-order mark, other line breaks.
  if (/[\t\r\uFEFF\u0085\u2028\u2029]/.test(text)) return undefined;
  const starts: number[] = [];
  const ends: number[] = [];
  const indents: number[] = [];
  const comments: number[] = [];
  const hashes: number[] = [];
  let nextHash = text.indexOf(' #');
  for (let s = 0; s <= text.length;) {
    let e = text.indexOf('\n', s);
    if (e < 0) e = text.length;
    let k = s;
    while (k < e && text.charCodeAt(k) === 32) k++;
    starts.push(s);
    ends.push(e);
    indents.push(k === e || text[k] === '#' ? -1 : k - s);
    comments.push(k < e && text[k] === '#' ? k - s : -1);
    if (nextHash >= 0 && nextHash < s) nextHash = text.indexOf(' #', s);
    hashes.push(nextHash >= 0 && nextHash < e ? nextHash : -1);
    if (e === text.length) break;
    s = e + 1;
  }
  try {
    // Cut into documents at `---` lines; `...` and directives are the library's.
    const markers: number[] = [];
    for (let i = 0; i < starts.length; i++) {
      if (indents[i] !== 0) continue;
      const s = starts[i]!;
      const c = text[s];
      if (c === '%') return undefined;
      if (c === '.' && text.startsWith('...', s)) return undefined;
      if (c === '-' && docStartLine(text, s, ends[i]!)) markers.push(i);
    }
    const docs: Document.Parsed[] = [];
    const bounds =
      markers[0] === undefined || nextContentRaw(indents, 0, markers[0]) < markers[0] ? [-1] : [];
    bounds.push(...markers);
    for (let b = 0; b < bounds.length; b++) {
      const marker = bounds[b]!;
      const from = marker + 1;
      const stop = bounds[b + 1] ?? starts.length;
      const doc = new Document(undefined, { uniqueKeys: false, prettyErrors: opts.prettyErrors ?? false });
      const ctx: Ctx = {
        text,
        starts,
        ends,
        indents,
        comments,
        hashes,
        stop,
        schema: doc.schema,
        options: doc.options,
        tags: doc.schema.tags as ScalarTag[],
        str: (doc.schema as unknown as Record<symbol, ScalarTag>)[Symbol.for('yaml.scalar')]!,
        core: doc.schema.name === 'core',
      };
      const docEnd = stop < starts.length ? starts[stop]! : text.length;
      const first = nextContent(ctx, from);
      let contents: Node;
      if (first >= stop) {
        // An empty document: only a plain `---` line with nothing but blank lines after it.
        if (marker < 0) return undefined;
        for (let i = from; i < stop; i++) if (ends[i]! > starts[i]!) return undefined;
        const markerEnd = ends[marker]!;
        if (markerEnd !== starts[marker]! + 3) return undefined;
        contents = emptyAt(ctx, markerEnd);
      } else {
        // An indented top-level block is the library's (its comments are handed around differently).
        if (indents[first] !== 0) return undefined;
        const [node, next] = block(ctx, first, starts[first]!, 0, 1);
        if (next < stop) return undefined;
        contents = node;
      }
      if (marker >= 0) doc.directives!.docStart = true;
      doc.contents = contents as never;
      const docStart = marker >= 0 ? starts[marker]! : contents.range![0];
      const contentEnd = contents.range![2];
      // Content ending in an empty value mid-line keeps the line ends after it (in its `:`'s tokens).
      const swallowed = contentEnd < text.length && text[contentEnd - 1] !== '\n';
      (doc as Document.Parsed).range = [docStart, contentEnd, swallowed ? contentEnd : docEnd];
      docs.push(doc as Document.Parsed);
    }
    if (opts.lineCounter) {
      const lc = opts.lineCounter;
      for (const s of starts) lc.addNewLine(s);
    }
    return docs;
  } catch (e) {
    if (e instanceof NotPlain) return undefined;
    throw e;
  }
}

/** The first content line in [i, stop), or stop. */
function nextContentRaw(indents: readonly number[], i: number, stop: number): number {
  while (i < stop && indents[i]! < 0) i++;
  return i;
}
