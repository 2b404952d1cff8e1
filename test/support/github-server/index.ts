// A GitHub-compatible test server (node:http on 127.0.0.1) for the REST endpoints and
// the one GraphQL mutation cairn uses. Git objects live in a real bare repository, so
// `git` can check every blob, tree, commit and branch a client makes. Responses follow
// the recorded shapes in ../shared/fixtures/github-api/ (see ./shapes.ts). GETs carry
// ETags and answer If-None-Match with 304. Faults are injected on demand.
import { execFileSync } from 'node:child_process';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prRepoShape, repoShape, shortRepoShape, STATIC_HEADERS, teamShape, userShape } from './shapes.ts';

export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
  /** The request carried If-None-Match. */
  conditional: boolean;
}

export interface Fault {
  method: string;
  /** Matched against the path without the query. */
  path: RegExp;
  /** How many matching requests it applies to (default 1). */
  times?: number;
  /**
   * `after`: do the work, then answer `status` (a 5xx after the write happened).
   * `instead`: answer `status` without doing anything.
   * `secondary-rate-limit`: 403 with retry-after, nothing done.
   * `before`: run `run` first, then handle the request normally.
   * `primary-rate-limit`: 403 with x-ratelimit-remaining 0 and a reset `resetIn` seconds away, nothing done.
   */
  kind: 'after' | 'instead' | 'secondary-rate-limit' | 'before' | 'primary-rate-limit';
  status?: number;
  retryAfter?: number;
  resetIn?: number;
  run?: (server: GitHubTestServer) => void;
}

interface Pull {
  number: number;
  node_id: string;
  title: string;
  body: string;
  state: 'open' | 'closed';
  merged: boolean;
  merge_commit_sha: string | null;
  head: string;
  /** The head sha when the PR was closed; while open, the branch is read live. */
  closedHeadSha?: string;
  base: string;
  labels: string[];
  assignees: string[];
  reviewers: string[];
  /** Requested team slugs (of the repository's organization). */
  teams: string[];
  auto_merge: null | {
    enabled_by: unknown;
    merge_method: string;
    commit_title: string | null;
    commit_message: string | null;
  };
  user: string;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  merged_at: string | null;
}

interface Issue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  labels: string[];
  assignees: string[];
  user: string;
  created_at: string;
  updated_at: string;
}

interface Status {
  id: number;
  state: string;
  context: string;
  description: string | null;
  target_url: string | null;
  created_at: string;
  creator: string;
}

interface CheckRunRecord {
  id: number;
  head_sha: string;
  name: string;
  status: string;
  conclusion: string | null;
  details_url: string | null;
  output: { title: string | null; summary: string | null };
}

interface Comment {
  id: number;
  issue: number;
  body: string;
  user: string;
  created_at: string;
}

export interface ServerOptions {
  owner?: string;
  repo?: string;
  /** A git repository to copy every branch from; without it the repository starts with one empty commit on main. */
  seedFrom?: string;
  defaultBranch?: string;
  /** Accepted personal token (default "test-token"). */
  token?: string;
  /** GitHub App: its id and public key (PEM); installation tokens then live `tokenTtlSeconds`. */
  app?: { id: number; publicKey: string; installationId: number; tokenTtlSeconds?: number };
  /** The login cairn acts as (the token's user or the App's bot). */
  actor?: string;
}

