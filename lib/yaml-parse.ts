// The one YAML parser every input and repository file goes through. It wraps
// the `yaml` library's Parser and Composer with two changes that matter on
// hostile or real-world files:
// - duplicate keys are found with one hash set per map (linear time); the
//   library's own `uniqueKeys` check compares each key with every earlier one
//   (quadratic: 20k keys took 12 s);
// - a quoted scalar may continue on a line indented no deeper than its key,
//   as libyaml and go-yaml (the parser Kubernetes uses) accept; controller-gen
//   CRDs and vendor bundles are written that way.
// Node ranges stay offsets into the original text, so exact-span edits work.
import {
  Composer,
  type Document,
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  Lexer,
  type LineCounter,
  type Node,
  Parser,
  type YAMLError,
  YAMLParseError,
} from 'yaml';
import { parseBlockYaml } from './yaml-block.ts';

/**
 * At most this many YAML tokens per file. Real manifests hold 0.06-0.25 tokens
 * per byte (CRDs ~0.07-0.14), so a 2 MB file of them stays under it; a 2 MB
 * file of blank lines, `[` or one-character keys holds 1-2 million, and every
 * token costs the yaml library's parser and composer time and memory. Counting
 * as the lexer goes stops such a file early, whatever its shape.
 */
export const MAX_TOKENS = 300_000;

class TokenBudgetError extends Error {
  readonly offset: number;
  constructor(offset: number, message: string) {
    super(message);
    this.offset = offset;
  }
}

interface LexerInternals {
  buffer: string;
  pos: number;
  lex(source: string, incomplete?: boolean): Generator<string>;
  parseQuotedScalar(): Generator<string, string>;
  continueScalar(offset: number): number;
}

/**
 * A Lexer with libyaml's leniency: inside quotes, only a document marker ends
 * the scalar early, however the continuation lines are indented. (The
 * library's methods are private in its typings, hence the wrapping.)
 */
function lenientLexer(maxTokens: number): Lexer {
  const lexer = new Lexer();
  const raw = lexer as unknown as LexerInternals;
  const parseQuoted = raw.parseQuotedScalar;
  const continueScalar = raw.continueScalar;
  let inQuoted = false;
  const lex = raw.lex;
  raw.lex = function* (this: LexerInternals, source: string, incomplete?: boolean) {
    let count = 0;
    // Flow nesting is counted here, token by token, so 2 MB of `[` stops at the limit, not at the end.
    let flow = 0;
    for (const token of lex.call(this, source, incomplete)) {
      if (++count > maxTokens)
        throw new TokenBudgetError(
          this.pos,
          `more than ${maxTokens} YAML tokens (not a manifest a person maintains): not read`,
        );
      if (token === '[' || token === '{') {
        if (++flow > MAX_NESTING_DEPTH)
          throw new TokenBudgetError(this.pos, `nested more than ${MAX_NESTING_DEPTH} levels deep: not read`);
      } else if ((token === ']' || token === '}') && flow > 0) flow--;
      yield token;
    }
  };
  raw.parseQuotedScalar = function* (this: LexerInternals) {
    inQuoted = true;
    try {
      return yield* parseQuoted.call(this);
    } finally {
      inQuoted = false;
    }
  };
  raw.continueScalar = function (this: LexerInternals, offset: number) {
    if (!inQuoted) return continueScalar.call(this, offset);
    const marker = this.buffer.substr(offset, 3);
    const after = this.buffer[offset + 3];
    if ((marker === '---' || marker === '...') && (after === undefined || /\s/.test(after))) return -1;
    return offset;
  };
  return lexer;
}

export interface ParseYamlOptions {
  lineCounter?: LineCounter;
  /** Refuse duplicate keys (default true). */
  uniqueKeys?: boolean;
  /** Give each error a line and column (needs lineCounter). */
  prettyErrors?: boolean;
  /** Token budget (default MAX_TOKENS). */
  maxTokens?: number;
  /**
   * Read plain block YAML with the fast reader (lib/yaml-block.ts): same nodes
   * and offsets, no comments on them. For the scanner, which never re-serializes.
   */
  fast?: boolean;
}

