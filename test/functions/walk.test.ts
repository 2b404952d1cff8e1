// The loop that walks a path by itself: a step PR is merged, the cluster agent pushes a
// signed snapshot that proves it (Flux applied the merge commit, the operator rolled out,
// the RedisClusters are Healthy), the gate publishes `cairn/gate` success on the merge
// commit, and the next cron run opens the next environment's step.
import { afterEach, expect, it } from 'vitest';
import { runCron } from '../../functions/cron.ts';
import { GATE_CONTEXT } from '../../lib/engine/index.ts';
import { stepFromPullRequestBody } from '../../lib/render/pull-request.ts';
import { describeWithFixtures } from '../support/fixtures.ts';
import type { GitHubTestServer } from '../support/github-server/index.ts';
import {
  devSnapshot,
  fleetServer,
  githubDelivery,
  mergedPayload,
  openPulls,
  payload,
  provenDev,
  service,
  SLACK_URL,
} from './helpers.ts';

const servers: GitHubTestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

describeWithFixtures('walking a path', () => {
  it('merge, a proving snapshot, cairn/gate success, then the next environment gets its PR', async () => {
    const server = await fleetServer();
    servers.push(server);
    const { request, cairn, env, slack } = service(server, { SLACK_WEBHOOK_URL: SLACK_URL });
    // The feed gives the operator's v0.2.7: its dev step opens first, staging waits for it.
    await request('/webhooks/github', githubDelivery('release', payload('release/published.payload.json')));
    const steps = () => openPulls(server).map((p) => ({ p, step: stepFromPullRequestBody(p.body)! }));
    const dev = steps().find(
      (x) => x.step.component === 'howl-redis-operator' && x.step.environment === 'dev',
    )!;
    expect(dev).toBeDefined();
    expect(
      steps().some((x) => x.step.component === 'howl-redis-operator' && x.step.environment === 'staging'),
    ).toBe(false);

    const merge = server.merge(dev.p.number);
    await request('/webhooks/github', githubDelivery('pull_request', mergedPayload(dev.p.number, merge)));
    expect(server.statuses.get(merge)?.[0]).toMatchObject({ context: GATE_CONTEXT, state: 'pending' });

    const signed = await devSnapshot(provenDev(merge, dev.step.to));
    const pushed = await request('/webhooks/agent', {
      method: 'POST',
      headers: signed.headers,
      body: signed.body,
    });
    const answer = (await pushed.json()) as { gates: { pr: number; verdict: string }[] };
    expect(answer.gates).toEqual([expect.objectContaining({ pr: dev.p.number, verdict: 'pass' })]);
    expect(server.statuses.get(merge)?.[0]).toMatchObject({ context: GATE_CONTEXT, state: 'success' });

    await runCron(cairn.services(env), 'after-proof');
    const staging = steps().find(
      (x) => x.step.component === 'howl-redis-operator' && x.step.environment === 'staging',
    );
    expect(staging?.step.to).toBe(dev.step.to);
    // Slack heard each of it once: every PR opened, the merge, the gate passing.
    const texts = slack.map((m) => m.text ?? '');
    expect(texts.filter((t) => t.startsWith('Step opened: howl-redis-operator'))).toHaveLength(2);
    expect(texts.filter((t) => t.startsWith('Merged: howl-redis-operator'))).toHaveLength(1);
    expect(texts.filter((t) => t.startsWith('Gate passed: howl-redis-operator'))).toHaveLength(1);
    await runCron(cairn.services(env), 'again');
    expect(slack.length).toBe(texts.length);
  });
});
