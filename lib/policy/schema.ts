// Schema of cairn policy files (`*.yaml` in the policies directory). This is
// the only definition: the TypeScript types derive from it, and the published
// JSON Schema (`policies/policy.schema.json`) is generated from it.
import { z } from 'zod';
import { parseLocalDateTime } from '../schedule/zone.ts';
import { sourceEntrySchema } from '../feeds/spec.ts';
import { DURATION_PATTERN } from './duration.ts';

const name = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'must be a DNS label: lower-case letters, digits and dashes');
const duration = z
  .string()
  .regex(DURATION_PATTERN, 'must be a duration such as 30m, 24h, 7d or 2w')
  .describe('Duration: a number and unit (s, m, h, d, w), e.g. 24h or 1d12h.');
const kubeMinor = z
  .string()
  .regex(/^v?\d+\.\d+(\.\d+)?$/, 'must be a Kubernetes version such as "1.30"')
  .describe('Kubernetes or OpenShift version; quote it in YAML ("1.30") so it is not read as a number.');
const versionRange = z
  .string()
  .min(1)
  .describe(
    'Version range: space-separated comparators (>=7.2 <8), X-ranges (7.x, 7.2.x, 7.2), exact versions, alternatives with ||.',
  );

export const UPDATE_TYPES = ['patch', 'minor', 'major'] as const;

const login = z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, 'must be a GitHub login such as alice');

/** A user, or a team of the repository's organization as CODEOWNERS writes it (`ORG/TEAM`, no `@`). */
const reviewer = z
  .string()
  .regex(
    /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\/[A-Za-z0-9][A-Za-z0-9_.-]{0,99})?$/,
    'must be a GitHub login such as alice, or a team of the organization such as acme/platform',
  );

/** What cairn sets on a step's pull request, by default and per component/cluster/environment. */
export const pullRequestSettingsSchema = z
  .strictObject({
    reviewers: z
      .array(reviewer)
      .describe(
        "Request reviews from these users (GitHub logins) and teams (`ORG/TEAM`, the repository's organization), once, when cairn opens the pull request.",
      )
      .optional(),
    assignees: z.array(login).describe('Assign the pull request to these users.').optional(),
    labels: z
      .array(z.string().min(1).max(50))
      .describe('Labels besides `cairn` (created in the repository when missing).')
      .optional(),
    autoMerge: z
      .boolean()
      .describe(
        "Enable GitHub auto-merge on the step's pull request, only inside a maintenance window and only for the head cairn made. Default: off.",
      )
      .optional(),
  })
  .describe(
    'Pull request settings. A later matching rule replaces what an earlier one (or defaults) set for a field.',
  );

/** Settings that can be set by default, and refined per component/cluster/environment by rules. */
export const settingsSchema = z
  .strictObject({
    updateTypes: z
      .array(z.enum(UPDATE_TYPES))
      .describe('Kinds of update cairn may propose. Default: all three.')
      .optional(),
    pin: versionRange.describe('Stay within this range; never plan outside it.').optional(),
    allowedVersions: versionRange.describe('Only versions in this range are candidates.').optional(),
    deny: z.array(versionRange).describe('Versions never chosen, e.g. a known-bad release.').optional(),
    minimumVersion: z
      .string()
      .describe('The plan must reach at least this version (a requirement, e.g. from a CVE).')
      .optional(),
    minimumReleaseAge: duration.describe('A release must be this old before cairn proposes it.').optional(),
    majorUpgrade: z
      .enum(['via-earliest-minor', 'direct'])
      .describe('How a major is crossed. Default: via the earliest minor of the target major first.')
      .optional(),
    backupBeforeMajor: z
      .boolean()
      .describe('Require a backup pre-step before a major upgrade. Default: true.')
      .optional(),
    maxMinorsBehind: z
      .number()
      .int()
      .min(0)
      .describe('Report a target as stale when it is more than this many minors behind the latest.')
      .optional(),
    supervisedPrimaryUpdate: z
      .boolean()
      .describe(
        'howl-cloud RedisCluster: require primaryUpdateStrategy supervised (true); cairn reports a cluster that is not. Default: unset, each cluster as its manifest or live object says.',
      )
      .optional(),
    allowPrerelease: z
      .boolean()
      .describe('Consider release candidates and milestones. Default: false.')
      .optional(),
    pullRequests: pullRequestSettingsSchema.optional(),
  })
  .describe('Upgrade settings.');

export const matchSchema = z
  .strictObject({
    components: z.array(z.string().min(1)).optional(),
    clusters: z.array(name).optional(),
    environments: z.array(name).optional(),
    targets: z
      .array(z.string().min(1))
      .describe('Target ids or path globs of the files they sit in.')
      .optional(),
  })
  .describe('Which targets a rule applies to; every listed criterion must match.');

export const ruleSchema = settingsSchema.extend({
  match: matchSchema,
  description: z.string().optional(),
});

export const clusterSchema = z.strictObject({
  name,
  environment: name.optional(),
  kubernetes: kubeMinor.optional(),
  openshift: kubeMinor.optional(),
  paths: z
    .array(z.string().min(1))
    .min(1)
    .describe('Globs of repository paths whose manifests belong to this cluster, e.g. clusters/prod/**.'),
});

