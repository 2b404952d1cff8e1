// The fleet dashboard (GET /) through app.request: who may see it, what a platform team
// reads on it for a fleet of several repositories and clusters, and that text from a
// repository can never become markup.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.ts';
import { DASHBOARD_COOKIE, dashboardKey, type RepositoryRecord } from '../../functions/dashboard/index.ts';
import { runCron } from '../../functions/cron.ts';
import type { Runtime } from '../../functions/services.ts';
import { type StatusRecord, statusKey } from '../../functions/use-cases.ts';
import type { Blocked, TargetSummary } from '../../lib/planner/types.ts';
import { memoryStore } from '../../lib/store/index.ts';
import type { GitHubTestServer } from '../support/github-server/index.ts';
import { manualClock } from '../support/store-contract.ts';
import { fleetServer, service, STATUS_TOKEN, SECRET } from './helpers.ts';

const TOKEN = 'test-dashboard-token-0001';
const NOW = Date.parse('2026-11-23T09:00:00Z'); // a Monday
const HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'&';

function world(extra: Record<string, string> = {}) {
  const clock = manualClock(NOW);
  const store = memoryStore(clock);
  const runtime: Runtime = { store: () => store, clock, instance: 'test', write: () => {} };
  const env: Record<string, string> = {
    GITHUB_WEBHOOK_SECRET: SECRET,
    GITHUB_TOKEN: 'ghp_not-a-real-token-000',
    CAIRN_REPOSITORIES: 'acme/fleet,acme/edge',
    CAIRN_DASHBOARD_TOKEN: TOKEN,
    CAIRN_STATUS_TOKEN: STATUS_TOKEN,
    ...extra,
  };
  const cairn = createApp(runtime);
  const request = (path: string, init?: RequestInit) =>
    cairn.app.request(`http://cairn.test${path}`, init, env);
  const bearer = { headers: { authorization: `Bearer ${TOKEN}` } };
  const page = async () => {
    const res = await request('/', bearer);
    expect(res.status).toBe(200);
    return flat(await res.text());
  };
  return { store, env, request, bearer, page };
}

/** The page with its layout whitespace folded away, so assertions read as one line. */
const flat = (html: string) => html.replace(/\s+/g, ' ').replace(/>\s</g, '><').replace(/\s>/g, '>');

const target = (
  file: string,
  component: string,
  cluster: string | undefined,
  current: string,
  status: TargetSummary['status'],
  goal?: string,
): TargetSummary => ({
  target: {
    id: `${file}#x`,
    file,
    line: 7,
    kind: 'helm-values',
    name: `HelmRelease/ns/${component}`,
    field: 'spec.version',
  },
  component,
  ...(cluster ? { cluster, environment: cluster } : {}),
  current,
  ...(goal ? { goal } : {}),
  status,
});

const step = (t: TargetSummary, from: string, to: string, after: string[] = []) => ({
  id: `${t.component}-${to}-${t.cluster}`,
  target: t.target.id,
  component: t.component,
  role: 'data-plane' as const,
  ...(t.cluster ? { cluster: t.cluster, environment: t.cluster } : {}),
  from,
  to,
  after,
  oneWay: false,
  title: `cairn: ${t.component} ${from} -> ${to} (${t.cluster})`,
});

