// Whether the policy's maintenance windows let a step move at an instant.
// Rules: a deny window (recurring or a freeze) always wins; when allow
// windows apply, changes move only inside one of them; when none apply,
// changes may move at any time not denied. Outside a window cairn may still
// open pull requests (unless a window says otherwise), but it never merges
// and never un-gates a step.
import { parseDuration } from '../policy/duration.ts';
import type { Window } from '../policy/schema.ts';
import { compileCron, compileRRule, type Compiled, type LocalRecurrence } from './recurrence.ts';
import { describeInstant, fromLocal, parseLocalDateTime, toLocal } from './zone.ts';

export type WindowReason = 'unrestricted' | 'in-window' | 'outside-window' | 'denied' | 'frozen' | 'invalid';

export interface WindowVerdict {
  /** Changes may be merged and steps un-gated now. */
  open: boolean;
  reason: WindowReason;
  /** One line for a commit status or Slack, e.g. "waiting for window (opens Tue 02:00 Europe/Berlin)". */
  text: string;
  /** When closed: the next instant it opens (ISO 8601, UTC), if within the search horizon. */
  opensAt?: string;
  /** When open: the instant it closes next, if any window closes it within the horizon. */
  closesAt?: string;
  /** The deny window or freeze that keeps it closed. */
  frozenBy?: string;
  /** When open inside an allow window: its name. */
  window?: string;
  mayOpenPrs: boolean;
  mayMerge: boolean;
  mayUngate: boolean;
}

/** The cluster and environment a step runs in; windows limited to others do not apply. */
export interface WindowScope {
  cluster?: string;
  environment?: string;
}

interface Activity {
  active: boolean;
  /** When active: the instant this occurrence ends. When not: the next start, if any. */
  edge?: number;
}

export interface CompiledWindow {
  name: string;
  kind: 'allow' | 'deny';
  freeze: boolean;
  timezone: string;
  openPullRequests: boolean;
  clusters?: readonly string[];
  environments?: readonly string[];
  at(instant: number): Activity;
}

/** Any window shape from the policy, with or without the file it came from. */
export type PolicyWindow = Window & { file?: string };

const DAY = 86_400_000;
/** How far ahead opensAt / closesAt are searched. */
export const HORIZON_MS = 400 * DAY;
const MAX_STEPS = 2000;
const MAX_SCAN = 50_000;

interface Start {
  local: number;
  instant: number;
}

/**
 * Remembers a run of consecutive starts (no start lies between two neighbours),
 * so the edge walk, which asks about nearby times again and again, calls the
 * cron/RRULE library about once per start rather than once per question.
 */
function memoStarts(rec: LocalRecurrence, timezone: string): (afterLocal: number) => Start | undefined {
  let run: Start[] = [];
  return (c) => {
    const last = run[run.length - 1];
    if (last && c >= run[0]!.local && c < last.local) {
      let lo = 0;
      let hi = run.length - 1; // invariant: run[lo].local <= c < run[hi].local
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (run[mid]!.local > c) hi = mid;
        else lo = mid;
      }
      return run[hi];
    }
    const n = rec.next(c);
    if (n === undefined) return undefined;
    const start = { local: n, instant: fromLocal(timezone, n) };
    if (last && c === last.local && run.length < 10_000) run.push(start);
    else run = [start];
    return start;
  };
}

/**
 * Activity of a recurring window at `t`: scans the starts from `t - duration`
 * forward. Since wall-clock-to-instant is monotone (zone.ts), no start before
 * that wall-clock time can still be running at `t`.
 */
