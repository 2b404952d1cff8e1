// Answers, for one target, what the policy says: which cluster and
// environment its file belongs to, and which settings apply to it.

import { DEFAULT_SETTINGS } from './defaults.ts';
import { parseDuration } from './duration.ts';
import { environmentFromName } from './environments.ts';
import { matchesGlob } from './glob.ts';
import type { Policy, PullRequestPolicy, ResolvedSettings, Settings } from './schema.ts';

export interface Placement {
  cluster?: string;
  environment?: string;
}

/** The cluster (and its environment) whose `paths` globs match the file; the first match wins. */
export function placeFile(policy: Policy, file: string): Placement {
  for (const c of policy.clusters) {
    if (c.paths.some((g) => matchesGlob(file, g))) {
      // A cluster with no `environment:` belongs to the one its name says (`prod-eu` -> prod), if any.
      const environment = c.environment ?? environmentFromName(c.name);
      return { cluster: c.name, ...(environment ? { environment } : {}) };
    }
  }
  return {};
}

function apply(into: ResolvedSettings, s: Settings): void {
  if (s.updateTypes) into.updateTypes = [...s.updateTypes];
  if (s.pin !== undefined) into.pin = s.pin;
  if (s.allowedVersions !== undefined) into.allowedVersions = s.allowedVersions;
  if (s.deny) into.deny = [...into.deny, ...s.deny];
  if (s.minimumVersion !== undefined) into.minimumVersion = s.minimumVersion;
  if (s.minimumReleaseAge !== undefined) into.minimumReleaseAgeMs = parseDuration(s.minimumReleaseAge) ?? 0;
  if (s.majorUpgrade) into.majorUpgrade = s.majorUpgrade;
  if (s.backupBeforeMajor !== undefined) into.backupBeforeMajor = s.backupBeforeMajor;
  if (s.maxMinorsBehind !== undefined) into.maxMinorsBehind = s.maxMinorsBehind;
  if (s.supervisedPrimaryUpdate !== undefined) into.supervisedPrimaryUpdate = s.supervisedPrimaryUpdate;
  if (s.allowPrerelease !== undefined) into.allowPrerelease = s.allowPrerelease;
}

export interface SettingsSubject {
  id: string;
  file: string;
  component: string;
  cluster?: string;
  environment?: string;
}

function matches(r: Policy['rules'][number], t: SettingsSubject): boolean {
  const m = r.match;
  if (m.components && !m.components.includes(t.component)) return false;
  if (m.clusters && !(t.cluster && m.clusters.includes(t.cluster))) return false;
  if (m.environments && !(t.environment && m.environments.includes(t.environment))) return false;
  if (m.targets && !m.targets.some((x) => x === t.id || matchesGlob(t.file, x))) return false;
  return true;
}

/**
 * The pull request settings for one target: the policy's `defaults.pullRequests`, then
 * every matching rule's in file order, each field a later rule sets replacing the earlier
 * value (as Renovate's packageRules do).
 */
export function resolvePullRequestSettings(
  policy: Pick<Policy, 'defaults' | 'rules'>,
  t: SettingsSubject,
): PullRequestPolicy {
  const out: PullRequestPolicy = {};
  const take = (p: PullRequestPolicy | undefined) => {
    if (!p) return;
    if (p.reviewers) out.reviewers = [...p.reviewers];
    if (p.assignees) out.assignees = [...p.assignees];
    if (p.labels) out.labels = [...p.labels];
    if (p.autoMerge !== undefined) out.autoMerge = p.autoMerge;
  };
  take(policy.defaults.pullRequests);
  for (const r of policy.rules) if (matches(r, t)) take(r.pullRequests);
  return out;
}

/** Shipped defaults, then the policy's defaults, then every matching rule in file order (later wins). */
export function resolveSettings(policy: Policy, t: SettingsSubject): ResolvedSettings {
  const out: ResolvedSettings = { ...DEFAULT_SETTINGS, deny: [...DEFAULT_SETTINGS.deny] };
  apply(out, policy.defaults);
  for (const r of policy.rules) if (matches(r, t)) apply(out, r);
  return out;
}
