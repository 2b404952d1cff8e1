// Which released versions a target may move to, and why each other one may
// not. The planner uses the verdicts; `explain` prints them.
import type { Release } from '../model.ts';
import type { ResolvedSettings, UpdateType } from '../policy/schema.ts';
import { parseRange, satisfies } from '../versioning/range.ts';
import type { ParsedVersion, VersionScheme } from '../versioning/types.ts';
import { isKnownVariant, MAX_TAG_LENGTH } from '../versioning/variants.ts';

export interface Check {
  rule: string;
  passed: boolean;
  detail: string;
}

export interface CandidateContext {
  scheme: VersionScheme;
  settings: ResolvedSettings;
  now: Date;
  /** Release dates by version, as given by the feed or catalog. */
  published: Map<string, string | undefined>;
}

/** End of the period a date names: a month-precision date counts from its last day. */
export function publishedAt(date: string): Date {
  if (/^\d{4}-\d{2}$/.test(date)) {
    const [y, m] = date.split('-').map(Number) as [number, number];
    return new Date(Date.UTC(y, m, 1) - 1);
  }
  return new Date(/T/.test(date) ? date : `${date}T00:00:00Z`);
}

export function updateType(from: ParsedVersion, to: ParsedVersion): UpdateType {
  if (to.major !== from.major) return 'major';
  if ((to.minor ?? 0) !== (from.minor ?? 0)) return 'minor';
  return 'patch';
}

function rangeCheck(
  rule: string,
  v: ParsedVersion,
  text: string | undefined,
  want: boolean,
  what: string,
): Check | undefined {
  if (text === undefined) return undefined;
  const r = parseRange(text);
  if (!r.ok) return { rule, passed: false, detail: `${what} "${text}" cannot be read: ${r.reason}` };
  const inside = satisfies(v, r.range);
  return {
    rule,
    passed: inside === want,
    detail: `${v.raw} is ${inside ? 'inside' : 'outside'} ${what} "${text}"`,
  };
}

/**
 * Every check a version must pass to be a candidate for a target at `current`.
 * Checks after the first failure are still listed, so `explain` shows them all.
 */
export function checkCandidate(ctx: CandidateContext, current: ParsedVersion, version: string): Check[] {
  const { scheme, settings } = ctx;
  const checks: Check[] = [];
  const parsed = scheme.parse(version);
  if (!parsed.ok) return [{ rule: 'version-scheme', passed: false, detail: `${version}: ${parsed.reason}` }];
  const v = parsed.version;
  checks.push({ rule: 'version-scheme', passed: true, detail: `${version} is a valid ${scheme.id} version` });
  // The token written to the file keeps current's style (suffix, `v`, floating precision).
  const token = scheme.render(current.raw, version);
  const compatible = token !== undefined && scheme.isCompatible(current.raw, token);
  checks.push({
    rule: 'variant',
    passed: compatible,
    detail: compatible
      ? `${version} can be written as ${token}, keeping the style of ${current.raw}`
      : `${version} cannot be written in the style of ${current.raw} (variant ${current.suffix ?? 'none'} vs ${v.suffix ?? 'none'})`,
  });
  // Only tags that exist: an unknown variant moves only to a tag the feed lists; no tag over a registry's limit.
  if (token !== undefined && token.length > MAX_TAG_LENGTH) {
    checks.push({
      rule: 'tag-exists',
      passed: false,
      detail: `${token.slice(0, 40)}… is ${token.length} characters: no registry accepts a tag over ${MAX_TAG_LENGTH}`,
    });
  } else if (
    token !== undefined &&
    current.suffix !== undefined &&
    !isKnownVariant(scheme.id, current.suffix)
  ) {
    const listed = ctx.published.has(token);
    checks.push({
      rule: 'tag-exists',
      passed: listed,
      detail: listed
        ? `${token} is listed by the feed`
        : `-${current.suffix} is not a known variant of ${scheme.id} tags and no feed lists ${token}: it cannot be shown to exist (list it in a feed snapshot to plan it)`,
    });
  }
  const c = scheme.compare(token ?? version, current.raw);
  checks.push({
    rule: 'no-downgrade',
    passed: c > 0,
    detail:
      c > 0
        ? `${token ?? version} is newer than ${current.raw}`
        : c === 0
          ? 'already at this version'
          : `${version} is older than ${current.raw}: cairn never downgrades`,
  });
  const stable = scheme.isStable(version);
  checks.push({
    rule: 'prerelease',
    passed: stable || settings.allowPrerelease,
    detail: stable
      ? `${version} is a stable release`
      : `${version} is a pre-release${settings.allowPrerelease ? ' (allowed by policy)' : ''}`,
  });
  const date = ctx.published.get(version);
  if (settings.minimumReleaseAgeMs > 0) {
    if (!date) {
      checks.push({
        rule: 'release-age',
        passed: false,
        detail: `release date of ${version} is unknown, so its age cannot be checked`,
      });
    } else {
      const age = ctx.now.getTime() - publishedAt(date).getTime();
      const days = (settings.minimumReleaseAgeMs / 86400e3).toFixed(1).replace(/\.0$/, '');
      checks.push({
        rule: 'release-age',
        passed: age >= settings.minimumReleaseAgeMs,
        detail: `${version} was published ${date}; minimum age is ${days} day(s)`,
      });
    }
  }
  for (const ch of [
    rangeCheck('pin', v, settings.pin, true, 'the pin'),
    rangeCheck('allowed-range', v, settings.allowedVersions, true, 'allowed versions'),
  ]) {
    if (ch) checks.push(ch);
  }
  for (const d of settings.deny) {
    const ch = rangeCheck('deny', v, d, false, 'deny entry');
    if (ch) checks.push(ch);
  }
  if (c > 0) {
    const type = updateType(current, v);
    checks.push({
      rule: 'update-type',
      passed: settings.updateTypes.includes(type),
      detail: `${current.raw} -> ${version} is a ${type} update; allowed: ${settings.updateTypes.join(', ')}`,
    });
  }
  return checks;
}

