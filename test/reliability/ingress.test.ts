// Ingress, adversarially, through the whole app: every webhook is authenticated over its
// raw bytes before anything is parsed, bounded before it is read whole, handled once, and
// acted on only for a configured repository and an allowed user. Signatures are made here
// with node:crypto, independently of the code under test. (test/functions/ has the happy
// paths and the first forgeries; these are the rest.)
import { createHmac } from 'node:crypto';
import { expect, it } from 'vitest';
import { signSnapshot, type Snapshot } from '../../lib/agent/snapshot.ts';
import { APPROVE_ACTION } from '../../lib/notify/slack/blocks.ts';
import { approvalKey, pauseKey } from '../../functions/use-cases.ts';
import { describeWithFixtures } from '../support/fixtures.ts';
import { AGENT_SECRET, FLUX_SECRET, PREVIOUS_SECRET, SECRET, sign, writes } from '../functions/helpers.ts';
import {
  commentPayload,
  fleet,
  githubDelivery,
  mergedPayload,
  NOW,
  openSteps,
  pushToMain,
  releasePublished,
  service,
} from './world.ts';

/** GitHub's documented test values ("Validating webhook deliveries"). */
const DOC_SECRET = "It's a Secret to Everybody";
const DOC_PAYLOAD = 'Hello, World!';
const DOC_SIGNATURE = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

const withHeaders = (init: RequestInit, set: Record<string, string | undefined>): RequestInit => {
  const h = new Headers(init.headers);
  for (const [k, v] of Object.entries(set)) {
    if (v === undefined) h.delete(k);
    else h.set(k, v);
  }
  return { ...init, headers: h };
};

describeWithFixtures('ingress: GitHub signatures', () => {
  it("GitHub's documented test vector verifies over the raw bytes; one byte more does not", async () => {
    const server = await fleet();
    const { request } = service(server, { GITHUB_WEBHOOK_SECRET: DOC_SECRET });
    const init = (body: string) =>
      withHeaders(githubDelivery('ping', body), { 'x-hub-signature-256': DOC_SIGNATURE });
    // Verified, then parsed: "Hello, World!" is not JSON, so 400 (a forgery would be 401).
    const ok = await request('/webhooks/github', init(DOC_PAYLOAD));
    expect(ok.status).toBe(400);
    expect(await ok.json()).toEqual({ error: 'body is not JSON' });
    for (const other of [`${DOC_PAYLOAD}\n`, 'Hello, World', 'hello, World!'])
      expect((await request('/webhooks/github', init(other))).status).toBe(401);
    // The HMAC is over the bytes as sent: odd spacing and non-ASCII that a re-serialisation
    // would change still verify.
    const raw = '{ "zen" :"Keep it  logically awesome.",\n "hook_id":1, "note":"é✓" }';
    const pong = await request('/webhooks/github', githubDelivery('ping', raw, { secret: DOC_SECRET }));
    expect(await pong.json()).toMatchObject({ outcome: 'done', detail: 'pong' });
    expect(server.log).toHaveLength(0);
  });

  it.each([
    ['an empty header', () => ''],
    ['the prefix alone', () => 'sha256='],
    ['63 hex digits', (b: string) => sign(b).slice(0, -1)],
    ['65 hex digits', (b: string) => `${sign(b)}0`],
    ['upper-case hex of the right MAC', (b: string) => `sha256=${sign(b).slice(7).toUpperCase()}`],
    [
      'a SHA-1 MAC in the SHA-256 header',
      (b: string) => `sha1=${createHmac('sha1', SECRET).update(b).digest('hex')}`,
    ],
    ['two signatures in one header', (b: string) => `${sign(b)},${sign(b)}`],
    ['a MAC keyed with the delivery id', (b: string) => sign(b, 'forged-2')],
  ])('%s: 401, and the body (valid or not) is never parsed', async (_name, header) => {
    const server = await fleet();
    const { request, store, logs } = service(server);
    for (const body of [releasePublished(), '{not json', '']) {
      const init = githubDelivery('release', body, { delivery: 'forged-2' });
      const res = await request(
        '/webhooks/github',
        withHeaders(init, { 'x-hub-signature-256': header(body) }),
      );
      expect(res.status).toBe(401);
    }
    // A SHA-1 X-Hub-Signature that is right is not enough on its own either.
    const body = releasePublished();
    const sha1 = `sha1=${createHmac('sha1', SECRET).update(body).digest('hex')}`;
    const only1 = withHeaders(githubDelivery('release', body, { delivery: 'forged-2' }), {
      'x-hub-signature-256': undefined,
      'x-hub-signature': sha1,
    });
    expect((await request('/webhooks/github', only1)).status).toBe(401);
    expect(server.log).toHaveLength(0);
    expect(await store.get('functions:delivery:github:forged-2')).toBeUndefined();
    expect(logs.join('\n')).not.toContain('body is not JSON');
  });

  it('an empty body is refused even with the MAC of nothing', async () => {
    const server = await fleet();
    const { request } = service(server);
    const res = await request('/webhooks/github', githubDelivery('ping', ''));
    expect(res.status).toBe(401);
  });

  it('secret rotation: old only, then both, then new only; the retired secret is refused', async () => {
    const server = await fleet();
    const { cairn, env } = service(server);
    const ping = (secret: string, e: Record<string, string>) =>
      cairn.app.request('/webhooks/github', githubDelivery('ping', '{"zen":"z"}', { secret }), e);
    const before = {
      ...env,
      GITHUB_WEBHOOK_SECRET: PREVIOUS_SECRET,
      CAIRN_GITHUB_WEBHOOK_SECRET_PREVIOUS: '',
    };
    const during = {
      ...env,
      GITHUB_WEBHOOK_SECRET: SECRET,
      CAIRN_GITHUB_WEBHOOK_SECRET_PREVIOUS: PREVIOUS_SECRET,
    };
    const after = { ...env, GITHUB_WEBHOOK_SECRET: SECRET, CAIRN_GITHUB_WEBHOOK_SECRET_PREVIOUS: '' };
    expect((await ping(PREVIOUS_SECRET, before)).status).toBe(200);
    expect((await ping(SECRET, before)).status).toBe(401);
    expect((await ping(PREVIOUS_SECRET, during)).status).toBe(200);
    expect((await ping(SECRET, during)).status).toBe(200);
    expect((await ping(SECRET, after)).status).toBe(200);
    expect((await ping(PREVIOUS_SECRET, after)).status).toBe(401);
  });
});

