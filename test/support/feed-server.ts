// A local server speaking the real response shapes of the services feeds read:
// - an OCI registry (distribution spec): `401` + `WWW-Authenticate: Bearer` token
//   challenge, a token endpoint (anonymous, or Basic for a private repository),
//   `tags/list` paginated with `n`/`last` and `Link: <...>; rel="next"`,
//   manifests (OCI image manifest, or an index) with `Docker-Content-Digest`,
//   the `org.opencontainers.image.created` annotation or a config blob's `created`;
// - a Helm repository `index.yaml` with `created` and `digest`, ETag and Last-Modified;
// - GitHub releases and tags: release objects shaped like the recorded `release`
//   webhook payload's, with the recorded response headers (ETag, x-ratelimit-*); a 304
//   to an authorised conditional request costs no rate limit, as GitHub documents.
// Faults per path prefix: a status (429 with retry-after, 500), a truncated body,
// a body slower than the client's deadline. Every request is logged.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stringify } from 'yaml';
import { haveFixtures, readFixture } from './fixtures.ts';

export interface ImageTag {
  /** Publish date: written as the manifest annotation, or (configCreated) only in the config blob. */
  created?: string;
  /** Put the date only in the config's `created`, not as an annotation. */
  configCreated?: boolean;
  /** Serve the tag as an image index pointing at a linux/amd64 manifest. */
  index?: boolean;
  /** Changes the manifest bytes, and so the digest (a re-push). */
  revision?: number;
}

export interface RegistryRepo {
  tags: Record<string, ImageTag>;
  /** Basic credentials the token endpoint requires for this repository. */
  credentials?: { username: string; password: string };
}

export interface GithubRelease {
  tag: string;
  published?: string | null;
  draft?: boolean;
  prerelease?: boolean;
  body?: string;
}

export interface Fault {
  status?: number;
  retryAfter?: string;
  /** Declare more bytes than are sent, then close the connection. */
  truncate?: boolean;
  /** Send headers, then hold the body this long. */
  slowBodyMs?: number;
  /** Only the first `times` requests fail. */
  times?: number;
}

export interface LoggedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  status: number;
}

const sha = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;
const etagOf = (s: string) => `"${createHash('sha256').update(s).digest('hex').slice(0, 32)}"`;

/** Headers GitHub sends with a REST response, from the recorded get-repository fixture (or its well-known subset). */
function githubHeaders(): Record<string, string> {
  if (haveFixtures) {
    const rec = JSON.parse(
      readFixture(
        'github-api/octokit-fixtures/scenarios/api.github.com/get-repository/normalized-fixture.json',
      ),
    ) as { headers: Record<string, string | number> }[];
    const h = rec[0]!.headers;
    const keep = ['access-control-expose-headers', 'cache-control', 'content-type', 'x-github-media-type'];
    return Object.fromEntries(keep.filter((k) => h[k] !== undefined).map((k) => [k, String(h[k])]));
  }
  return {
    'cache-control': 'private, max-age=60, s-maxage=60',
    'content-type': 'application/json; charset=utf-8',
  };
}

/** A release object in GitHub's shape: the recorded `release.published` payload's release, re-tagged. */
function releaseTemplate(): Record<string, unknown> {
  if (haveFixtures)
    return (
      JSON.parse(
        readFixture(
          'github-webhooks/octokit-webhooks/payload-examples/api.github.com/release/published.payload.json',
        ),
      ) as { release: Record<string, unknown> }
    ).release;
  return {
    id: 1,
    html_url: '',
    tag_name: '',
    draft: false,
    prerelease: false,
    created_at: '',
    published_at: '',
    body: '',
  };
}