export interface Verdict {
  /** The released version. */
  version: string;
  /** What would be written to the file for it. */
  token: string;
  parsed: ParsedVersion;
  eligible: boolean;
  failed: Check[];
}

/**
 * Verdicts for every release that is newer than `current` and writable in its
 * style, sorted oldest first. Releases that render to the same token (7.4.1
 * and 7.4.2 for a floating `7.2` tag) keep only the newest.
 */
export function judgeReleases(
  ctx: CandidateContext,
  current: ParsedVersion,
  releases: readonly Release[],
): readonly Verdict[] {
  // Many targets share a component, a current version and settings: judge each combination once.
  // The verdicts depend only on the key's parts, on `releases` (which `published` is made from)
  // and on the instant, through the release-age checks alone: a judgement holds from the last
  // minimum age reached before `now` until the next one, and is reused for any instant in between.
  let memo = judged.get(releases);
  if (!memo) judged.set(releases, (memo = new Map()));
  const key = `${ctx.scheme.id}\0${current.raw}\0${settingsKey(ctx.settings)}`;
  const at = ctx.now.getTime();
  let kept = memo.get(key);
  if (!kept) memo.set(key, (kept = []));
  const hit = kept.find((k) => k.window.from <= at && at < k.window.until);
  if (hit) return hit.verdicts;
  const window: Validity = { from: -Infinity, until: Infinity };
  const verdicts = Object.freeze(judge(ctx, current, releases, window));
  validity.set(verdicts, Object.freeze(window));
  kept.push({ window, verdicts });
  if (kept.length > 4) kept.shift(); // a long-lived process moves on: keep the last few
  return verdicts;
}

/**
 * The instants for which a judgement holds: from `from` (inclusive) to `until` (exclusive),
 * no release of the judgement reaches its minimum release age, so every check says the same.
 */
export interface Validity {
  from: number;
  until: number;
}

const judged = new WeakMap<
  readonly Release[],
  Map<string, { window: Validity; verdicts: readonly Verdict[] }[]>
>();
const validity = new WeakMap<readonly Verdict[], Validity>();

/** When verdicts made by `judgeReleases` hold (always, for verdicts made elsewhere). */
export function verdictsValidity(verdicts: readonly Verdict[]): Validity {
  return validity.get(verdicts) ?? { from: -Infinity, until: Infinity };
}

/** The settings as text, once per settings object (targets that match the policy alike share one). */
const settingsKeys = new WeakMap<ResolvedSettings, string>();
function settingsKey(settings: ResolvedSettings): string {
  let key = settingsKeys.get(settings);
  if (key === undefined) {
    // A short name for the text, the same for equal settings in every run: map keys stay short.
    const text = JSON.stringify(settings);
    let id = settingsIds.get(text);
    if (id === undefined) {
      if (settingsIds.size >= 10_000) settingsIds.clear(); // bounded; a policy has a few dozen
      settingsIds.set(text, (id = `s${nextSettingsId++}`)); // never reused, even after a clear
    }
    settingsKeys.set(settings, (key = id));
  }
  return key;
}

const settingsIds = new Map<string, string>();
let nextSettingsId = 0;

function judge(
  ctx: CandidateContext,
  current: ParsedVersion,
  releases: readonly Release[],
  window: Validity,
): Verdict[] {
  const { scheme } = ctx;
  const at = ctx.now.getTime();
  const minAge = ctx.settings.minimumReleaseAgeMs;
  const byToken = new Map<string, Verdict>();
  for (const r of releases) {
    const p = scheme.parse(r.version);
    if (!p.ok) continue;
    const token = scheme.render(current.raw, r.version);
    if (token === undefined || !scheme.isCompatible(current.raw, token)) continue;
    if (scheme.compare(token, current.raw) <= 0) continue;
    const failed = checkCandidate(ctx, current, r.version).filter((c) => !c.passed);
    const date = minAge > 0 ? ctx.published.get(r.version) : undefined;
    if (date) {
      // The instant this release reaches its minimum age (as the release-age check computes it).
      const ready = publishedAt(date).getTime() + minAge;
      if (at >= ready) window.from = Math.max(window.from, ready);
      else window.until = Math.min(window.until, ready); // NaN (an unreadable date): never reused
    }
    const v: Verdict = {
      version: r.version,
      token,
      parsed: p.version,
      eligible: failed.length === 0,
      failed,
    };
    const prev = byToken.get(token);
    // Keep the newest eligible release per token; an eligible one beats an ineligible one.
    if (
      !prev ||
      (v.eligible && !prev.eligible) ||
      (v.eligible === prev.eligible && scheme.compare(v.version, prev.version) > 0)
    ) {
      byToken.set(token, v);
    }
  }
  return [...byToken.values()].sort((a, b) => scheme.compare(a.version, b.version));
}
