// OCI registries through the distribution API: `GET /v2/<name>/tags/list`,
// following `Link: <...>; rel="next"` pages, after the token challenge a
// registry answers with (`401` + `WWW-Authenticate: Bearer realm=...,
// service=...,scope=...`: anonymous, or with a private registry's
// credentials). Each page is asked conditionally. Publish dates come from
// the manifest's `org.opencontainers.image.created` annotation or, failing
// that, the image config's `created`; a digest is looked up once and its date
// kept, so a re-read costs a HEAD per tag only when the listing changed or a
// push was hinted. Docker Hub, GHCR, Quay, Harbor and a plain registry speak this.
import { RemoteError } from '../../errors.ts';
import type { HttpClient, Validators } from '../http.ts';
import { conditionalHeaders, expectOk, validatorsOf } from '../http.ts';
import type { SecretLookup, SpecOf } from '../spec.ts';
import type { RawItem, ReadContext, SourceReader } from '../types.ts';

export const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** Tag list pages followed per read, against a registry that never stops paginating. */
export const MAX_PAGES = 50;

interface Page {
  url: string;
  validators: Validators;
  tags: string[];
}

interface TagInfo {
  digest: string;
  created?: string;
}

interface State {
  pages: Page[];
  tags: Record<string, TagInfo>;
}

export function registryBase(registry: string): string {
  return /^https?:\/\//.test(registry) ? registry.replace(/\/$/, '') : `https://${registry}`;
}

/** Parses `Bearer realm="...",service="...",scope="..."` (or `Basic realm=...`). */
export function parseChallenge(
  header: string,
): { scheme: string; params: Record<string, string> } | undefined {
  const m = /^\s*(\w+)\s+(.*)$/s.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (const p of m[2]!.matchAll(/(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g))
    params[p[1]!.toLowerCase()] = p[2] ?? p[3] ?? '';
  return { scheme: m[1]!.toLowerCase(), params };
}

/** The `next` target of a `Link` header, resolved against the request URL. */
export function nextLink(link: string | null, base: string): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;(.*)/.exec(part);
    if (m && /rel="?next"?/.test(m[2]!)) return new URL(m[1]!, base).toString();
  }
  return undefined;
}

function basic(user: string, pass: string): string {
  return `Basic ${btoa(`${user}:${pass}`)}`;
}

/** Authorises requests for one repository: answers the registry's challenge once and keeps the token in the store for its lifetime. */
class RegistryAuth {
  #header: string | undefined;
  readonly #http: HttpClient;
  readonly #ctx: ReadContext;
  readonly #creds: { user: string; pass: string } | undefined;
  readonly #cacheKey: string;

  constructor(
    http: HttpClient,
    ctx: ReadContext,
    cacheKey: string,
    creds: { user: string; pass: string } | undefined,
  ) {
    this.#http = http;
    this.#ctx = ctx;
    this.#creds = creds;
    this.#cacheKey = `feeds:token:${cacheKey}`;
  }

  async headers(): Promise<Record<string, string>> {
    if (this.#header === undefined) this.#header = (await this.#ctx.store.get(this.#cacheKey)) ?? '';
    return this.#header ? { authorization: this.#header } : {};
  }

  /** Answers a 401; returns false when the challenge cannot be met. */
  async answer(res: Response, scope: string): Promise<boolean> {
    const ch = parseChallenge(res.headers.get('www-authenticate') ?? '');
    if (!ch) return false;
    if (ch.scheme === 'basic') {
      if (!this.#creds) return false;
      this.#header = basic(this.#creds.user, this.#creds.pass);
      return true;
    }
    if (ch.scheme !== 'bearer' || !ch.params.realm) return false;
    const url = new URL(ch.params.realm);
    if (ch.params.service) url.searchParams.set('service', ch.params.service);
    url.searchParams.set('scope', ch.params.scope ?? scope);
    const tokenRes = await this.#http.fetch(url.toString(), {
      headers: this.#creds ? { authorization: basic(this.#creds.user, this.#creds.pass) } : {},
    });
    await expectOk(tokenRes, url.toString());
    const body = (await tokenRes.json()) as { token?: string; access_token?: string; expires_in?: number };
    const token = body.token ?? body.access_token;
    if (typeof token !== 'string' || !token)
      throw new RemoteError(url.host, 'token endpoint returned no token', { retryable: true });
    this.#header = `Bearer ${token}`;
    // The distribution token spec: expires_in defaults to 60 s. Keep a margin.
    const ttlMs = Math.max(1, (body.expires_in ?? 60) - 10) * 1000;
    await this.#ctx.store.put(this.#cacheKey, this.#header, { ttlMs });
    return true;
  }
}

