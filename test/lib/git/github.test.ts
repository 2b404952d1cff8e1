// The GitHub provider, driven by the real Octokit against the GitHub-compatible test
// server: every commit it makes is checked by git in the server's bare repository.
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteError, UnsafeFileError } from '../../../lib/errors.ts';
import { commitStep } from '../../../lib/git/commit-step.ts';
import { type GitHubOptions, githubProvider } from '../../../lib/git/github.ts';
import { ZERO_SHA } from '../../../lib/git/provider.ts';
import { treeReader } from '../../../lib/git/reader.ts';
import {
  type GitHubTestServer,
  type ServerOptions,
  startGitHubServer,
} from '../../support/github-server/index.ts';
import { manualClock } from '../../support/store-contract.ts';

const servers: GitHubTestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

async function setup(opts: ServerOptions = {}, extra: Partial<GitHubOptions> = {}) {
  const server = await startGitHubServer(opts);
  servers.push(server);
  server.commitFiles(
    'main',
    { 'apps/values.yaml': 'image:\n  tag: 7.2.4 # pinned\n', 'README.md': 'hi\n' },
    'seed',
  );
  const clock = manualClock();
  const gh = githubProvider({
    owner: server.owner,
    repo: server.repo,
    auth: { token: 'test-token' },
    baseUrl: server.url,
    clock,
    writeSpacing: 'none',
    retryAfterUnitMs: 1,
    ...extra,
  });
  return { server, gh, clock };
}

const writes = (s: GitHubTestServer) => s.log.filter((r) => r.method !== 'GET');

