// Release feeds: learn of every relevant release, at almost no API cost.
// One reader per source type (`sources/`, registered in `registry.ts`) behind
// one interface (`types.ts`); the catalog says which component reads which
// source, a policy may add mirrors and private registries (`plan-sources.ts`).
// `poll.ts` reads them all through one bounded HTTP client (`http.ts`:
// conditional requests, per-host limits, retry-after), normalises hostile
// data (`normalize.ts`) and returns the feed snapshot's shape
// (`snapshot.ts` writes it). Webhooks only hint which source to re-read
// (`hints.ts`). Runtime-neutral: fetch, store, clock and secrets are injected.
export { createHttpClient, type FetchFn, type HttpClient, type HttpStats } from './http.ts';
export {
  type FeedHint,
  hintFromDockerHub,
  hintFromGithubRelease,
  hintFromHarbor,
  hintFromQuay,
} from './hints.ts';
export type { FeedRelease, Rejection } from './normalize.ts';
export { DEFAULT_TTL_MS, planSources } from './plan-sources.ts';
export { type PollDeps, type PollResult, pollFeeds, type SourceReport, sourceKey } from './poll.ts';
export { readerFor, SOURCE_READERS } from './registry.ts';
export { renderSnapshot } from './snapshot.ts';
export { type SourceSpec, sourceSpecSchema } from './spec.ts';
export type { ClusterObjects, PlannedSource, RawItem, ReadContext, SourceReader } from './types.ts';