describeWithFixtures('ingress: size, replay, scope', () => {
  it('a 64 MB body is refused with 413 after reading at most ~1 MB of it, on every webhook', async () => {
    const server = await fleet();
    const { request } = service(server);
    for (const path of [
      '/webhooks/github',
      '/webhooks/flux',
      '/webhooks/argocd',
      '/webhooks/slack',
      '/webhooks/registry',
    ]) {
      let pulled = 0;
      const chunk = new Uint8Array(64 * 1024).fill(32);
      const body = new ReadableStream<Uint8Array>({
        pull(c) {
          if (pulled >= 64 * 1024 * 1024) return c.close();
          pulled += chunk.byteLength;
          c.enqueue(chunk);
        },
      });
      const res = await request(path, {
        ...githubDelivery('push', '{}'),
        body,
        duplex: 'half',
      } as RequestInit);
      expect(res.status, path).toBe(413);
      // Bounded: the reader stopped and cancelled the stream at the limit, it did not buffer 64 MB.
      expect(pulled, path).toBeLessThanOrEqual(1024 * 1024 + 4 * chunk.byteLength);
    }
    expect(server.log).toHaveLength(0);
  });

  it('a replayed delivery is a no-op, to this app and to a second one on the same store', async () => {
    const server = await fleet();
    const a = service(server);
    const body = releasePublished();
    const first = await a.request(
      '/webhooks/github',
      githubDelivery('release', body, { delivery: 'replay-7' }),
    );
    expect(await first.json()).toMatchObject({ outcome: 'done' });
    const pulls = server.pulls.size;
    const logged = server.log.length;
    const { createApp } = await import('../../functions/app.ts');
    const second = createApp({ ...a.runtime, instance: 'replica-2' });
    for (const app of [a.cairn.app, second.app]) {
      const res = await app.request(
        '/webhooks/github',
        githubDelivery('release', body, { delivery: 'replay-7' }),
        a.env,
      );
      expect(await res.json()).toMatchObject({ outcome: 'duplicate' });
    }
    expect(server.pulls.size).toBe(pulls);
    expect(server.log.length).toBe(logged);
  });

  it('a delivery whose handling failed is released, so its redelivery is handled (nothing lost)', async () => {
    const server = await fleet();
    const { request } = service(server);
    // The first GitHub call the handler makes fails: the handler gives up with 500.
    server.failNth(1);
    const body = pushToMain('a'.repeat(40));
    const failed = await request(
      '/webhooks/github',
      githubDelivery('push', body, { delivery: 'redeliver-1' }),
    );
    expect(failed.status).toBe(500);
    expect(server.pulls.size).toBe(0);
    // GitHub's redelivery (same id) is handled, not taken for a duplicate.
    const again = await request(
      '/webhooks/github',
      githubDelivery('push', body, { delivery: 'redeliver-1' }),
    );
    expect(await again.json()).toMatchObject({ outcome: 'done' });
    expect(openSteps(server).length).toBeGreaterThan(0);
  });

  it('signed events about a repository cairn does not reconcile are ignored without a GitHub request', async () => {
    const server = await fleet();
    const { request, store } = service(server);
    const other = 'someone-else/their-fleet';
    const push = await request('/webhooks/github', githubDelivery('push', pushToMain('b'.repeat(40), other)));
    expect(await push.json()).toMatchObject({
      outcome: 'ignored',
      detail: `${other} is not a repository cairn reconciles`,
    });
    const merged = JSON.parse(mergedPayload(1, 'c'.repeat(40)));
    merged.repository.full_name = other;
    const closed = await request('/webhooks/github', githubDelivery('pull_request', JSON.stringify(merged)));
    expect(await closed.json()).toMatchObject({ outcome: 'ignored' });
    const comment = JSON.parse(commentPayload(1, 'alice', 77, '/cairn approve 7.4.1'));
    comment.repository.full_name = other;
    const cmd = await request('/webhooks/github', githubDelivery('issue_comment', JSON.stringify(comment)));
    expect(await cmd.json()).toMatchObject({ outcome: 'ignored' });
    expect(server.log).toHaveLength(0);
    expect(await store.get(`functions:merged:${other}#1`)).toBeUndefined();
  });
});