function recurring(rec: LocalRecurrence, timezone: string, durationMs: number): (t: number) => Activity {
  const nextStart = memoStarts(rec, timezone);
  return (t) => {
    let latest: number | undefined;
    let cursor = toLocal(timezone, t - durationMs) - 1;
    for (let i = 0; i < MAX_SCAN; i++) {
      const n = nextStart(cursor);
      if (n === undefined) break;
      if (n.instant > t) {
        if (latest !== undefined && latest + durationMs > t)
          return { active: true, edge: latest + durationMs };
        return { active: false, edge: n.instant };
      }
      latest = n.instant;
      cursor = n.local;
    }
    if (latest !== undefined && latest + durationMs > t) return { active: true, edge: latest + durationMs };
    return { active: false };
  };
}

/** Compiles one policy window; the reason names what is wrong when it cannot be evaluated. */
export function compileWindow(w: PolicyWindow): Compiled<CompiledWindow> {
  const base = {
    name: w.name,
    kind: w.kind,
    timezone: w.timezone,
    openPullRequests: w.openPullRequests ?? true,
    ...(w.clusters ? { clusters: w.clusters } : {}),
    ...(w.environments ? { environments: w.environments } : {}),
  };
  try {
    toLocal(w.timezone, 0);
  } catch {
    return { ok: false, reason: `"${w.timezone}" is not an IANA time zone` };
  }
  if ('start' in w) {
    const start = parseLocalDateTime(w.start);
    const end = parseLocalDateTime(w.end);
    if (start === undefined) return { ok: false, reason: `start "${w.start}" is not a local date-time` };
    if (end === undefined) return { ok: false, reason: `end "${w.end}" is not a local date-time` };
    const from = fromLocal(w.timezone, start);
    const to = fromLocal(w.timezone, end);
    if (to <= from) return { ok: false, reason: 'a freeze must end after it starts' };
    return {
      ok: true,
      value: {
        ...base,
        freeze: true,
        at: (t) =>
          from <= t && t < to
            ? { active: true, edge: to }
            : t < from
              ? { active: false, edge: from }
              : { active: false },
      },
    };
  }
  const durationMs = parseDuration(w.duration);
  if (!durationMs) return { ok: false, reason: `duration "${w.duration}" must be longer than zero` };
  const rec = 'cron' in w ? compileCron(w.cron) : compileRRule(w.rrule);
  if (!rec.ok) return rec;
  return { ok: true, value: { ...base, freeze: false, at: recurring(rec.value, w.timezone, durationMs) } };
}

function applies(w: CompiledWindow, scope: WindowScope): boolean {
  if (w.clusters && !(scope.cluster !== undefined && w.clusters.includes(scope.cluster))) return false;
  if (w.environments && !(scope.environment !== undefined && w.environments.includes(scope.environment)))
    return false;
  return true;
}

interface State {
  open: boolean;
  activeAllows: CompiledWindow[];
  activeDenies: CompiledWindow[];
  activity: Map<CompiledWindow, Activity>;
}

function stateAt(windows: readonly CompiledWindow[], t: number): State {
  const activity = new Map(windows.map((w) => [w, w.at(t)] as const));
  const activeAllows = windows.filter((w) => w.kind === 'allow' && activity.get(w)!.active);
  const activeDenies = windows.filter((w) => w.kind === 'deny' && activity.get(w)!.active);
  const hasAllows = windows.some((w) => w.kind === 'allow');
  return {
    open: activeDenies.length === 0 && (!hasAllows || activeAllows.length > 0),
    activeAllows,
    activeDenies,
    activity,
  };
}

/**
 * Walks window edges after `t` until the open/closed state flips: when, the
 * state then, and which window's edge did it. Only edges that can flip the
 * state are visited: while a deny is active, its end; while open, the end of
 * the active allow windows and the start of a deny; while outside every allow
 * window, the next allow start.
 */
