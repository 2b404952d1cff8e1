// Polls every planned source once, all at the same time: each source is read
// independently, so a slow or failing one never holds up the others; it is
// reported with its error and, when an earlier read is cached, that read is
// used (and said to be stale). A source read within its TTL is not asked at
// all; one whose validators match costs a 304 and no work.
import type { Catalog } from '../catalog/schema.ts';
import { isCairnError } from '../errors.ts';
import type { Release } from '../model.ts';
import type { Clock, Store } from '../store/index.ts';
import { getScheme } from '../versioning/index.ts';
import type { SchemeId, VersionScheme } from '../versioning/types.ts';
import type { HttpClient } from './http.ts';
import { type FeedRelease, judgeTag, normalizeItems, type Rejection } from './normalize.ts';
import { readerFor } from './registry.ts';
import type { SecretLookup, SourceSpec } from './spec.ts';
import type { ClusterObjects, PlannedSource, RawItem, SourceReader } from './types.ts';

export interface PollDeps {
  http: HttpClient;
  store: Store;
  clock: Clock;
  secret?: SecretLookup;
  cluster?: ClusterObjects;
}

export interface PollOptions {
  /** Source keys to re-read now whatever their TTL (from webhook hints). */
  force?: ReadonlySet<string>;
  /** Per-tag lookups (OCI manifests) per source and read. Default 10 (Docker Hub allows 100 anonymous manifest GETs per 6 h). */
  maxLookups?: number;
}

export type SourceStatus = 'fresh' | 'unchanged' | 'updated' | 'failed';

export interface SourceReport {
  key: string;
  component: string;
  type: SourceSpec['type'];
  origin: string;
  /** fresh: read within its TTL, not asked; unchanged: asked, 304; updated: new data read; failed: see error. */
  status: SourceStatus;
  error?: string;
  retryable?: boolean;
  /** A failed source whose earlier read was used instead. */
  stale?: boolean;
  /** When the data used was read. */
  readAt?: string;
  releases: number;
  /** Releases with a publish date. */
  dated: number;
  rejected: Rejection[];
  rejectedCount: number;
  skipped: number;
  warnings: string[];
}

export interface PollResult {
  /** Releases per component, in the feed snapshot's shape; a component whose every source failed unread is absent. */
  feed: Record<string, Release[]>;
  /** The same releases with digests, notes and URLs (for changelog excerpts). */
  details: Record<string, FeedRelease[]>;
  reports: SourceReport[];
}

interface Cached {
  readAt: number;
  state: unknown;
  items: RawItem[];
  /** Digest per version, per component, as last seen. */
  digests: Record<string, Record<string, string>>;
}

const CACHE_KEY = 'feeds:source:';

/** The cache key and host of a spec, through its reader. */
export function sourceKey(spec: SourceSpec): string {
  return (readerFor(spec.type) as SourceReader).key(spec as never);
}

function schemeOf(catalog: Catalog, component: string): VersionScheme | undefined {
  const c = catalog.components.get(component);
  return c ? getScheme(c.scheme as SchemeId) : undefined;
}

function message(e: unknown): { error: string; retryable: boolean } {
  if (isCairnError(e)) return { error: e.message, retryable: e.retryable };
  // A body that is not the JSON it claims (res.json()): the upstream's fault, maybe passing.
  if (e instanceof SyntaxError) return { error: `response is not valid JSON: ${e.message}`, retryable: true };
  return { error: `unexpected error: ${(e as Error)?.message ?? String(e)}`, retryable: false };
}

