// A cairn service over the GitHub-compatible test server: the Flux example fleet as the
// repository `Codertocat/Hello-World` (the repository the real octokit/webhooks payloads
// name), a memory store on a manual clock, and a stub fetch for release feeds.
import { createHmac } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createApp } from '../../functions/app.ts';
import { signSnapshot } from '../../lib/agent/snapshot.ts';
import type { Runtime } from '../../functions/services.ts';
import type { KubeObject } from '../../lib/cluster-state.ts';
import { memoryStore } from '../../lib/store/index.ts';
import { readFixture, repoRoot } from '../support/fixtures.ts';
import { pods, redisCluster } from '../support/gate-world.ts';
import { type GitHubTestServer, startGitHubServer } from '../support/github-server/index.ts';
import { operatorFeedPolicy } from '../support/operator-feed.ts';
import { manualClock } from '../support/store-contract.ts';
import { gitCopy } from '../cli/run.ts';

export const SECRET = 'test-webhook-secret-0001';
export const PREVIOUS_SECRET = 'test-webhook-secret-0000';
export const STATUS_TOKEN = 'test-status-token-000001';
export const AGENT_SECRET = 'test-agent-secret-000001';
export const FLUX_SECRET = 'test-flux-secret-0000001';
/** An incoming webhook URL the stub fetch answers (set SLACK_WEBHOOK_URL to it). */
export const SLACK_URL = 'https://hooks.slack.test/services/T000/B000/secret';
export const NOW = Date.parse('2026-11-21T09:00:00Z');
/** Where the fleet's policy says the Hello-World releases are read from (answered by `feedFetch`). */
export const RELEASES_API = 'http://releases.test';

/** The Hello-World releases list: one operator release the shipped catalog does not know. */
export const HELLO_RELEASES = [
  {
    tag_name: 'v0.2.7',
    draft: false,
    prerelease: false,
    published_at: '2026-10-01T10:00:00Z',
    html_url: 'https://github.com/Codertocat/Hello-World/releases/tag/v0.2.7',
    body: 'Fixes.',
  },
];

export const payload = (name: string): string =>
  readFixture(`github-webhooks/octokit-webhooks/payload-examples/api.github.com/${name}`);

/** `pull_request.closed` for a merged cairn step PR. */
export function mergedPayload(number: number, merge: string, at = new Date(NOW).toISOString()): string {
  const closed = JSON.parse(payload('pull_request/closed.payload.json'));
  closed.number = number;
  closed.pull_request = {
    ...closed.pull_request,
    number,
    merged: true,
    merge_commit_sha: merge,
    merged_at: at,
    labels: [{ ...closed.pull_request.labels[0], name: 'cairn' }],
  };
  return JSON.stringify(closed);
}

/**
 * A fetch for the world outside the service: Hello-World's releases (what
 * `releases()` gives at each request), Slack through `slack` when given, and no
 * network for anything else.
 */
export function outsideWorld(
  opts: {
    releases?: () => unknown;
    slack?: (init?: RequestInit) => Response | Promise<Response>;
  } = {},
): (url: string, init?: RequestInit) => Promise<Response> {
  return async (url, init) => {
    if (opts.slack && url.startsWith(SLACK_URL)) return opts.slack(init);
    if (url.startsWith(`${RELEASES_API}/repos/Codertocat/Hello-World/releases`))
      return Response.json(opts.releases ? opts.releases() : HELLO_RELEASES);
    throw new TypeError('no network');
  };
}