describe('GitHub provider on the test server', () => {
  it('deletes a file in the same commit as it edits another (a null sha in the tree)', async () => {
    const { server, gh } = await setup();
    const head = (await gh.resolveBranch('main'))!;
    const c = await gh.createCommit({
      parents: [head],
      files: [
        { path: 'apps/values.yaml', text: 'image:\n  tag: 7.2.5 # pinned\n' },
        { path: 'README.md', text: '', deleted: true },
      ],
      message: 'step\n\nCairn-Step: x\n',
    });
    expect(await gh.updateBranch('cairn/d', c.sha, ZERO_SHA)).toBe(true);
    expect(server.git(['diff', '--name-status', 'main', 'cairn/d']).trim().split('\n')).toEqual([
      'D\tREADME.md',
      'M\tapps/values.yaml',
    ]);
  });

  it('reads a tree and its blobs, and makes one commit of several files that git accepts', async () => {
    const { server, gh } = await setup();
    const head = (await gh.resolveBranch('main'))!;
    const tree = await gh.listTree(head);
    const reader = treeReader(gh, tree);
    expect(new TextDecoder().decode(await reader.read('apps/values.yaml'))).toContain('7.2.4');
    const c = await gh.createCommit({
      parents: [head],
      baseTree: tree,
      files: [
        { path: 'apps/values.yaml', text: 'image:\n  tag: 7.2.5 # pinned\n' },
        { path: 'apps/new.yaml', text: 'a: 1\n' },
      ],
      message: 'step\n\nCairn-Step: x\n',
    });
    expect(await gh.updateBranch('cairn/a', c.sha, ZERO_SHA)).toBe(true);
    expect(await gh.updateBranch('cairn/a', c.sha, ZERO_SHA)).toBe(false);
    expect(server.git(['fsck', '--strict', '--no-dangling']).trim()).toBe('');
    expect(server.git(['diff', '--name-status', 'main', 'cairn/a']).trim().split('\n')).toEqual([
      'A\tapps/new.yaml',
      'M\tapps/values.yaml',
    ]);
    expect(server.git(['diff', '-U0', 'main', 'cairn/a', '--', 'apps/values.yaml'])).toContain(
      '-  tag: 7.2.4 # pinned\n+  tag: 7.2.5 # pinned',
    );
    // Blobs, tree and commit in two requests, the branch in one; the Contents API is never used.
    expect(
      writes(server).map((r) => `${r.method} ${r.path.replace(/^\/repos\/acme\/fleet/, '')} ${r.status}`),
    ).toEqual(['POST /git/trees 201', 'POST /git/commits 201', 'POST /git/refs 201', 'POST /git/refs 422']);
    expect(server.log.some((r) => r.path.includes('/contents'))).toBe(false);
  });

  it('refuses to write through a symbolic link of the base tree', async () => {
    const { server, gh } = await setup();
    const head = (await gh.resolveBranch('main'))!;
    const bare = server.git(['hash-object', '-w', '--stdin'], '/etc').trim();
    const index = `${server.bare}/tmp-index`;
    const env = { GIT_INDEX_FILE: index };
    server.git(['read-tree', `${head}^{tree}`], '', env);
    server.git(['update-index', '--add', '--cacheinfo', `120000,${bare},etc`], '', env);
    const tree = server.git(['write-tree'], '', env).trim();
    const linked = server
      .git(['commit-tree', tree, '-p', head, '-m', 'link'], '', {
        GIT_AUTHOR_NAME: 'h',
        GIT_AUTHOR_EMAIL: 'h@x',
        GIT_COMMITTER_NAME: 'h',
        GIT_COMMITTER_EMAIL: 'h@x',
      })
      .trim();
    const err = await gh
      .createCommit({ parents: [linked], files: [{ path: 'etc/passwd', text: 'x' }], message: 'm' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsafeFileError);
    expect(writes(server)).toEqual([]);
  });

  it('answers a repeated read from its ETag: the server sends 304 and the data is the same', async () => {
    const { server, gh } = await setup();
    expect(await gh.defaultBranch()).toBe('main');
    expect(await gh.defaultBranch()).toBe('main');
    const repoReads = server.log.filter((r) => r.path === '/repos/acme/fleet');
    expect(repoReads.map((r) => [r.status, r.conditional])).toEqual([
      [200, false],
      [304, true],
    ]);
    // An object addressed by its SHA is read once.
    const head = (await gh.resolveBranch('main'))!;
    await gh.listTree(head);
    await gh.listTree(head);
    expect(server.log.filter((r) => r.path.includes('/git/trees/')).length).toBe(1);
  });

  it('waits out a secondary rate limit and writes once', async () => {
    const { server, gh } = await setup();
    server.inject({ method: 'POST', path: /\/git\/refs$/, kind: 'secondary-rate-limit', retryAfter: 1 });
    const head = (await gh.resolveBranch('main'))!;
    const c = await gh.createCommit({
      parents: [head],
      files: [{ path: 'a.yaml', text: 'a\n' }],
      message: 'm',
    });
    expect(await gh.updateBranch('cairn/b', c.sha, ZERO_SHA)).toBe(true);
    expect(server.log.filter((r) => r.path.endsWith('/git/refs')).map((r) => r.status)).toEqual([403, 201]);
    expect(server.branchSha('cairn/b')).toBe(c.sha);
  });

  it('after a 502 on POST /pulls that opened the PR, ends with that one PR', async () => {
    const { server, gh } = await setup();
    const head = (await gh.resolveBranch('main'))!;
    const c = await gh.createCommit({
      parents: [head],
      files: [{ path: 'a.yaml', text: 'a\n' }],
      message: 'm',
    });
    await gh.updateBranch('cairn/c', c.sha, ZERO_SHA);
    server.inject({ method: 'POST', path: /\/pulls$/, kind: 'after', status: 502 });
    const pr = await gh.ensurePullRequest({ head: 'cairn/c', base: 'main', title: 'T', body: 'B' });
    expect(server.pulls.size).toBe(1);
    expect(pr.number).toBe([...server.pulls.keys()][0]);
    expect(
      server.log.filter((r) => r.method === 'POST' && r.path.endsWith('/pulls')).map((r) => r.status),
    ).toEqual([502, 422]);
  });

  it('a base branch that moves while the commit is built: the commit is rebuilt on the new head', async () => {
    const { server, gh } = await setup();
    let moved = '';
    server.inject({
      method: 'POST',
      path: /\/git\/commits$/,
      kind: 'before',
      run: (s) => void (moved = s.commitFiles('main', { 'other.yaml': 'o: 1\n' }, 'someone else')),
    });
    const r = await commitStep(gh, {
      base: async () => (await gh.resolveBranch('main'))!,
      branch: 'cairn/d',
      message: 'step\n\nCairn-Step: d\n',
      existing: 'update',
      changes: async () => [{ path: 'apps/values.yaml', text: 'image:\n  tag: 7.2.5 # pinned\n' }],
    });
    expect(r.outcome).toBe('created');
    expect(server.git(['rev-parse', 'cairn/d^']).trim()).toBe(moved);
    expect(server.git(['rev-list', '--count', 'main..cairn/d']).trim()).toBe('1');
  });

  it('a server error on a read is a retryable RemoteError once retries are spent', async () => {
    const { server, gh } = await setup();
    server.inject({ method: 'GET', path: /^\/repos\/acme\/fleet$/, kind: 'instead', status: 503, times: 10 });
    const err = await gh.defaultBranch().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect((err as RemoteError).retryable).toBe(true);
    expect(server.log.filter((r) => r.status === 503).length).toBe(4);
  });
});

describe('GitHub App auth', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const app = (server: GitHubTestServer, clock: ReturnType<typeof manualClock>) =>
    githubProvider({
      owner: server.owner,
      repo: server.repo,
      auth: { appId: 42, privateKey, installationId: 7 },
      baseUrl: server.url,
      clock,
      writeSpacing: 'none',
      retryAfterUnitMs: 1,
    });

  it('gets an installation token with a signed JWT and reuses it', async () => {
    const server = await startGitHubServer({ app: { id: 42, publicKey, installationId: 7 } });
    servers.push(server);
    const gh = app(server, manualClock(Date.now()));
    expect(await gh.defaultBranch()).toBe('main');
    expect(await gh.resolveBranch('main')).toMatch(/^[0-9a-f]{40}$/);
    expect(server.tokens.size).toBe(1);
  });

  it('refreshes the token before it expires, and after the server stops taking it', async () => {
    const server = await startGitHubServer({ app: { id: 42, publicKey, installationId: 7 } });
    servers.push(server);
    const clock = manualClock(Date.now());
    const gh = app(server, clock);
    await gh.defaultBranch();
    clock.advance(56 * 60_000); // 4 minutes before the hour-long token expires
    await gh.resolveBranch('main');
    expect(server.tokens.size).toBe(2);
    expect(server.log.some((r) => r.status === 401)).toBe(false);
    server.expireTokens();
    expect(await gh.resolveBranch('main')).toMatch(/^[0-9a-f]{40}$/);
    expect(server.tokens.size).toBe(3);
  });
});