export class FeedServer {
  readonly registry = new Map<string, RegistryRepo>();
  readonly helm = new Map<string, Record<string, { version: string; created?: string; digest?: string }[]>>();
  readonly github = new Map<string, GithubRelease[]>();
  readonly githubTags = new Map<string, { name: string; sha: string }[]>();
  readonly faults = new Map<string, Fault>();
  readonly log: LoggedRequest[] = [];
  /** Tag list page size when the client gives no `n`. */
  pageSize = 100;
  rateLimit = { limit: 5000, remaining: 5000, reset: 1764633600 };
  /** Hold every answer this long (to see how many requests a client keeps in flight). */
  delayMs = 0;
  inFlight = 0;
  maxInFlight = 0;
  #server: Server | undefined;
  #base = '';
  #gh = githubHeaders();
  #template = releaseTemplate();
  #lastModified = 'Tue, 10 Oct 2017 16:00:00 GMT';

  get url(): string {
    return this.#base;
  }

  get host(): string {
    return new URL(this.#base).host;
  }

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      res.once('close', () => this.inFlight--);
      const delay = this.delayMs ? new Promise((r) => setTimeout(r, this.delayMs)) : Promise.resolve();
      delay
        .then(() => this.#handle(req, res))
        .catch((e: unknown) => {
          res.statusCode = 500;
          res.end(String(e));
        });
    });
    await new Promise<void>((r) => this.#server!.listen(0, '127.0.0.1', r));
    this.#base = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((r) => this.#server?.close(() => r()) ?? r());
  }