/** Two repositories: acme/fleet (dev, staging, production) and acme/edge (edge-1). */
async function seedFleet(store: ReturnType<typeof memoryStore>) {
  const devRedis = target('apps/dev/redis.yaml', 'redis', 'dev', '7.2.4', 'planned', '8.10.1');
  const stagingRedis = target('apps/staging/redis.yaml', 'redis', 'staging', '7.2.4', 'planned', '8.0.6');
  const prodOperator = target(
    'infra/prod/operator.yaml',
    'redis-enterprise-operator',
    'production',
    '6.4.2-6',
    'blocked',
  );
  const blocked: Blocked = {
    target: prodOperator.target,
    component: 'redis-enterprise-operator',
    cluster: 'production',
    environment: 'production',
    current: '6.4.2-6',
    wanted: '8.2.0-13',
    reason: 'Kubernetes 1.23 is not supported by redis-enterprise-operator 8.2.0-12',
    unblock: 'upgrade Kubernetes on production to 1.27 first',
    rule: { id: 'kubernetes-supported-throughout', text: 'both must be supported', source: 'seeds/000.txt' },
  };
  const devSteps = [step(devRedis, '7.2.4', '8.0.6'), step(devRedis, '8.0.6', '8.10.1', ['redis-8.0.6-dev'])];
  const fleet: RepositoryRecord = {
    version: 1,
    repository: 'acme/fleet',
    at: new Date(NOW - 60_000).toISOString(),
    base: 'main',
    commit: 'a'.repeat(40),
    targets: [devRedis, stagingRedis, prodOperator],
    steps: [...devSteps, step(stagingRedis, '7.2.4', '8.0.6', ['redis-8.0.6-dev'])],
    blocked: [blocked],
    actions: [
      { step: 'redis-8.0.6-dev', branch: 'cairn/redis-8.0.6-dev', kind: 'opened', pr: 11 },
      {
        step: 'redis-8.10.1-dev',
        branch: 'cairn/redis-8.10.1-dev',
        kind: 'waiting',
        reason: 'waits for redis-8.0.6-dev',
      },
      {
        step: 'redis-8.0.6-staging',
        branch: 'cairn/redis-8.0.6-staging',
        kind: 'waiting',
        reason: 'waits for redis-8.0.6-dev',
      },
    ],
    inFlight: [],
    windows: [
      // Production changes only on Tuesdays from 02:00 Berlin time.
      {
        name: 'tuesday-nights',
        kind: 'allow',
        cron: '0 2 * * 2',
        duration: '4h',
        timezone: 'Europe/Berlin',
        clusters: ['production'],
        file: '.cairn/windows.yaml',
      },
    ],
  };
  const edgeRedis = target('clusters/edge-1/redis.yaml', 'redis', 'edge-1', '7.0.15', 'planned', '7.4.1');
  const edge: RepositoryRecord = {
    version: 1,
    repository: 'acme/edge',
    at: new Date(NOW - 120_000).toISOString(),
    base: 'main',
    commit: 'b'.repeat(40),
    targets: [edgeRedis],
    steps: [step(edgeRedis, '7.0.15', '7.2.4'), step(edgeRedis, '7.2.4', '7.4.1', ['redis-7.2.4-edge-1'])],
    blocked: [],
    actions: [
      { step: 'redis-7.2.4-edge-1', branch: 'b', kind: 'unchanged', pr: 3 },
      { step: 'redis-7.4.1-edge-1', branch: 'c', kind: 'waiting', reason: 'waits for redis-7.2.4-edge-1' },
    ],
    inFlight: [],
    windows: [],
  };
  await store.put(dashboardKey({ owner: 'acme', repo: 'fleet', slug: 'acme/fleet' }), JSON.stringify(fleet));
  await store.put(dashboardKey({ owner: 'acme', repo: 'edge', slug: 'acme/edge' }), JSON.stringify(edge));
  return { fleet, edge, edgeRedis };
}

const verdict = (over: Partial<StatusRecord>): StatusRecord => ({
  step: 'redis-7.2.4-edge-1',
  pr: 3,
  repository: 'acme/edge',
  mergeCommit: 'c'.repeat(40),
  verdict: 'wait',
  text: 'soaking: 71h left',
  reasons: ['soaking: 71h left'],
  evidence: [
    {
      condition: { evaluator: 'applied', text: 'Flux applied the merge commit' },
      objects: ['Kustomization flux-system/apps'],
      result: { status: 'healthy', reasons: ['lastAppliedRevision main@sha1:ccc'] },
    },
  ],
  configProblems: [],
  at: new Date(NOW - 30_000).toISOString(),
  state: 'pending',
  target: 'clusters/edge-1/redis.yaml#x',
  component: 'redis',
  from: '7.0.15',
  to: '7.2.4',
  ...over,
});

/** The path list of one target, as the page shows it, one line per version. */
function pathText(page: string, component: string, cluster: string): string[] {
  const start = page.indexOf(`aria-label="Path of ${component} in ${cluster}:`);
  expect(start).toBeGreaterThan(-1);
  const list = page.slice(page.indexOf('>', start) + 1, page.indexOf('</ol>', start));
  return list
    .split('</li>')
    .map((li) =>
      li
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .replace('→', '')
        .trim(),
    )
    .filter(Boolean);
}

