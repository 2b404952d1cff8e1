// Reads user-supplied YAML or JSON against a schema and reports every problem
// with the file, line and field it is about. All input that enters cairn from
// files (policies, catalog, feed snapshots, cluster state) passes through here.
import { isMap, isScalar, isSeq, LineCounter, type Node, type Pair, type YAMLMap } from 'yaml';
import type { z } from 'zod';
import { type Issue, ValidationError } from './errors.ts';
import { parseYamlDocument, parseYamlStream } from './yaml-parse.ts';

/** Refuse documents whose aliases would expand past this many nodes (YAML bombs). */
const MAX_ALIAS_COUNT = 1000;

export type PathKey = string | number;

export function formatPath(path: readonly PathKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${p}` : p;
  }
  return out || '(root)';
}

/** Key -> pair of each map, built once per map: locating N issues in an N-key map stays linear. */
const pairIndex = new WeakMap<object, Map<string, Pair>>();

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  let index = pairIndex.get(map);
  if (!index) {
    index = new Map();
    for (const it of map.items) {
      if (isScalar(it.key)) {
        const k = String(it.key.value);
        if (!index.has(k)) index.set(k, it as Pair);
      }
    }
    pairIndex.set(map, index);
  }
  return index.get(key);
}

function nodeAt(
  root: Node | null | undefined,
  path: readonly PathKey[],
): { node: Node | null; depth: number } {
  let node: Node | null | undefined = root;
  let depth = 0;
  for (const key of path) {
    if (isMap(node)) {
      const pair = pairOf(node, String(key));
      if (!pair) break;
      // Point at the key when the value is missing.
      node = (pair.value as Node | null) ?? (pair.key as Node);
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key] as Node | undefined;
      if (!item) break;
      node = item;
    } else break;
    depth++;
  }
  return { node: node ?? null, depth };
}

function zodIssues(
  error: z.ZodError,
  file: string,
  root: Node | null,
  lines: LineCounter,
  docOffset = 0,
): Issue[] {
  return error.issues.map((zi) => {
    const path = zi.path.filter((p): p is PathKey => typeof p === 'string' || typeof p === 'number');
    let located = nodeAt(root, path);
    // For unknown keys, point at the first unrecognized key.
    if (zi.code === 'unrecognized_keys' && zi.keys.length) {
      const key = zi.keys[0]!;
      const parent = located.node;
      if (isMap(parent)) {
        const pair = pairOf(parent, key);
        if (pair?.key) located = { node: pair.key as Node, depth: path.length };
      }
      path.push(key);
    }
    const offset = located.node?.range?.[0];
    const pos = offset !== undefined ? lines.linePos(offset + docOffset) : undefined;
    const allowed =
      'values' in zi && Array.isArray(zi.values)
        ? zi.values.map(String)
        : 'options' in zi && Array.isArray(zi.options)
          ? zi.options.map(String)
          : undefined;
    let message = zi.message;
    if (zi.code === 'unrecognized_keys')
      message = `unknown field${zi.keys.length > 1 ? 's' : ''} ${zi.keys.join(', ')}`;
    return {
      file,
      ...(pos ? { line: pos.line, column: pos.col } : {}),
      field: formatPath(path),
      message,
      ...(allowed ? { allowed } : {}),
    };
  });
}

function yamlErrors(
  errors: readonly { message: string; linePos?: [{ line: number; col: number }, ...unknown[]] }[],
  file: string,
): Issue[] {
  return errors.map((e) => ({
    file,
    ...(e.linePos ? { line: e.linePos[0].line, column: e.linePos[0].col } : {}),
    message: e.message.split('\n')[0] ?? e.message,
  }));
}

/**
 * Parses one YAML (or JSON) document and validates it. Duplicate keys, syntax
 * errors and alias bombs are refused. Throws ValidationError listing every issue.
 */
export function parseYaml<S extends z.ZodType>(text: string, file: string, schema: S): z.infer<S> {
  return parseYamlLocated(text, file, schema).data;
}

/** Finds where a field path sits, for semantic errors found after schema validation. */
export type Locator = (
  path: readonly PathKey[],
  opts?: { key?: boolean },
) => { line: number; column: number } | undefined;

function locatorFor(root: Node | null, lines: LineCounter): Locator {
  return (path, opts) => {
    let node = nodeAt(root, path).node;
    if (opts?.key && path.length) {
      // Point at the map key itself (where an unknown name is written), not its value.
      const parent = nodeAt(root, path.slice(0, -1)).node;
      const last = String(path.at(-1));
      if (isMap(parent)) node = (pairOf(parent, last)?.key as Node) ?? node;
    }
    const offset = node?.range?.[0];
    if (offset === undefined) return undefined;
    const pos = lines.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
}

/**
 * Schema issues of a value taken from inside a parsed document (an item of a
 * List), each with the file, line and full field path (`prefix` + the issue's).
 */
export function schemaIssues(
  error: z.ZodError,
  file: string,
  locate: Locator,
  prefix: readonly PathKey[] = [],
): Issue[] {
  return error.issues.map((zi) => {
    const path = [
      ...prefix,
      ...zi.path.filter((p): p is PathKey => typeof p === 'string' || typeof p === 'number'),
    ];
    const pos = locate(path);
    return {
      file,
      ...(pos ? { line: pos.line, column: pos.column } : {}),
      field: formatPath(path),
      message: zi.message,
    };
  });
}

/** Like parseYaml, and also returns a locator for reporting later, semantic issues by line. */
export function parseYamlLocated<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
): { data: z.infer<S>; locate: Locator } {
  const lines = new LineCounter();
  const doc = parseYamlDocument(text, { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length) throw new ValidationError(yamlErrors(doc.errors, file));
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    throw new ValidationError([{ file, message: `cannot expand YAML aliases: ${(e as Error).message}` }]);
  }
  const result = schema.safeParse(data ?? {});
  if (!result.success) throw new ValidationError(zodIssues(result.error, file, doc.contents, lines));
  const locate = locatorFor(doc.contents, lines);
  return { data: result.data, locate };
}

/** A parsed document of a multi-document file, with the line it starts on. */
export interface LocatedDocument {
  index: number;
  line: number;
  value: unknown;
  /** Where a field path of this document sits. */
  locate: Locator;
}

/** Parses every document of a multi-document YAML file (e.g. `kubectl get -o yaml` output). */
export function parseYamlDocuments(
  text: string,
  file: string,
  opts: { maxTokens?: number } = {},
): LocatedDocument[] {
  const lines = new LineCounter();
  const docs = parseYamlStream(text, { lineCounter: lines, prettyErrors: true, ...opts });
  const list = Array.isArray(docs) ? docs : [];
  const issues: Issue[] = [];
  const out: LocatedDocument[] = [];
  list.forEach((doc, index) => {
    if (doc.errors.length) {
      issues.push(...yamlErrors(doc.errors, file));
      return;
    }
    try {
      const value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      if (value === null || value === undefined) return;
      const start = doc.contents?.range?.[0] ?? 0;
      out.push({ index, line: lines.linePos(start).line, value, locate: locatorFor(doc.contents, lines) });
    } catch (e) {
      issues.push({ file, message: `cannot expand YAML aliases: ${(e as Error).message}` });
    }
  });
  if (issues.length) throw new ValidationError(issues);
  return out;
}
