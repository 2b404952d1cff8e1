// Schema of the shipped catalog (`policies/catalog/*.yaml`): facts about
// releases and compatibility, each citing where it comes from. The catalog is
// data, reviewed in pull requests; this file is its only definition, and the
// TypeScript types are derived from it.
import { z } from 'zod';
import { sourceEntrySchema } from '../feeds/spec.ts';

const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be kebab-case: lower-case letters, digits and dashes');
const date = z
  .string()
  .regex(/^\d{4}-\d{2}(-\d{2})?$/, 'must be YYYY-MM-DD, or YYYY-MM when only the month is known')
  .refine(isCalendarDate, 'must be a real calendar date');

/** `2024-02-30` and `2024-13` match the pattern but name no day or month. Reads the date part of a date-time. */
export function isCalendarDate(text: string): boolean {
  const [y, m, d] = text.slice(0, 10).split('-').map(Number) as [number, number, number | undefined];
  if (m < 1 || m > 12) return false;
  if (d === undefined) return true;
  return d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** Where a fact comes from: a file in an upstream repository, or one of the seed documents. */
export const sourceSchema = z.union([
  z.strictObject({
    repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'must be owner/name'),
    path: z.string().min(1),
    commit: z
      .string()
      .regex(/^[0-9a-f]{7,40}$/)
      .optional(),
    note: z.string().optional(),
  }),
  z.strictObject({
    seed: z.string().min(1),
    title: z.string().min(1),
    note: z.string().optional(),
  }),
]);

/** A reference to a key of the file's `sources` map. */
const sourceRef = z.string().min(1);

export const releaseSchema = z.strictObject({
  version: z.string().min(1),
  published: date.optional(),
  source: sourceRef.optional(),
});

export const componentSchema = z.strictObject({
  id,
  name: z.string().min(1),
  role: z.enum(['operator', 'data-plane', 'crds']),
  scheme: z.enum([
    'redis-image',
    'bitnami-image',
    'redis-enterprise',
    'semver',
    'kubedb',
    'kubernetes',
    'ot-image',
  ]),
  /** For a data plane: the operator components that reconcile it. */
  managedBy: z.array(id).optional(),
  /** For an operator: the data-plane components it manages. */
  manages: z.array(id).optional(),
  /** Image repositories that identify this component in manifests, e.g. `redis`, `ghcr.io/howl-cloud/redis-operator`. */
  images: z.array(z.string()).optional(),
  /**
   * For a data plane that packages another component's server (a Bitnami image,
   * the Alauda `spec.version` line): the component whose `dataFormats` apply, by line.
   */
  server: id.optional(),
  source: sourceRef,
  releases: z.array(releaseSchema),
});

/**
 * Version patterns used by compatibility facts:
 * `7.2.x` (any version of the 7.2 line), `6.2.8` (that version, any build),
 * `8.0.2..8.0.10` (inclusive range, builds ignored).
 */
export const versionPattern = z
  .string()
  .regex(
    /^(\d+\.\d+\.x|\d+(\.\d+){1,2}|\d+(\.\d+){1,2}\.\.\d+(\.\d+){1,2})$/,
    'must be X.Y.x, X.Y.Z or A..B',
  );

/** RDB format version written by a server line. A hop that raises it is one-way. */
export const dataFormatSchema = z.strictObject({
  component: id,
  line: z.string().regex(/^\d+\.\d+$/),
  rdb: z.number().int().positive(),
  /** `inferred` when not read from the server source itself. */
  confidence: z.enum(['source', 'inferred']).default('source'),
  source: sourceRef,
});

const k8sList = z.array(z.string().regex(/^\d+\.\d+$/));

