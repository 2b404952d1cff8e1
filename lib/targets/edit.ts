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
//
// A target group (`Target.siblings`: the operator and admission containers of
// one Deployment) is edited as one: every token of the group is replaced in
// the same text, or none is.
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
  const members = groupMembers(target);
  const fast =
    !opts.verify &&
    target.fingerprint !== undefined &&
    target.fingerprint === fingerprint(text) &&
    members.every(
      (m) => m.span && text.slice(m.span.offset, m.span.offset + target.current.length) === target.current,
    );
  if (fast) {
    // From the last token back, so the earlier offsets stay where they were.
    let out = text;
    for (const m of [...members].sort((a, b) => b.span!.offset - a.span!.offset)) {
      const token = {
        start: m.span!.offset,
        end: m.span!.offset + target.current.length,
        text: target.current,
        ...m.span!,
      };
      checkNewVersion(token, newVersion, `${target.file}:${m.line} ${m.field}`);
      out = spliceToken(out, token, newVersion);
    }
    return out;
  }
  const kind = targetKind(target.kind);
  const found = members.map((m) => locateTarget(text, m, opts));
  let out = text;
  for (const f of found.sort((a, b) => b.token!.start - a.token!.start)) out = kind!.edit(out, f, newVersion);
  return out;
}

/** The target and each sibling of its group, as targets of their own (same file, kind and version). */
function groupMembers(target: Target): Target[] {
  const siblings = (target.siblings ?? []).map((s): Target => {
    const { siblings: _, ...rest } = target;
    return { ...rest, field: s.field, line: s.line, span: s.span };
  });
  return [target, ...siblings];
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
  const { hits, problem } = findInText(target.file, text, {
    asValues: target.kind === 'helm-values',
    asPatchOps: target.kind === 'kustomize',
    asGeneratorFile: target.kind === 'argocd-application',
  });
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
