// Readers for the DERIVED fixture tables (RFC 4180: quoted fields may hold commas).
import { parseCsv } from '../../../scripts/build-catalog.ts';
import { readFixture } from '../../support/fixtures.ts';

export type Row = Record<string, string>;

export function readCsv(rel: string): Row[] {
  return parseCsv(readFixture(rel));
}

/** Month index for `January 2020`, `Sept 2022`, `Dec 2023` -> 2020*12+0 ... */
export function monthOrdinal(text: string): number {
  const m = /^([A-Za-z]+)\s+(\d{4})$/.exec(text.trim());
  const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
  const idx = m ? months.indexOf(m[1]!.slice(0, 3).toLowerCase()) : -1;
  if (!m || idx < 0) throw new Error(`unreadable month: ${text}`);
  return Number(m[2]) * 12 + idx;
}

/** Pairs (earlier, later) from one line whose release dates are strictly ordered. */
export function strictlyDatedPairs<T>(
  items: readonly T[],
  line: (t: T) => string,
  before: (a: T, b: T) => boolean,
): [T, T][] {
  const pairs: [T, T][] = [];
  for (const a of items) {
    for (const b of items) {
      if (line(a) === line(b) && before(a, b)) pairs.push([a, b]);
    }
  }
  return pairs;
}

/** `2024-10-02` (day) or `2025-01` (month): strictly earlier only when the coarser precision says so. */
export function isoBefore(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  return a.slice(0, n) < b.slice(0, n);
}

/** The fields of `obj` named by `like`'s keys, so `toEqual` can assert that some fields are absent (undefined). */
export function pick(obj: object, like: object): Record<string, unknown> {
  const src = obj as Record<string, unknown>;
  return Object.fromEntries(Object.keys(like).map((k) => [k, src[k]]));
}

/**
 * Loads on first use. vitest runs a skipped suite's body to collect its tests,
 * so fixture reads must wait for a test to run: on a clone without
 * ../shared/fixtures the suite is then skipped instead of crashing.
 */
export function lazy<T>(load: () => T): () => T {
  let value: { v: T } | undefined;
  return () => {
    value ??= { v: load() };
    return value.v;
  };
}