/** Which platform versions an operator version supports; `null` lists mean unknown. */
export const platformSupportSchema = z.strictObject({
  component: id,
  version: z.string().min(1),
  kubernetes: z
    .strictObject({ supported: k8sList, deprecated: k8sList.default([]), eol: k8sList.default([]) })
    .nullable(),
  openshift: z
    .strictObject({ supported: k8sList, deprecated: k8sList.default([]) })
    .nullable()
    .default(null),
  /** Data-plane versions this operator version ships by default (e.g. Redis Enterprise 7.4.6-22). */
  ships: z
    .array(z.strictObject({ component: id, version: z.string(), source: sourceRef.optional() }))
    .default([]),
  released: z.string().optional(),
  source: sourceRef,
});

/** Whether a direct upgrade from one version set to another is supported. */
export const upgradePathSchema = z.strictObject({
  component: id,
  from: versionPattern,
  to: versionPattern,
  direct: z.enum(['supported', 'not-supported', 'unknown']),
  source: sourceRef,
});

/** A KubeDB RedisVersion catalog entry with its update constraints. */
export const kubedbVersionSchema = z.strictObject({
  name: z.string().min(1),
  version: z.string().min(1),
  distribution: z.string().min(1),
  image: z.string().min(1),
  deprecated: z.boolean(),
  /** Constraint expressions (`>= 7.4.6, < 8.2.2`); absent means no allowlist. */
  allowlist: z.array(z.string()).optional(),
  denylist: z.array(z.string()).optional(),
  source: sourceRef,
});

/** A Helm chart version and the application image it deploys by default. */
export const chartImageSchema = z.strictObject({
  component: id,
  chart: z.string().min(1),
  appVersion: z.string().min(1),
  image: z.strictObject({ component: id, tag: z.string().min(1) }),
  published: date.optional(),
  source: sourceRef,
});

/** An upgrade rule the planner applies, with the citation shown in every hop it allows or blocks. */
export const ruleSchema = z.strictObject({
  id,
  /** One sentence a reviewer can check against the source. */
  text: z.string().min(1),
  source: sourceRef,
});

/** Where a component's releases are read live (`cairn feeds`, `plan --live`), citing why that source is the component's. */
export const feedEntrySchema = sourceEntrySchema({ component: id, source: sourceRef });

export const catalogFileSchema = z.strictObject({
  sources: z.record(z.string(), sourceSchema),
  components: z.array(componentSchema).default([]),
  dataFormats: z.array(dataFormatSchema).default([]),
  platformSupport: z.array(platformSupportSchema).default([]),
  upgradePaths: z.array(upgradePathSchema).default([]),
  kubedbVersions: z.array(kubedbVersionSchema).default([]),
  chartImages: z.array(chartImageSchema).default([]),
  rules: z.array(ruleSchema).default([]),
  feeds: z.array(feedEntrySchema).default([]),
});

export type Source = z.infer<typeof sourceSchema>;
export type CatalogRelease = z.infer<typeof releaseSchema>;
export type Component = z.infer<typeof componentSchema>;
export type DataFormat = z.infer<typeof dataFormatSchema>;
export type PlatformSupport = z.infer<typeof platformSupportSchema>;
export type UpgradePath = z.infer<typeof upgradePathSchema>;
export type KubedbVersion = z.infer<typeof kubedbVersionSchema>;
export type ChartImage = z.infer<typeof chartImageSchema>;
export type Rule = z.infer<typeof ruleSchema>;
export type FeedEntry = z.infer<typeof feedEntrySchema>;
export type CatalogFile = z.infer<typeof catalogFileSchema>;

/** Every catalog file merged; each fact keeps its resolved source. */
export interface Catalog {
  sources: Record<string, Source>;
  components: Map<string, Component>;
  dataFormats: DataFormat[];
  platformSupport: PlatformSupport[];
  upgradePaths: UpgradePath[];
  kubedbVersions: KubedbVersion[];
  chartImages: ChartImage[];
  rules: Map<string, Rule>;
  /** Release sources per component (see lib/feeds). */
  feeds: FeedEntry[];
}
