// Rewrites one target's version in a file's text. The result is the input
// with exactly the version token replaced: comments, blank lines, key order,
// quotes, flow/block style, anchors, document separators, CRLF line endings
// and a missing final newline all stay as they were.
//
// When `text` is the very text the scan read (same fingerprint) and the token
// is still at its offset, the token is replaced directly. Otherwise the file
// is read again from scratch (binary, size, syntax, duplicate keys, alias
// bombs, templates) and the target is located anew; anything unsafe throws
// UnsafeFileError naming the file and line, and nothing is returned to write.
import { PreconditionError, UnsafeFileError } from '../errors.ts';
import type { Target } from '../model.ts';
import type { Found } from './kind.ts';
import { targetKind } from './registry.ts';
import { findInText } from './scan.ts';
import { checkNewVersion, spliceToken } from './splice.ts';
import { DEFAULT_MAX_FILE_BYTES, fingerprint } from './yaml-file.ts';

export interface EditOptions {
  /** Always re-read and re-locate the target, even when the fingerprint matches. */
  verify?: boolean;
  maxFileBytes?: number;
}

export function editTarget(text: string, target: Target, newVersion: string, opts: EditOptions = {}): string {
  if (target.change === 'ops-request') {
    throw new PreconditionError(
      `${target.file}:${target.line} ${target.field}: ${target.component} versions change through an ops request; use createOpsRequestFiles()`,
    );
  }
  const span = target.span;
  if (
    !opts.verify &&
    span &&
    target.fingerprint !== undefined &&
    target.fingerprint === fingerprint(text) &&
    text.slice(span.offset, span.offset + target.current.length) === target.current
  ) {
    const token = {
      start: span.offset,
      end: span.offset + target.current.length,
      text: target.current,
      ...span,
    };
    checkNewVersion(token, newVersion, `${target.file}:${target.line} ${target.field}`);
    return spliceToken(text, token, newVersion);
  }
  const found = locateTarget(text, target, opts);
  const kind = targetKind(target.kind)!;
  return kind.edit(text, found, newVersion);
}

/** Finds the target again in `text`, refusing any file or token that is not safe to edit. */
export function locateTarget(text: string, target: Target, opts: EditOptions = {}): Found {
  const where = { file: target.file, line: target.line, field: target.field };
  const max = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const size = new TextEncoder().encode(text).byteLength;
  if (size > max)
    throw new UnsafeFileError({ file: target.file }, `file is ${size} bytes, over the ${max}-byte limit`);
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    const line = text.slice(0, nul).split('\n').length;
    throw new UnsafeFileError({ file: target.file, line }, 'binary file (NUL byte): refusing to edit');
  }
  const kind = targetKind(target.kind);
  if (!kind) throw new UnsafeFileError(where, `unknown target kind "${target.kind}"`);
  const { hits, problem } = findInText(target.file, text);
  if (problem) {
    throw new UnsafeFileError(
      { file: problem.file, ...(problem.line !== undefined ? { line: problem.line } : {}) },
      problem.reason,
    );
  }
  const hit = hits.find(
    (h) => h.kind === target.kind && h.document === target.document && h.found.field === target.field,
  );
  if (!hit) {
    throw new PreconditionError(
      `${target.file}: ${target.field} is no longer in document ${target.document}`,
    );
  }
  if (!hit.found.token) {
    throw new UnsafeFileError(
      { file: target.file, line: hit.line, field: target.field },
      hit.found.problem ?? 'no readable version',
    );
  }
  if (hit.found.token.text !== target.current) {
    throw new PreconditionError(
      `${target.file}:${hit.line} ${target.field}: version is now "${hit.found.token.text}", not "${target.current}" as scanned; scan again`,
    );
  }
  return hit.found;
}