class HttpError extends Error {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, string>;
  constructor(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) {
    super(String(body.message));
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

const DOCS = 'https://docs.github.com/rest';
const notFound = () => new HttpError(404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
const validation = (errors: Record<string, unknown>[], doc = DOCS) =>
  new HttpError(422, { message: 'Validation Failed', errors, documentation_url: doc, status: '422' });
const unprocessable = (message: string, doc = DOCS) =>
  new HttpError(422, { message, documentation_url: doc, status: '422' });

export class GitHubTestServer {
  readonly owner: string;
  readonly repo: string;
  readonly bare: string;
  readonly defaultBranch: string;
  readonly log: LoggedRequest[] = [];
  readonly pulls = new Map<number, Pull>();
  readonly issues = new Map<number, Issue>();
  readonly comments: Comment[] = [];
  readonly labels = new Map<
    string,
    { id: number; name: string; color: string; description: string | null }
  >();
  readonly statuses = new Map<string, Status[]>();
  /** Repository permission per login (`admin`, `write`, `read`); anyone else reads as `read`. */
  readonly permissions = new Map<string, 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none'>();
  /** Installation tokens issued, with their expiry (ms). */
  readonly tokens = new Map<string, number>();
  private faults: (Fault & { left: number })[] = [];
  private counter = 1;
  private server: Server | undefined;
  private tmp: string;
  private opts: ServerOptions;
  url = '';
  /** Milliseconds added to the server's clock (token expiry tests). */
  clockOffset = 0;

  constructor(opts: ServerOptions = {}) {
    this.opts = opts;
    this.owner = opts.owner ?? 'acme';
    this.repo = opts.repo ?? 'fleet';
    this.defaultBranch = opts.defaultBranch ?? 'main';
    this.tmp = mkdtempSync(join(tmpdir(), 'cairn-github-server-'));
    this.bare = join(this.tmp, 'repo.git');
    if (opts.seedFrom) {
      execFileSync('git', ['clone', '--quiet', '--bare', opts.seedFrom, this.bare]);
      execFileSync('git', ['symbolic-ref', 'HEAD', `refs/heads/${this.defaultBranch}`], { cwd: this.bare });
    } else {
      execFileSync('git', ['init', '--quiet', '--bare', '-b', this.defaultBranch, this.bare]);
      this.commitFiles(this.defaultBranch, { 'README.md': '# fleet\n' }, 'initial');
    }
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    rmSync(this.tmp, { recursive: true, force: true });
  }

  /** Runs git in the bare repository. */
  git(args: string[], input?: string | Buffer, env?: Record<string, string>): string {
    return execFileSync('git', args, {
      cwd: this.bare,
      input: input ?? '',
      env: { ...process.env, ...env },
      maxBuffer: 256 * 1024 * 1024,
    }).toString('utf8');
  }

  private gitOk(args: string[]): string | undefined {
    try {
      return this.git(args).trim();
    } catch {
      return undefined;
    }
  }

  branchSha(branch: string): string | undefined {
    // Read the ref files directly (loose, then packed-refs): a `git` process per read
    // made every listing cost one process per pull request. Refs only point at commits here.
    if (!/^[A-Za-z0-9._/-]+$/.test(branch) || branch.includes('..'))
      return this.gitOk(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`]);
    try {
      const loose = readFileSync(join(this.bare, 'refs/heads', branch), 'utf8').trim();
      if (/^[0-9a-f]{40}$/.test(loose)) return loose;
    } catch {
      // not a loose ref
    }
    let packed: string;
    try {
      packed = readFileSync(join(this.bare, 'packed-refs'), 'utf8');
    } catch {
      return undefined;
    }
    const line = packed.split('\n').find((l) => l.endsWith(` refs/heads/${branch}`));
    return line && /^[0-9a-f]{40} /.test(line) ? line.slice(0, 40) : undefined;
  }

  /** Commits known to exist (objects are never removed): resolving one again needs no `git`. */
  private readonly knownCommits = new Set<string>();

  /** A push by someone else: one commit of `files` on `branch` (created from the default branch if absent). */
  commitFiles(
    branch: string,
    files: Record<string, string>,
    message: string,
    author = 'Human <human@example.com>',
  ): string {
    const parent = this.branchSha(branch) ?? this.branchSha(this.defaultBranch);
    const index = join(this.tmp, `index-${this.counter++}`);
    const env = { GIT_INDEX_FILE: index, ...this.identity(author) };
    if (parent) this.git(['read-tree', `${parent}^{tree}`], '', env);
    for (const [path, text] of Object.entries(files)) {
      const sha = this.git(['hash-object', '-w', '--stdin'], text).trim();
      this.git(['update-index', '--add', '--cacheinfo', `100644,${sha},${path}`], '', env);
    }
    const tree = this.git(['write-tree'], '', env).trim();
    rmSync(index, { force: true });
    const sha = this.git(
      ['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-F', '-'],
      message,
      env,
    ).trim();
    this.git(['update-ref', `refs/heads/${branch}`, sha]);
    return sha;
  }

  private identity(author: string): Record<string, string> {
    const m = /^(.*) <(.*)>$/.exec(author)!;
    return {
      GIT_AUTHOR_NAME: m[1]!,
      GIT_AUTHOR_EMAIL: m[2]!,
      GIT_COMMITTER_NAME: m[1]!,
      GIT_COMMITTER_EMAIL: m[2]!,
      GIT_AUTHOR_DATE: '2026-11-01T00:00:00Z',
      GIT_COMMITTER_DATE: '2026-11-01T00:00:00Z',
    };
  }

  /** Merges an open PR as a human would (a merge commit on the base), returning the merge commit. */
  merge(number: number): string {
    const pr = this.pulls.get(number)!;
    const head = this.branchSha(pr.head)!;
    const base = this.branchSha(pr.base)!;
    // A real three-way merge of the head into the current base (git merge-tree).
    const tree = this.git(['merge-tree', '--write-tree', base, head]).trim().split('\n')[0]!;
    const sha = this.git(
      ['commit-tree', tree, '-p', base, '-p', head, '-F', '-'],
      `Merge pull request #${number} from ${this.owner}/${pr.head}\n\n${pr.title}`,
      this.identity('Human <human@example.com>'),
    ).trim();
    this.git(['update-ref', `refs/heads/${pr.base}`, sha, base]);
    Object.assign(pr, {
      state: 'closed',
      merged: true,
      merge_commit_sha: sha,
      closedHeadSha: head,
      closed_at: this.stamp(),
      merged_at: this.stamp(),
    });
    return sha;
  }

  /** Opens a PR as `user` would (a human, or anyone who is not cairn), with labels. */
  openPullAs(
    user: string,
    input: { head: string; base?: string; title: string; body: string; labels?: string[] },
  ): number {
    const created = this.createPull(input as unknown as Record<string, unknown>);
    const pr = this.pulls.get(created.number)!;
    pr.user = user;
    for (const l of input.labels ?? []) {
      if (!this.labels.has(l))
        this.labels.set(l, { id: this.counter++, name: l, color: 'ededed', description: null });
      pr.labels.push(l);
    }
    return pr.number;
  }

  /** Closes a PR unmerged, as a human would. */
  close(number: number): void {
    const pr = this.pulls.get(number)!;
    Object.assign(pr, { state: 'closed', closedHeadSha: this.branchSha(pr.head), closed_at: this.stamp() });
  }

  /** Sets a commit status as someone else would (the gate, CI). */
  setStatus(sha: string, context: string, state: string): void {
    const list = this.statuses.get(sha) ?? [];
    list.unshift({
      id: this.counter++,
      state,
      context,
      description: null,
      target_url: null,
      created_at: this.stamp(),
      creator: 'someone',
    });
    this.statuses.set(sha, list);
  }

  /** The `n`th request from now (1 = the next one) fails with 400 and does nothing: a client that died there. */
  failNth(n: number): void {
    this.failCountdown = n;
  }

  private failCountdown = 0;

  inject(fault: Fault): void {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }

  /** Every installation token issued so far stops working (revoked or expired early). */
  expireTokens(): void {
    for (const t of this.tokens.keys()) this.tokens.set(t, 0);
  }

  private now(): number {
    return Date.now() + this.clockOffset;
  }

  private stamp(): string {
    return new Date(this.now()).toISOString().replace(/\.\d+Z$/, 'Z');
  }

  private get api(): string {
    return this.url;
  }

  private get repoUrl(): string {
    return `${this.api}/repos/${this.owner}/${this.repo}`;
  }

  // ------------------------------------------------------------------ HTTP plumbing

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const method = (req.method ?? 'GET').toUpperCase();
    const path = decodeURIComponent(url.pathname);
    const conditional = typeof req.headers['if-none-match'] === 'string';
    const send = (status: number, body: unknown, extra: Record<string, string> = {}) => {
      this.log.push({ method, path, status, conditional });
      const headers: Record<string, string> = {
        ...STATIC_HEADERS,
        date: new Date(this.now()).toUTCString(),
        'x-github-request-id': `0000:${this.log.length}`,
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': String(Math.max(0, 5000 - this.log.length)),
        'x-ratelimit-reset': String(Math.floor(this.now() / 1000) + 3600),
        'x-ratelimit-used': String(this.log.length),
        'x-ratelimit-resource': path === '/graphql' ? 'graphql' : 'core',
        ...extra,
      };
      if (status === 204 || status === 304 || body === undefined) {
        res.writeHead(status, headers).end();
        return;
      }
      const text = JSON.stringify(body);
      headers['content-type'] = 'application/json; charset=utf-8';
      headers['content-length'] = String(Buffer.byteLength(text));
      res.writeHead(status, headers).end(text);
    };
    try {
      if (this.failCountdown > 0 && --this.failCountdown === 0) {
        send(400, { message: 'test server: injected crash', documentation_url: DOCS, status: '400' });
        return;
      }
      const fault = this.faults.find((f) => f.left > 0 && f.method === method && f.path.test(path));
      if (fault) fault.left--;
      if (fault?.kind === 'before') fault.run?.(this);
      if (fault?.kind === 'secondary-rate-limit') {
        send(
          403,
          {
            message:
              'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
            documentation_url:
              'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
            status: '403',
          },
          { 'retry-after': String(fault.retryAfter ?? 1) },
        );
        return;
      }
      if (fault?.kind === 'primary-rate-limit') {
        send(
          403,
          {
            message: 'API rate limit exceeded for installation ID 1.',
            documentation_url:
              'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits',
            status: '403',
          },
          {
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset': String(Math.floor(this.now() / 1000) + (fault.resetIn ?? 60)),
          },
        );
        return;
      }
      if (fault?.kind === 'instead') {
        send(fault.status ?? 502, { message: 'Server Error' });
        return;
      }
      this.authenticate(req, path, method);
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      const result = this.route(method, path, url.searchParams, body);
      if (fault?.kind === 'after') {
        send(fault.status ?? 502, { message: 'Server Error' });
        return;
      }
      const extra: Record<string, string> = { ...result.headers };
      if (result.body !== undefined && path !== '/graphql') {
        const etag = `W/"${createHash('sha256').update(JSON.stringify(result.body)).digest('hex')}"`;
        extra.etag = etag;
        extra['cache-control'] = 'private, max-age=60, s-maxage=60';
        const self = (result.body as { url?: unknown }).url;
        if (result.status === 201 && typeof self === 'string' && !extra.location) extra.location = self;
        if (method === 'GET' && req.headers['if-none-match'] === etag) {
          send(304, undefined, extra);
          return;
        }
      }
      send(result.status ?? 200, result.body, extra);
    } catch (e) {
      if (e instanceof HttpError) send(e.status, e.body, e.headers);
      else send(500, { message: `test server: ${(e as Error).message}` });
    }
  }

  private authenticate(req: IncomingMessage, path: string, method: string): void {
    const header = req.headers.authorization ?? '';
    const bad = () =>
      new HttpError(401, { message: 'Bad credentials', documentation_url: DOCS, status: '401' });
    const [scheme, value = ''] = header.split(' ');
    const jwtRoute =
      (method === 'POST' && /^\/app\/installations\/\d+\/access_tokens$/.test(path)) ||
      (method === 'GET' && path === '/app');
    if (this.opts.app && jwtRoute) {
      if (scheme?.toLowerCase() !== 'bearer') throw bad();
      const [h, p, s] = value.split('.');
      if (!h || !p || !s) throw bad();
      const ok = verify(
        'RSA-SHA256',
        Buffer.from(`${h}.${p}`),
        createPublicKey(this.opts.app.publicKey),
        Buffer.from(s, 'base64url'),
      );
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as { iss: number | string };
      if (!ok || String(claims.iss) !== String(this.opts.app.id)) throw bad();
      return;
    }
    if (this.opts.app) {
      const expiry = this.tokens.get(value);
      if (scheme !== 'token' || expiry === undefined || expiry <= this.now()) throw bad();
      return;
    }
    if (scheme !== 'token' && scheme?.toLowerCase() !== 'bearer') throw bad();
    if (value !== (this.opts.token ?? 'test-token')) throw bad();
  }

  // ------------------------------------------------------------------ routes

  private route(
    method: string,
    path: string,
    query: URLSearchParams,
    body: Record<string, unknown>,
  ): { status?: number; body: unknown; headers?: Record<string, string> } {
    if (method === 'POST' && path === '/graphql') return { body: this.graphql(body) };
    const app = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path);
    if (app && method === 'POST') {
      const token = `ghs_test${this.counter++}`;
      const expires = this.now() + (this.opts.app?.tokenTtlSeconds ?? 3600) * 1000;
      this.tokens.set(token, expires);
      return {
        status: 201,
        body: {
          token,
          expires_at: new Date(expires).toISOString().replace(/\.\d+Z$/, 'Z'),
          permissions: {
            contents: 'write',
            pull_requests: 'write',
            issues: 'write',
            statuses: 'write',
            metadata: 'read',
          },
          repository_selection: 'selected',
        },
      };
    }
    if (method === 'GET' && path === '/app' && this.opts.app)
      return {
        body: {
          id: this.opts.app.id,
          slug: this.actor.replace(/\[bot\]$/, ''),
          node_id: `A_${this.opts.app.id}`,
          owner: userShape(this.api, this.owner, 1),
          name: this.actor.replace(/\[bot\]$/, ''),
          description: null,
          external_url: 'https://cairn.example',
          html_url: `https://github.example/apps/${this.actor.replace(/\[bot\]$/, '')}`,
          created_at: '2026-01-01T00:00:00Z',
          updated_at: '2026-01-01T00:00:00Z',
          permissions: {
            contents: 'write',
            pull_requests: 'write',
            issues: 'write',
            statuses: 'write',
            metadata: 'read',
          },
          events: ['push', 'pull_request', 'status', 'issue_comment'],
        },
      };
    if (method === 'GET' && path === '/user') {
      // An installation token has no user (GitHub: 403 "Resource not accessible by integration").
      if (this.opts.app)
        throw new HttpError(403, {
          message: 'Resource not accessible by integration',
          documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user',
          status: '403',
        });
      return { body: { ...userShape(this.api, this.actor, 7), name: null, email: null } };
    }
    const prefix = `/repos/${this.owner}/${this.repo}`;
    if (!path.startsWith(prefix)) throw notFound();
    const rest = path.slice(prefix.length);
    const m = (re: RegExp) => re.exec(rest);
    let r: RegExpExecArray | null;

    if (rest === '' && method === 'GET')
      return { body: repoShape(this.api, this.owner, this.repo, 1000, this.defaultBranch) };
    if ((r = m(/^\/git\/ref\/heads\/(.+)$/)) && method === 'GET') return { body: this.refBody(r[1]!) };
    if (rest === '/git/refs' && method === 'POST') return this.createRef(body);
    if ((r = m(/^\/git\/refs\/heads\/(.+)$/)) && method === 'PATCH') return this.updateRef(r[1]!, body);
    if ((r = m(/^\/git\/refs\/heads\/(.+)$/)) && method === 'DELETE') {
      if (!this.branchSha(r[1]!)) throw unprocessable('Reference does not exist');
      // As on GitHub, deleting a pull request's head branch closes the pull request.
      for (const pr of this.pulls.values())
        if (pr.state === 'open' && pr.head === r[1]) this.close(pr.number);
      this.git(['update-ref', '-d', `refs/heads/${r[1]}`]);
      return { status: 204, body: undefined };
    }
    if ((r = m(/^\/git\/trees\/(.+)$/)) && method === 'GET')
      return { body: this.getTree(r[1]!, query.get('recursive')) };
    if (rest === '/git/trees' && method === 'POST') return { status: 201, body: this.createTree(body) };
    if ((r = m(/^\/git\/blobs\/([0-9a-f]{40})$/)) && method === 'GET') return { body: this.getBlob(r[1]!) };
    if (rest === '/git/blobs' && method === 'POST') {
      const bytes = Buffer.from(String(body.content ?? ''), body.encoding === 'base64' ? 'base64' : 'utf8');
      const sha = this.git(['hash-object', '-w', '--stdin'], bytes).trim();
      return { status: 201, body: { sha, url: `${this.repoUrl}/git/blobs/${sha}` } };
    }
    if (rest === '/git/commits' && method === 'POST') return { status: 201, body: this.createCommit(body) };
    if ((r = m(/^\/git\/commits\/([0-9a-f]{40})$/)) && method === 'GET')
      return { body: this.commitBody(r[1]!) };
    if ((r = m(/^\/compare\/(.+)\.\.\.(.+)$/)) && method === 'GET')
      return { body: this.compare(r[1]!, r[2]!) };
    if (rest === '/pulls' && method === 'GET') return this.listPulls(query);
    if (rest === '/pulls' && method === 'POST') return { status: 201, body: this.createPull(body) };
    if ((r = m(/^\/pulls\/(\d+)$/))) {
      const pr = this.pulls.get(Number(r[1]));
      if (!pr) throw notFound();
      if (method === 'GET') return { body: this.pullBody(pr) };
      if (method === 'PATCH') {
        if (typeof body.title === 'string') pr.title = body.title;
        if (typeof body.body === 'string') pr.body = body.body;
        if (body.state === 'closed' && pr.state === 'open') this.close(pr.number);
        pr.updated_at = this.stamp();
        return { body: this.pullBody(pr) };
      }
    }
    if ((r = m(/^\/pulls\/(\d+)\/requested_reviewers$/)) && method === 'POST') {
      const pr = this.pulls.get(Number(r[1]));
      if (!pr) throw notFound();
      for (const u of (body.reviewers as string[] | undefined) ?? [])
        if (!pr.reviewers.includes(u)) pr.reviewers.push(u);
      for (const t of (body.team_reviewers as string[] | undefined) ?? [])
        if (!pr.teams.includes(t)) pr.teams.push(t);
      return { status: 201, body: this.pullBody(pr) };
    }
    if (rest === '/issues' && method === 'GET') return this.listIssues(query);
    if (rest === '/issues' && method === 'POST') {
      const n = this.nextNumber();
      const issue: Issue = {
        number: n,
        title: String(body.title),
        body: String(body.body ?? ''),
        state: 'open',
        labels: [],
        assignees: [],
        user: this.actor,
        created_at: this.stamp(),
        updated_at: this.stamp(),
      };
      for (const l of (body.labels as string[] | undefined) ?? []) this.addLabel(issue.labels, l);
      this.issues.set(n, issue);
      return { status: 201, body: this.issueBody(issue) };
    }
    if ((r = m(/^\/issues\/(\d+)$/))) {
      const n = Number(r[1]);
      const issue = this.issues.get(n);
      const pr = this.pulls.get(n);
      if (!issue && !pr) throw notFound();
      if (method === 'GET') return { body: issue ? this.issueBody(issue) : this.pullAsIssue(pr!) };
      if (method === 'PATCH') {
        const holder = (issue ?? pr)!;
        if (Array.isArray(body.labels)) {
          holder.labels = [];
          for (const l of body.labels as string[]) this.addLabel(holder.labels, l);
        }
        if (Array.isArray(body.assignees)) holder.assignees = [...(body.assignees as string[])];
        if (issue) {
          if (typeof body.title === 'string') issue.title = body.title;
          if (typeof body.body === 'string') issue.body = body.body;
          if (body.state === 'open' || body.state === 'closed') issue.state = body.state;
          issue.updated_at = this.stamp();
          return { body: this.issueBody(issue) };
        }
        return { body: this.pullAsIssue(pr!) };
      }
    }
    if ((r = m(/^\/issues\/(\d+)\/labels$/)) && method === 'POST') {
      const target = this.labelsOf(Number(r[1]));
      for (const l of (body.labels as string[] | undefined) ?? []) this.addLabel(target, l);
      return { body: target.map((l) => this.labelBody(l)) };
    }
    if ((r = m(/^\/issues\/(\d+)\/assignees$/)) && method === 'POST') {
      const n = Number(r[1]);
      const holder = this.pulls.get(n) ?? this.issues.get(n);
      if (!holder) throw notFound();
      for (const u of (body.assignees as string[] | undefined) ?? [])
        if (!holder.assignees.includes(u)) holder.assignees.push(u);
      return {
        status: 201,
        body: this.pulls.has(n) ? this.pullAsIssue(this.pulls.get(n)!) : this.issueBody(this.issues.get(n)!),
      };
    }
    if ((r = m(/^\/issues\/(\d+)\/comments$/))) {
      const n = Number(r[1]);
      if (!this.pulls.has(n) && !this.issues.has(n)) throw notFound();
      if (method === 'GET')
        return { body: this.comments.filter((c) => c.issue === n).map((c) => this.commentBody(c)) };
      if (method === 'POST') {
        const c: Comment = {
          id: this.counter++,
          issue: n,
          body: String(body.body),
          user: this.actor,
          created_at: this.stamp(),
        };
        this.comments.push(c);
        return { status: 201, body: this.commentBody(c) };
      }
    }
    if ((r = m(/^\/collaborators\/([^/]+)\/permission$/)) && method === 'GET') {
      const role = this.permissions.get(r[1]!) ?? 'read';
      // GitHub folds maintain into write and triage into read in `permission`; `role_name` keeps it.
      const permission = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role;
      return { body: { permission, role_name: role, user: userShape(this.api, r[1]!, 1000) } };
    }
    if ((r = m(/^\/labels\/(.+)$/)) && method === 'GET') {
      const l = this.labels.get(r[1]!);
      if (!l) throw notFound();
      return { body: this.labelBody(l.name) };
    }
    if (rest === '/labels' && method === 'POST') {
      const name = String(body.name);
      if (this.labels.has(name))
        throw validation(
          [{ resource: 'Label', code: 'already_exists', field: 'name' }],
          'https://docs.github.com/rest/issues/labels#create-a-label',
        );
      this.labels.set(name, {
        id: this.counter++,
        name,
        color: String(body.color ?? 'ededed'),
        description: (body.description as string) ?? null,
      });
      return { status: 201, body: this.labelBody(name) };
    }
    if ((r = m(/^\/statuses\/([0-9a-f]{40})$/)) && method === 'POST') {
      if (this.gitOk(['cat-file', '-e', `${r[1]}^{commit}`]) === undefined)
        throw unprocessable(`No commit found for SHA: ${r[1]}`);
      const list = this.statuses.get(r[1]!) ?? [];
      const s: Status = {
        id: this.counter++,
        state: String(body.state),
        context: String(body.context ?? 'default'),
        description: (body.description as string) ?? null,
        target_url: (body.target_url as string) ?? null,
        created_at: this.stamp(),
        creator: this.actor,
      };
      list.unshift(s);
      this.statuses.set(r[1]!, list);
      return { status: 201, body: this.statusBody(s, true) };
    }
    if ((r = m(/^\/issues\/comments\/(\d+)$/)) && method === 'PATCH') {
      const c = this.comments.find((x) => x.id === Number(r![1]));
      if (!c) throw notFound();
      c.body = String(body.body);
      return { body: this.commentBody(c) };
    }
    if ((r = m(/^\/commits\/([^/]+)\/check-runs$/)) && method === 'GET') {
      const sha = this.resolve(r[1]!);
      const name = query.get('check_name');
      const runs = this.checkRuns.filter((c) => c.head_sha === sha && (!name || c.name === name));
      return { body: { total_count: runs.length, check_runs: runs.map((c) => this.checkRunBody(c)) } };
    }
    if (rest === '/check-runs' && method === 'POST') {
      if (!this.opts.app)
        throw new HttpError(403, {
          message: 'You must authenticate via a GitHub App.',
          documentation_url: DOCS,
          status: '403',
        });
      const sha = String(body.head_sha ?? '');
      if (this.gitOk(['cat-file', '-e', `${sha}^{commit}`]) === undefined)
        throw unprocessable('No commit found for SHA');
      const run = { id: this.counter++, head_sha: sha, ...this.checkFields(body), name: String(body.name) };
      this.checkRuns.push(run);
      return { status: 201, body: this.checkRunBody(run) };
    }
    if ((r = m(/^\/check-runs\/(\d+)$/)) && method === 'PATCH') {
      const run = this.checkRuns.find((c) => c.id === Number(r![1]));
      if (!run) throw notFound();
      Object.assign(run, this.checkFields(body, run));
      return { body: this.checkRunBody(run) };
    }
    if ((r = m(/^\/commits\/([^/]+)\/status$/)) && method === 'GET')
      return { body: this.combinedStatus(r[1]!) };
    if ((r = m(/^\/commits\/([^/]+)\/statuses$/)) && method === 'GET')
      return { body: (this.statuses.get(this.resolve(r[1]!)) ?? []).map((s) => this.statusBody(s, true)) };
    throw notFound();
  }

  readonly checkRuns: CheckRunRecord[] = [];

  private checkFields(body: Record<string, unknown>, was?: CheckRunRecord) {
    const output = (body.output as { title?: string; summary?: string } | undefined) ?? was?.output;
    return {
      status: String(body.status ?? was?.status ?? 'queued'),
      conclusion: (body.conclusion as string | undefined) ?? was?.conclusion ?? null,
      details_url: (body.details_url as string | undefined) ?? was?.details_url ?? null,
      output: { title: output?.title ?? null, summary: output?.summary ?? null },
    };
  }

  private checkRunBody(c: CheckRunRecord) {
    return {
      id: c.id,
      head_sha: c.head_sha,
      node_id: `CR_${c.id}`,
      external_id: '',
      url: `${this.repoUrl}/check-runs/${c.id}`,
      html_url: `https://github.example/${this.owner}/${this.repo}/runs/${c.id}`,
      details_url: c.details_url,
      status: c.status,
      conclusion: c.conclusion,
      started_at: this.stamp(),
      completed_at: c.status === 'completed' ? this.stamp() : null,
      output: {
        ...c.output,
        text: null,
        annotations_count: 0,
        annotations_url: `${this.repoUrl}/check-runs/${c.id}/annotations`,
      },
      name: c.name,
      check_suite: { id: 1 },
      app: { id: this.opts.app?.id ?? 0, slug: 'cairn', name: 'cairn' },
      pull_requests: [],
    };
  }

  private get actor(): string {
    return this.opts.actor ?? (this.opts.app ? 'cairn[bot]' : 'cairn-bot');
  }

  private nextNumber(): number {
    return this.pulls.size + this.issues.size + 1;
  }

  private resolve(ref: string): string {
    if (this.knownCommits.has(ref)) return ref;
    const sha = this.gitOk(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    if (!sha) throw unprocessable(`No commit found for SHA: ${ref}`);
    if (sha === ref) this.knownCommits.add(sha);
    return sha;
  }

  // ------------------------------------------------------------------ git data

  private refBody(branch: string) {
    const sha = this.branchSha(branch);
    if (!sha) throw notFound();
    return {
      ref: `refs/heads/${branch}`,
      node_id: `REF_${Buffer.from(branch).toString('base64url')}`,
      url: `${this.repoUrl}/git/refs/heads/${branch}`,
      object: { sha, type: 'commit', url: `${this.repoUrl}/git/commits/${sha}` },
    };
  }

  private createRef(body: Record<string, unknown>) {
    const ref = String(body.ref ?? '');
    const sha = String(body.sha ?? '');
    if (!/^refs\/heads\/./.test(ref))
      throw unprocessable(
        'Reference name is not valid',
        'https://docs.github.com/rest/git/refs#create-a-reference',
      );
    try {
      this.git(['check-ref-format', ref]);
    } catch {
      throw unprocessable(
        `${ref} is not a valid ref name.`,
        'https://docs.github.com/rest/git/refs#create-a-reference',
      );
    }
    if (this.gitOk(['cat-file', '-e', `${sha}^{commit}`]) === undefined)
      throw unprocessable('Object does not exist');
    try {
      this.git(['update-ref', ref, sha, '0'.repeat(40)]);
    } catch {
      throw unprocessable(
        'Reference already exists',
        'https://docs.github.com/rest/git/refs#create-a-reference',
      );
    }
    return {
      status: 201,
      body: this.refBody(ref.slice('refs/heads/'.length)),
      headers: { location: `${this.repoUrl}/git/${ref}` },
    };
  }

  private updateRef(branch: string, body: Record<string, unknown>) {
    const old = this.branchSha(branch);
    const sha = String(body.sha ?? '');
    if (!old)
      throw unprocessable(
        'Reference does not exist',
        'https://docs.github.com/rest/git/refs#update-a-reference',
      );
    if (this.gitOk(['cat-file', '-e', `${sha}^{commit}`]) === undefined)
      throw unprocessable('Object does not exist');
    const ff = this.gitOk(['merge-base', '--is-ancestor', old, sha]) !== undefined;
    if (!ff && body.force !== true)
      throw unprocessable(
        'Update is not a fast forward',
        'https://docs.github.com/rest/git/refs#update-a-reference',
      );
    this.git(['update-ref', `refs/heads/${branch}`, sha, old]);
    return { body: this.refBody(branch) };
  }

  private lsTree(tree: string, recursive: boolean) {
    const raw = this.git(['ls-tree', ...(recursive ? ['-r', '-t'] : []), '-l', '-z', tree]);
    return raw
      .split('\0')
      .filter(Boolean)
      .map((rec) => {
        const tab = rec.indexOf('\t');
        const [mode, type, sha, size] = rec.slice(0, tab).split(/ +/) as [string, string, string, string];
        const kind = type === 'blob' ? 'blobs' : type === 'tree' ? 'trees' : 'commits';
        return {
          path: rec.slice(tab + 1),
          mode,
          type,
          sha,
          ...(type === 'blob' ? { size: Number(size) } : {}),
          url: `${this.repoUrl}/git/${kind}/${sha}`,
        };
      });
  }

  private getTree(ref: string, recursive: string | null) {
    const tree = this.gitOk(['rev-parse', '--verify', '--quiet', `${ref}^{tree}`]);
    if (!tree) throw notFound();
    return {
      sha: tree,
      url: `${this.repoUrl}/git/trees/${tree}`,
      tree: this.lsTree(tree, recursive !== null && recursive !== '0' && recursive !== 'false'),
      truncated: false,
    };
  }

  private blobs: Map<string, Buffer> | undefined;

  /** Every blob of the repository, read once with one `git cat-file --batch` (large fleets). */
  private loadBlobs(): Map<string, Buffer> {
    const out = new Map<string, Buffer>();
    const raw = execFileSync('git', ['cat-file', '--batch-all-objects', '--batch'], {
      cwd: this.bare,
      maxBuffer: 1024 * 1024 * 1024,
    });
    let at = 0;
    while (at < raw.length) {
      const nl = raw.indexOf(10, at);
      const [sha, type, size] = raw.subarray(at, nl).toString('utf8').split(' ') as [string, string, string];
      const start = nl + 1;
      const end = start + Number(size);
      if (type === 'blob') out.set(sha, raw.subarray(start, end));
      at = end + 1;
    }
    return out;
  }

  private getBlob(sha: string) {
    this.blobs ??= this.loadBlobs();
    let bytes = this.blobs.get(sha);
    if (!bytes) {
      if (this.gitOk(['cat-file', '-t', sha]) !== 'blob') throw notFound();
      bytes = execFileSync('git', ['cat-file', 'blob', sha], {
        cwd: this.bare,
        maxBuffer: 256 * 1024 * 1024,
      });
      this.blobs.set(sha, bytes);
    }
    return {
      sha,
      node_id: `B_${sha.slice(0, 12)}`,
      size: bytes.length,
      url: `${this.repoUrl}/git/blobs/${sha}`,
      content: bytes.toString('base64').replace(/(.{60})/g, '$1\n'),
      encoding: 'base64',
    };
  }

  private createTree(body: Record<string, unknown>) {
    const entries =
      (body.tree as { path: string; mode: string; type: string; sha?: string | null; content?: string }[]) ??
      [];
    const index = join(this.tmp, `index-${this.counter++}`);
    const env = { GIT_INDEX_FILE: index };
    try {
      if (body.base_tree) {
        if (this.gitOk(['cat-file', '-e', `${String(body.base_tree)}^{tree}`]) === undefined)
          throw unprocessable('Invalid tree info');
        this.git(['read-tree', String(body.base_tree)], '', env);
      } else this.git(['read-tree', '--empty'], '', env);
      for (const e of entries) {
        if (
          e.path.split('/').some((p) => p === '' || p === '.' || p === '..' || p === '.git') ||
          e.path.startsWith('/')
        )
          throw validation([
            {
              resource: 'Tree',
              field: 'path',
              code: 'invalid',
              message: `tree.path contains a malformed path component`,
            },
          ]);
        if (e.sha === null) {
          // Mode 0 removes the entry; unlike --force-remove it needs no work tree (a bare repository).
          this.git(['update-index', '--index-info'], `0 ${'0'.repeat(40)}\t${e.path}\n`, env);
          continue;
        }
        const sha =
          e.content !== undefined
            ? this.git(['hash-object', '-w', '--stdin'], e.content).trim()
            : String(e.sha);
        if (this.gitOk(['cat-file', '-e', sha]) === undefined) throw unprocessable('Invalid tree info');
        this.git(['update-index', '--add', '--cacheinfo', `${e.mode},${sha},${e.path}`], '', env);
      }
      const tree = this.git(['write-tree'], '', env).trim();
      return {
        sha: tree,
        url: `${this.repoUrl}/git/trees/${tree}`,
        tree: this.lsTree(tree, false),
        truncated: false,
      };
    } finally {
      rmSync(index, { force: true });
    }
  }

  private createCommit(body: Record<string, unknown>) {
    const tree = String(body.tree ?? '');
    if (this.gitOk(['cat-file', '-e', `${tree}^{tree}`]) === undefined)
      throw unprocessable('Tree SHA does not exist');
    const parents = ((body.parents as string[]) ?? []).map(String);
    for (const p of parents)
      if (this.gitOk(['cat-file', '-e', `${p}^{commit}`]) === undefined)
        throw unprocessable('Parent SHA does not exist or is not a commit object');
    const author = body.author as { name?: string; email?: string } | undefined;
    const who =
      author?.name && author.email
        ? `${author.name} <${author.email}>`
        : `${this.actor} <${this.actor}@users.noreply.github.example>`;
    const env = { ...this.identity(who), GIT_AUTHOR_DATE: this.stamp(), GIT_COMMITTER_DATE: this.stamp() };
    const sha = this.git(
      ['commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), '-F', '-'],
      String(body.message ?? ''),
      env,
    ).trim();
    return this.commitBody(sha);
  }

  private commitBody(sha: string) {
    const raw = this.gitOk(['cat-file', 'commit', sha]);
    if (raw === undefined) throw notFound();
    const full = this.git(['cat-file', 'commit', sha]);
    const split = full.indexOf('\n\n');
    const header = full.slice(0, split).split('\n');
    const person = (key: string) => {
      const line = header.find((l) => l.startsWith(`${key} `))!.slice(key.length + 1);
      const m = /^(.*) <(.*)> (\d+) ([+-]\d{4})$/.exec(line)!;
      return {
        name: m[1]!,
        email: m[2]!,
        date: new Date(Number(m[3]) * 1000).toISOString().replace(/\.\d+Z$/, 'Z'),
      };
    };
    const tree = header.find((l) => l.startsWith('tree '))!.slice(5);
    return {
      sha,
      node_id: `C_${sha.slice(0, 12)}`,
      url: `${this.repoUrl}/git/commits/${sha}`,
      html_url: `https://github.example/${this.owner}/${this.repo}/commit/${sha}`,
      author: person('author'),
      committer: person('committer'),
      tree: { sha: tree, url: `${this.repoUrl}/git/trees/${tree}` },
      message: full.slice(split + 2),
      parents: header
        .filter((l) => l.startsWith('parent '))
        .map((l) => l.slice(7))
        .map((p) => ({
          sha: p,
          url: `${this.repoUrl}/git/commits/${p}`,
          html_url: `https://github.example/${this.owner}/${this.repo}/commit/${p}`,
        })),
      verification: {
        verified: false,
        reason: 'unsigned',
        signature: null,
        payload: null,
        verified_at: null,
      },
    };
  }

  private compare(baseRef: string, headRef: string) {
    const base = this.resolve(baseRef);
    const head = this.resolve(headRef);
    const [behind, ahead] = this.git(['rev-list', '--left-right', '--count', `${base}...${head}`])
      .trim()
      .split(/\s+/)
      .map(Number) as [number, number];
    const mergeBase = this.gitOk(['merge-base', base, head]);
    return {
      url: `${this.repoUrl}/compare/${baseRef}...${headRef}`,
      status: ahead && behind ? 'diverged' : ahead ? 'ahead' : behind ? 'behind' : 'identical',
      ahead_by: ahead,
      behind_by: behind,
      total_commits: ahead,
      merge_base_commit: mergeBase ? this.commitBody(mergeBase) : null,
      commits: [],
      files: [],
    };
  }

  // ------------------------------------------------------------------ pulls, issues, labels, statuses

  private paginate<T>(items: T[], query: URLSearchParams, path: string) {
    const perPage = Math.min(100, Number(query.get('per_page') ?? 30));
    const page = Math.max(1, Number(query.get('page') ?? 1));
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {};
    if (page * perPage < items.length) {
      const next = new URLSearchParams(query);
      next.set('page', String(page + 1));
      const last = new URLSearchParams(query);
      last.set('page', String(Math.ceil(items.length / perPage)));
      headers.link = `<${this.url}${path}?${next}>; rel="next", <${this.url}${path}?${last}>; rel="last"`;
    }
    return { body: slice, headers };
  }

  private listPulls(query: URLSearchParams) {
    const state = query.get('state') ?? 'open';
    const head = query.get('head')?.replace(/^[^:]+:/, '');
    const base = query.get('base');
    const items = [...this.pulls.values()]
      .filter((p) => state === 'all' || p.state === state)
      .filter((p) => !head || p.head === head)
      .filter((p) => !base || p.base === base)
      .sort((a, b) => b.number - a.number)
      .map((p) => this.pullBody(p));
    return this.paginate(items, query, `/repos/${this.owner}/${this.repo}/pulls`);
  }

  private createPull(body: Record<string, unknown>) {
    const doc = 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request';
    const head = String(body.head ?? '').replace(/^[^:]+:/, '');
    const base = String(body.base ?? this.defaultBranch);
    const headSha = this.branchSha(head);
    if (!headSha) throw validation([{ resource: 'PullRequest', field: 'head', code: 'invalid' }], doc);
    if (!this.branchSha(base))
      throw validation([{ resource: 'PullRequest', field: 'base', code: 'invalid' }], doc);
    const existing = [...this.pulls.values()].find(
      (p) => p.state === 'open' && p.head === head && p.base === base,
    );
    if (existing)
      throw validation(
        [
          {
            resource: 'PullRequest',
            code: 'custom',
            message: `A pull request already exists for ${this.owner}:${head}.`,
          },
        ],
        doc,
      );
    const ahead = Number(this.git(['rev-list', '--count', `refs/heads/${base}..${headSha}`]).trim());
    if (!ahead)
      throw validation(
        [{ resource: 'PullRequest', code: 'custom', message: `No commits between ${base} and ${head}` }],
        doc,
      );
    const n = this.nextNumber();
    const pr: Pull = {
      number: n,
      node_id: `PR_node${n}`,
      title: String(body.title ?? head),
      body: String(body.body ?? ''),
      state: 'open',
      merged: false,
      merge_commit_sha: null,
      head,
      base,
      labels: [],
      assignees: [],
      reviewers: [],
      teams: [],
      auto_merge: null,
      user: this.actor,
      created_at: this.stamp(),
      updated_at: this.stamp(),
      closed_at: null,
      merged_at: null,
    };
    this.pulls.set(n, pr);
    return this.pullBody(pr);
  }

  private headSha(pr: Pull): string {
    return pr.state === 'open'
      ? (this.branchSha(pr.head) ?? pr.closedHeadSha ?? '')
      : (pr.closedHeadSha ?? '');
  }

  pullBody(pr: Pull) {
    const url = `${this.repoUrl}/pulls/${pr.number}`;
    const html = `https://github.example/${this.owner}/${this.repo}/pull/${pr.number}`;
    const headSha = this.headSha(pr);
    const side = (ref: string, sha: string) => ({
      label: `${this.owner}:${ref}`,
      ref,
      sha,
      user: userShape(this.api, this.owner, 1),
      repo: prRepoShape(this.api, this.owner, this.repo, 1000, this.defaultBranch),
    });
    const link = (href: string) => ({ href });
    return {
      url,
      id: 100000 + pr.number,
      node_id: pr.node_id,
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      issue_url: `${this.repoUrl}/issues/${pr.number}`,
      number: pr.number,
      state: pr.state,
      locked: false,
      title: pr.title,
      user: userShape(this.api, pr.user, 2),
      body: pr.body,
      created_at: pr.created_at,
      updated_at: pr.updated_at,
      closed_at: pr.closed_at,
      merged_at: pr.merged_at,
      merge_commit_sha: pr.merge_commit_sha,
      assignee: pr.assignees[0] ? userShape(this.api, pr.assignees[0], 3) : null,
      assignees: pr.assignees.map((a, i) => userShape(this.api, a, 3 + i)),
      requested_reviewers: pr.reviewers.map((a, i) => userShape(this.api, a, 50 + i)),
      requested_teams: pr.teams.map((slug, i) => teamShape(this.api, this.owner, slug, 70 + i)),
      labels: pr.labels.map((l) => this.labelBody(l)),
      milestone: null,
      draft: false,
      commits_url: `${url}/commits`,
      review_comments_url: `${url}/comments`,
      review_comment_url: `${this.repoUrl}/pulls/comments{/number}`,
      comments_url: `${this.repoUrl}/issues/${pr.number}/comments`,
      statuses_url: `${this.repoUrl}/statuses/${headSha}`,
      head: side(pr.head, headSha),
      base: side(pr.base, this.branchSha(pr.base) ?? ''),
      _links: {
        self: link(url),
        html: link(html),
        issue: link(`${this.repoUrl}/issues/${pr.number}`),
        comments: link(`${this.repoUrl}/issues/${pr.number}/comments`),
        review_comments: link(`${url}/comments`),
        review_comment: link(`${this.repoUrl}/pulls/comments{/number}`),
        commits: link(`${url}/commits`),
        statuses: link(`${this.repoUrl}/statuses/${headSha}`),
      },
      author_association: 'NONE',
      auto_merge: pr.auto_merge,
      active_lock_reason: null,
      merged: pr.merged,
      mergeable: null,
      rebaseable: null,
      mergeable_state: 'unknown',
      merged_by: pr.merged ? userShape(this.api, 'human', 9) : null,
      comments: this.comments.filter((c) => c.issue === pr.number).length,
      review_comments: 0,
      maintainer_can_modify: false,
      commits: 1,
      additions: 1,
      deletions: 1,
      changed_files: 1,
    };
  }

  private issueCommon(
    n: number,
    title: string,
    body: string,
    state: string,
    labels: string[],
    assignees: string[],
    user: string,
    created: string,
    updated: string,
  ) {
    const url = `${this.repoUrl}/issues/${n}`;
    return {
      url,
      repository_url: this.repoUrl,
      labels_url: `${url}/labels{/name}`,
      comments_url: `${url}/comments`,
      events_url: `${url}/events`,
      html_url: `https://github.example/${this.owner}/${this.repo}/issues/${n}`,
      id: 200000 + n,
      node_id: `I_node${n}`,
      number: n,
      title,
      user: userShape(this.api, user, 2),
      labels: labels.map((l) => this.labelBody(l)),
      state,
      locked: false,
      assignee: assignees[0] ? userShape(this.api, assignees[0], 3) : null,
      assignees: assignees.map((a, i) => userShape(this.api, a, 3 + i)),
      milestone: null,
      comments: this.comments.filter((c) => c.issue === n).length,
      created_at: created,
      updated_at: updated,
      closed_at: null,
      author_association: 'NONE',
      active_lock_reason: null,
      body,
    };
  }

  private issueBody(i: Issue) {
    return this.issueCommon(
      i.number,
      i.title,
      i.body,
      i.state,
      i.labels,
      i.assignees,
      i.user,
      i.created_at,
      i.updated_at,
    );
  }

  private pullAsIssue(p: Pull) {
    return {
      ...this.issueCommon(
        p.number,
        p.title,
        p.body,
        p.state,
        p.labels,
        p.assignees,
        p.user,
        p.created_at,
        p.updated_at,
      ),
      pull_request: {
        url: `${this.repoUrl}/pulls/${p.number}`,
        html_url: `https://github.example/${this.owner}/${this.repo}/pull/${p.number}`,
        diff_url: `https://github.example/${this.owner}/${this.repo}/pull/${p.number}.diff`,
        patch_url: `https://github.example/${this.owner}/${this.repo}/pull/${p.number}.patch`,
        merged_at: p.merged_at,
      },
    };
  }

  private listIssues(query: URLSearchParams) {
    const state = query.get('state') ?? 'open';
    const labels = (query.get('labels') ?? '').split(',').filter(Boolean);
    const all = [
      ...[...this.issues.values()].map((i) => ({
        n: i.number,
        state: i.state,
        labels: i.labels,
        body: () => this.issueBody(i),
      })),
      ...[...this.pulls.values()].map((p) => ({
        n: p.number,
        state: p.state,
        labels: p.labels,
        body: () => this.pullAsIssue(p),
      })),
    ]
      .filter((x) => state === 'all' || x.state === state)
      .filter((x) => labels.every((l) => x.labels.includes(l)))
      .sort((a, b) => b.n - a.n)
      .map((x) => x.body());
    return this.paginate(all, query, `/repos/${this.owner}/${this.repo}/issues`);
  }

  private labelsOf(n: number): string[] {
    const holder = this.pulls.get(n) ?? this.issues.get(n);
    if (!holder) throw notFound();
    return holder.labels;
  }

  private addLabel(list: string[], name: string): void {
    if (!this.labels.has(name))
      this.labels.set(name, { id: this.counter++, name, color: 'ededed', description: null });
    if (!list.includes(name)) list.push(name);
  }

  private labelBody(name: string) {
    const l = this.labels.get(name)!;
    return {
      id: l.id,
      node_id: `LA_${l.id}`,
      url: `${this.repoUrl}/labels/${encodeURIComponent(name)}`,
      name,
      color: l.color,
      default: false,
      description: l.description,
    };
  }

  private commentBody(c: Comment) {
    return {
      url: `${this.repoUrl}/issues/comments/${c.id}`,
      html_url: `https://github.example/${this.owner}/${this.repo}/issues/${c.issue}#issuecomment-${c.id}`,
      issue_url: `${this.repoUrl}/issues/${c.issue}`,
      id: c.id,
      node_id: `IC_${c.id}`,
      user: userShape(this.api, c.user, 2),
      created_at: c.created_at,
      updated_at: c.created_at,
      author_association: 'NONE',
      body: c.body,
    };
  }

  private statusBody(s: Status, withCreator: boolean) {
    return {
      url: `${this.repoUrl}/statuses/${s.id}`,
      avatar_url: 'https://avatars.example/u/2?v=4',
      id: s.id,
      node_id: `SC_${s.id}`,
      state: s.state,
      description: s.description,
      target_url: s.target_url,
      context: s.context,
      created_at: s.created_at,
      updated_at: s.created_at,
      ...(withCreator ? { creator: userShape(this.api, s.creator, 2) } : {}),
    };
  }

  private combinedStatus(ref: string) {
    const sha = this.resolve(ref);
    const latest = new Map<string, Status>();
    for (const s of this.statuses.get(sha) ?? []) if (!latest.has(s.context)) latest.set(s.context, s);
    const states = [...latest.values()].map((s) => s.state);
    const state = states.some((s) => s === 'failure' || s === 'error')
      ? 'failure'
      : states.length && states.every((s) => s === 'success')
        ? 'success'
        : 'pending';
    return {
      state,
      statuses: [...latest.values()].map((s) => this.statusBody(s, false)),
      sha,
      total_count: latest.size,
      repository: shortRepoShape(this.api, this.owner, this.repo, 1000),
      commit_url: `${this.repoUrl}/commits/${sha}`,
      url: `${this.repoUrl}/commits/${sha}/status`,
    };
  }

  private graphql(body: Record<string, unknown>) {
    const query = String(body.query ?? '');
    const vars = (body.variables ?? {}) as Record<string, string>;
    if (query.includes('disablePullRequestAutoMerge')) {
      const pr = [...this.pulls.values()].find((p) => p.node_id === vars.pullRequestId);
      if (!pr)
        return {
          data: { disablePullRequestAutoMerge: null },
          errors: [
            {
              type: 'NOT_FOUND',
              path: ['disablePullRequestAutoMerge'],
              message: 'Could not resolve to a node',
            },
          ],
        };
      pr.auto_merge = null;
      return { data: { disablePullRequestAutoMerge: { pullRequest: { number: pr.number } } } };
    }
    if (!query.includes('enablePullRequestAutoMerge'))
      return { errors: [{ message: 'test server: only the auto-merge mutations are served' }] };
    const pr = [...this.pulls.values()].find((p) => p.node_id === vars.pullRequestId);
    if (!pr)
      return {
        data: { enablePullRequestAutoMerge: null },
        errors: [
          {
            type: 'NOT_FOUND',
            path: ['enablePullRequestAutoMerge'],
            message: `Could not resolve to a node with the global id of '${vars.pullRequestId}'`,
          },
        ],
      };
    if (vars.expectedHeadOid && vars.expectedHeadOid !== this.headSha(pr))
      return {
        data: { enablePullRequestAutoMerge: null },
        errors: [
          {
            type: 'UNPROCESSABLE',
            path: ['enablePullRequestAutoMerge'],
            message: "Head sha didn't match expected head sha",
          },
        ],
      };
    pr.auto_merge = {
      enabled_by: userShape(this.api, this.actor, 2),
      merge_method: (vars.mergeMethod ?? 'MERGE').toLowerCase(),
      commit_title: null,
      commit_message: null,
    };
    return {
      data: {
        enablePullRequestAutoMerge: {
          pullRequest: { number: pr.number, autoMergeRequest: { enabledAt: this.stamp() } },
        },
      },
    };
  }
}

export async function startGitHubServer(opts: ServerOptions = {}): Promise<GitHubTestServer> {
  return new GitHubTestServer(opts).start();
}
