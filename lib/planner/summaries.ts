// The last passes: what the plan says about each target (status, next and
// goal versions, staleness, a note) and every blocked entry, plus the
// policy's minimumVersion, a requirement the path must meet.
import { compareText } from './ids.ts';
import type { Blocked, Step, TargetSummary } from './types.ts';
import { describeBlocked, type Work } from './work.ts';

/** minimumVersion: a requirement the plan must meet, or a block saying it cannot. */
export function checkMinimumVersions(works: readonly Work[]): void {
  for (const w of works) {
    const min = w.settings.minimumVersion;
    if (!min || !w.scheme.isValid(min)) continue;
    const reach = w.hops.at(-1)?.release ?? w.current.raw;
    if (w.scheme.compare(reach, min) < 0) {
      w.blocks.push({
        wanted: min,
        reason: `the policy requires at least ${min}, but the plan only reaches ${reach}`,
        unblock:
          'relax the policy settings that exclude newer releases (pin, deny, release age), or wait for the release',
      });
    }
  }
}

/** Fills in each target's summary and adds every work's blocks to `blocked`. */
export function summarize(
  works: readonly Work[],
  stepsOf: ReadonlyMap<Work, Step[]>,
  summaries: ReadonlyMap<string, TargetSummary>,
  blocked: Blocked[],
): void {
  for (const w of works) {
    const s = summaries.get(w.target.id)!;
    const steps = stepsOf.get(w)!;
    if (w.latest) s.latest = w.latest;
    if (steps.length) {
      s.status = 'planned';
      s.next = steps[0]!.to;
      s.goal = steps.at(-1)!.to;
    }
    if (w.blocks.length) {
      if (!steps.length) s.status = 'blocked';
      for (const b of w.blocks) blocked.push(describeBlocked(w, b));
    }
    if (w.note) s.note = w.note;
    const minors = minorsBehind(w);
    if (minors !== undefined && minors > w.settings.maxMinorsBehind) {
      s.stale = { minorsBehind: minors, allowed: w.settings.maxMinorsBehind };
    }
  }
}

export function byTarget(a: Blocked, b: Blocked): number {
  return compareText(a.target.id, b.target.id) || compareText(a.wanted, b.wanted);
}

/** How many minor lines of the same major family lie between current and the newest release. */
function minorsBehind(w: Work): number | undefined {
  if (!w.latest) return undefined;
  // Targets that share a component, version and settings share their (memoised) verdicts.
  let byCurrent = behindMemo.get(w.verdicts);
  if (!byCurrent) behindMemo.set(w.verdicts, (byCurrent = new Map()));
  const key = `${w.scheme.id}\0${w.current.raw}`;
  let n = byCurrent.get(key);
  if (n === undefined) byCurrent.set(key, (n = countMinorsBehind(w)));
  return n;
}

const behindMemo = new WeakMap<readonly Work['verdicts'][number][], Map<string, number>>();

function countMinorsBehind(w: Work): number {
  const lines = new Set<string>();
  for (const v of w.verdicts) {
    if (w.scheme.isStable(v.version) && w.scheme.compare(v.version, w.current.raw) > 0)
      lines.add(w.scheme.getLine(v.version));
  }
  lines.delete(w.scheme.getLine(w.current.raw));
  return lines.size;
}
