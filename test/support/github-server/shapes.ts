// GitHub's REST response shapes, as the test server returns them. Every key of the
// recorded responses in ../shared/fixtures/github-api/ is here with a value of the same
// type (test/support/github-server/shapes.test.ts checks that); values are made up.

const USER_URLS = [
  'followers',
  'following{/other_user}',
  'gists{/gist_id}',
  'starred{/owner}{/repo}',
  'subscriptions',
  'organizations',
  'repos',
  'events{/privacy}',
  'received_events',
];

export function userShape(api: string, login: string, id: number) {
  const url = `${api}/users/${login}`;
  const out: Record<string, unknown> = {
    login,
    id,
    node_id: `U_${id}`,
    avatar_url: `https://avatars.example/u/${id}?v=4`,
    gravatar_id: '',
    url,
    html_url: `https://github.example/${login}`,
  };
  for (const u of USER_URLS) out[`${u.split('{')[0]}_url`] = `${url}/${u}`;
  out.type = login.endsWith('[bot]') ? 'Bot' : 'User';
  out.site_admin = false;
  return out;
}

/** A team as GitHub lists it in `requested_teams` (the "team simple" shape). */
export function teamShape(api: string, org: string, slug: string, id: number) {
  const url = `${api}/organizations/1/team/${id}`;
  return {
    name: slug,
    id,
    node_id: `T_${id}`,
    slug,
    description: null,
    privacy: 'closed',
    url,
    html_url: `https://github.example/orgs/${org}/teams/${slug}`,
    members_url: `${url}/members{/member}`,
    repositories_url: `${url}/repos`,
    permission: 'pull',
    parent: null,
  };
}

const REPO_URLS: [string, string][] = [
  ['forks', 'forks'],
  ['keys', 'keys{/key_id}'],
  ['collaborators', 'collaborators{/collaborator}'],
  ['teams', 'teams'],
  ['hooks', 'hooks'],
  ['issue_events', 'issues/events{/number}'],
  ['events', 'events'],
  ['assignees', 'assignees{/user}'],
  ['branches', 'branches{/branch}'],
  ['tags', 'tags'],
  ['blobs', 'git/blobs{/sha}'],
  ['git_tags', 'git/tags{/sha}'],
  ['git_refs', 'git/refs{/sha}'],
  ['trees', 'git/trees{/sha}'],
  ['statuses', 'statuses/{sha}'],
  ['languages', 'languages'],
  ['stargazers', 'stargazers'],
  ['contributors', 'contributors'],
  ['subscribers', 'subscribers'],
  ['subscription', 'subscription'],
  ['commits', 'commits{/sha}'],
  ['git_commits', 'git/commits{/sha}'],
  ['comments', 'comments{/number}'],
  ['issue_comment', 'issues/comments{/number}'],
  ['contents', 'contents/{+path}'],
  ['compare', 'compare/{base}...{head}'],
  ['merges', 'merges'],
  ['archive', '{archive_format}{/ref}'],
  ['downloads', 'downloads'],
  ['issues', 'issues{/number}'],
  ['pulls', 'pulls{/number}'],
  ['milestones', 'milestones{/number}'],
  ['notifications', 'notifications{?since,all,participating}'],
  ['labels', 'labels{/name}'],
  ['releases', 'releases{/id}'],
  ['deployments', 'deployments'],
];

/** The short repository object (inside a combined status). */
export function shortRepoShape(api: string, owner: string, name: string, id: number) {
  const url = `${api}/repos/${owner}/${name}`;
  const out: Record<string, unknown> = {
    id,
    node_id: `R_${id}`,
    name,
    full_name: `${owner}/${name}`,
    private: false,
    owner: userShape(api, owner, 1),
    html_url: `https://github.example/${owner}/${name}`,
    description: null,
    fork: false,
    url,
  };
  for (const [k, u] of REPO_URLS) out[`${k}_url`] = `${url}/${u}`;
  return out;
}

const STAMP = '2026-11-01T00:00:00Z';

/** The repository as it appears inside a pull request's head and base. */
export function prRepoShape(api: string, owner: string, name: string, id: number, defaultBranch: string) {
  return {
    ...shortRepoShape(api, owner, name, id),
    created_at: STAMP,
    updated_at: STAMP,
    pushed_at: STAMP,
    git_url: `git://github.example/${owner}/${name}.git`,
    ssh_url: `git@github.example:${owner}/${name}.git`,
    clone_url: `https://github.example/${owner}/${name}.git`,
    svn_url: `https://github.example/${owner}/${name}`,
    homepage: null,
    size: 1,
    stargazers_count: 0,
    watchers_count: 0,
    language: null,
    has_issues: true,
    has_projects: true,
    has_downloads: true,
    has_wiki: true,
    has_pages: false,
    forks_count: 0,
    mirror_url: null,
    archived: false,
    disabled: false,
    open_issues_count: 0,
    license: null,
    allow_forking: true,
    is_template: false,
    topics: [] as string[],
    visibility: 'public',
    forks: 0,
    open_issues: 0,
    watchers: 0,
    default_branch: defaultBranch,
  };
}

/** GET /repos/{owner}/{repo}. */
export function repoShape(api: string, owner: string, name: string, id: number, defaultBranch: string) {
  return {
    ...prRepoShape(api, owner, name, id, defaultBranch),
    permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
    temp_clone_token: '',
    allow_squash_merge: true,
    allow_merge_commit: true,
    allow_rebase_merge: true,
    allow_auto_merge: true,
    delete_branch_on_merge: false,
    allow_update_branch: false,
    use_squash_pr_title_as_default: false,
    network_count: 0,
    subscribers_count: 0,
  };
}

export const STATIC_HEADERS: Record<string, string> = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers':
    'ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, X-Accepted-OAuth-Scopes, X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, X-GitHub-Request-Id, Deprecation, Sunset',
  'content-security-policy': "default-src 'none'",
  'referrer-policy': 'origin-when-cross-origin, strict-origin-when-cross-origin',
  'strict-transport-security': 'max-age=31536000; includeSubdomains; preload',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'deny',
  'x-github-media-type': 'github.v3; format=json',
  'x-xss-protection': '0',
  'x-accepted-oauth-scopes': '',
  'x-oauth-scopes': '',
  'x-github-api-version-selected': '2022-11-28',
  server: 'github.com',
  vary: 'Accept, Authorization, Cookie, X-GitHub-OTP, Accept-Encoding, Accept, X-Requested-With',
};
