// The GitHub provider: the git data API (trees with base_tree, commits, refs) for one
// atomic commit per step, plus pull requests, labels, comments, statuses, the auto-merge
// mutation and issues. @octokit/rest with the throttling and retry plugins (GitHub's
// primary and secondary limits); auth by token or GitHub App (installation tokens
// refreshed before they expire); `baseUrl` for GitHub Enterprise Server.
// Every mutable GET is conditional (ETag, If-None-Match): an idle reconcile costs only
// 304s, which GitHub does not count against the rate limit. Objects addressed by SHA
// are immutable and read once. Runtime-neutral: runs on Node and Workers.
import { createAppAuth } from '@octokit/auth-app';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { RemoteError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Clock, Store } from '../store/index.ts';
import type {
  CommitInfo,
  CommitStatus,
  Comparison,
  IssueInfo,
  NewCommit,
  PullRequest,
  PullRequestHost,
  PullRequestInput,
  Tree,
  TreeEntry,
} from './provider.ts';
import { ZERO_SHA } from './provider.ts';
import type { WritePacer } from './pacer.ts';
import { assertBranchName, assertWritablePath } from './refs.ts';

export type GitHubAuth =
  { token: string } | { appId: number | string; privateKey: string; installationId: number | string };

export interface GitHubOptions {
  owner: string;
  repo: string;
  auth: GitHubAuth;
  /** REST base URL; GitHub Enterprise Server: `https://HOST/api/v3` (GITHUB_API_URL in Actions). */
  baseUrl?: string;
  clock: Clock;
  /** Where ETags and their bodies are kept between runs; without it, an in-memory map. */
  cache?: Store;
  log?: Logger;
  /** Tests: spacing between writes (GitHub asks for 1 s; default) and the retry-after unit in ms. */
  writeSpacing?: 'github' | 'none';
  retryAfterUnitMs?: number;
  fetch?: typeof fetch;
  /**
   * The login cairn acts as, when known (spares a request). Otherwise it is read: `GET /user`
   * for a token, `GET /app` for an App (its bot is `slug[bot]`).
   */
  login?: string;
  /**
   * Used when `GET /user` is refused (403): the Actions `GITHUB_TOKEN` cannot read it, and
   * acts as `github-actions[bot]`.
   */
  loginWhenRefused?: string;
  /** Shared by every provider of a process: holds writes to GitHub's 80 a minute (./pacer.ts). */
  pacer?: WritePacer;
}

const ThrottledOctokit = Octokit.plugin(throttling, retry);
type Client = InstanceType<typeof ThrottledOctokit>;

/** Refresh an installation token this long before it expires. */
const TOKEN_MARGIN_MS = 5 * 60_000;
// Blobs are left to the reader's BlobCache, so they are not kept twice.
const IMMUTABLE = /\/git\/(trees|commits)\/[0-9a-f]{40}(\?|$)/;

interface RawPull {
  number: number;
  node_id: string;
  state: string;
  title: string;
  body?: string | null;
  head: { ref: string; sha: string };
  base: { ref: string };
  labels: { name?: string }[];
  assignees?: { login: string }[] | null;
  requested_reviewers?: { login: string }[] | null;
  requested_teams?: { slug: string }[] | null;
  user?: { login: string } | null;
  merged_at?: string | null;
  merge_commit_sha?: string | null;
  auto_merge?: unknown;
  html_url?: string;
}

/** Teams are written `ORG/TEAM`; a pull request's requested teams are its repository organization's. */
function toPull(p: RawPull, owner: string): PullRequest & { nodeId: string } {
  return {
    number: p.number,
    nodeId: p.node_id,
    state: p.merged_at ? 'merged' : p.state === 'open' ? 'open' : 'closed',
    title: p.title,
    body: p.body ?? '',
    head: { ref: p.head.ref, sha: p.head.sha },
    base: { ref: p.base.ref },
    labels: p.labels.map((l) => l.name ?? '').filter(Boolean),
    assignees: (p.assignees ?? []).map((a) => a.login),
    reviewers: [
      ...(p.requested_reviewers ?? []).map((a) => a.login),
      ...(p.requested_teams ?? []).map((t) => `${owner}/${t.slug}`),
    ],
    ...(p.user?.login ? { author: p.user.login } : {}),
    ...(p.merged_at && p.merge_commit_sha ? { mergeCommit: p.merge_commit_sha } : {}),
    autoMerge: p.auto_merge != null,
    ...(p.html_url ? { url: p.html_url } : {}),
  };
}

