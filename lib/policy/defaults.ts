// The shipped defaults: what cairn does with no policy file at all. They encode
// the seeds' rules (see policies/catalog/rules.yaml for the citations):
// majors go via the earliest minor of the target major, a backup comes first,
// pre-releases are ignored. howl-cloud primary switchovers follow each
// cluster's primaryUpdateStrategy (the operator's default is unsupervised).
import type { ResolvedSettings } from './schema.ts';

export const DEFAULT_SETTINGS: ResolvedSettings = {
  updateTypes: ['patch', 'minor', 'major'],
  deny: [],
  // A few days lets the rare bad release be pulled or patched before cairn proposes it.
  minimumReleaseAgeMs: 3 * 86400e3,
  majorUpgrade: 'via-earliest-minor',
  backupBeforeMajor: true,
  maxMinorsBehind: 2,
  allowPrerelease: false,
};

/**
 * Paths no scan reads unless the policy sets `ignorePaths`: what Renovate's
 * `ignorePaths` default and its `:ignoreModulesAndTests` preset leave out
 * (dependency folders, vendored code, test fixtures), plus Helm sub-charts
 * vendored inside a chart (`charts/<chart>/charts/<dependency>/`), which the
 * parent chart's version pins. Not `test/` or `examples/`: GitOps repositories
 * name clusters and environments `test`.
 */
export const DEFAULT_IGNORE_PATHS: readonly string[] = [
  '**/node_modules/**',
  '**/bower_components/**',
  '**/vendor/**',
  '**/__tests__/**',
  '**/__fixtures__/**',
  '**/charts/*/charts/**',
];
