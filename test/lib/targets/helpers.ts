// Assertions shared by the targets tests: an edit changes exactly one token.
import { expect } from 'vitest';
import type { Target } from '../../../lib/model.ts';

/** The expected output, computed without the editor: splice at the token's place on its line. */
export function spliceOnLine(text: string, target: Target, newVersion: string): string {
  const lines = text.split('\n');
  const line = lines[target.line - 1];
  if (line === undefined) throw new Error(`no line ${target.line}`);
  const col = line.lastIndexOf(target.current, line.includes(' #') ? line.indexOf(' #') : undefined);
  if (col < 0) throw new Error(`"${target.current}" not on line ${target.line}: ${line}`);
  lines[target.line - 1] = line.slice(0, col) + newVersion + line.slice(col + target.current.length);
  return lines.join('\n');
}

/** Line numbers (1-based) that differ between two texts with the same number of lines. */
export function changedLines(before: string, after: string): number[] {
  const a = before.split('\n');
  const b = after.split('\n');
  expect(b.length).toBe(a.length);
  return a.flatMap((l, i) => (l === b[i] ? [] : [i + 1]));
}

/** A new version of the same shape (`7.2.4-debian-12-r9` -> `9.9.9-debian-9-r9`). */
export function bump(current: string): string {
  return /\d/.test(current) ? current.replace(/\d+/g, '9') : '9.9.9';
}

export function expectOneTokenEdit(before: string, after: string, target: Target, newVersion: string): void {
  expect(after).toBe(spliceOnLine(before, target, newVersion));
  expect(changedLines(before, after)).toEqual([target.line]);
}