export const environmentSchema = z.strictObject({
  name,
  after: z.array(name).describe('Environments that must run the version first.').optional(),
  soak: duration.describe('How long the version must run healthy in each `after` environment.').optional(),
});

const localDateTime = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/,
    'must be a local date-time such as 2026-12-20 or 2026-12-20T18:00',
  )
  .refine((s) => parseLocalDateTime(s) !== undefined, 'is not a real date and time');

const windowBase = {
  name,
  timezone: z.string().min(1).describe('IANA time zone, e.g. Europe/Berlin.'),
  clusters: z.array(name).optional(),
  environments: z.array(name).optional(),
  openPullRequests: z
    .boolean()
    .describe(
      'Whether cairn may open pull requests while this window keeps changes closed (it never merges or un-gates then). Default: true.',
    )
    .optional(),
};

export const windowSchema = z.union([
  z
    .strictObject({
      ...windowBase,
      kind: z.enum(['allow', 'deny']),
      cron: z.string().min(1).describe('Five-field cron of when the window opens.'),
      duration,
    })
    .describe('A recurring window given by cron.'),
  z
    .strictObject({
      ...windowBase,
      kind: z.enum(['allow', 'deny']),
      rrule: z
        .string()
        .min(1)
        .describe(
          'RFC 5545 RRULE subset, e.g. FREQ=WEEKLY;BYDAY=SA;BYHOUR=2; optionally after a wall-clock DTSTART line.',
        ),
      duration,
    })
    .describe('A recurring window given by RRULE.'),
  z
    .strictObject({
      ...windowBase,
      kind: z.literal('deny'),
      start: localDateTime.describe('When the freeze starts, local to `timezone`.'),
      end: localDateTime.describe(
        'When the freeze ends (exclusive), local to `timezone`; a date alone is its 00:00.',
      ),
    })
    .describe('A freeze: a one-off deny window.'),
]);

/** A release source a policy adds for a component: a mirror, or a private registry with credentials. */
export const policyFeedSourceSchema = sourceEntrySchema({
  component: z.string().min(1).describe('Catalog component id whose releases this source lists, e.g. redis.'),
  replace: z
    .boolean()
    .describe("Read only the policy's sources for this component, not the catalog's (an air-gapped mirror).")
    .optional(),
});

export const feedsPolicySchema = z
  .strictObject({
    ttl: duration
      .describe('How long a successful read is reused before a source is asked again. Default 10m.')
      .optional(),
    sources: z.array(policyFeedSourceSchema).optional(),
  })
  .describe('Release feeds: extra sources per component and how often they are read (docs/feeds.md).');

export const policyFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    apiVersion: z.literal('cairn.dev/v1alpha1'),
    kind: z.literal('Policy'),
    clusters: z.array(clusterSchema).optional(),
    environments: z.array(environmentSchema).optional(),
    defaults: settingsSchema.optional(),
    rules: z.array(ruleSchema).optional(),
    windows: z.array(windowSchema).optional(),
    ignorePaths: z
      .array(z.string().min(1))
      .describe(
        'Globs of repository paths never scanned, as in Renovate. Setting it replaces the defaults (node_modules, bower_components, vendor, __tests__, __fixtures__, vendored sub-charts); [] scans everything.',
      )
      .optional(),
    feeds: feedsPolicySchema.optional(),
  })
  .describe('A cairn policy file. Several files in one directory are merged.');

export type Settings = z.infer<typeof settingsSchema>;
export type PullRequestPolicy = z.infer<typeof pullRequestSettingsSchema>;
export type PolicyRule = z.infer<typeof ruleSchema>;
export type ClusterPolicy = z.infer<typeof clusterSchema>;
export type EnvironmentPolicy = z.infer<typeof environmentSchema>;
export type Window = z.infer<typeof windowSchema>;
export type PolicyFile = z.infer<typeof policyFileSchema>;
export type PolicyFeedSource = z.infer<typeof policyFeedSourceSchema>;
export type UpdateType = (typeof UPDATE_TYPES)[number];

/** Settings with every default filled in, as the planner sees them for one target. */
export interface ResolvedSettings {
  updateTypes: UpdateType[];
  pin?: string;
  allowedVersions?: string;
  deny: string[];
  minimumVersion?: string;
  minimumReleaseAgeMs: number;
  majorUpgrade: 'via-earliest-minor' | 'direct';
  backupBeforeMajor: boolean;
  maxMinorsBehind: number;
  /** Unset: follow each RedisCluster's own primaryUpdateStrategy. */
  supervisedPrimaryUpdate?: boolean;
  allowPrerelease: boolean;
}

/** Merged policy from every file, each item remembering the file it came from. */
export interface Policy {
  files: string[];
  clusters: (ClusterPolicy & { file: string })[];
  environments: (EnvironmentPolicy & { file: string })[];
  defaults: Settings;
  rules: (PolicyRule & { file: string })[];
  windows: (Window & { file: string })[];
  /** Every file's `ignorePaths`, joined; absent when no file sets it (the defaults apply). */
  ignorePaths?: string[];
  /** Feed settings; absent when no file sets any. */
  feeds?: { ttl?: string; sources: (PolicyFeedSource & { file: string })[] };
}
