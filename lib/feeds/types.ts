// What a source reader gets and gives back. Readers are small and never
// decide policy: they fetch, parse the upstream shape and return raw items;
// the poller (`poll.ts`) normalises, rejects, caches and reports.
import type { Clock, Store } from '../store/index.ts';
import type { HttpClient } from './http.ts';
import type { SecretLookup, SourceSpec, SourceType, SpecOf } from './spec.ts';

/** One entry as upstream names it, before normalisation. */
export interface RawItem {
  /** Tag, release tag name, chart version or object name, exactly as upstream wrote it. */
  tag: string;
  /** Publish date as upstream wrote it (ISO-8601 expected). */
  published?: string;
  draft?: boolean;
  prerelease?: boolean;
  /** Content identity: image digest, chart digest, tag commit. A change for a known tag is a re-push. */
  digest?: string;
  /** Release notes (GitHub release body), for a PR's changelog excerpt. */
  notes?: string;
  url?: string;
}

/** Reads Kubernetes objects of one kind from cluster state (a cluster agent, kubectl output, a test). */
export type ClusterObjects = (
  cluster: string | undefined,
  apiVersion: string,
  kind: string,
) => Promise<{ cluster: string; objects: unknown[] }[]>;

export interface ReadContext {
  http: HttpClient;
  store: Store;
  clock: Clock;
  secret: SecretLookup;
  cluster?: ClusterObjects;
  /** What this reader stored after its last successful read (validators, pages, digests). */
  previous?: unknown;
  /** Re-check content even if the listing is unchanged (a webhook hinted a re-push). */
  force: boolean;
  /** Of these tags, the ones worth a per-tag lookup (valid versions), newest first. */
  rank(tags: readonly string[]): string[];
  /** How many per-tag lookups (manifests, configs) one read may make. */
  maxLookups: number;
}

export type ReadResult =
  { changed: false } | { changed: true; items: RawItem[]; state: unknown; warnings?: string[] };

export interface SourceReader<T extends SourceType = SourceType> {
  type: T;
  /** Stable identity of what is read: the cache key and the name in reports and hints. */
  key(spec: SpecOf<T>): string;
  /** Host the requests go to: concurrency and rate limits are per host. */
  host(spec: SpecOf<T>): string;
  /** Whether the source gives publish dates at all (a source without them makes release age unknown). */
  dated: boolean;
  read(spec: SpecOf<T>, ctx: ReadContext): Promise<ReadResult>;
}

/** A source to poll for one component: the spec, who asked for it, and its TTL. */
export interface PlannedSource {
  component: string;
  spec: SourceSpec;
  /** `catalog:<citation>` or `policy:<file>`. */
  origin: string;
  ttlMs: number;
}
