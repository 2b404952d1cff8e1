// The shape of one release source, as the catalog lists it (with a citation)
// and as a policy adds it (a mirror or a private registry). One schema per
// source type; the poller's table (`registry.ts`) maps each type to its reader.
// Only zod here, so the catalog and policy schemas can import it.
import { z } from 'zod';

const repo = z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'must be owner/name');
const secretName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of a secret (an environment variable), not its value')
  .describe('Name of a secret (an environment variable on Node, a binding on Workers), never the value.');
const baseUrl = z
  .string()
  .regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, 'must be an http(s) URL')
  .describe('API base URL, for GitHub Enterprise Server or a test server.');

const common = {
  /**
   * Regular expression a tag must match to belong to this component; its first capture group
   * (or the whole match) is the version. Tags that do not match are skipped, not errors.
   */
  tagPattern: z
    .string()
    .min(1)
    .refine((s) => {
      try {
        new RegExp(s);
        return true;
      } catch {
        return false;
      }
    }, 'is not a valid regular expression')
    .describe('Regular expression a tag must match; its first capture group is the version.')
    .optional(),
  ttl: z
    .string()
    .regex(/^(\d+[smhdw])+$/, 'must be a duration such as 10m or 1h')
    .describe('How long a successful read is reused before the source is asked again. Default 10m.')
    .optional(),
};

export const githubReleasesSpec = z.strictObject({
  type: z.literal('github-releases'),
  repo,
  baseUrl: baseUrl.optional(),
  token: secretName.optional(),
  ...common,
});

export const githubTagsSpec = z.strictObject({
  type: z.literal('github-tags'),
  repo,
  baseUrl: baseUrl.optional(),
  token: secretName.optional(),
  ...common,
});

export const ociSpec = z.strictObject({
  type: z.literal('oci'),
  /** Registry host (`host[:port]`) or base URL; the distribution API lives under `/v2/`. */
  registry: z
    .string()
    .regex(
      /^(https?:\/\/)?[A-Za-z0-9.-]+(:\d+)?$/,
      'must be a registry host such as registry.example.com:5000',
    )
    .describe('Registry host (host[:port]) or base URL (http:// only for a local registry).'),
  repository: z
    .string()
    .regex(/^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/, 'must be an OCI repository name')
    .describe('Repository name, e.g. library/redis.'),
  credentials: z
    .strictObject({ username: secretName, password: secretName })
    .describe('Secrets holding the user name and password (or token) of a private registry.')
    .optional(),
  ...common,
});

export const helmSpec = z.strictObject({
  type: z.literal('helm'),
  /** Repository URL; `index.yaml` is read from under it. */
  url: z.string().regex(/^https?:\/\/\S+$/, 'must be an http(s) URL'),
  chart: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be a chart name'),
  credentials: z.strictObject({ username: secretName, password: secretName }).optional(),
  ...common,
});

export const kubedbSpec = z.strictObject({
  type: z.literal('kubedb-catalog'),
  /** Cluster whose `RedisVersion` objects are read; default: every cluster cairn knows. */
  cluster: z.string().min(1).optional(),
  /** Only RedisVersions of this `spec.distribution` (e.g. `Official`, `Valkey`). */
  distribution: z.string().min(1).optional(),
  ...common,
});

export const redisEnterpriseSpec = z.strictObject({
  type: z.literal('redis-enterprise'),
  /** Repository whose GitHub releases are the Redis Enterprise for Kubernetes releases. */
  repo,
  /** Which version a release yields: the operator tag, or the Redis Software image it ships. */
  yields: z.enum(['operator', 'software']),
  baseUrl: baseUrl.optional(),
  token: secretName.optional(),
  ...common,
});

export const sourceSpecSchema = z.discriminatedUnion('type', [
  githubReleasesSpec,
  githubTagsSpec,
  ociSpec,
  helmSpec,
  kubedbSpec,
  redisEnterpriseSpec,
]);

export type SourceSpec = z.infer<typeof sourceSpecSchema>;
export type SourceType = SourceSpec['type'];
export type SpecOf<T extends SourceType> = Extract<SourceSpec, { type: T }>;

/** Credentials named by a spec, as the poller resolves them. */
export type SecretLookup = (name: string) => string | undefined;

/** The source union with extra fields on every variant (the catalog's component and citation, a policy's options). */
export function sourceEntrySchema<S extends z.ZodRawShape>(extra: S) {
  return z.discriminatedUnion('type', [
    githubReleasesSpec.extend(extra),
    githubTagsSpec.extend(extra),
    ociSpec.extend(extra),
    helmSpec.extend(extra),
    kubedbSpec.extend(extra),
    redisEnterpriseSpec.extend(extra),
  ]);
}
