// No secret leaves cairn: a full walk (test/functions/walk.test.ts's flow: release, PRs,
// merge, proving snapshot, gate success, next environment) with every secret configured,
// plus the paths that log errors (a forged request, a GitHub failure, Slack refusing),
// then every captured log line, HTTP answer, Slack body, PR title and body, comment,
// issue, status and the metrics page is searched for each secret value.
import { createHmac } from 'node:crypto';
import { expect, it } from 'vitest';
import { runCron } from '../../functions/cron.ts';
import { SECRET_VARIABLES } from '../../lib/config.ts';
import { describeWithFixtures } from '../support/fixtures.ts';
import { devSnapshot, FLUX_SECRET, provenDev, SLACK_URL, STATUS_TOKEN } from '../functions/helpers.ts';
import { fleet, githubDelivery, mergedPayload, openSteps, releasePublished, service } from './world.ts';

const EXTRA = {
  SLACK_WEBHOOK_URL: SLACK_URL,
  CAIRN_SLACK_SIGNING_SECRET: 'slack-signing-secret-4f1c9a7e',
  CAIRN_ARGOCD_WEBHOOK_TOKEN: 'argocd-token-9b2e61d0c4',
  CAIRN_REGISTRY_WEBHOOK_TOKEN: 'registry-token-57a3e0b18f',
  CAIRN_DASHBOARD_TOKEN: 'dashboard-token-3d9e0a7c52',
  CAIRN_STORE: 'redis://:store-password-c81d@127.0.0.1:1',
  // Set beside GITHUB_TOKEN (which wins): it must never be printed either.
  CAIRN_GITHUB_APP_PRIVATE_KEY:
    '-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCnot-a-real-key\\n-----END PRIVATE KEY-----',
};

/** The value, and the part of a URL that is the secret (a webhook path, a password). */
function secretParts(value: string): string[] {
  if (!/^[a-z]+:\/\//.test(value)) return [value];
  const u = new URL(value);
  return [value, ...(u.pathname.length > 1 ? [u.pathname] : []), ...(u.password ? [u.password] : [])];
}

describeWithFixtures('secrets stay secret', () => {
  it('a full walk with every secret set, and its error paths: no secret in any log, answer, message or GitHub text', async () => {
    const server = await fleet();
    const svc = service(server, EXTRA);
    const answers: string[] = [];
    const call = async (path: string, init?: RequestInit) => {
      const res = await svc.request(path, init);
      const text = await res.text();
      answers.push(text);
      return text;
    };
    // Slack refuses the first message (an error path that logs), then takes the rest.
    let refused = false;
    const slackBodies: string[] = [];
    const inner = svc.runtime.fetch!;
    svc.runtime.fetch = async (url, init) => {
      if (url.startsWith(SLACK_URL)) {
        slackBodies.push(String(init?.body));
        if (!refused) {
          refused = true;
          return new Response('invalid_token', { status: 403 });
        }
        return new Response('ok');
      }
      return inner(url, init);
    };
    // Error paths first: a forged delivery, and a GitHub failure mid-handling.
    await call(
      '/webhooks/github',
      githubDelivery('release', releasePublished(), { secret: 'forged-secret-xyz' }),
    );
    server.inject({ method: 'POST', path: /\/pulls$/, kind: 'instead', status: 400 });
    await call('/webhooks/github', githubDelivery('release', releasePublished()));
    // The failed run is picked up by the next cron run (the release itself was handled).
    await runCron(svc.cairn.services(svc.env), 'retry');
    const dev = openSteps(server).find(
      (s) => s.step.component === 'howl-redis-operator' && s.step.environment === 'dev',
    )!;
    expect(dev).toBeDefined();
    const merge = server.merge(dev.pr.number);
    await call('/webhooks/github', githubDelivery('pull_request', mergedPayload(dev.pr.number, merge)));
    const signed = await devSnapshot(provenDev(merge, dev.step.to));
    const gated = await call('/webhooks/agent', {
      method: 'POST',
      headers: signed.headers,
      body: signed.body,
    });
    expect(gated).toContain('"verdict":"pass"');
    const event = '{"involvedObject":{"kind":"Kustomization","name":"infrastructure"}}';
    await call('/webhooks/flux', {
      method: 'POST',
      headers: { 'x-signature': `sha256=${createHmac('sha256', FLUX_SECRET).update(event).digest('hex')}` },
      body: event,
    });
    await call('/webhooks/argocd', {
      method: 'POST',
      headers: { 'x-cairn-token': EXTRA.CAIRN_ARGOCD_WEBHOOK_TOKEN },
      body: '{}',
    });
    await call('/webhooks/registry', { method: 'POST', headers: { 'x-cairn-token': 'wrong' }, body: '{}' });
    await runCron(svc.cairn.services(svc.env), 'after-proof');
    expect(
      openSteps(server).some(
        (s) => s.step.component === 'howl-redis-operator' && s.step.environment === 'staging',
      ),
    ).toBe(true);
    await call('/status/dev', { headers: { authorization: `Bearer ${STATUS_TOKEN}` } });
    await call('/metrics');
    await call('/readyz');
    // The fleet dashboard, signed in with its token: the page itself must show no secret.
    const page = await call('/', { headers: { authorization: `Bearer ${EXTRA.CAIRN_DASHBOARD_TOKEN}` } });
    expect(page).toContain('cairn fleet dashboard');

    const captured = [
      ...svc.logs,
      ...answers,
      ...slackBodies,
      ...[...server.pulls.values()].flatMap((p) => [p.title, p.body, p.head]),
      ...server.comments.map((c) => c.body),
      ...[...server.issues.values()].flatMap((i) => [i.title, i.body]),
      ...[...server.statuses.values()].flat().map((s) => `${s.description ?? ''} ${s.target_url ?? ''}`),
    ].join('\n');
    // The error paths ran and logged.
    expect(svc.logs.some((l) => l.includes('"level":"error"'))).toBe(true);
    expect(svc.logs.some((l) => l.includes('slack notification failed'))).toBe(true);
    const env = svc.env as Record<string, string>;
    const secrets = SECRET_VARIABLES.flatMap((k) => (env[k] ? [[k, env[k]] as const] : []));
    expect(secrets.map(([k]) => k).sort()).toEqual([...SECRET_VARIABLES].sort());
    for (const [name, value] of secrets) {
      for (const part of secretParts(value)) expect(captured.includes(part), name).toBe(false);
    }
  });
});
