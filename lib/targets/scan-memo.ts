// Scanning the same repository again after a push (the PR engine after every push): the
// last scan's answer, kept between runs, is reused when the push moved only positions.
//
// Most pushes to a GitOps repository change a comment, a replica count or a manifest that
// pins nothing. What the scanner found in such a file is the same but for where it sits:
// each token's offset and line, and the file's fingerprint. Everything the scanner does
// across files (chart identity, layering, `valuesFrom`, groups, placement, ops requests)
// reads what a file holds, never where (`line`, `token.start` and `fingerprint` are only
// carried through to the targets and problems, and offsets order tokens in one file). So
// when every changed file scans to the same findings and index entries but for those
// positions, and the positions keep their order, the last inventory with those positions
// moved is exactly what a full scan gives. Anything else scans again, in full:
// - a file added, removed, renamed, turned into a link, or over the size limit;
// - a file read again by another's findings (an Argo CD values file, a JSON6902 ops file,
//   an ApplicationSet git-files generator's file);
// - a finding, an index entry or a problem that changed in any other way (a version, a
//   chart, a namespace: what the planner plans from);
// - different scan options (`context`: the policy), or more than a few changed files.
// test/lib/engine/scan-cache.test.ts holds it to full scans on random runs of pushes.
import type { Inventory, Target, UnreadableTarget } from '../model.ts';
import type { RepoLayout } from '../policy/conventions.ts';
import type { RepoEntry } from './repo.ts';

/**
 * What the memo reads of a file's scan (`PlacedBatch` in ./scan.ts, which uses this module):
 * where each finding sits, the index lines, the problems; the rest is compared as data.
 */
export interface PlacedBatch {
  hits: readonly PlacedHit[];
  index: { chartRefs: readonly { line: number }[] };
  problems: readonly { line?: number }[];
}
interface PlacedHit {
  line: number;
  fingerprint: string;
  found: { token?: { start: number; end: number }; problemOffset?: number };
}

/** Kept by a caller that scans one repository again and again; opaque to it. */
export interface ScanMemo {
  last?: LastScan;
  /** Scans answered from the memo, and scans made in full. */
  stats: { reused: number; scanned: number };
}

export function createScanMemo(): ScanMemo {
  return { stats: { reused: 0, scanned: 0 } };
}

/** How a scan may reuse the last one (`ScanOptions.reuse`). */
export interface ScanReuse {
  memo: ScanMemo;
  /** Everything the scan options depend on (the policy), as text: another context scans in full. */
  context: string;
  /** What names a listed path's content (its blob id); a path without one is never reused. */
  keyOf(path: string): string | undefined;
  /** What scanning the content `key` at `path` gave, as it was stored (undefined when not at hand). */
  stored(path: string, key: string, maxBytes: number): Promise<PlacedBatch | undefined>;
}

export interface LastScan {
  context: string;
  maxBytes: number;
  /** Every listed path, in listing order, and its content key (`link:` before a link's). */
  paths: string[];
  keys: readonly string[];
  /** The YAML files the scan considered (the policy's ignorePaths left out), and those it read. */
  considered: Set<string>;
  read: Set<string>;
  /** Files read again for what another file found in them. */
  reread: Set<string>;
  layout: RepoLayout;
  ignored: number;
  /** The inventory as scanned, before any caller changed its copy. */
  inventory: Inventory;
}

/** At most this many changed files are compared; a larger push is scanned in full. */
const MAX_CHANGED = 32;

/** The content keys of every listed entry, or undefined when one has none. */
export function entryKeys(listed: readonly RepoEntry[], reuse: ScanReuse): string[] | undefined {
  const keys = new Array<string>(listed.length);
  for (let i = 0; i < listed.length; i++) {
    const e = listed[i]!;
    const key = reuse.keyOf(e.path);
    if (key === undefined) return undefined;
    keys[i] = e.isSymbolicLink ? `link:${key}` : key;
  }
  return keys;
}

/** A copy a caller may change (planning sets `sharedBy` on targets): targets and problems are new objects. */
export function copyInventory(inv: Inventory): Inventory {
  return { targets: inv.targets.map((t) => ({ ...t })), problems: inv.problems.map((p) => ({ ...p })) };
}

/**
 * The last scan with its positions moved to the listed files' new content, or undefined
 * when the listing differs from the last one in anything but positions (scan in full).
 * `scanOne` scans one regular file as the full scan would.
 */