  requests(prefix = ''): LoggedRequest[] {
    return this.log.filter((r) => r.path.startsWith(prefix));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.#base);
    const entry: LoggedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname + url.search,
      headers: req.headers,
      status: 0,
    };
    this.log.push(entry);
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      entry.status = status;
      res.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const fault = [...this.faults].find(([p]) => url.pathname.startsWith(p));
    if (fault) {
      const [prefix, f] = fault;
      if (f.times !== undefined && f.times-- <= 0) this.faults.delete(prefix);
      else if (f.status) {
        send(f.status, JSON.stringify({ message: `fault ${f.status}` }), {
          'content-type': 'application/json',
          ...(f.retryAfter ? { 'retry-after': f.retryAfter } : {}),
        });
        return;
      } else if (f.truncate || f.slowBodyMs) {
        entry.status = 200;
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
        res.write('{"tags": ["7.2.4", ');
        if (f.truncate) {
          res.destroy();
          return;
        }
        await new Promise((r) => setTimeout(r, f.slowBodyMs));
        if (!res.destroyed) res.end();
        return;
      }
    }
    if (url.pathname === '/__stats') {
      this.log.pop();
      send(
        200,
        JSON.stringify({
          requests: this.log.length,
          notModified: this.log.filter((r) => r.status === 304).length,
          conditional: this.log.filter((r) => r.headers['if-none-match'] !== undefined).length,
          rateLimit: this.rateLimit,
        }),
        { 'content-type': 'application/json' },
      );
      return;
    }
    if (url.pathname === '/__reset') {
      this.log.length = 0;
      send(204, '');
      return;
    }
    if (url.pathname === '/token') return this.#token(req, url, send);
    if (url.pathname.startsWith('/v2/')) return this.#distribution(req, url, send);
    if (url.pathname.endsWith('/index.yaml')) return this.#helmIndex(req, url, send);
    if (url.pathname.startsWith('/repos/')) return this.#githubApi(req, url, send);
    send(404, '{"message":"Not Found"}', { 'content-type': 'application/json' });
  }

  #token(
    req: IncomingMessage,
    url: URL,
    send: (s: number, b: string, h?: Record<string, string>) => void,
  ): void {
    const scope = url.searchParams.get('scope') ?? '';
    const name = /^repository:(.+):pull$/.exec(scope)?.[1] ?? '';
    const repo = this.registry.get(name);
    if (repo?.credentials) {
      const want = `Basic ${Buffer.from(`${repo.credentials.username}:${repo.credentials.password}`).toString('base64')}`;
      if (req.headers.authorization !== want) {
        send(401, JSON.stringify({ details: 'incorrect username or password' }), {
          'content-type': 'application/json',
        });
        return;
      }
    }
    const token = `tok-${Buffer.from(name).toString('hex')}`;
    send(
      200,
      JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: '2026-11-30T00:00:00Z' }),
      {
        'content-type': 'application/json',
      },
    );
  }

  #manifest(tag: string, t: ImageTag): { index?: string; image: string; config: string } {
    const config = JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      ...(t.created ? { created: t.created } : {}),
      config: { Cmd: ['redis-server'] },
      rootfs: { type: 'layers', diff_ids: [] },
    });
    const image = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: sha(config),
        size: config.length,
      },
      layers: [],
      ...(t.created && !t.configCreated
        ? {
            annotations: {
              'org.opencontainers.image.created': t.created,
              'org.opencontainers.image.version': tag,
            },
          }
        : {}),
      ...(t.revision ? { revision: t.revision } : {}),
    });
    if (!t.index) return { image, config };
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: sha(image),
          size: image.length,
          platform: { architecture: 'amd64', os: 'linux' },
        },
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: sha(`${image}att`),
          size: 10,
          platform: { architecture: 'unknown', os: 'unknown' },
        },
      ],
    });
    return { index, image, config };
  }

  #distribution(
    req: IncomingMessage,
    url: URL,
    send: (s: number, b: string, h?: Record<string, string>) => void,
  ): void {
    const m = /^\/v2\/(.+)\/(tags\/list|manifests\/([^/]+)|blobs\/([^/]+))$/.exec(url.pathname);
    const name = m?.[1] ?? '';
    const challenge = {
      'www-authenticate': `Bearer realm="${this.#base}/token",service="cairn-test-registry",scope="repository:${name}:pull"`,
      'docker-distribution-api-version': 'registry/2.0',
      'content-type': 'application/json',
    };
    const repo = this.registry.get(name);
    if (!m || !repo) {
      send(
        404,
        JSON.stringify({
          errors: [
            { code: 'NAME_UNKNOWN', message: 'repository name not known to registry', detail: { name } },
          ],
        }),
        { 'content-type': 'application/json' },
      );
      return;
    }
    if (req.headers.authorization !== `Bearer tok-${Buffer.from(name).toString('hex')}`) {
      send(
        401,
        JSON.stringify({
          errors: [
            {
              code: 'UNAUTHORIZED',
              message: 'authentication required',
              detail: [{ Type: 'repository', Name: name, Action: 'pull' }],
            },
          ],
        }),
        challenge,
      );
      return;
    }
    if (m[2] === 'tags/list') {
      const all = Object.keys(repo.tags).sort();
      const n = Number(url.searchParams.get('n') ?? this.pageSize);
      const last = url.searchParams.get('last');
      const start = last ? all.findIndex((t) => t > last) : 0;
      const page = start < 0 ? [] : all.slice(start, start + n);
      const body = JSON.stringify({ name, tags: page });
      const etag = etagOf(body);
      const headers: Record<string, string> = { 'content-type': 'application/json', etag };
      if (start >= 0 && start + n < all.length)
        headers.link = `</v2/${name}/tags/list?n=${n}&last=${encodeURIComponent(page.at(-1)!)}>; rel="next"`;
      if (req.headers['if-none-match'] === etag) {
        send(304, '', { etag });
        return;
      }
      send(200, body, headers);
      return;
    }
    const blobs = new Map<string, { body: string; type: string }>();
    for (const [tag, t] of Object.entries(repo.tags)) {
      const mf = this.#manifest(tag, t);
      blobs.set(sha(mf.image), { body: mf.image, type: 'application/vnd.oci.image.manifest.v1+json' });
      blobs.set(sha(mf.config), { body: mf.config, type: 'application/vnd.oci.image.config.v1+json' });
      if (mf.index)
        blobs.set(sha(mf.index), { body: mf.index, type: 'application/vnd.oci.image.index.v1+json' });
    }
    const ref = decodeURIComponent(m[3] ?? m[4]!);
    let found = blobs.get(ref);
    if (!found && m[3] && repo.tags[ref]) {
      const mf = this.#manifest(ref, repo.tags[ref]);
      found = mf.index
        ? { body: mf.index, type: 'application/vnd.oci.image.index.v1+json' }
        : { body: mf.image, type: 'application/vnd.oci.image.manifest.v1+json' };
    }
    if (!found) {
      send(404, JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }), {
        'content-type': 'application/json',
      });
      return;
    }
    send(200, found.body, {
      'content-type': found.type,
      'docker-content-digest': sha(found.body),
      etag: `"${sha(found.body)}"`,
    });
  }

  #helmIndex(
    req: IncomingMessage,
    url: URL,
    send: (s: number, b: string, h?: Record<string, string>) => void,
  ): void {
    const entries = this.helm.get(url.pathname);
    if (!entries) {
      send(404, 'not found');
      return;
    }
    const index = {
      apiVersion: 'v1',
      entries: Object.fromEntries(
        Object.entries(entries).map(([chart, list]) => [
          chart,
          list.map((e) => ({
            apiVersion: 'v2',
            appVersion: e.version,
            ...(e.created ? { created: e.created } : {}),
            description: 'A Helm chart',
            digest: e.digest ?? sha(`${chart}-${e.version}`).slice(7),
            name: chart,
            type: 'application',
            urls: [`${chart}-${e.version}.tgz`],
            version: e.version,
          })),
        ]),
      ),
      generated: '2026-11-30T00:00:00Z',
    };
    const body = stringify(index);
    const etag = etagOf(body);
    if (req.headers['if-none-match'] === etag) {
      send(304, '', { etag, 'last-modified': this.#lastModified });
      return;
    }
    send(200, body, { 'content-type': 'application/x-yaml', etag, 'last-modified': this.#lastModified });
  }

  #githubApi(
    req: IncomingMessage,
    url: URL,
    send: (s: number, b: string, h?: Record<string, string>) => void,
  ): void {
    const m = /^\/repos\/([^/]+\/[^/]+)\/(releases|tags)$/.exec(url.pathname);
    const authorised = typeof req.headers.authorization === 'string';
    const limitHeaders = (used: boolean): Record<string, string> => {
      if (used) this.rateLimit.remaining--;
      return {
        'x-ratelimit-limit': String(this.rateLimit.limit),
        'x-ratelimit-remaining': String(this.rateLimit.remaining),
        'x-ratelimit-used': String(this.rateLimit.limit - this.rateLimit.remaining),
        'x-ratelimit-reset': String(this.rateLimit.reset),
        'x-ratelimit-resource': 'core',
      };
    };
    const repoName = m?.[1] ?? '';
    const body =
      m?.[2] === 'releases' && this.github.has(repoName)
        ? JSON.stringify(
            this.github.get(repoName)!.map((r, i) => ({
              ...this.#template,
              id: 1000 + i,
              url: `${this.#base}/repos/${repoName}/releases/${1000 + i}`,
              html_url: `https://github.invalid/${repoName}/releases/tag/${r.tag}`,
              tag_name: r.tag,
              name: r.tag,
              draft: r.draft ?? false,
              prerelease: r.prerelease ?? false,
              published_at: r.draft ? null : (r.published ?? null),
              body: r.body ?? '',
            })),
          )
        : m?.[2] === 'tags' && this.githubTags.has(repoName)
          ? JSON.stringify(
              this.githubTags.get(repoName)!.map((t) => ({
                name: t.name,
                commit: { sha: t.sha, url: `${this.#base}/repos/${repoName}/commits/${t.sha}` },
                zipball_url: `${this.#base}/repos/${repoName}/zipball/refs/tags/${t.name}`,
                tarball_url: `${this.#base}/repos/${repoName}/tarball/refs/tags/${t.name}`,
                node_id: 'MDM6UmVmMQ==',
              })),
            )
          : undefined;
    if (body === undefined) {
      send(404, JSON.stringify({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest' }), {
        ...this.#gh,
        ...limitHeaders(true),
      });
      return;
    }
    const etag = `W/${etagOf(body)}`;
    if (req.headers['if-none-match'] === etag) {
      // GitHub: a 304 to an authorised conditional request does not count against the rate limit.
      send(304, '', { ...this.#gh, etag, ...limitHeaders(!authorised) });
      return;
    }
    send(200, body, { ...this.#gh, etag, 'last-modified': this.#lastModified, ...limitHeaders(true) });
  }
}

export async function startFeedServer(): Promise<FeedServer> {
  return new FeedServer().start();
}
