// Reads one repository file into YAML documents without losing where every
// byte came from, and refuses what cannot be read safely: binary files, files
// over the size limit, malformed YAML, duplicate keys and alias bombs. Every
// refusal names the file and, when known, the line.
import { type Document, isAlias, isCollection, LineCounter, visit } from 'yaml';
import { parseYamlStream } from '../yaml-parse.ts';

/** Default limit on a file's size; larger files are reported, never parsed. */
export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024;
/** Refuse documents whose aliases would expand past this many nodes (YAML bombs). */
export const MAX_ALIAS_COUNT = 1000;

/** Why a file (or a part of it) was not read. */
export interface FileProblem {
  file: string;
  line?: number;
  reason: string;
}

/** One YAML document of a file, with its Kubernetes identity when it has one. */
export interface DocView {
  file: string;
  /** 0-based index of the document in the file. */
  index: number;
  doc: Document.Parsed;
  /** The whole file text; node ranges are offsets into it. */
  text: string;
  lines: LineCounter;
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  /** True when the document uses at least one alias. */
  hasAliases: boolean;
  /** True when the file contains Helm/Go template markers (`{{`). */
  templated: boolean;
  /** True when the file mentions `$imagepolicy` or `cairn:` (checked once per file, not per document). */
  hasMarkers: boolean;
}

export interface ParsedFile {
  file: string;
  text: string;
  lines: LineCounter;
  docs: DocView[];
}

export type ParseResult = { ok: true; parsed: ParsedFile } | { ok: false; problem: FileProblem };

/** Refuses bytes that are not a text file cairn may edit. */
export function checkBytes(file: string, bytes: Uint8Array, maxBytes: number): FileProblem | undefined {
  if (bytes.byteLength > maxBytes) {
    return {
      file,
      reason: `file is ${bytes.byteLength} bytes, over the ${maxBytes}-byte limit: not read (raise maxFileBytes to include it)`,
    };
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const line = lineOfByte(bytes, nul);
    return { file, line, reason: 'binary file (NUL byte): not a YAML manifest' };
  }
  return undefined;
}

function lineOfByte(bytes: Uint8Array, at: number): number {
  let line = 1;
  for (let i = 0; i < at; i++) if (bytes[i] === 10) line++;
  return line;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes UTF-8 strictly: an invalid byte sequence is a problem, never a replacement character. */
export function decodeText(file: string, bytes: Uint8Array): { text: string } | { problem: FileProblem } {
  try {
    return { text: decoder.decode(bytes) };
  } catch {
    return { problem: { file, reason: 'not valid UTF-8 text' } };
  }
}

/** Whether a text may hold a Flux setter or a cairn marker comment. */
export function markerText(text: string): boolean {
  return text.includes('$imagepolicy') || text.includes('cairn:');
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/**
 * Parses every document of a file. Syntax errors, duplicate keys and alias
 * bombs make the whole file unreadable: one bad document could shift what the
 * others mean (anchors), and cairn never edits a file it cannot fully read.
 */
export function parseFile(file: string, text: string): ParseResult {
  const lines = new LineCounter();
  const templated = text.includes('{{');
  const hasMarkers = markerText(text);
  const mayAlias = text.includes('*');
  let documents: Document.Parsed[];
  try {
    documents = parseYamlStream(text, { lineCounter: lines, fast: true });
  } catch (e) {
    return { ok: false, problem: { file, reason: `cannot parse YAML: ${(e as Error).message}` } };
  }
  if (!Array.isArray(documents)) documents = [];
  const docs: DocView[] = [];
  for (const [index, doc] of documents.entries()) {
    const err = doc.errors[0];
    if (err) {
      const line = lines.linePos(err.pos[0]).line;
      const what = err.code === 'DUPLICATE_KEY' ? 'duplicate key' : 'malformed YAML';
      const message = err.message.split('\n')[0] ?? err.message;
      const hint = templated ? ' (Helm/Go template: cannot read safely)' : '';
      return { ok: false, problem: { file, line, reason: `${what}: ${message}${hint}` } };
    }
    let hasAliases = false;
    // An alias needs a `*`: skip the walk for the (many) documents without one.
    if (mayAlias)
      visit(doc, {
        Alias() {
          hasAliases = true;
          return visit.BREAK;
        },
      });
    if (hasAliases) {
      try {
        doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      } catch (e) {
        const start = doc.contents?.range?.[0] ?? 0;
        return {
          ok: false,
          problem: {
            file,
            line: lines.linePos(start).line,
            reason: `YAML aliases expand too far (alias bomb?): ${(e as Error).message}`,
          },
        };
      }
    }
    const view: DocView = { file, index, doc, text, lines, hasAliases, templated, hasMarkers };
    const root = doc.contents;
    if (root && isCollection(root) && !isAlias(root)) {
      const kind = str(doc.get('kind'));
      const apiVersion = str(doc.get('apiVersion'));
      const name = str(doc.getIn(['metadata', 'name']));
      const namespace = str(doc.getIn(['metadata', 'namespace']));
      if (kind) view.kind = kind;
      if (apiVersion) view.apiVersion = apiVersion;
      if (name) view.name = name;
      if (namespace) view.namespace = namespace;
    }
    docs.push(view);
  }
  return { ok: true, parsed: { file, text, lines, docs } };
}

/** API group of an apiVersion (`helm.toolkit.fluxcd.io/v2` -> `helm.toolkit.fluxcd.io`, `v1` -> ``). */
export function apiGroup(apiVersion: string | undefined): string {
  if (!apiVersion) return '';
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** 53-bit content fingerprint (cyrb53): lets an edit trust a scan of the very same text. */
export function fingerprint(text: string): string {
  let h1 = 0xdeadbeef ^ text.length;
  let h2 = 0x41c6ce57 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return `${text.length.toString(36)}-${(4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36)}`;
}