/** The fleet, plus a policy file making Codertocat/Hello-World a release source of the howl operator. */
export async function fleetServer(releasesApi = RELEASES_API): Promise<GitHubTestServer> {
  const dir = gitCopy(join(repoRoot, 'examples/flux-fleet'));
  try {
    const server = await startGitHubServer({ seedFrom: dir, owner: 'Codertocat', repo: 'Hello-World' });
    server.commitFiles(
      'main',
      {
        '.cairn/feeds.yaml': operatorFeedPolicy(releasesApi),
      },
      'feeds: read the operator releases from Hello-World',
    );
    return server;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A push to the default branch of the fleet repository (re-plans it); `after` is the new head. */
export function pushToMain(after = 'f'.repeat(40), fullName?: string): string {
  const p = JSON.parse(payload('push/payload.json'));
  return JSON.stringify({
    ...p,
    ref: 'refs/heads/main',
    after,
    repository: {
      ...p.repository,
      default_branch: 'main',
      ...(fullName ? { full_name: fullName, name: fullName.split('/')[1] } : {}),
    },
  });
}

export function sign(body: string, secret = SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

let deliveries = 0;
export function githubDelivery(
  event: string,
  body: string,
  opts: { secret?: string; delivery?: string; headers?: Record<string, string> } = {},
): RequestInit {
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery':
        opts.delivery ?? `00000000-0000-4000-8000-${String(++deliveries).padStart(12, '0')}`,
      'x-hub-signature-256': sign(body, opts.secret),
      ...opts.headers,
    },
    body,
  };
}

/** `runtime` overrides parts of the test runtime (e.g. `{ work: 'queue' }`, a GitHub `fetch`). */
export function service(
  server: GitHubTestServer,
  extraEnv: Record<string, string> = {},
  runtime: Partial<Runtime> = {},
) {
  const clock = manualClock(NOW);
  const store = memoryStore(clock);
  const fetched: string[] = [];
  const logs: string[] = [];
  /** Slack messages posted to SLACK_URL, as sent. */
  const slack: { text?: string; blocks?: unknown[] }[] = [];
  const rt: Runtime = {
    store: () => store,
    clock,
    instance: 'test',
    write: (line) => logs.push(line),
    github: { writeSpacing: 'none', retryAfterUnitMs: 1 },
    // Release feeds: Hello-World's releases list; every other source is unreachable.
    sleep: async () => {},
    fetch: async (url, init) => {
      if (url.startsWith(SLACK_URL)) {
        slack.push(JSON.parse(String(init?.body)));
        return new Response('ok');
      }
      fetched.push(url);
      if (url.startsWith(`${RELEASES_API}/repos/Codertocat/Hello-World/releases`))
        return Response.json(HELLO_RELEASES, { headers: { etag: '"r1"' } });
      throw new TypeError('fetch failed: no network in tests');
    },
    ...runtime,
  };
  const env: Record<string, string> = {
    GITHUB_WEBHOOK_SECRET: SECRET,
    CAIRN_GITHUB_WEBHOOK_SECRET_PREVIOUS: PREVIOUS_SECRET,
    GITHUB_TOKEN: 'test-token',
    GITHUB_API_URL: server.url,
    CAIRN_REPOSITORIES: `${server.owner}/${server.repo}`,
    CAIRN_STATUS_TOKEN: STATUS_TOKEN,
    CAIRN_AGENT_SECRET: AGENT_SECRET,
    CAIRN_FLUX_WEBHOOK_SECRET: FLUX_SECRET,
    ...extraEnv,
  };
  const cairn = createApp(rt);
  const request = (path: string, init?: RequestInit) => cairn.app.request(path, init, env);
  return { cairn, env, store, clock, fetched, logs, slack, request, runtime: rt };
}

export const writes = (s: GitHubTestServer) => s.log.filter((r) => r.method !== 'GET');
export const openPulls = (s: GitHubTestServer) => [...s.pulls.values()].filter((p) => p.state === 'open');

/** What the dev cluster reports once Flux applied `merge` and the operator rolled out `version`. */
export function provenDev(merge: string, version: string): KubeObject[] {
  const kustomization = parse(
    readFileSync(join(repoRoot, 'examples/flux-fleet/clusters/dev/infrastructure.yaml'), 'utf8'),
  ) as KubeObject;
  return [
    {
      ...kustomization,
      metadata: { ...(kustomization.metadata as object), generation: 3 },
      status: {
        observedGeneration: 3,
        lastAppliedRevision: `main@sha1:${merge}`,
        conditions: [{ type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded' }],
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'redis-operator', namespace: 'redis-system', generation: 2 },
      spec: {
        replicas: 1,
        template: {
          spec: { containers: [{ name: 'manager', image: `ghcr.io/howl-cloud/redis-operator:v${version}` }] },
        },
      },
      status: {
        observedGeneration: 2,
        replicas: 1,
        readyReplicas: 1,
        updatedReplicas: 1,
        availableReplicas: 1,
      },
    },
    redisCluster('Healthy'),
    ...pods('redis:7.4.1'),
  ];
}

/** The dev cluster agent's snapshot of `objects`, signed with AGENT_SECRET, read at `at`. */
export function devSnapshot(objects: readonly object[], sequence = 1, at = NOW) {
  return signSnapshot(
    {
      version: 1,
      kind: 'snapshot',
      cluster: 'dev',
      agent: 'agent-dev-0',
      sequence,
      readAt: new Date(at).toISOString(),
      objects: objects as Record<string, unknown>[],
      problems: [],
    },
    AGENT_SECRET,
    new Date(at),
  );
}
