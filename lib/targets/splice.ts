// Replaces one token in a file's text. Everything outside [start, end) is
// copied byte for byte; the new version must be a token that keeps the
// scalar's meaning in its quoting style (no quote, colon, space, `#`, no
// template), so the file reads the same except for the version.
import { parse } from 'yaml';
import { ValidationError } from '../errors.ts';
import type { Token } from './tokens.ts';

const SAFE_VERSION = /^[A-Za-z0-9_][A-Za-z0-9._+-]*$/;

function yamlType(plain: string): string {
  try {
    const v = parse(plain);
    return v === null ? 'null' : typeof v;
  } catch {
    return 'invalid';
  }
}

/** Throws when `newVersion` cannot replace `token` without changing more than the version. */
export function checkNewVersion(
  token: Pick<Token, 'text' | 'style' | 'whole'>,
  newVersion: string,
  where: string,
): void {
  const issue = (message: string) => new ValidationError([{ file: where, field: 'version', message }]);
  if (!SAFE_VERSION.test(newVersion)) {
    throw issue(
      `new version "${newVersion}" is not a plain version token (letters, digits, ".", "-", "_", "+"): refusing to write it`,
    );
  }
  if (token.style === 'plain' && token.whole) {
    const before = yamlType(token.text);
    const after = yamlType(newVersion);
    if (before === 'string' && after !== 'string') {
      throw issue(
        `new version "${newVersion}" would be read as a ${after} in this unquoted value (it was the string "${token.text}"); quote the value in Git first, cairn does not requote`,
      );
    }
  }
}

/** The text with `token` replaced by `newVersion`; every other byte unchanged. */
export function spliceToken(text: string, token: Token, newVersion: string): string {
  return text.slice(0, token.start) + newVersion + text.slice(token.end);
}