/**
 * Deepest nesting accepted. The composer and every walk after it recurse, so a
 * 2 MB file of `[` would overflow the stack; real manifests (CRD schemas
 * included) stay far below this.
 */
export const MAX_NESTING_DEPTH = 256;

interface CstNode {
  type?: string;
  offset?: number;
  value?: CstNode;
  key?: CstNode | null;
  items?: { key?: CstNode | null; value?: CstNode | null }[];
}

/** Nesting depth of a CST token, without recursion; stops counting past the limit. */
function tooDeep(token: CstNode): number | undefined {
  const stack: [CstNode, number][] = [[token, 0]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (depth > MAX_NESTING_DEPTH) return node.offset ?? 0;
    if (node.value) stack.push([node.value, depth]);
    if (node.items)
      for (const it of node.items) {
        if (it.key) stack.push([it.key, depth + 1]);
        if (it.value) stack.push([it.value, depth + 1]);
      }
  }
  return undefined;
}

/** Parser tokens, with any document nested past MAX_NESTING_DEPTH replaced by an error. */
function* guardDepth(tokens: Iterable<CstNode>, onTooDeep: (offset: number) => void): Generator<CstNode> {
  for (const t of tokens) {
    if (t.type === 'document') {
      const at = tooDeep(t);
      if (at !== undefined) {
        onTooDeep(at);
        return;
      }
    }
    yield t;
  }
}

function makeParser(opts: ParseYamlOptions): { parser: Parser; composer: Composer } {
  const parser = new Parser(opts.lineCounter?.addNewLine);
  (parser as unknown as { lexer: Lexer }).lexer = lenientLexer(opts.maxTokens ?? MAX_TOKENS);
  // Duplicate keys are checked below, in linear time.
  const composer = new Composer({ uniqueKeys: false, prettyErrors: opts.prettyErrors ?? false });
  return { parser, composer };
}

/** Key identity as the `yaml` library's default `uniqueKeys` sees it: scalar values compared with `===`. */
function scalarKey(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  const v = node.value;
  return `${v === null ? 'null' : typeof v}:${String(v)}`;
}

/** At most this many aliases per document (real files use a handful). */
export const MAX_ALIASES = 1000;
/** At most this many anchors in a document that uses aliases. */
export const MAX_ANCHORS = 10_000;

/**
 * One walk over a document: a DUPLICATE_KEY error for the first repeated key
 * of any map (one hash set per map), and a refusal of documents with more
 * aliases or anchors than the limits. The yaml library resolves each alias by
 * scanning every anchor and alias before it, so unbounded counts would make
 * `toJS` quadratic.
 */
export function checkDocument(doc: Document.Parsed, opts: { uniqueKeys: boolean }): void {
  let aliases = 0;
  let anchors = 0;
  let firstAlias: Node | undefined;
  let duplicate: Node | undefined;
  // Pre-order, as the library's `visit` walks (a node, then each item; a pair's key, then its
  // value), so the first duplicate and the first alias are the ones it would find; without
  // its frozen copy of the path at every collection and pair.
  const stack: unknown[] = [doc.contents];
  while (stack.length) {
    const node = stack.pop();
    if (!node || typeof node !== 'object') continue;
    if (isAlias(node)) {
      aliases++;
      firstAlias ??= node;
      continue;
    }
    if (isPair(node)) {
      stack.push(node.value, node.key);
      continue;
    }
    if ((node as { anchor?: string }).anchor) anchors++;
    if (!isCollection(node)) continue;
    if (opts.uniqueKeys && !duplicate && isMap(node) && node.items.length >= 2) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const k = scalarKey(pair.key);
        // A merge key may repeat (`<<: *a` twice is how some files merge two maps).
        if (k === undefined || k === 'string:<<') continue;
        if (seen.has(k)) {
          duplicate = pair.key as Node;
          break;
        }
        seen.add(k);
      }
    }
    for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]);
  }
  if (duplicate) {
    const range = duplicate.range ?? [0, 0];
    doc.errors.push(new YAMLParseError([range[0], range[1]], 'DUPLICATE_KEY', 'Map keys must be unique'));
  }
  if (aliases > MAX_ALIASES || (aliases && anchors > MAX_ANCHORS)) {
    const range = firstAlias?.range ?? [0, 0];
    doc.errors.push(
      new YAMLParseError(
        [range[0], range[1]],
        'RESOURCE_EXHAUSTION',
        `${aliases} aliases and ${anchors} anchors in one document, over the limits (${MAX_ALIASES} aliases, ${MAX_ANCHORS} anchors): not read`,
      ),
    );
  }
}

