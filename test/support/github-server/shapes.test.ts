// The test server answers with GitHub's real shapes: every key (and its type) and every
// header of the recorded responses in ../shared/fixtures/github-api/ is in the server's
// answer to the same request. If the server drifted from GitHub, the engine tests would
// prove nothing.
import { readFileSync } from 'node:fs';
import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithFixtures, fixture } from '../fixtures.ts';
import { type GitHubTestServer, startGitHubServer } from './index.ts';

interface Recorded {
  status: number;
  headers: Record<string, unknown>;
  data: unknown;
}

const PLUGIN = 'github-api/octokit-plugin-create-pull-request/test/fixtures';
const SCENARIOS = 'github-api/octokit-fixtures/scenarios/api.github.com';

/** A response of the create-pull-request plugin's recordings, by method, URL template and status. */
function recorded(file: string, method: string, url: string, status: number): Recorded {
  const flows = JSON.parse(readFileSync(fixture(`${PLUGIN}/${file}`), 'utf8')) as {
    request: { method: string; url: string };
    response: Recorded;
  }[];
  const hit = flows.find(
    (f) => f.request.method === method && f.request.url === url && f.response.status === status,
  );
  if (!hit) throw new Error(`${file}: no recorded ${method} ${url} ${status}`);
  return hit.response;
}

/** A response of the octokit/fixtures scenarios (nock format). */
function scenario(name: string, index: number): Recorded {
  const list = JSON.parse(readFileSync(fixture(`${SCENARIOS}/${name}/normalized-fixture.json`), 'utf8')) as {
    status: number;
    headers: Record<string, unknown>;
    response: unknown;
  }[];
  const x = list[index]!;
  return { status: x.status, headers: x.headers, data: x.response };
}

/** Paths (a.b[0].c) of the recording that the server's answer lacks or types differently. */
function missing(want: unknown, got: unknown, at = ''): string[] {
  if (want === null || got === null) return [];
  if (Array.isArray(want)) {
    if (!Array.isArray(got)) return [`${at}: array expected`];
    return want.length && got.length ? missing(want[0], got[0], `${at}[0]`) : [];
  }
  if (typeof want === 'object') {
    if (typeof got !== 'object' || Array.isArray(got)) return [`${at}: object expected`];
    return Object.entries(want as Record<string, unknown>).flatMap(([k, v]) =>
      k in (got as object)
        ? missing(v, (got as Record<string, unknown>)[k], at ? `${at}.${k}` : k)
        : [`${at ? `${at}.` : ''}${k}: missing`],
    );
  }
  return typeof want === typeof got ? [] : [`${at}: ${typeof want} expected, got ${typeof got}`];
}

/** Headers that depend on transport, token kind or a request the test does not make. */
const TRANSPORT = new Set([
  'connection',
  'transfer-encoding',
  'content-encoding',
  'content-length',
  'github-authentication-token-expiration',
  'x-github-api-version-selected-reason',
  'last-modified',
  'link',
  'x-poll-interval',
]);

function missingHeaders(want: Record<string, unknown>, got: Record<string, unknown>): string[] {
  return Object.keys(want).filter((h) => !TRANSPORT.has(h) && !(h in got));
}