function statusOf(e: unknown): number | undefined {
  return typeof e === 'object' && e !== null && 'status' in e
    ? Number((e as { status: unknown }).status)
    : undefined;
}

function messageOf(e: unknown): string {
  const data = (e as { response?: { data?: { message?: string; errors?: { message?: string }[] } } }).response
    ?.data;
  const detail = data?.errors
    ?.map((x) => x.message)
    .filter(Boolean)
    .join('; ');
  return [data?.message ?? (e as Error).message, detail].filter(Boolean).join(': ');
}

function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64.replace(/\s+/g, ''));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export interface GitHubProvider extends PullRequestHost {
  readonly octokit: Client;
  /** Creates the check run named `run.name` on `sha`, or edits the one there (needs a GitHub App). */
  ensureCheckRun(sha: string, run: CheckRunInput): Promise<void>;
  /** Creates the comment, or edits the one carrying `marker` when its body differs. */
  upsertComment(number: number, marker: string, body: string): Promise<void>;
}

export interface CheckRunInput {
  name: string;
  status: 'in_progress' | 'completed';
  conclusion?: 'success' | 'failure' | 'action_required';
  details_url?: string;
  output: { title: string; summary: string };
}

export function githubProvider(opts: GitHubOptions): GitHubProvider {
  const { owner, repo, clock } = opts;
  const where = { owner, repo };
  const memory = new Map<string, string>();
  const etags: Pick<Store, 'get' | 'put'> = opts.cache ?? {
    get: async (k) => memory.get(k),
    put: async (k, v) => void memory.set(k, v),
  };
  const immutable = new Map<string, unknown>();
  const tokens = new Map<string, string>();
  // Content writes wait for the shared pacer at the fetch layer, under Octokit's throttling
  // and retries: a write is granted its slot when it goes on the wire (a retried write
  // takes a slot again, as GitHub counts it again). Token requests are not content.
  const wire = opts.fetch;
  const paced: typeof fetch | undefined = opts.pacer
    ? async (input, init) => {
        const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
        const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
        if (method !== 'GET' && method !== 'HEAD' && !/\/access_tokens(\?|$)/.test(url))
          await opts.pacer!.acquire();
        return (wire ?? globalThis.fetch)(input, init);
      }
    : wire;
  const passThrough = { key: () => ({ schedule: (_o: unknown, fn: () => Promise<unknown>) => fn() }) };
  const limits = {
    onRateLimit: (after: number, o: { method: string; url: string }, _k: unknown, count: number) => {
      opts.log?.warn('github primary rate limit', { retryAfter: after, method: o.method, url: o.url });
      return count < 2;
    },
    onSecondaryRateLimit: (after: number, o: { method: string; url: string }, _k: unknown, count: number) => {
      opts.log?.warn('github secondary rate limit', { retryAfter: after, method: o.method, url: o.url });
      return count < 3;
    },
  };
  const octokit: Client = new ThrottledOctokit({
    userAgent: 'cairn',
    ...(opts.baseUrl ? { baseUrl: opts.baseUrl.replace(/\/+$/, '') } : {}),
    ...(paced ? { request: { fetch: paced } } : {}),
    ...('token' in opts.auth
      ? { auth: opts.auth.token }
      : {
          authStrategy: createAppAuth,
          auth: {
            appId: opts.auth.appId,
            privateKey: opts.auth.privateKey,
            installationId: opts.auth.installationId,
            // auth-app keeps tokens 59 minutes whatever they say: this cache honours expires_at.
            cache: {
              get: (key: string) => {
                const v = tokens.get(key);
                if (!v) return undefined;
                const expiresAt = Date.parse(v.split('|')[2] ?? '');
                if (!(expiresAt - clock.now() > TOKEN_MARGIN_MS)) {
                  tokens.delete(key);
                  return undefined;
                }
                return v;
              },
              set: (key: string, v: string) => void tokens.set(key, v),
            },
          },
        }),
    throttle: {
      ...limits,
      ...(opts.retryAfterUnitMs !== undefined ? { retryAfterBaseValue: opts.retryAfterUnitMs } : {}),
      ...(opts.writeSpacing === 'none'
        ? { write: passThrough as never, notifications: passThrough as never }
        : {}),
    },
    retry: opts.retryAfterUnitMs !== undefined ? { retryAfterBaseValue: opts.retryAfterUnitMs } : {},
    log: {
      debug: () => {},
      info: () => {},
      warn: (m: string) => opts.log?.warn(m),
      // Octokit logs every non-2xx answer here, 304s and expected 404s included; the
      // provider turns real failures into named errors, so these lines are debug detail.
      error: (m: string) => opts.log?.debug(m),
    },
  });

  octokit.hook.wrap('request', async (request, options) => {
    const method = String(options.method).toUpperCase();
    const url = octokit.request.endpoint.parse(options).url;
    const send = async () => {
      try {
        return await request(options);
      } catch (e) {
        // An installation token revoked or expired early: drop it and try once more.
        if (statusOf(e) === 401 && !('token' in opts.auth) && tokens.size) {
          tokens.clear();
          return request(options);
        }
        throw e;
      }
    };
    // Writes are paced at the fetch layer (`paced` above), never cached.
    if (method !== 'GET') return send();
    if (IMMUTABLE.test(url) && immutable.has(url)) {
      return { status: 200, url, headers: {}, data: immutable.get(url) } as Awaited<
        ReturnType<typeof request>
      >;
    }
    const key = `github-etag:${url}`;
    const cached = IMMUTABLE.test(url) ? undefined : await etags.get(key);
    const entry = cached ? (JSON.parse(cached) as { etag: string; data: unknown }) : undefined;
    if (entry) options.headers = { ...options.headers, 'if-none-match': entry.etag };
    try {
      const res = await send();
      if (IMMUTABLE.test(url)) immutable.set(url, res.data);
      else if (res.headers.etag)
        await etags.put(key, JSON.stringify({ etag: res.headers.etag, data: res.data }));
      return res;
    } catch (e) {
      if (statusOf(e) === 304 && entry) {
        const headers = (e as { response?: { headers: Record<string, string> } }).response?.headers ?? {};
        return { status: 200, url, headers, data: entry.data } as Awaited<ReturnType<typeof request>>;
      }
      throw e;
    }
  });

  const fail = (what: string, e: unknown): never => {
    const status = statusOf(e);
    throw new RemoteError('github', `${what}: ${messageOf(e)}`, {
      retryable: status === undefined || status >= 500 || status === 429 || status === 403,
      ...(status !== undefined ? { status } : {}),
      cause: e,
    });
  };
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      return fail(what, e);
    }
  };
  const is422 = (e: unknown, pattern: RegExp) => statusOf(e) === 422 && pattern.test(messageOf(e));

  const findOpenPull = async (head: string): Promise<(PullRequest & { nodeId: string }) | undefined> => {
    const res = await call(`list pull requests for ${head}`, () =>
      octokit.rest.pulls.list({ ...where, state: 'open', head: `${owner}:${head}`, per_page: 10 }),
    );
    const p = res.data[0];
    return p ? toPull(p as unknown as RawPull, opts.owner) : undefined;
  };

  let me: Promise<string> | undefined;
  const readIdentity = async (): Promise<string> => {
    if (opts.login) return opts.login;
    if (!('token' in opts.auth)) {
      const res = await call('read the GitHub App (GET /app)', () => octokit.rest.apps.getAuthenticated());
      const slug = res.data?.slug;
      if (!slug) throw new RemoteError('github', 'GET /app gave no slug', { retryable: false });
      return `${slug}[bot]`;
    }
    try {
      return (await octokit.rest.users.getAuthenticated()).data.login;
    } catch (e) {
      if (statusOf(e) === 403 && opts.loginWhenRefused) return opts.loginWhenRefused;
      if (statusOf(e) === 403)
        throw new RemoteError(
          'github',
          `read the token's user (GET /user): ${messageOf(e)}; set CAIRN_GITHUB_LOGIN to the login the token acts as`,
          { retryable: false, status: 403, cause: e },
        );
      return fail("read the token's user (GET /user)", e);
    }
  };

  const provider: GitHubProvider = {
    name: `github ${owner}/${repo}`,
    octokit,
    identity() {
      me ??= readIdentity().catch((e: unknown) => {
        me = undefined;
        throw e;
      });
      return me;
    },
    async defaultBranch() {
      const res = await call('read the repository', () => octokit.rest.repos.get(where));
      return res.data.default_branch;
    },
    async resolveBranch(branch) {
      try {
        const res = await octokit.rest.git.getRef({ ...where, ref: `heads/${branch}` });
        return res.data.object.sha;
      } catch (e) {
        if (statusOf(e) === 404) return undefined;
        return fail(`read branch ${branch}`, e);
      }
    },
    async listTree(commit): Promise<Tree> {
      const res = await call(`list the tree of ${commit}`, () =>
        octokit.rest.git.getTree({ ...where, tree_sha: commit, recursive: 'true' }),
      );
      if (res.data.truncated)
        throw new RemoteError('github', `the tree of ${commit} is too large for one listing`, {
          retryable: false,
        });
      const entries: TreeEntry[] = [];
      for (const e of res.data.tree) {
        if (!e.path || !e.mode || !e.sha || e.type === 'tree') continue;
        entries.push({
          path: e.path,
          mode: e.mode,
          sha: e.sha,
          ...(e.size !== undefined ? { size: e.size } : {}),
        });
      }
      return { commit, tree: res.data.sha, entries };
    },
    async readBlob(sha) {
      const res = await call(`read blob ${sha}`, () => octokit.rest.git.getBlob({ ...where, file_sha: sha }));
      return res.data.encoding === 'base64'
        ? base64ToBytes(res.data.content)
        : new TextEncoder().encode(res.data.content);
    },
    async getCommit(sha): Promise<CommitInfo> {
      const res = await call(`read commit ${sha}`, () =>
        octokit.rest.git.getCommit({ ...where, commit_sha: sha }),
      );
      return {
        sha,
        tree: res.data.tree.sha,
        parents: res.data.parents.map((p) => p.sha),
        message: res.data.message,
      };
    },
    async createCommit(input: NewCommit): Promise<CommitInfo> {
      const base = input.baseTree ?? (await provider.listTree(input.parents[0]!));
      const byPath = new Map(base.entries.map((e) => [e.path, e] as const));
      for (const f of input.files) assertWritablePath(f.path, byPath);
      // The tree call writes the blobs too (inline content): one request for all files.
      const tree = await call('create a tree', () =>
        octokit.rest.git.createTree({
          ...where,
          base_tree: base.tree,
          tree: input.files.map((f) => ({
            path: f.path,
            mode: (byPath.get(f.path)?.mode ?? '100644') as '100644' | '100755',
            type: 'blob' as const,
            // A deleted file is a tree entry with a null sha (the Git data API's way).
            ...(f.deleted ? { sha: null } : { content: f.text }),
          })),
        }),
      );
      const commit = await call('create a commit', () =>
        octokit.rest.git.createCommit({
          ...where,
          message: input.message,
          tree: tree.data.sha,
          parents: input.parents,
        }),
      );
      return {
        sha: commit.data.sha,
        tree: tree.data.sha,
        parents: [...input.parents],
        message: input.message,
      };
    },
    async updateBranch(branch, next, expected) {
      assertBranchName(branch, 'branch');
      try {
        if (expected === ZERO_SHA)
          await octokit.rest.git.createRef({ ...where, ref: `refs/heads/${branch}`, sha: next });
        // Fast-forward only: the new commit descends from `expected`, so a branch someone
        // else moved since is refused (422), never overwritten.
        else await octokit.rest.git.updateRef({ ...where, ref: `heads/${branch}`, sha: next, force: false });
        return true;
      } catch (e) {
        if (is422(e, /already exists|not a fast forward|does not exist/i)) return false;
        return fail(`move branch ${branch}`, e);
      }
    },
    async compare(base, head): Promise<Comparison> {
      const res = await call(`compare ${base}...${head}`, () =>
        octokit.rest.repos.compareCommits({ ...where, base, head, per_page: 1 }),
      );
      return { status: res.data.status, aheadBy: res.data.ahead_by, behindBy: res.data.behind_by };
    },
    async listPullRequests(label) {
      const out: PullRequest[] = [];
      for (let page = 1; ; page++) {
        const res = await call('list pull requests', () =>
          octokit.rest.pulls.list({
            ...where,
            state: 'all',
            per_page: 100,
            page,
            sort: 'created',
            direction: 'desc',
          }),
        );
        for (const p of res.data) {
          const pr = toPull(p as unknown as RawPull, opts.owner);
          if (pr.labels.includes(label)) out.push(pr);
        }
        if (res.data.length < 100) return out;
      }
    },
    async ensurePullRequest({ adoptFrom, ...input }: PullRequestInput) {
      let pr: (PullRequest & { nodeId: string }) | undefined;
      try {
        const res = await octokit.rest.pulls.create({ ...where, ...input });
        return toPull(res.data as unknown as RawPull, opts.owner);
      } catch (e) {
        // Someone (another run, or this one before a 5xx) opened it: adopt it.
        if (!is422(e, /already exists/i)) return fail(`open a pull request for ${input.head}`, e);
        pr = await findOpenPull(input.head);
        if (!pr) return fail(`open a pull request for ${input.head}`, e);
        if (adoptFrom !== undefined && pr.author !== adoptFrom) return pr;
      }
      if (pr.title !== input.title || pr.body !== input.body) {
        await provider.updatePullRequest(pr.number, { title: input.title, body: input.body });
        pr = { ...pr, title: input.title, body: input.body };
      }
      return pr;
    },
    async deleteBranch(branch, expected) {
      assertBranchName(branch);
      const at = await provider.resolveBranch(branch);
      if (at === undefined) return true;
      if (at !== expected) return false;
      try {
        await octokit.rest.git.deleteRef({ ...where, ref: `heads/${branch}` });
      } catch (e) {
        if (is422(e, /Reference does not exist/i) || statusOf(e) === 404) return true;
        return fail(`delete branch ${branch}`, e);
      }
      return true;
    },
    async updatePullRequest(number, change) {
      await call(`update pull request #${number}`, () =>
        octokit.rest.pulls.update({ ...where, pull_number: number, ...change }),
      );
    },
    async ensureLabels(number, want, have) {
      const labels = want.labels.filter((l) => !have.labels.includes(l));
      const assignees = (want.assignees ?? []).filter((a) => !(have.assignees ?? []).includes(a));
      if (!labels.length && !assignees.length) return;
      // One request for both; a label the repository lacks is created.
      await call(`label #${number}`, () =>
        octokit.rest.issues.update({
          ...where,
          issue_number: number,
          ...(labels.length ? { labels: [...new Set([...have.labels, ...want.labels])] } : {}),
          ...(assignees.length ? { assignees: [...new Set([...(have.assignees ?? []), ...assignees])] } : {}),
        }),
      );
    },
    async ensureComment(number, marker, body) {
      const res = await call(`read comments of #${number}`, () =>
        octokit.rest.issues.listComments({ ...where, issue_number: number, per_page: 100 }),
      );
      if (res.data.some((c) => c.body?.includes(marker))) return;
      await call(`comment on #${number}`, () =>
        octokit.rest.issues.createComment({ ...where, issue_number: number, body }),
      );
    },
    async ensureReviewers(number, reviewers, have) {
      const missing = reviewers.filter((r) => !have.includes(r));
      if (!missing.length) return;
      const teams = missing.filter((r) => r.includes('/')).map((r) => r.slice(r.indexOf('/') + 1));
      const users = missing.filter((r) => !r.includes('/'));
      await call(`request reviewers on #${number}`, () =>
        octokit.rest.pulls.requestReviewers({
          ...where,
          pull_number: number,
          ...(users.length ? { reviewers: users } : {}),
          ...(teams.length ? { team_reviewers: teams } : {}),
        }),
      );
    },
    async getStatus(sha, context) {
      const res = await call(`read the status of ${sha}`, () =>
        octokit.rest.repos.getCombinedStatusForRef({ ...where, ref: sha, per_page: 100 }),
      );
      const s = res.data.statuses.find((x) => x.context === context);
      return s
        ? {
            context,
            state: s.state as CommitStatus['state'],
            ...(s.description ? { description: s.description } : {}),
            ...(s.target_url ? { targetUrl: s.target_url } : {}),
          }
        : undefined;
    },
    async ensureStatus(sha, status) {
      const now = await provider.getStatus(sha, status.context);
      // GitHub keeps the first 140 characters of a description: compare with what it kept.
      const description = status.description?.slice(0, 140) ?? '';
      if (now && now.state === status.state && (now.description ?? '') === description) return;
      await call(`set status ${status.context} on ${sha}`, () =>
        octokit.rest.repos.createCommitStatus({
          ...where,
          sha,
          state: status.state,
          context: status.context,
          ...(status.description ? { description: status.description.slice(0, 140) } : {}),
          ...(status.targetUrl ? { target_url: status.targetUrl } : {}),
        }),
      );
    },
    async ensureAutoMerge(pr, expectedHead) {
      if (pr.autoMerge) return true;
      const nodeId = (pr as PullRequest & { nodeId?: string }).nodeId;
      if (!nodeId) return false;
      const enable = () =>
        octokit.graphql(
          `mutation($pullRequestId: ID!, $expectedHeadOid: GitObjectID!) {
            enablePullRequestAutoMerge(input: {pullRequestId: $pullRequestId, expectedHeadOid: $expectedHeadOid, mergeMethod: MERGE}) {
              pullRequest { number }
            }
          }`,
          // Never re-sent blind: a 5xx may come after the mutation took effect.
          { pullRequestId: nodeId, expectedHeadOid: expectedHead, request: { retries: 0 } },
        );
      for (let attempt = 0; ; attempt++) {
        try {
          await enable();
          return true;
        } catch (e) {
          // The head moved (a human pushed): no auto-merge for a head cairn did not make.
          if (/expected head/i.test(messageOf(e))) return false;
          const status = statusOf(e);
          if (attempt > 0 || (status !== undefined && status < 500))
            return fail(`enable auto-merge on #${pr.number}`, e);
          // A 5xx or a lost answer: read the PR again before any retry.
          const now = await call(`read pull request #${pr.number}`, () =>
            octokit.rest.pulls.get({ ...where, pull_number: pr.number }),
          );
          if (now.data.auto_merge) return true;
          if (now.data.state !== 'open' || now.data.head.sha !== expectedHead) return false;
        }
      }
    },
    async listIssues(label): Promise<IssueInfo[]> {
      const res = await call(`list issues labelled ${label}`, () =>
        octokit.rest.issues.listForRepo({ ...where, labels: label, state: 'open', per_page: 100 }),
      );
      return res.data
        .filter((i) => !i.pull_request)
        .map((i) => ({
          number: i.number,
          title: i.title,
          body: i.body ?? '',
          state: i.state === 'open' ? 'open' : 'closed',
          labels: i.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter(Boolean),
        }));
    },
    async ensureIssue(input) {
      if (input.number !== undefined) {
        await call(`update issue #${input.number}`, () =>
          octokit.rest.issues.update({
            ...where,
            issue_number: input.number!,
            title: input.title,
            body: input.body,
          }),
        );
        return {
          number: input.number,
          title: input.title,
          body: input.body,
          state: 'open',
          labels: input.labels,
        };
      }
      const res = await call('open an issue', () =>
        octokit.rest.issues.create({ ...where, title: input.title, body: input.body, labels: input.labels }),
      );
      return {
        number: res.data.number,
        title: input.title,
        body: input.body,
        state: 'open',
        labels: input.labels,
      };
    },
    async ensureCheckRun(sha, run) {
      const found = await call(`read check runs of ${sha}`, () =>
        octokit.rest.checks.listForRef({ ...where, ref: sha, check_name: run.name, per_page: 10 }),
      );
      const fields = {
        status: run.status,
        ...(run.conclusion ? { conclusion: run.conclusion } : {}),
        ...(run.details_url ? { details_url: run.details_url } : {}),
        output: run.output,
      };
      const existing = found.data.check_runs[0];
      if (existing) {
        const same =
          existing.status === run.status &&
          (existing.conclusion ?? undefined) === run.conclusion &&
          existing.output.title === run.output.title &&
          existing.output.summary === run.output.summary;
        if (!same)
          await call(`update check run ${run.name}`, () =>
            octokit.rest.checks.update({ ...where, check_run_id: existing.id, ...fields }),
          );
        return;
      }
      await call(`create check run ${run.name}`, () =>
        octokit.rest.checks.create({ ...where, name: run.name, head_sha: sha, ...fields }),
      );
    },
    async upsertComment(number, marker, body) {
      const res = await call(`read comments of #${number}`, () =>
        octokit.rest.issues.listComments({ ...where, issue_number: number, per_page: 100 }),
      );
      const mine = res.data.find((c) => c.body?.includes(marker));
      if (mine && mine.body === body) return;
      if (mine)
        await call(`edit a comment on #${number}`, () =>
          octokit.rest.issues.updateComment({ ...where, comment_id: mine.id, body }),
        );
      else
        await call(`comment on #${number}`, () =>
          octokit.rest.issues.createComment({ ...where, issue_number: number, body }),
        );
    },
    async closeIssue(number) {
      await call(`close issue #${number}`, () =>
        octokit.rest.issues.update({ ...where, issue_number: number, state: 'closed' }),
      );
    },
  };
  return provider;
}