const snapshot = (sequence: number, agent = 'agent-0'): Snapshot => ({
  version: 1,
  kind: 'snapshot',
  cluster: 'dev',
  agent,
  sequence,
  readAt: new Date(NOW).toISOString(),
  objects: [],
  problems: [],
});

describeWithFixtures('ingress: Flux, Argo CD, agent and Slack', () => {
  it('Flux generic-hmac: only the right SHA-256 MAC of these bytes; forgeries reach nothing', async () => {
    const server = await fleet();
    const { request } = service(server);
    const event =
      '{"involvedObject":{"kind":"Kustomization","name":"apps"},"reason":"ReconciliationSucceeded"}';
    const mac = (key: string, algo = 'sha256', body = event) =>
      createHmac(algo, key).update(body).digest('hex');
    for (const header of [
      undefined,
      '',
      `sha256=${mac('not-the-flux-secret')}`,
      `sha1=${mac(FLUX_SECRET, 'sha1')}`,
      `sha256=${mac(FLUX_SECRET).slice(0, 62)}`,
      `sha256=${mac(FLUX_SECRET, 'sha256', `${event} `)}`,
      mac(FLUX_SECRET),
    ]) {
      const res = await request('/webhooks/flux', {
        method: 'POST',
        headers: header === undefined ? {} : { 'x-signature': header },
        body: event,
      });
      expect(res.status, String(header)).toBe(401);
    }
    expect(server.log).toHaveLength(0);
    const ok = await request('/webhooks/flux', {
      method: 'POST',
      headers: { 'x-signature': `sha256=${mac(FLUX_SECRET)}` },
      body: event,
    });
    expect(ok.status).toBe(202);
  });

  it('Argo CD: the shared token, compared whole; none configured refuses everyone', async () => {
    const server = await fleet();
    const token = 'argocd-token-000000000001';
    const { request } = service(server, { CAIRN_ARGOCD_WEBHOOK_TOKEN: token });
    for (const given of [undefined, '', token.slice(0, -1), `${token}x`, token.toUpperCase()]) {
      const res = await request('/webhooks/argocd', {
        method: 'POST',
        headers: given === undefined ? {} : { 'x-cairn-token': given },
        body: '{"app":"dev"}',
      });
      expect(res.status, String(given)).toBe(401);
    }
    expect(server.log).toHaveLength(0);
    const ok = await request('/webhooks/argocd', {
      method: 'POST',
      headers: { 'x-cairn-token': token },
      body: '{"app":"dev"}',
    });
    expect(ok.status).toBe(202);
    const unset = service(server);
    const res = await unset.request('/webhooks/argocd', {
      method: 'POST',
      headers: { 'x-cairn-token': token },
      body: '{}',
    });
    expect(res.status).toBe(401);
  });

  it('agent: signed but outside the 5-minute window (either side) is 401; an older sequence never replaces a newer one', async () => {
    const server = await fleet();
    const { request, store } = service(server);
    const post = async (snap: Snapshot, at: number, secret = AGENT_SECRET) => {
      const signed = await signSnapshot(snap, secret, new Date(at));
      return request('/webhooks/agent', { method: 'POST', headers: signed.headers, body: signed.body });
    };
    expect((await post(snapshot(1), NOW - 6 * 60_000)).status).toBe(401);
    expect((await post(snapshot(1), NOW + 6 * 60_000)).status).toBe(401);
    expect(await store.get('functions:agent:snapshot:dev')).toBeUndefined();
    // The timestamp is inside the MAC: moving it into the window breaks the signature.
    const stale = await signSnapshot(snapshot(1), AGENT_SECRET, new Date(NOW - 6 * 60_000));
    const moved = { ...stale.headers, 'x-cairn-timestamp': String(Math.floor(NOW / 1000)) };
    expect(
      (await request('/webhooks/agent', { method: 'POST', headers: moved, body: stale.body })).status,
    ).toBe(401);
    expect((await post(snapshot(5), NOW)).status).toBe(202);
    const late = await post(snapshot(4), NOW + 1000);
    expect(await late.json()).toMatchObject({ outcome: 'ignored' });
    expect(JSON.parse((await store.get('functions:agent:snapshot:dev'))!)).toMatchObject({ sequence: 5 });
  });

  it('Slack: a click signed 6 minutes in the future, or with the timestamp moved, is 401', async () => {
    const server = await fleet();
    const signing = 'test-slack-signing-secret-01';
    const { request, store } = service(server, {
      CAIRN_SLACK_SIGNING_SECRET: signing,
      CAIRN_SLACK_APPROVERS: 'U0A',
    });
    const step = 'howl-redis-operator-0.2.6-c4263675';
    const body = `payload=${encodeURIComponent(
      JSON.stringify({
        type: 'block_actions',
        user: { id: 'U0A' },
        actions: [{ action_id: APPROVE_ACTION, value: step }],
      }),
    )}`;
    const signed = (ts: number, sent = ts) => ({
      method: 'POST',
      headers: {
        'x-slack-request-timestamp': String(sent),
        'x-slack-signature': `v0=${createHmac('sha256', signing).update(`v0:${ts}:${body}`).digest('hex')}`,
      },
      body,
    });
    const now = Math.floor(NOW / 1000);
    expect((await request('/webhooks/slack', signed(now + 360))).status).toBe(401);
    expect((await request('/webhooks/slack', signed(now - 360, now))).status).toBe(401);
    expect(await store.get(approvalKey(step))).toBeUndefined();
    expect((await request('/webhooks/slack', signed(now))).status).toBe(200);
    expect(await store.get(approvalKey(step))).toBe('slack:U0A');
  });
});