export async function reuseLastScan(
  reuse: ScanReuse,
  listed: readonly RepoEntry[],
  keys: readonly string[],
  maxBytes: number,
  scanOne: (path: string) => Promise<PlacedBatch | undefined>,
): Promise<LastScan | undefined> {
  const last = reuse.memo.last;
  if (!last || last.context !== reuse.context || last.maxBytes !== maxBytes) return undefined;
  if (last.paths.length !== listed.length) return undefined;
  const changed: number[] = [];
  for (let i = 0; i < listed.length; i++) {
    if (listed[i]!.path !== last.paths[i]) return undefined;
    if (keys[i] !== last.keys[i] && changed.push(i) > MAX_CHANGED) return undefined;
  }
  const moves = new Map<string, Moves>();
  for (const i of changed) {
    const entry = listed[i]!;
    const path = entry.path;
    if (last.reread.has(path)) return undefined;
    // A file the scan does not consider (not YAML, or ignored) and no file reads again changes nothing.
    if (!last.considered.has(path)) continue;
    // A link or an oversize file is reported with its size or target: scan in full.
    if (!last.read.has(path) || entry.isSymbolicLink || entry.size > maxBytes) return undefined;
    const before = await reuse.stored(path, last.keys[i]!, maxBytes);
    const after = before && (await scanOne(path));
    const m = before && after && movesBetween(before, after);
    if (!m) return undefined;
    moves.set(path, m);
  }
  const inventory = changed.length ? moved(last.inventory, moves) : last.inventory;
  if (!inventory) return undefined;
  const next = { ...last, keys, inventory };
  // A scan that ran alongside and finished first keeps its answer: both are right.
  if (reuse.memo.last === last) reuse.memo.last = next;
  reuse.memo.stats.reused++;
  return next;
}

/** How one file's positions moved: old token offset -> new, old line -> new, and its new fingerprint. */
interface Moves {
  starts: Map<number, number>;
  lines: Map<number, number>;
  fingerprint?: string;
}

/** A hit without where it sits (line, offsets, fingerprint); a token keeps its length. */
function placeless(h: PlacedHit): unknown {
  const { line: _line, fingerprint: _fp, found, ...rest } = h;
  const { token, problemOffset: _offset, ...f } = found;
  return {
    ...rest,
    found: { ...f, ...(token ? { token: { ...token, start: 0, end: token.end - token.start } } : {}) },
  };
}

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Map) return { $map: [...value] };
  if (value instanceof Set) return { $set: [...value] };
  return value;
}

const shape = (b: PlacedBatch) =>
  JSON.stringify({ hits: b.hits.map(placeless), index: b.index, problems: b.problems }, replacer);

/**
 * The moves from `before` to `after` when the two batches differ only in positions that
 * keep their order (undefined otherwise). Lines the index and problems name without
 * moving (a chartRef's, a parse error's) are fixed points.
 */
function movesBetween(before: PlacedBatch, after: PlacedBatch): Moves | undefined {
  if (before.hits.length !== after.hits.length || shape(before) !== shape(after)) return undefined;
  const starts: [number, number][] = [];
  const lines: [number, number][] = [];
  let fingerprint: string | undefined;
  for (let i = 0; i < before.hits.length; i++) {
    const b = before.hits[i]!;
    const a = after.hits[i]!;
    if (fingerprint !== undefined && a.fingerprint !== fingerprint) return undefined;
    fingerprint = a.fingerprint;
    lines.push([b.line, a.line]);
    if (b.found.token && a.found.token) starts.push([b.found.token.start, a.found.token.start]);
  }
  for (const r of after.index.chartRefs) lines.push([r.line, r.line]);
  for (const p of after.problems) if (p.line !== undefined) lines.push([p.line, p.line]);
  const s = monotone(starts);
  const l = monotone(lines);
  if (!s || !l) return undefined;
  return { starts: s, lines: l, ...(fingerprint !== undefined ? { fingerprint } : {}) };
}

/** The pairs as a map when they are one strictly increasing function (equal keys, equal values). */
function monotone(pairs: [number, number][]): Map<number, number> | undefined {
  pairs.sort((x, y) => x[0] - y[0]);
  const map = new Map<number, number>();
  for (let i = 0; i < pairs.length; i++) {
    const [k, v] = pairs[i]!;
    if (i > 0) {
      const [pk, pv] = pairs[i - 1]!;
      if (k === pk ? v !== pv : v <= pv) return undefined;
    }
    map.set(k, v);
  }
  return map;
}

/** The inventory with the changed files' positions moved; undefined when one is not in its file's moves. */
function moved(inv: Inventory, moves: ReadonlyMap<string, Moves>): Inventory | undefined {
  const targets: Target[] = [];
  for (const t of inv.targets) {
    const m = moves.get(t.file);
    if (!m) {
      targets.push(t);
      continue;
    }
    const line = m.lines.get(t.line);
    const offset = t.span && m.starts.get(t.span.offset);
    if (line === undefined || offset === undefined || m.fingerprint === undefined) return undefined;
    const next: Target = { ...t, line, span: { ...t.span!, offset }, fingerprint: m.fingerprint };
    if (t.siblings) {
      const siblings = [];
      for (const s of t.siblings) {
        const sl = m.lines.get(s.line);
        const so = m.starts.get(s.span.offset);
        if (sl === undefined || so === undefined) return undefined;
        siblings.push({ ...s, line: sl, span: { ...s.span, offset: so } });
      }
      next.siblings = siblings;
    }
    targets.push(next);
  }
  const problems: UnreadableTarget[] = [];
  for (const p of inv.problems) {
    const m = moves.get(p.file);
    if (!m || p.line === undefined) {
      problems.push(p);
      continue;
    }
    const line = m.lines.get(p.line);
    if (line === undefined) return undefined;
    problems.push({ ...p, line });
  }
  return { targets, problems };
}