function nextFlip(
  windows: readonly CompiledWindow[],
  t: number,
  from: State,
): { at: number; state: State; by: CompiledWindow } | undefined {
  let now = t;
  let state = from;
  for (let i = 0; i < MAX_STEPS; i++) {
    const relevant = (w: CompiledWindow, a: Activity): boolean => {
      if (state.activeDenies.length) return w.kind === 'deny' && a.active;
      if (state.open) return (w.kind === 'allow' && a.active) || (w.kind === 'deny' && !a.active);
      return w.kind === 'allow' && !a.active;
    };
    let by: CompiledWindow | undefined;
    let next = Infinity;
    for (const [w, a] of state.activity) {
      if (a.edge !== undefined && a.edge > now && a.edge < next && relevant(w, a)) {
        next = a.edge;
        by = w;
      }
    }
    if (!by || next - t > HORIZON_MS) return undefined;
    now = next;
    state = stateAt(windows, now);
    if (state.open !== from.open) return { at: now, state, by };
  }
  return undefined;
}

// Policy windows are immutable once loaded; compiling (and the starts each
// remembers) is kept per window object.
const compiledCache = new WeakMap<PolicyWindow, Compiled<CompiledWindow>>();

const iso = (t: number) => new Date(t).toISOString();

/**
 * Evaluates the windows that apply to `scope` at `instant`. Never throws: a
 * window that cannot be evaluated keeps changes closed (fail closed) and says why.
 */
export function evaluateWindows(
  policyWindows: readonly PolicyWindow[],
  instant: Date | number,
  scope: WindowScope = {},
): WindowVerdict {
  const t = typeof instant === 'number' ? instant : instant.getTime();
  const compiled: CompiledWindow[] = [];
  for (const w of policyWindows) {
    let c = compiledCache.get(w);
    if (!c) {
      c = compileWindow(w);
      compiledCache.set(w, c);
    }
    if (!c.ok) {
      return {
        open: false,
        reason: 'invalid',
        text: `window ${w.name} cannot be evaluated: ${c.reason}`,
        frozenBy: w.name,
        mayOpenPrs: false,
        mayMerge: false,
        mayUngate: false,
      };
    }
    if (applies(c.value, scope)) compiled.push(c.value);
  }
  return evaluateCompiled(compiled, t);
}

/** As evaluateWindows, over windows already compiled and filtered to the scope. */
export function evaluateCompiled(windows: readonly CompiledWindow[], t: number): WindowVerdict {
  const state = stateAt(windows, t);
  const flip = nextFlip(windows, t, state);
  if (state.open) {
    const allow = state.activeAllows[0];
    const closes = flip ? describeFlip(flip, t) : undefined;
    const until = closes ? ` (closes ${closes})` : '';
    return {
      open: true,
      reason: allow ? 'in-window' : 'unrestricted',
      text: allow ? `in window ${allow.name}${until}` : `no window restricts changes${until}`,
      ...(flip ? { closesAt: iso(flip.at) } : {}),
      ...(allow ? { window: allow.name } : {}),
      mayOpenPrs: true,
      mayMerge: true,
      mayUngate: true,
    };
  }
  const deny = state.activeDenies[0];
  const opens = flip ? `opens ${describeFlip(flip, t)}` : `no window opens within ${HORIZON_MS / DAY} days`;
  const mayOpenPrs = deny
    ? state.activeDenies.every((w) => w.openPullRequests)
    : windows.filter((w) => w.kind === 'allow').every((w) => w.openPullRequests);
  return {
    open: false,
    reason: deny ? (deny.freeze ? 'frozen' : 'denied') : 'outside-window',
    text: deny
      ? `${deny.freeze ? 'frozen' : 'denied'} by window ${deny.name} (${opens})`
      : `waiting for window (${opens})`,
    ...(flip ? { opensAt: iso(flip.at) } : {}),
    ...(deny ? { frozenBy: deny.name } : {}),
    mayOpenPrs,
    mayMerge: false,
    mayUngate: false,
  };
}

/** The flip instant in the time zone of the window whose edge causes it. */
function describeFlip(flip: { at: number; by: CompiledWindow }, now: number): string {
  return describeInstant(flip.by.timezone, flip.at, now);
}
