// POST /webhooks/github through app.request, with the real octokit/webhooks payloads
// signed in the test, against the GitHub-compatible test server.
import { afterEach, expect, it } from 'vitest';
import { GATE_CONTEXT } from '../../lib/engine/index.ts';
import { memoryStore, type Store } from '../../lib/store/index.ts';
import { stepFromPullRequestBody } from '../../lib/render/pull-request.ts';
import { describeWithFixtures } from '../support/fixtures.ts';
import { manualClock } from '../support/store-contract.ts';
import type { GitHubTestServer } from '../support/github-server/index.ts';
import {
  fleetServer,
  githubDelivery,
  mergedPayload,
  NOW,
  openPulls,
  payload,
  PREVIOUS_SECRET,
  pushToMain,
  service,
  sign,
  STATUS_TOKEN,
  writes,
} from './helpers.ts';

const servers: GitHubTestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});
async function fleet() {
  const s = await fleetServer();
  servers.push(s);
  return s;
}

describeWithFixtures('POST /webhooks/github', () => {
  it('a signed release.published re-reads the source the policy names and opens the step PRs', async () => {
    const server = await fleet();
    const { request, fetched, cairn } = service(server);
    expect(openPulls(server)).toHaveLength(0);
    const res = await request(
      '/webhooks/github',
      githubDelivery('release', payload('release/published.payload.json')),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ outcome: 'done' });
    expect(
      fetched.some((u) => u.startsWith('http://releases.test/repos/Codertocat/Hello-World/releases')),
    ).toBe(true);
    const pulls = openPulls(server);
    expect(pulls.length).toBeGreaterThan(0);
    for (const p of pulls) {
      expect(p.labels).toContain('cairn');
      expect(stepFromPullRequestBody(p.body)).toBeDefined();
    }
    // The operator release only the feed knows (v0.2.7, not in the catalog) is what the operator PR goes to.
    const operator = pulls
      .map((p) => stepFromPullRequestBody(p.body)!)
      .find((s) => s.component === 'howl-redis-operator');
    expect(operator?.to).toBe('0.2.7');
    const metrics = await (await request('/metrics')).text();
    expect(metrics).toContain('cairn_webhooks_total{event="release",outcome="done",source="github"} 1');
    expect(metrics).toMatch(new RegExp(`cairn_pull_requests_opened_total ${pulls.length}\\n`));
    expect(metrics).toMatch(/cairn_github_rate_limit_remaining\{resource="core"\} \d+/);
    expect(cairn.metrics.get('cairn_feed_polls_total', { status: 'updated' })).toBeGreaterThan(0);
  });

  it('a replayed delivery changes nothing, and neither does the same release under a new delivery id', async () => {
    const server = await fleet();
    const { request } = service(server);
    const body = payload('release/published.payload.json');
    const init = githubDelivery('release', body, { delivery: 'replayed-1' });
    expect((await request('/webhooks/github', init)).status).toBe(200);
    const before = server.log.length;
    const again = await request(
      '/webhooks/github',
      githubDelivery('release', body, { delivery: 'replayed-1' }),
    );
    expect(await again.json()).toMatchObject({ outcome: 'duplicate' });
    expect(server.log.length).toBe(before);
    // GitHub sends `released` right after `published`: the same meaning, one re-read.
    const released = JSON.stringify({ ...JSON.parse(body), action: 'released' });
    const second = await request('/webhooks/github', githubDelivery('release', released));
    expect(await second.json()).toMatchObject({ outcome: 'ignored' });
    expect(server.log.length).toBe(before);
  });

  it.each([
    ['a wrong secret', (b: string) => ({ 'x-hub-signature-256': sign(b, 'not-the-secret-at-all') })],
    ['no signature', () => ({ 'x-hub-signature-256': '' })],
    [
      'a SHA-1 signature only',
      (b: string) => ({ 'x-hub-signature-256': '', 'x-hub-signature': `sha1=${sign(b).slice(7, 47)}` }),
    ],
    ['a malformed signature', () => ({ 'x-hub-signature-256': 'sha256=zz' })],
    ['a signature of other bytes', (b: string) => ({ 'x-hub-signature-256': sign(`${b} `) })],
  ])('%s is refused with 401 before anything is parsed or done', async (_name, headers) => {
    const server = await fleet();
    const { request, store } = service(server);
    // Not even JSON: a 401 (not 400) shows the body was never parsed.
    for (const body of [payload('release/published.payload.json'), '{not json']) {
      const init = githubDelivery('release', body, { delivery: 'forged-1' });
      const h = new Headers(init.headers);
      for (const [k, v] of Object.entries(headers(body))) {
        if (v) h.set(k, v);
        else h.delete(k);
      }
      const res = await request('/webhooks/github', { ...init, headers: h });
      expect(res.status).toBe(401);
    }
    expect(server.log).toHaveLength(0);
    expect(await store.get('functions:delivery:github:forged-1')).toBeUndefined();
  });

  it('accepts a delivery signed with the previous secret while it is rotated out', async () => {
    const server = await fleet();
    const { request } = service(server);
    const res = await request(
      '/webhooks/github',
      githubDelivery('ping', '{"zen":"Keep it logically awesome."}', { secret: PREVIOUS_SECRET }),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ outcome: 'done', detail: 'pong' });
  });

  it('refuses a body over 1 MB with 413, by Content-Length and while reading a body without one', async () => {
    const server = await fleet();
    const { request } = service(server);
    const big = `{"pad":"${'x'.repeat(1024 * 1024)}"}`;
    const declared = await request(
      '/webhooks/github',
      githubDelivery('push', big, { headers: { 'content-length': String(big.length) } }),
    );
    expect(declared.status).toBe(413);
    const chunks = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 20; i++) c.enqueue(new Uint8Array(64 * 1024).fill(32));
        c.close();
      },
    });
    const streamed = await request('/webhooks/github', {
      ...githubDelivery('push', '{}'),
      body: chunks,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(server.log).toHaveLength(0);
  });

  it('refuses to run without a webhook secret', async () => {
    const server = await fleet();
    const { request } = service(server, { GITHUB_WEBHOOK_SECRET: '' });
    const res = await request('/webhooks/github', githubDelivery('ping', '{}'));
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('GITHUB_WEBHOOK_SECRET');
    expect((await request('/readyz')).status).toBe(503);
    expect((await request('/healthz')).status).toBe(200);
  });

  it('a push of a tag is ignored; a push to the default branch re-plans and opens the PRs', async () => {
    const server = await fleet();
    const { request } = service(server);
    const raw = payload('push/payload.json');
    const tag = await request('/webhooks/github', githubDelivery('push', raw));
    expect(await tag.json()).toMatchObject({ outcome: 'ignored' });
    expect(server.log).toHaveLength(0);
    const res = await request('/webhooks/github', githubDelivery('push', pushToMain()));
    expect(await res.json()).toMatchObject({ outcome: 'done' });
    expect(openPulls(server).length).toBeGreaterThan(0);
  });

  it('cairn serve keeps the last scan and plan (keepPlans): a push of a comment re-plans without reading the scan cache, to the same PRs', async () => {
    const scanReads = async (keepPlans: number) => {
      const server = await fleet();
      const store = memoryStore(manualClock(NOW));
      const reads: string[] = [];
      const counted: Store = { ...store, get: (key) => (reads.push(key), store.get(key)) };
      const { request } = service(server, {}, { keepPlans, store: () => counted });
      await request('/webhooks/github', githubDelivery('push', pushToMain('a'.repeat(40))));
      const opened = openPulls(server).map((p) => p.title);
      const path = 'infrastructure/staging/redis-operator.yaml';
      server.commitFiles(
        'main',
        { [path]: `${server.git(['show', `main:${path}`])}# touched\n` },
        'a comment',
      );
      reads.length = 0;
      const res = await request('/webhooks/github', githubDelivery('push', pushToMain('b'.repeat(40))));
      expect(await res.json()).toMatchObject({ outcome: 'done' });
      expect(openPulls(server).map((p) => p.title)).toEqual(opened);
      return reads.filter((k) => k.startsWith('scan:'));
    };
    const kept = await scanReads(1);
    // Only the pushed file's new blob is looked up; the rest comes from the last scan.
    expect(kept).toHaveLength(1);
    expect(kept[0]).toContain(':infrastructure/staging/redis-operator.yaml');
    // Without: every YAML file's findings are read from the store again.
    expect((await scanReads(0)).length).toBeGreaterThan(10);
  });

  it('an event cairn does not act on is answered without a single GitHub request', async () => {
    const server = await fleet();
    const { request } = service(server);
    const res = await request(
      '/webhooks/github',
      githubDelivery('check_run', payload('check_run/completed.payload.json')),
    );
    expect(await res.json()).toMatchObject({ outcome: 'ignored' });
    const pr = await request(
      '/webhooks/github',
      githubDelivery('pull_request', payload('pull_request/closed.payload.json')),
    );
    expect(await pr.json()).toMatchObject({ outcome: 'ignored', detail: '#2 is not a cairn step PR' });
    expect(server.log).toHaveLength(0);
  });

  it('a merged step PR starts its gate watch: the merge commit gets a pending cairn/gate and /status shows why', async () => {
    const server = await fleet();
    const { request } = service(server);
    await request('/webhooks/github', githubDelivery('push', pushToMain()));
    const pr = openPulls(server).find((p) => stepFromPullRequestBody(p.body)!.cluster === 'dev')!;
    const step = stepFromPullRequestBody(pr.body)!;
    const merge = server.merge(pr.number);
    const res = await request(
      '/webhooks/github',
      githubDelivery('pull_request', mergedPayload(pr.number, merge, '2026-11-21T08:59:00Z')),
    );
    expect(await res.json()).toMatchObject({ outcome: 'done', gates: [{ pr: pr.number, verdict: 'wait' }] });
    const status = server.statuses.get(merge)?.find((s) => s.context === GATE_CONTEXT);
    expect(status?.state).toBe('pending');
    // No agent has pushed a reading: the gate stays closed and says so.
    expect(status?.description).toMatch(/reading|agent|read/i);
    expect((await request(`/status/dev`)).status).toBe(401);
    const view = await request('/status/dev', { headers: { authorization: `Bearer ${STATUS_TOKEN}` } });
    const json = (await view.json()) as { steps: { step: string; verdict: string; mergeCommit: string }[] };
    expect(json.steps).toEqual([
      expect.objectContaining({ step: step.id, verdict: 'wait', mergeCommit: merge }),
    ]);
    const one = await request(`/status/dev/${encodeURIComponent(step.id)}`, {
      headers: { authorization: `Bearer ${STATUS_TOKEN}` },
    });
    expect(one.status).toBe(200);
    expect(
      await request('/status/dev/nope', { headers: { authorization: `Bearer ${STATUS_TOKEN}` } }),
    ).toHaveProperty('status', 404);
  });

  it('/cairn approve from a reader is refused with a reply; from a writer it is recorded and answered', async () => {
    const server = await fleet();
    const { request, store } = service(server);
    await request('/webhooks/github', githubDelivery('push', pushToMain()));
    const pr = openPulls(server)[0]!;
    const step = stepFromPullRequestBody(pr.body)!;
    const comment = (login: string, id: number, text: string) => {
      const c = JSON.parse(payload('issue_comment/created.payload.json'));
      c.issue = { ...c.issue, number: pr.number, pull_request: { url: 'x' } };
      c.comment = { ...c.comment, id, body: text, user: { ...c.comment.user, login } };
      return JSON.stringify(c);
    };
    server.permissions.set('alice', 'write');
    const refused = await request(
      '/webhooks/github',
      githubDelivery('issue_comment', comment('Codertocat', 901, `/cairn approve ${step.to}`)),
    );
    expect(await refused.json()).toMatchObject({
      outcome: 'ignored',
      detail: 'Codertocat has no write permission',
    });
    expect(await store.get(`functions:approved:${step.id}`)).toBeUndefined();
    const ok = await request(
      '/webhooks/github',
      githubDelivery('issue_comment', comment('alice', 902, `/cairn approve ${step.to}`)),
    );
    expect(await ok.json()).toMatchObject({ outcome: 'done', command: 'approve' });
    expect(await store.get(`functions:approved:${step.id}`)).toBe('alice');
    const replies = server.comments.filter((c) => c.issue === pr.number).map((c) => c.body);
    expect(replies.some((b) => b.includes('@Codertocat') && b.includes('needs write permission'))).toBe(true);
    expect(replies.some((b) => b.includes('@alice') && b.includes('approved'))).toBe(true);
    // A comment without a command, and the same comment redelivered, do nothing more.
    const chat = await request(
      '/webhooks/github',
      githubDelivery('issue_comment', payload('issue_comment/created.payload.json')),
    );
    expect(await chat.json()).toMatchObject({ outcome: 'ignored', detail: 'no /cairn command' });
    const count = server.comments.length;
    await request(
      '/webhooks/github',
      githubDelivery('issue_comment', comment('alice', 902, `/cairn approve ${step.to}`)),
    );
    expect(server.comments.length).toBe(count);
    // explain answers with the step's rules.
    await request(
      '/webhooks/github',
      githubDelivery('issue_comment', comment('alice', 903, `/cairn explain ${step.to}`)),
    );
    expect(server.comments.at(-1)?.body).toContain(`${step.component} ${step.from} → ${step.to}`);
  });
});

export { writes };
