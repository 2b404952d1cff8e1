// YAML inside a YAML string (Argo CD `helm.values: |`): parses the inner text,
// finds tokens there, and maps each token back to its exact offset in the
// outer file. Only literal block scalars (`|`, `|-`, `|+`, `|2`) map 1:1 line by
// line; folded or quoted strings are refused rather than approximated.
import { isScalar, LineCounter, type Node, Scalar } from 'yaml';
import { parseYamlDocument } from '../yaml-parse.ts';
import type { Found } from './kind.ts';
import { type DocView, markerText } from './yaml-file.ts';

export interface Embedded {
  view: DocView;
  /** Maps an offset in the inner text to the outer file, or undefined. */
  toOuter(offset: number): number | undefined;
}

export type EmbeddedResult =
  { ok: true; embedded: Embedded } | { ok: false; reason: string; offset?: number };

export function parseEmbedded(outer: DocView, node: Node | undefined, field: string): EmbeddedResult {
  if (!node || !isScalar(node) || typeof node.value !== 'string' || !node.range) {
    return { ok: false, reason: `${field} is not a string` };
  }
  const offset = node.range[0];
  if (node.type !== Scalar.BLOCK_LITERAL) {
    return { ok: false, reason: `${field} is not a literal block (|): cannot map its lines exactly`, offset };
  }
  const inner = node.value;
  const src = outer.text.slice(node.range[0], node.range[1]);
  const headerEnd = src.indexOf('\n');
  if (headerEnd < 0) return { ok: false, reason: `${field} is empty`, offset };
  // Start offsets (in the outer text) of each content line.
  const lineStarts: number[] = [];
  let pos = node.range[0] + headerEnd + 1;
  const end = node.range[1];
  while (pos <= end && lineStarts.length <= inner.length + 1) {
    lineStarts.push(pos);
    const nl = outer.text.indexOf('\n', pos);
    if (nl < 0 || nl >= end) break;
    pos = nl + 1;
  }
  const header = src.slice(0, headerEnd);
  const explicit = /\|[+-]?([1-9])|\|([1-9])[+-]?/.exec(header);
  let indent: number | undefined;
  if (explicit) indent = Number(explicit[1] ?? explicit[2]) + currentIndent(outer.text, node.range[0]);
  else {
    for (const s of lineStarts) {
      const m = /^( *)(\S)/.exec(
        outer.text.slice(s, outer.text.indexOf('\n', s) < 0 ? undefined : outer.text.indexOf('\n', s)),
      );
      if (m?.[1] !== undefined && m[2] !== '\r') {
        indent = m[1].length;
        break;
      }
    }
  }
  if (indent === undefined) return { ok: false, reason: `${field} has no content`, offset };
  const lines = new LineCounter();
  const doc = parseYamlDocument(inner, { lineCounter: lines });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const mapped = mapOffset(inner, e.pos[0], lineStarts, indent);
    return {
      ok: false,
      reason: `${field} holds malformed YAML: ${e.message.split('\n')[0]}`,
      ...(mapped !== undefined ? { offset: mapped } : { offset }),
    };
  }
  const view: DocView = {
    file: outer.file,
    index: outer.index,
    doc,
    text: inner,
    lines,
    hasAliases: inner.includes('*'),
    templated: inner.includes('{{'),
    hasMarkers: markerText(inner),
  };
  const fixedIndent = indent;
  return { ok: true, embedded: { view, toOuter: (o) => mapOffset(inner, o, lineStarts, fixedIndent) } };
}

function currentIndent(text: string, at: number): number {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  return /^ */.exec(text.slice(lineStart, at))?.[0].length ?? 0;
}

function mapOffset(inner: string, o: number, lineStarts: number[], indent: number): number | undefined {
  let line = 0;
  let lineStart = 0;
  for (let i = inner.indexOf('\n'); i >= 0 && i < o; i = inner.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  const start = lineStarts[line];
  return start === undefined ? undefined : start + indent + (o - lineStart);
}

/** Moves the tokens of Founds made on an embedded view to the outer file, verifying every byte. */
export function liftFound(outerText: string, embedded: Embedded, found: Found): Found {
  const { token } = found;
  if (token) {
    const start = embedded.toOuter(token.start);
    if (start === undefined || outerText.slice(start, start + token.text.length) !== token.text) {
      const { token: _drop, ...rest } = found;
      return { ...rest, problem: 'cannot map the value inside the YAML string back to the file exactly' };
    }
    return { ...found, token: { ...token, start, end: start + token.text.length } };
  }
  if (found.problemOffset !== undefined) {
    const o = embedded.toOuter(found.problemOffset);
    const { problemOffset: _p, ...rest } = found;
    return o === undefined ? rest : { ...rest, problemOffset: o };
  }
  return found;
}