describeWithFixtures('ingress: comment commands', () => {
  it.each(['read', 'triage', 'none'] as const)(
    'every /cairn command from a user with %s access is refused with a reply, and changes nothing',
    async (role) => {
      const server = await fleet();
      const { request, store } = service(server);
      await request('/webhooks/github', githubDelivery('push', pushToMain()));
      const { pr, step } = openSteps(server)[0]!;
      server.permissions.set('mallory', role);
      const before = writes(server).length;
      let id = 500;
      for (const command of ['approve', 'retry', 'pause', 'resume', 'explain']) {
        const res = await request(
          '/webhooks/github',
          githubDelivery(
            'issue_comment',
            commentPayload(pr.number, 'mallory', ++id, `/cairn ${command} ${step.to}`),
          ),
        );
        expect(await res.json(), command).toMatchObject({
          outcome: 'ignored',
          detail: 'mallory has no write permission',
        });
      }
      expect(await store.get(approvalKey(step.id))).toBeUndefined();
      expect(
        await store.get(
          pauseKey(
            { owner: server.owner, repo: server.repo, slug: `${server.owner}/${server.repo}`.toLowerCase() },
            step.to,
          ),
        ),
      ).toBeUndefined();
      const replies = server.comments.filter((c) => c.issue === pr.number && c.body.includes('@mallory'));
      expect(replies).toHaveLength(5);
      for (const r of replies) expect(r.body).toContain('needs write permission');
      // The only writes were those five replies: no branch, PR, status or label changed.
      const extra = writes(server).slice(before);
      expect(extra.every((w) => /\/issues\/\d+\/comments$/.test(w.path))).toBe(true);
      expect(extra).toHaveLength(5);
    },
  );
});