describeWithFixtures('test server responses match the recorded GitHub responses', () => {
  let server: GitHubTestServer;
  let octokit: Octokit;
  const o = { owner: 'acme', repo: 'fleet' };
  let base = '';

  beforeAll(async () => {
    server = await startGitHubServer();
    const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
    octokit = new Octokit({ baseUrl: server.url, auth: 'test-token', log: quiet });
    base = server.branchSha('main')!;
  });
  afterAll(() => server.stop());

  const check = (got: { status: number; headers: object; data: unknown }, want: Recorded) => {
    expect(got.status).toBe(want.status);
    expect(missing(want.data, got.data)).toEqual([]);
    expect(missingHeaders(want.headers, got.headers as Record<string, unknown>)).toEqual([]);
  };
  const error = async (p: Promise<unknown>) => {
    const e = (await p.catch((x: unknown) => x)) as {
      status: number;
      response: { headers: object; data: unknown };
    };
    return { status: e.status, headers: e.response.headers, data: e.response.data };
  };

  it('GET a repository', async () => {
    check(await octokit.rest.repos.get(o), recorded('happy-path.json', 'GET', '/repos/{owner}/{repo}', 200));
  });

  it('trees, commits and refs of the git data API', async () => {
    const tree = await octokit.rest.git.createTree({
      ...o,
      base_tree: server.git(['rev-parse', `${base}^{tree}`]).trim(),
      tree: [{ path: 'f.txt', mode: '100644', type: 'blob', content: 'x' }],
    });
    check(tree, recorded('happy-path.json', 'POST', '/repos/{owner}/{repo}/git/trees', 201));
    const commit = await octokit.rest.git.createCommit({
      ...o,
      message: 'm',
      tree: tree.data.sha,
      parents: [base],
    });
    check(commit, recorded('happy-path.json', 'POST', '/repos/{owner}/{repo}/git/commits', 201));
    const ref = await octokit.rest.git.createRef({ ...o, ref: 'refs/heads/shape', sha: commit.data.sha });
    check(ref, recorded('happy-path.json', 'POST', '/repos/{owner}/{repo}/git/refs', 201));
    check(ref, scenario('git-refs', 1));
    const again = await octokit.rest.git.createCommit({
      ...o,
      message: 'n',
      tree: tree.data.sha,
      parents: [commit.data.sha],
    });
    const moved = await octokit.rest.git.updateRef({ ...o, ref: 'heads/shape', sha: again.data.sha });
    check(
      moved,
      recorded('update-existing-pull-request.json', 'PATCH', '/repos/{owner}/{repo}/git/refs/{ref}', 200),
    );
    check(moved, scenario('git-refs', 2));
  });

  it('pull requests, labels and statuses', async () => {
    const pr = await octokit.rest.pulls.create({ ...o, head: 'shape', base: 'main', title: 't', body: 'b' });
    check(pr, recorded('happy-path.json', 'POST', '/repos/{owner}/{repo}/pulls', 201));
    const edited = await octokit.rest.pulls.update({ ...o, pull_number: pr.data.number, body: 'c' });
    check(
      edited,
      recorded(
        'update-existing-pull-request.json',
        'PATCH',
        '/repos/{owner}/{repo}/pulls/{pull_number}',
        200,
      ),
    );
    const labels = await octokit.rest.issues.addLabels({
      ...o,
      issue_number: pr.data.number,
      labels: ['cairn'],
    });
    check(labels, recorded('labels.json', 'POST', '/repos/{owner}/{repo}/issues/{number}/labels', 200));
    const sha = pr.data.head.sha;
    const status = await octokit.rest.repos.createCommitStatus({
      ...o,
      sha,
      state: 'failure',
      target_url: 'https://example.com',
      description: 'd',
      context: 'example/1',
    });
    check(status, scenario('create-status', 0));
    check(await octokit.rest.repos.getCombinedStatusForRef({ ...o, ref: sha }), scenario('create-status', 3));
  });

  it('requested teams have the recorded team shape', async () => {
    const [pr] = (await octokit.rest.pulls.list({ ...o, state: 'all' })).data;
    const asked = await octokit.rest.pulls.requestReviewers({
      ...o,
      pull_number: pr!.number,
      reviewers: ['alice'],
      team_reviewers: ['a-team'],
    });
    // The branch-protection scenario's restriction teams are GitHub's "team simple" objects.
    const list = JSON.parse(
      readFileSync(fixture(`${SCENARIOS}/branch-protection/normalized-fixture.json`), 'utf8'),
    ) as { response: { restrictions?: { teams?: unknown[] } } }[];
    const team = list.map((x) => x.response.restrictions?.teams?.[0]).find((t) => t !== undefined);
    expect(team).toBeDefined();
    expect(asked.data.requested_teams?.map((t) => t.slug)).toEqual(['a-team']);
    expect(missing(team, asked.data.requested_teams![0])).toEqual([]);
  });

  it('error bodies: 422 validation and 404', async () => {
    await octokit.rest.issues.createLabel({ ...o, name: 'dup', color: 'ededed' });
    check(
      await error(octokit.rest.issues.createLabel({ ...o, name: 'dup', color: 'ededed' })),
      scenario('errors', 0),
    );
    check(
      await error(
        octokit.request('GET /repos/{owner}/{repo}/branches/{branch}/protection', { ...o, branch: 'main' }),
      ),
      scenario('branch-protection', 0),
    );
  });
});
