// explain: why a version is or is not reachable for one target, listing every
// rule checked and whether it passed. It reuses the planner itself, with the
// feed cut at the asked version, so the answer cannot drift from `plan`.
import { NotFoundError } from '../errors.ts';
import { resolveSettings } from '../policy/resolve.ts';
import { getScheme } from '../versioning/index.ts';
import type { SchemeId } from '../versioning/types.ts';
import { type Check, checkCandidate } from './candidates.ts';
import { planWithWork } from './plan.ts';
import type { PlanInput, Step } from './types.ts';

export interface Explanation {
  targetId: string;
  component: string;
  current: string;
  version: string;
  reachable: boolean;
  checks: Check[];
  /** The path cairn would take to the version, when it can. */
  path: Pick<Step, 'id' | 'from' | 'to' | 'rules'>[];
  /** With more than one step: why the version is not reached in one hop. */
  direct?: string;
  blockedBy?: string;
}

export function explain(input: PlanInput, targetId: string, version: string): Explanation {
  const target = input.inventory.targets.find((t) => t.id === targetId);
  if (!target) {
    const ids = input.inventory.targets.map((t) => t.id).sort();
    throw new NotFoundError(`no target "${targetId}"; known targets:\n  ${ids.join('\n  ')}`);
  }
  const comp = input.catalog.components.get(target.component);
  const base = { targetId, component: target.component, current: target.current, version };
  if (!comp) {
    return {
      ...base,
      reachable: false,
      path: [],
      checks: [
        { rule: 'catalog', passed: false, detail: `component ${target.component} is not in the catalog` },
      ],
    };
  }
  const scheme = getScheme(comp.scheme as SchemeId);
  const current = scheme.parse(target.current);
  if (!current.ok) {
    return {
      ...base,
      reachable: false,
      path: [],
      checks: [
        { rule: 'version-scheme', passed: false, detail: `current ${target.current}: ${current.reason}` },
      ],
    };
  }
  const releases = input.releases[target.component] ?? [];
  const checks: Check[] = [];
  const known = releases.find(
    (r) => r.version === version || scheme.render(target.current, r.version) === version,
  );
  checks.push({
    rule: 'known-release',
    passed: known !== undefined,
    detail: known
      ? `${known.version} is a known release${known.published ? ` (published ${known.published})` : ''}`
      : `${version} is not in the release list of ${target.component}`,
  });
  const releaseVersion = known?.version ?? version;
  const settings = resolveSettings(input.policy, target);
  checks.push(
    ...checkCandidate(
      { scheme, settings, now: input.now, published: new Map(releases.map((r) => [r.version, r.published])) },
      current.version,
      releaseVersion,
    ),
  );

  // Plan with the feed cut at the asked version: the planner then aims at it.
  const cut = releases.filter(
    (r) => scheme.isValid(r.version) && scheme.compare(r.version, releaseVersion) <= 0,
  );
  const { plan: p, works } = planWithWork({
    ...input,
    releases: { ...input.releases, [target.component]: cut },
  });
  const direct = works.find((w) => w.target.id === targetId)?.direct;
  const steps = p.steps.filter((s) => s.target.id === targetId);
  const reached = steps.at(-1)?.to;
  const reachable =
    checks.every((c) => c.passed) &&
    reached !== undefined &&
    (reached === version || scheme.render(target.current, releaseVersion) === reached);
  const blocked = p.blocked.find((b) => b.target.id === targetId);
  checks.push({
    rule: 'path',
    passed: reachable,
    detail: reachable
      ? `reachable in ${steps.length} step(s): ${[target.current, ...steps.map((s) => s.to)].join(' -> ')}${steps.length > 1 && direct ? `; not in one hop: ${direct}` : ''}`
      : blocked
        ? `${blocked.reason}${blocked.rule ? ` [${blocked.rule.id}]` : ''}; unblock: ${blocked.unblock}`
        : reached
          ? `the path stops at ${reached}`
          : 'no step can be planned towards it',
  });
  return {
    ...base,
    reachable,
    checks,
    path: steps.map((s) => ({ id: s.id, from: s.from, to: s.to, rules: s.rules })),
    ...(steps.length > 1 && direct ? { direct } : {}),
    ...(blocked && !reachable ? { blockedBy: blocked.reason } : {}),
  };
}