export const oci: SourceReader<'oci'> = {
  type: 'oci',
  dated: true,
  key: (s) => `oci:${new URL(registryBase(s.registry)).host}/${s.repository}`,
  host: (s) => new URL(registryBase(s.registry)).host,
  async read(spec: SpecOf<'oci'>, ctx) {
    const base = registryBase(spec.registry);
    const prev = ctx.previous as State | undefined;
    const creds = credentials(spec, ctx.secret);
    const auth = new RegistryAuth(ctx.http, ctx, `${new URL(base).host}/${spec.repository}`, creds);
    const scope = `repository:${spec.repository}:pull`;

    const get = async (url: string, extra: Record<string, string>, method = 'GET'): Promise<Response> => {
      let res = await ctx.http.fetch(url, { method, headers: { ...extra, ...(await auth.headers()) } });
      if (res.status === 401 && (await auth.answer(res, scope)))
        res = await ctx.http.fetch(url, { method, headers: { ...extra, ...(await auth.headers()) } });
      return res;
    };

    // 1. The tag list, page by page, each page conditional.
    const pages: Page[] = [];
    let changed = !prev;
    let url: string | undefined = `${base}/v2/${spec.repository}/tags/list`;
    const seen = new Set<string>();
    while (url) {
      if (pages.length >= MAX_PAGES)
        throw new RemoteError(
          new URL(base).host,
          `more than ${MAX_PAGES} pages of tags: refusing an endless listing`,
          { retryable: false },
        );
      if (seen.has(url))
        throw new RemoteError(new URL(base).host, 'tag pages link in a loop', { retryable: false });
      seen.add(url);
      const old = prev?.pages.find((p) => p.url === url);
      const res = await get(url, { accept: 'application/json', ...conditionalHeaders(old?.validators) });
      if (res.status === 304 && old) {
        pages.push(old);
        url = old === prev?.pages.at(-1) ? undefined : prev?.pages[prev.pages.indexOf(old) + 1]?.url;
        continue;
      }
      await expectOk(res, url);
      changed = true;
      const body = (await res.json()) as { tags?: unknown };
      const tags = Array.isArray(body.tags)
        ? body.tags.filter((t): t is string => typeof t === 'string')
        : [];
      pages.push({ url, validators: validatorsOf(res), tags });
      url = nextLink(res.headers.get('link'), url);
    }
    if (!changed && !ctx.force) return { changed: false };

    // 2. Digest and date of the newest version tags; a known digest keeps its date.
    const all = [...new Set(pages.flatMap((p) => p.tags))];
    const known: Record<string, TagInfo> = { ...(prev?.tags ?? {}) };
    const tags: Record<string, TagInfo> = {};
    const warnings: string[] = [];
    const ranked = ctx.rank(all);
    for (const tag of ranked.slice(0, ctx.maxLookups)) {
      const murl = `${base}/v2/${spec.repository}/manifests/${encodeURIComponent(tag)}`;
      const head = await get(murl, { accept: MANIFEST_TYPES }, 'HEAD');
      if (head.status === 404) continue;
      await expectOk(head, murl);
      const digest = head.headers.get('docker-content-digest') ?? undefined;
      const before = known[tag];
      if (digest && before?.digest === digest) {
        tags[tag] = before;
        continue;
      }
      const created = await createdOf(get, base, spec.repository, murl, warnings, tag);
      const info: TagInfo = { digest: digest ?? '' };
      if (created) info.created = created;
      tags[tag] = info;
    }
    // Tags beyond the lookup budget keep what an earlier read learnt.
    for (const tag of ranked.slice(ctx.maxLookups)) if (known[tag]) tags[tag] = known[tag];
    const items: RawItem[] = all.map((tag) => {
      const info = tags[tag];
      const item: RawItem = { tag };
      if (info?.digest) item.digest = info.digest;
      if (info?.created) item.published = info.created;
      return item;
    });
    return { changed: true, items, state: { pages, tags } satisfies State, warnings };
  },
};

function credentials(spec: SpecOf<'oci'>, secret: SecretLookup): { user: string; pass: string } | undefined {
  if (!spec.credentials) return undefined;
  const user = secret(spec.credentials.username);
  const pass = secret(spec.credentials.password);
  if (user === undefined || pass === undefined)
    throw new RemoteError(
      spec.registry,
      `secret ${user === undefined ? spec.credentials.username : spec.credentials.password} is not set`,
      { retryable: false },
    );
  return { user, pass };
}

interface Manifest {
  mediaType?: string;
  annotations?: Record<string, string>;
  config?: { digest?: string };
  manifests?: {
    digest?: string;
    platform?: { os?: string; architecture?: string };
    annotations?: Record<string, string>;
  }[];
}

const CREATED = 'org.opencontainers.image.created';

/** The image's creation date: the annotation, else the config's `created`. An index is resolved to its linux/amd64 (or first) image. */
async function createdOf(
  get: (url: string, h: Record<string, string>, method?: string) => Promise<Response>,
  base: string,
  repository: string,
  url: string,
  warnings: string[],
  tag: string,
): Promise<string | undefined> {
  let res = await get(url, { accept: MANIFEST_TYPES });
  await expectOk(res, url);
  let m = (await res.json()) as Manifest;
  if (m.annotations?.[CREATED]) return m.annotations[CREATED];
  if (Array.isArray(m.manifests)) {
    const pick =
      m.manifests.find((x) => x.platform?.os === 'linux' && x.platform.architecture === 'amd64') ??
      m.manifests.find((x) => x.platform?.os !== 'unknown');
    if (!pick?.digest) return undefined;
    if (pick.annotations?.[CREATED]) return pick.annotations[CREATED];
    const child = `${base}/v2/${repository}/manifests/${pick.digest}`;
    res = await get(child, { accept: MANIFEST_TYPES });
    await expectOk(res, child);
    m = (await res.json()) as Manifest;
    if (m.annotations?.[CREATED]) return m.annotations[CREATED];
  }
  if (!m.config?.digest) {
    warnings.push(`${tag}: manifest has neither a ${CREATED} annotation nor a config`);
    return undefined;
  }
  const blob = `${base}/v2/${repository}/blobs/${m.config.digest}`;
  res = await get(blob, { accept: 'application/json' });
  await expectOk(res, blob);
  const config = (await res.json()) as { created?: unknown };
  return typeof config.created === 'string' ? config.created : undefined;
}