describe('GET / access', () => {
  it('is off (401 for everyone, the bearer too) when CAIRN_DASHBOARD_TOKEN is unset', async () => {
    const { request } = world({ CAIRN_DASHBOARD_TOKEN: '' });
    for (const init of [undefined, { headers: { authorization: `Bearer ${TOKEN}` } }]) {
      const res = await request('/', init);
      expect(res.status).toBe(401);
      expect(await res.text()).toContain('The dashboard is off');
    }
    expect((await request(`/?token=${TOKEN}`)).status).toBe(401);
  });

  it('401 without the token or with a wrong one; a bearer sees the page', async () => {
    const { request, bearer } = world();
    const anonymous = await request('/');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');
    expect(await anonymous.text()).toContain('<form method="post" action="/">');
    expect((await request('/', { headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
    expect((await request('/', { headers: { authorization: `Basic ${btoa(`u:${TOKEN}`)}` } })).status).toBe(
      401,
    );
    expect((await request('/', { headers: { cookie: `${DASHBOARD_COOKIE}=${TOKEN}` } })).status).toBe(401);
    const res = await request('/', bearer);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    // No script may run; the one inline style is allowed by its hash.
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+';/);
    const style = /<style>([\s\S]*?)<\/style>/.exec(await res.text())![1]!;
    expect(csp).toContain(`'sha256-${createHash('sha256').update(style).digest('base64')}'`);
  });

  it('?token= sets an HttpOnly, Secure, SameSite=Strict session cookie (not the token) and redirects without it', async () => {
    const { request } = world();
    const wrong = await request(`/?token=${TOKEN.slice(0, -1)}`);
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const res = await request(`/?token=${encodeURIComponent(TOKEN)}`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    const set = res.headers.get('set-cookie')!;
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/Secure/);
    expect(set).toMatch(/SameSite=Strict/);
    expect(set).not.toContain(TOKEN);
    const session = set.split(';')[0]!;
    expect((await request('/', { headers: { cookie: `other=1; ${session}` } })).status).toBe(200);
    // A session made for another token does not open the page.
    const other = world({ CAIRN_DASHBOARD_TOKEN: 'another-dashboard-token-1' });
    expect((await other.request('/', { headers: { cookie: session } })).status).toBe(401);
  });

  it('the sign-in form posts the token and gets the same cookie', async () => {
    const { request } = world();
    const form = (token: string) =>
      request('/', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }).toString(),
      });
    const wrong = await form('not-the-token-at-all');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('That token is not the dashboard');
    const ok = await form(TOKEN);
    expect(ok.status).toBe(303);
    expect(ok.headers.get('set-cookie')).toMatch(/^cairn_dashboard=[0-9a-f]{64};/);
  });
});

describe('GET / content', () => {
  it('shows every repository and cluster, each path with its position, the open PRs, the blocked goal and the next window', async () => {
    const { store, page } = world();
    await seedFleet(store);
    const text = await page();
    for (const name of ['acme/fleet', 'acme/edge']) expect(text).toContain(`>${name}</a></h2>`);
    expect(text).toContain('<dt>Clusters</dt><dd>dev, edge-1, production, staging</dd>');
    // dev: at 7.2.4, the first hop's PR open, the next one waiting.
    expect(pathText(text, 'redis', 'dev')).toEqual([
      '7.2.4 ▶ current',
      '8.0.6 PR open · #11',
      '8.10.1 waiting waits for redis-8.0.6-dev',
    ]);
    expect(text).toContain(
      '<a href="https://github.com/acme/fleet/pull/11">#11 cairn: redis 7.2.4 -&gt; 8.0.6 (dev)</a>',
    );
    // The blocked goal, its reason and what unblocks it.
    expect(pathText(text, 'redis-enterprise-operator', 'production')).toEqual([
      '6.4.2-6 ▶ current',
      '8.2.0-13 blocked Kubernetes 1.23 is not supported by redis-enterprise-operator 8.2.0-12. Unblock: upgrade Kubernetes on production to 1.27 first',
    ]);
    expect(text).toContain(
      'Blocked: Kubernetes 1.23 is not supported by redis-enterprise-operator 8.2.0-12.',
    );
    expect(text).toContain('Unblock: upgrade Kubernetes on production to 1.27 first');
    // Production waits for Tuesday 02:00 Berlin (01:00 UTC); the others are unrestricted.
    expect(text).toContain(
      '<dt>Next window</dt><dd><time datetime="2026-11-24T01:00:00.000Z">2026-11-24 01:00 UTC</time> for production',
    );
    expect(text).toMatch(
      /<strong>production<\/strong>: closed: waiting for window \(opens Tue 02:00 Europe\/Berlin\)/,
    );
    expect(text).toMatch(/<strong>dev<\/strong>: open now: no window restricts changes/);
  });

  it('the position moves when a merged step passes its gate, and the verdict shows its evidence', async () => {
    const { store, page } = world();
    await seedFleet(store);
    expect(pathText(await page(), 'redis', 'edge-1')).toEqual([
      '7.0.15 ▶ current',
      '7.2.4 PR open · #3',
      '7.4.1 waiting waits for redis-7.2.4-edge-1',
    ]);
    // Merged, the gate soaking: in flight, the position stays; the PR leaves the open list.
    await store.put(statusKey('edge-1'), JSON.stringify({ 'redis-7.2.4-edge-1': verdict({}) }));
    let text = await page();
    expect(pathText(text, 'redis', 'edge-1')).toEqual([
      '7.0.15 ▶ current',
      '7.2.4 merged, gate pending · #3 soaking: 71h left',
      '7.4.1 waiting waits for redis-7.2.4-edge-1',
    ]);
    expect(text).toContain('<dt>In flight</dt><dd>1</dd>');
    expect(text).toContain('<summary>Evidence (1 check)</summary>');
    expect(text).toContain('<strong>healthy</strong>: Flux applied the merge commit');
    // The gate passed: the position is 7.2.4 now.
    await store.put(
      statusKey('edge-1'),
      JSON.stringify({
        'redis-7.2.4-edge-1': verdict({
          verdict: 'pass',
          state: 'success',
          text: 'applied, healthy and soaked',
        }),
      }),
    );
    text = await page();
    expect(pathText(text, 'redis', 'edge-1')).toEqual([
      '7.0.15 was',
      '7.2.4 ▶ current (proven) · #3',
      '7.4.1 waiting waits for redis-7.2.4-edge-1',
    ]);
    expect(text).toContain('<li aria-current="step"><span class="node current"><span class="v">7.2.4</span>');
    expect(text).toContain('<dt>In flight</dt><dd>0</dd>');
  });

  it('a failed gate stops the position and shows its reasons and rollback advice', async () => {
    const { store, page } = world();
    await seedFleet(store);
    await store.put(
      statusKey('edge-1'),
      JSON.stringify({
        'redis-7.2.4-edge-1': verdict({
          verdict: 'fail',
          state: 'failure',
          text: 'RedisCluster redis/cache is Degraded',
          reasons: ['RedisCluster redis/cache is Degraded'],
          rollback: { kind: 'revert', text: 'revert #3: the RDB format did not change' },
        }),
      }),
    );
    const text = await page();
    expect(pathText(text, 'redis', 'edge-1')).toEqual([
      '7.0.15 ▶ current',
      '7.2.4 gate failed · #3 RedisCluster redis/cache is Degraded',
      '7.4.1 waiting waits for redis-7.2.4-edge-1',
    ]);
    expect(text).toContain('<strong>gate failed</strong>: RedisCluster redis/cache is Degraded');
    expect(text).toContain('Rollback: revert #3: the RDB format did not change');
  });

  it('escapes hostile repository text everywhere: no markup gets through', async () => {
    const { store, page } = world();
    const { fleet } = await seedFleet(store);
    const evil: RepositoryRecord = {
      ...fleet,
      base: HOSTILE,
      targets: fleet.targets.map((t) => ({
        ...t,
        component: `${t.component}${HOSTILE}`,
        target: { ...t.target, file: `apps/${HOSTILE}.yaml`, name: HOSTILE },
      })),
      steps: fleet.steps.map((s) => ({ ...s, title: `cairn: ${HOSTILE}` })),
      blocked: fleet.blocked.map((b) => ({ ...b, reason: HOSTILE, unblock: HOSTILE })),
      actions: fleet.actions.map((a) => ({ ...a, reason: HOSTILE })),
      error: { message: HOSTILE, at: new Date(NOW).toISOString() },
    };
    await store.put(dashboardKey({ owner: 'acme', repo: 'fleet', slug: 'acme/fleet' }), JSON.stringify(evil));
    await store.put(
      statusKey('edge-1'),
      JSON.stringify({ x: verdict({ text: HOSTILE, reasons: [HOSTILE], configProblems: [HOSTILE] }) }),
    );
    const text = await page();
    expect(text).not.toMatch(/<script/i);
    expect(text).not.toMatch(/<img/i);
    expect(text).not.toContain('"\'&');
    expect(text).toContain(
      '&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&#39;&amp;',
    );
  });

  it('reloads itself only when asked (?refresh=30), with a link to stop', async () => {
    const { request, bearer, page } = world();
    expect(await page()).not.toContain('http-equiv="refresh"');
    expect(await page()).toContain('<a href="/?refresh=30">Reload every 30 seconds</a>');
    const text = flat(await (await request('/?refresh=30', bearer)).text());
    expect(text).toContain('<meta http-equiv="refresh" content="30" />');
    expect(text).toContain('<a href="/">Stop reloading (every 30 s now)</a>');
    for (const bad of ['1', '99999', 'x', '<b>'])
      expect(await (await request(`/?refresh=${encodeURIComponent(bad)}`, bearer)).text()).not.toContain(
        'http-equiv',
      );
  });

  it('says a repository was not reconciled yet, and never shows a secret, not even one an error quoted', async () => {
    const { page, env, store } = world();
    await store.put(
      dashboardKey({ owner: 'acme', repo: 'edge', slug: 'acme/edge' }),
      JSON.stringify({
        version: 1,
        repository: 'acme/edge',
        error: {
          message: `GitHub said no to ${env.GITHUB_TOKEN} at redis://:${TOKEN}@db`,
          at: new Date(NOW).toISOString(),
        },
      }),
    );
    const text = await page();
    expect(text).toContain('Not reconciled yet');
    expect(text).toContain('GitHub said no to [redacted] at redis://:[redacted]@db');
    for (const k of ['GITHUB_WEBHOOK_SECRET', 'GITHUB_TOKEN', 'CAIRN_DASHBOARD_TOKEN', 'CAIRN_STATUS_TOKEN'])
      expect(text).not.toContain(env[k]);
  });
});

describe('GET / after a real reconcile', () => {
  const servers: GitHubTestServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop();
  });

  it('the cron run keeps the read model: the fleet example shows its clusters, PRs and the blocked Redis Enterprise operator', async () => {
    const server = await fleetServer();
    servers.push(server);
    // A second repository the GitHub server does not have: its runs fail, and the page says so.
    const { request, cairn, env } = service(server, {
      CAIRN_DASHBOARD_TOKEN: TOKEN,
      CAIRN_REPOSITORIES: `${server.owner}/${server.repo},${server.owner}/Missing`,
    });
    const before = await request('/', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await before.text()).toContain('Not reconciled yet');
    await runCron(cairn.services(env), 'dashboard');
    const requests = server.log.length;
    const res = await request('/', { headers: { authorization: `Bearer ${TOKEN}` } });
    const text = flat(await res.text());
    expect(server.log.length).toBe(requests); // the page costs no GitHub request
    expect(text).toContain('<dt>Clusters</dt><dd>(unassigned), dev, production, staging</dd>');
    const open = [...server.pulls.values()].filter((p) => p.state === 'open');
    expect(open.length).toBeGreaterThan(0);
    for (const p of open) expect(text).toContain(`/pull/${p.number}">#${p.number} `);
    expect(text).toContain('Blocked: Kubernetes 1.23 is not supported by redis-enterprise-operator');
    expect(text).toContain('Unblock: upgrade Kubernetes on production to 1.27 first');
    const missing = text.slice(text.indexOf('>Codertocat/Missing</a></h2>'));
    expect(missing).toMatch(/^[^]*?Not reconciled yet[^]*?<strong>The last run failed<\/strong>/);
    for (const k of ['GITHUB_WEBHOOK_SECRET', 'GITHUB_TOKEN', 'CAIRN_DASHBOARD_TOKEN', 'CAIRN_AGENT_SECRET'])
      expect(text).not.toContain(env[k]);
  });
});
