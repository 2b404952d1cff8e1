// GitHub releases and tags, through Octokit over the bounded client. One
// conditional request per read: the first page (100, newest first) with the
// ETag of the last read; a 304 costs no rate limit and means no work.
// Releases give `published_at`, draft and pre-release flags and the notes
// body; tags give only the commit (no date: release age stays unknown).
import { Octokit } from '@octokit/rest';
import { RemoteError } from '../../errors.ts';
import { conditionalHeaders, type HttpClient, type Validators } from '../http.ts';
import type { SecretLookup, SpecOf } from '../spec.ts';
import type { RawItem, ReadContext, ReadResult, SourceReader } from '../types.ts';

export const DEFAULT_API = 'https://api.github.com';
/** Release notes kept per release: enough for a changelog excerpt, bounded against huge bodies. */
export const MAX_NOTES = 20_000;

const silent = { debug() {}, info() {}, warn() {}, error() {} };

export function githubClient(
  http: HttpClient,
  spec: { baseUrl?: string | undefined; token?: string | undefined },
  secret: SecretLookup,
): Octokit {
  // Without a named token, GITHUB_TOKEN is used for GitHub itself (never sent to another baseUrl):
  // a 304 to an authorised request costs no rate limit, an anonymous one does.
  const auth = spec.token ? secret(spec.token) : spec.baseUrl ? undefined : secret('GITHUB_TOKEN');
  if (spec.token && !auth)
    throw new RemoteError('github', `secret ${spec.token} is not set`, { retryable: false });
  return new Octokit({
    baseUrl: spec.baseUrl ?? DEFAULT_API,
    ...(auth ? { auth } : {}),
    userAgent: 'cairn-feeds',
    log: silent,
    request: { fetch: http.fetch },
  });
}

interface State {
  validators: Validators;
  items: RawItem[];
}

function hostOfBase(baseUrl: string | undefined): string {
  return new URL(baseUrl ?? DEFAULT_API).host;
}

/** One conditional GET through Octokit; `undefined` on 304. */
async function conditional<T>(
  call: (headers: Record<string, string>) => Promise<{ data: T; headers: Record<string, unknown> }>,
  previous: State | undefined,
): Promise<{ data: T; validators: Validators } | undefined> {
  try {
    const res = await call(conditionalHeaders(previous?.validators));
    const validators: Validators = {};
    if (typeof res.headers.etag === 'string') validators.etag = res.headers.etag;
    if (typeof res.headers['last-modified'] === 'string')
      validators.lastModified = res.headers['last-modified'];
    return { data: res.data, validators };
  } catch (e) {
    const status = (e as { status?: number }).status;
    if (status === 304 && previous) return undefined;
    if (e instanceof RemoteError) throw e;
    const cause = (e as { cause?: unknown }).cause;
    if (cause instanceof RemoteError) throw cause;
    throw new RemoteError('github', `${status ? `HTTP ${status}: ` : ''}${(e as Error).message}`, {
      retryable: status === undefined || status >= 500,
      ...(status ? { status } : {}),
    });
  }
}

interface GithubRelease {
  tag_name: string;
  draft: boolean;
  prerelease: boolean;
  published_at: string | null;
  created_at: string;
  body?: string | null;
  html_url: string;
}

export function releaseItem(r: GithubRelease): RawItem {
  const item: RawItem = { tag: r.tag_name, draft: r.draft, prerelease: r.prerelease, url: r.html_url };
  // A draft has no published_at; created_at is not a publish date, so none is given.
  if (r.published_at) item.published = r.published_at;
  if (r.body) item.notes = r.body.slice(0, MAX_NOTES);
  return item;
}

/** Reads the releases list; shared with the Redis Enterprise reader. */
export async function readGithubReleases(
  spec: { repo: string; baseUrl?: string | undefined; token?: string | undefined },
  ctx: ReadContext,
): Promise<ReadResult & { releases?: GithubRelease[] }> {
  const [owner, repo] = spec.repo.split('/') as [string, string];
  const octokit = githubClient(ctx.http, spec, ctx.secret);
  const prev = ctx.previous as State | undefined;
  const got = await conditional(
    (headers) => octokit.rest.repos.listReleases({ owner, repo, per_page: 100, headers }),
    prev,
  );
  if (!got) return { changed: false };
  const releases = got.data as GithubRelease[];
  const items = releases.map(releaseItem);
  return { changed: true, items, state: { validators: got.validators, items } satisfies State, releases };
}

export const githubReleases: SourceReader<'github-releases'> = {
  type: 'github-releases',
  dated: true,
  key: (s) => `github-releases:${hostOfBase(s.baseUrl)}/${s.repo}`,
  host: (s) => hostOfBase(s.baseUrl),
  async read(spec, ctx) {
    const r = await readGithubReleases(spec, ctx);
    return r.changed ? { changed: true, items: r.items, state: r.state } : r;
  },
};

export const githubTags: SourceReader<'github-tags'> = {
  type: 'github-tags',
  dated: false,
  key: (s) => `github-tags:${hostOfBase(s.baseUrl)}/${s.repo}`,
  host: (s) => hostOfBase(s.baseUrl),
  async read(spec: SpecOf<'github-tags'>, ctx) {
    const [owner, repo] = spec.repo.split('/') as [string, string];
    const octokit = githubClient(ctx.http, spec, ctx.secret);
    const got = await conditional(
      (headers) => octokit.rest.repos.listTags({ owner, repo, per_page: 100, headers }),
      ctx.previous as State | undefined,
    );
    if (!got) return { changed: false };
    const items: RawItem[] = got.data.map((t) => ({ tag: t.name, digest: t.commit.sha }));
    return { changed: true, items, state: { validators: got.validators, items } satisfies State };
  },
};