function finish(docs: Document.Parsed[], opts: ParseYamlOptions): void {
  for (const d of docs) if (!d.errors.length) checkDocument(d, { uniqueKeys: opts.uniqueKeys !== false });
  if (opts.prettyErrors && opts.lineCounter) {
    const lc = opts.lineCounter;
    const pretty = (e: YAMLError) => {
      if (e.linePos) return;
      const start = lc.linePos(e.pos[0]);
      e.linePos = [start, lc.linePos(e.pos[1])];
    };
    for (const d of docs) {
      d.errors.forEach(pretty);
      d.warnings.forEach(pretty);
    }
  }
}

/** An empty document carrying the one error that says why the file was not read. */
function overBudget(e: TokenBudgetError, opts: ParseYamlOptions): Document.Parsed {
  const doc = parseYamlDocument('', {});
  doc.errors.push(new YAMLParseError([e.offset, e.offset + 1], 'RESOURCE_EXHAUSTION', e.message));
  finish([doc], opts);
  return doc;
}

function tooDeepError(offset: number): YAMLParseError {
  return new YAMLParseError(
    [offset, offset + 1],
    'BAD_INDENT',
    `nested more than ${MAX_NESTING_DEPTH} levels deep: not read`,
  );
}

/** Every document of a stream (`parseAllDocuments`, linear-time and libyaml-lenient). */
export function parseYamlStream(text: string, opts: ParseYamlOptions = {}): Document.Parsed[] {
  if (opts.fast) {
    const docs = parseBlockYaml(text, opts);
    if (docs) {
      finish(docs, opts);
      return docs;
    }
  }
  const { parser, composer } = makeParser(opts);
  let deep: number | undefined;
  const tokens = guardDepth(parser.parse(text) as Iterable<CstNode>, (at) => (deep = at));
  let docs: Document.Parsed[];
  try {
    docs = Array.from(composer.compose(tokens as Parameters<Composer['compose']>[0])) as Document.Parsed[];
  } catch (e) {
    if (!(e instanceof TokenBudgetError)) throw e;
    return [overBudget(e, opts)];
  }
  if (deep !== undefined) {
    // Report on an empty document so callers see one error and no half-read content.
    const last = docs.at(-1) ?? parseYamlDocument('', {});
    last.errors.push(tooDeepError(deep));
    docs.splice(0, docs.length, last);
  }
  finish(docs, opts);
  return docs;
}

/** Exactly one document (`parseDocument`): a second document is an error. */
export function parseYamlDocument(text: string, opts: ParseYamlOptions = {}): Document.Parsed {
  const { parser, composer } = makeParser(opts);
  let doc: Document.Parsed | undefined;
  let deep: number | undefined;
  const tokens = guardDepth(parser.parse(text) as Iterable<CstNode>, (at) => (deep = at));
  try {
    for (const d of composer.compose(tokens as Parameters<Composer['compose']>[0], true, text.length)) {
      if (!doc) doc = d as Document.Parsed;
      else {
        doc.errors.push(
          new YAMLParseError(
            [d.range[0], d.range[1]],
            'MULTIPLE_DOCS',
            'Source contains multiple documents; expected one',
          ),
        );
        break;
      }
    }
  } catch (e) {
    if (!(e instanceof TokenBudgetError)) throw e;
    return overBudget(e, opts);
  }
  if (deep !== undefined) doc!.errors.push(tooDeepError(deep));
  finish([doc!], opts);
  return doc!;
}