export async function pollFeeds(
  sources: readonly PlannedSource[],
  catalog: Catalog,
  deps: PollDeps,
  opts: PollOptions = {},
): Promise<PollResult> {
  const secret = deps.secret ?? (() => undefined);
  const maxLookups = opts.maxLookups ?? 10;
  // One read per distinct source, even when several components list it.
  const groups = new Map<string, PlannedSource[]>();
  for (const s of sources) {
    const key = sourceKey(s.spec);
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }

  const reports: SourceReport[] = [];
  const details: Record<string, FeedRelease[]> = {};
  await Promise.all(
    [...groups].map(async ([key, planned]) => {
      const first = planned[0]!;
      const reader = readerFor(first.spec.type) as SourceReader;
      const now = deps.clock.now();
      // An unreadable cache entry (a store error, a corrupt value) costs a full read, never the poll.
      let cached: Cached | undefined;
      const cacheWarnings: string[] = [];
      try {
        const cachedText = await deps.store.get(CACHE_KEY + key);
        cached = cachedText ? (JSON.parse(cachedText) as Cached) : undefined;
      } catch (e) {
        cacheWarnings.push(`the cached read could not be used: ${(e as Error).message}`);
      }
      const ttlMs = Math.min(...planned.map((p) => p.ttlMs));
      let status: SourceStatus;
      let failure: { error: string; retryable: boolean } | undefined;
      let items: RawItem[] | undefined = cached?.items;
      let readAt = cached?.readAt;
      let warnings: string[] = cacheWarnings;
      const force = opts.force?.has(key) ?? false;
      if (cached && !force && now - cached.readAt < ttlMs) status = 'fresh';
      else {
        const scheme = schemeOf(catalog, first.component);
        const pattern = first.spec.tagPattern ? new RegExp(first.spec.tagPattern) : undefined;
        try {
          const res = await reader.read(first.spec as never, {
            http: deps.http,
            store: deps.store,
            clock: deps.clock,
            secret,
            ...(deps.cluster ? { cluster: deps.cluster } : {}),
            previous: cached?.state,
            force,
            maxLookups,
            rank: (tags) => {
              if (!scheme) return [];
              const versions = new Map<string, string>();
              for (const t of tags) {
                const v = judgeTag(t, scheme, pattern);
                if ('version' in v) versions.set(t, v.version);
              }
              return [...versions].sort((a, b) => scheme.compare(b[1], a[1])).map(([t]) => t);
            },
          });
          readAt = deps.clock.now();
          if (res.changed) {
            status = 'updated';
            items = res.items;
            warnings = [...cacheWarnings, ...(res.warnings ?? [])];
          } else status = 'unchanged';
          const state = res.changed ? res.state : cached?.state;
          const next: Cached = { readAt, state, items: items ?? [], digests: cached?.digests ?? {} };
          if (!res.changed && cached) next.digests = cached.digests;
          await deps.store.put(CACHE_KEY + key, JSON.stringify(next));
        } catch (e) {
          status = 'failed';
          failure = message(e);
        }
      }

      for (const p of planned) {
        const scheme = schemeOf(catalog, p.component);
        const report: SourceReport = {
          key,
          component: p.component,
          type: p.spec.type,
          origin: p.origin,
          status,
          releases: 0,
          dated: 0,
          rejected: [],
          rejectedCount: 0,
          skipped: 0,
          warnings: [...warnings],
        };
        if (failure) {
          report.error = failure.error;
          report.retryable = failure.retryable;
          if (items) report.stale = true;
        }
        if (readAt !== undefined) report.readAt = new Date(readAt).toISOString();
        if (!scheme) {
          report.status = 'failed';
          report.error = `component ${p.component} is not in the catalog`;
          reports.push(report);
          continue;
        }
        if (items) {
          const previousDigests = cached?.digests?.[p.component];
          const n = normalizeItems(items, {
            scheme,
            ...(p.spec.tagPattern ? { pattern: new RegExp(p.spec.tagPattern) } : {}),
            now: deps.clock.now(),
            ...(previousDigests ? { previousDigests } : {}),
          });
          report.releases = n.releases.length;
          report.dated = n.releases.filter((r) => r.published).length;
          report.rejected = n.rejected;
          report.rejectedCount = n.rejectedCount;
          report.skipped = n.skipped;
          report.warnings.push(...n.warnings);
          details[p.component] = mergeReleases(details[p.component], n.releases, scheme);
          if (status === 'updated')
            await rememberDigests(deps.store, key, p.component, n.releases).catch((e: unknown) => {
              report.warnings.push(`digests not kept: ${message(e).error}`);
            });
        }
        reports.push(report);
      }
    }),
  );

  // A version the sources list without a date keeps the catalog's date for it, when the catalog
  // has one (upstream release notes): still a real publish date. Versions are never added.
  for (const [component, list] of Object.entries(details)) {
    const known = new Map(catalog.components.get(component)?.releases.map((r) => [r.version, r.published]));
    for (const r of list) {
      const date = r.published ? undefined : known.get(r.version);
      if (date) {
        r.published = date;
        r.dateFrom = 'catalog';
      }
    }
  }
  reports.sort((a, b) => a.component.localeCompare(b.component) || a.key.localeCompare(b.key));
  const feed: Record<string, Release[]> = {};
  for (const [component, list] of Object.entries(details).sort(([a], [b]) => a.localeCompare(b))) {
    feed[component] = list.map((r) =>
      r.published ? { version: r.version, published: r.published } : { version: r.version },
    );
  }
  return { feed, details, reports };
}

/** Union of two sources' releases of a component; a version keeps the earliest publish date either gives. */
function mergeReleases(a: FeedRelease[] | undefined, b: FeedRelease[], scheme: VersionScheme): FeedRelease[] {
  if (!a) return b;
  const byVersion = new Map(a.map((r) => [r.version, { ...r }]));
  for (const r of b) {
    const prev = byVersion.get(r.version);
    if (!prev) byVersion.set(r.version, r);
    else if (r.published && (!prev.published || r.published < prev.published)) prev.published = r.published;
  }
  return [...byVersion.values()].sort((x, y) => scheme.compare(x.version, y.version));
}

/** Digests per version, so the next changed read can warn about a re-pushed tag. */
async function rememberDigests(
  store: Store,
  key: string,
  component: string,
  releases: FeedRelease[],
): Promise<void> {
  const text = await store.get(CACHE_KEY + key);
  if (!text) return;
  const cached = JSON.parse(text) as Cached;
  const digests: Record<string, string> = { ...(cached.digests[component] ?? {}) };
  for (const r of releases) if (r.digest) digests[r.version] = r.digest;
  cached.digests = { ...cached.digests, [component]: digests };
  await store.put(CACHE_KEY + key, JSON.stringify(cached));
}
